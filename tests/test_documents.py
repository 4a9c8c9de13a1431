"""Multi-document files, noise, tables of contents, near-duplicates."""
from pathlib import Path

import pytest

from stdkb.documents import DuplicateIndex, clean_line, split_toc_line
from stdkb.pipeline import process_text

SEED = Path(__file__).resolve().parents[1] / "corpus" / "000_0488f31712851f27.txt"

SEED_TITLES = [
    "客户服务标准(试行)",
    "温州市建筑安全文明施工标准化工地验收标准和认定程序",
    "售后服务标准体系",
    "客户服务标准(试行)",
    "美容院标准化服务流程",
    "云南省2016年上半年安全工程师安全生产法:文明工地验收中施工安全标准模拟试题",
    "行政服务标准化体系(全)",
    "客服部服务标准规范",
    "总部客户服务管理手册模板",
    "安全文明工地验收标准",
    "浅析酒店服务的标准化与个性化",
    "集团公司客户接待流程及标准手册",
    "安全文明工地标准及要求",
    "IDC集团客户服务体系建设方案及措施",
    "集团公司客户接待流程及标准手册",
    "安全文明工地验收标准审批稿",
    "售后服务标准体系",
    "客服工作标准化流程",
    "中国电信营业厅服务规范与基础管理指导手册",
]


def test_seed_dump_splits_into_its_documents_with_duplicates_marked():
    docs = process_text(SEED.read_text(encoding="utf-8"), str(SEED), extract=False)
    assert [d.title for d in docs] == SEED_TITLES
    by_index = {i: d for i, d in enumerate(docs)}
    dup = {i: d.duplicate_of for i, d in by_index.items()}
    # the same standard pasted again (excerpt / watermark / 审批稿 copy) points to the first copy
    assert dup[3] == docs[0].id
    assert dup[14] == docs[11].id
    assert dup[15] == docs[9].id
    assert dup[16] == docs[2].id
    assert sum(1 for v in dup.values() if v) == 4
    # navigation lines are not documents, and their text is kept as noise
    assert not any(d.title in ("相关文档", "最新文档") for d in docs)
    assert "相关文档" in docs[-1].noise
    assert len({d.id for d in docs}) == len(docs)


def test_ids_are_stable_across_runs():
    text = SEED.read_text(encoding="utf-8")
    a = process_text(text, str(SEED), extract=False)
    b = process_text(text, str(SEED), extract=False)
    assert [d.id for d in a] == [d.id for d in b]
    assert [c.id for c in a[0].clauses] == [c.id for c in b[0].clauses]


def test_watermarks_and_page_noise_are_stripped():
    kept, removed = clean_line("集团公司客户接待流程 及标准手册 IMB standardization office【IMB 5AB- IMBK 08- IMB 2C】")
    assert kept == "集团公司客户接待流程 及标准手册" and removed
    kept, removed = clean_line("集团公司客户接待流程及 标准手册 Jenny was compiled in January 2021")
    assert "Jenny" not in kept and "Jenny was compiled in January 2021" in removed
    kept, _ = clean_line("售后服务标准体系标准化管理处编码[BBX968T-XBB8968-NNJ668-MM9N]")
    assert kept == "售后服务标准体系"
    for line in ["第 3 页 共 12 页", "- 3 -", "Page 3 of 12", "相关文档"]:
        assert clean_line(line)[0] == ""
    # ordinary text is untouched
    assert clean_line("6.1.19 严禁在工作区域内用餐、吃零食。") == ("6.1.19 严禁在工作区域内用餐、吃零食。", [])


def test_flattened_table_of_contents_is_cut_from_the_body():
    toc, rest = split_toc_line("目录 1 总则 (2) 2 服务理念、承诺 (2) 2.1 服务理念 (2) 8 保密要求 (10) 附录服务技巧 (12) "
                               "中石油昆仑燃气有限公司 客户服务标准(试行) 1 总则 为加强管理,制定本标准。")
    assert toc.endswith("(12)") and rest.startswith("中石油昆仑燃气有限公司")


def test_table_of_contents_with_dot_leaders_and_page_numbers():
    doc = process_text("""燃气安全管理制度

目  录
1 总则 ........................ 1
2 职责 ........................ 2
3 检查要求 .................... 3

1 总则
本制度适用于全公司。
2 职责
安全部负责监督检查。
3 检查要求
每月检查不少于1次。
""", "t.txt", extract=False)[0]
    assert ["/".join(c.path) for c in doc.clauses] == ["1", "2", "3"]
    assert any("...." in n for n in doc.noise)


def test_single_document_without_title_line_takes_the_file_name():
    docs = process_text("1 总则\n本标准适用于客服中心。\n2 要求\n2.1 电话振铃3声内接听。\n", "/tmp/呼叫中心规范.txt",
                        extract=False)
    assert len(docs) == 1 and docs[0].title == "呼叫中心规范"


def test_headings_inside_one_standard_do_not_split_it():
    text = """酒店前台服务规范

1 总则
本规范适用于前台。
2 服务标准
2.1 入住办理不超过5分钟。
服务要求
2.2 退房办理不超过3分钟。
"""
    docs = process_text(text, "t.txt", extract=False)
    assert len(docs) == 1


def test_duplicate_index_marks_near_copies_only():
    base = "".join(f"{i}、客服人员应在{i}小时内答复客户的投诉并记录处理结果。" for i in range(1, 30))
    a = process_text("服务规范甲\n\n服务规范甲\n" + base, "a.txt", extract=False)
    noisy = base.replace("答复", "答 复", 3) + "Jenny was compiled in January 2021"
    b = process_text("服务规范乙\n\n服务规范乙\n" + noisy, "b.txt", extract=False)
    other = process_text("保洁规范\n\n保洁规范\n" + "".join(f"{i}、保洁员每日清扫{i}次大厅地面和卫生间。" for i in range(1, 30)),
                         "c.txt", extract=False)
    idx = DuplicateIndex()
    assert idx.mark(a[0]) is None
    assert idx.mark(b[0]) == a[0].id
    assert idx.mark(other[0]) is None


def test_first_wordy_line_is_the_title_unless_a_standard_title_follows():
    assert process_text("Customer Service Code\n\n1 Scope\nThis code applies.\n", "x.txt", extract=False)[0].title \
        == "Customer Service Code"
    assert process_text("中石油昆仑燃气有限公司\n客户服务标准(试行)\n1 总则\n为加强管理。\n", "x.txt", extract=False)[0].title \
        == "客户服务标准(试行)"


def test_same_file_name_in_two_folders_gets_two_ids():
    text = "客服规范\n\n1 总则\n本规范适用于客服中心。\n"
    a = process_text(text, "v1/std.txt", extract=False)[0]
    b = process_text(text, "v2/std.txt", extract=False)[0]
    assert a.id != b.id
    assert a.id == process_text(text.replace("客服中心", "客服大厅"), "v1/std.txt", extract=False)[0].id


def test_running_headers_and_page_numbers_of_a_paginated_text_export_are_noise(tmp_path):
    """A text export with form feeds between pages: the header and footer repeated on each page go."""
    from stdkb.pipeline import process_path

    pages = []
    for i in range(1, 5):
        pages.append(f"XX燃气公司企业标准 Q/XX 001-2020\n{i}.1 第{i}章的第一条要求,服务人员应当遵守。\n{i}.2 第二条。\n第 {i} 页 共 4 页\n")
    f = tmp_path / "paged.txt"
    f.write_text("燃气服务规范\n\n" + "\f".join(pages), encoding="utf-8")
    doc = list(process_path(f, extract=False))[0]
    assert [c.label for c in doc.clauses] == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2"]
    assert not any("Q/XX" in c.text or "页" in c.text for c in doc.clauses)
    assert sum("Q/XX 001-2020" in n for n in doc.noise) == 4


@pytest.mark.parametrize("pattern,anchored", [
    (r"^\s*第\s*\d+\s*页$", True), (r"^(?:Page|页)\s*\d+$", True), (r"^[|]x", True), (r"^\|x", True),
    (r"^a|b", False), (r"a^", False), (r"^[]|]|x", False), (r"^[^]|]x", True),
])
def test_noise_line_patterns_are_matched_at_the_start_only_when_fully_anchored(pattern, anchored):
    """Line patterns are tried with match() (not search()) only when "^" anchors all of them."""
    from stdkb.documents import _anchored

    assert _anchored(pattern) is anchored
