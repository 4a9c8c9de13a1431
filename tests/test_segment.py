"""Segmentation: numbering schemes, nesting, run-on splitting, values that are not clause numbers."""
import re
from pathlib import Path

import pytest

from stdkb.labels import parse_label
from stdkb.pipeline import process_text

SEED = Path(__file__).resolve().parents[1] / "corpus" / "000_0488f31712851f27.txt"


def one_doc(text, **kw):
    docs = process_text(text, "test.txt", extract=False)
    assert len(docs) == 1, [d.title for d in docs]
    return docs[0]


def tree(doc):
    return [("/".join(c.path), c.kind) for c in doc.clauses if c.kind != "text"]


def paths(doc):
    return ["/".join(c.path) for c in doc.clauses if c.kind != "text"]


# --- the seed's full standard -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_docs():
    return process_text(SEED.read_text(encoding="utf-8"), str(SEED), extract=False)


@pytest.fixture(scope="module")
def full_standard(seed_docs):
    doc = seed_docs[0]
    assert doc.title == "客户服务标准(试行)"
    return doc


def _expected_decimal_labels():
    """An independent oracle: decimal numbers at the start of the body's lines, plus the two clauses the
    dump glued onto the previous line after a full stop (6.1.19, 7.1.2)."""
    text = SEED.read_text(encoding="utf-8")
    start = text.index("\n1 总则\n\n为加强")
    end = text.index("附录服务技巧\n\n根据")
    labels = []
    for line in text[start:end].splitlines():
        m = re.match(r"^(\d+(?:\.\d+)*) \S", line)
        if m:
            labels.append(m.group(1))
        for m in re.finditer(r"。(\d+\.\d+\.\d+) ", line):
            labels.append(m.group(1))
    return labels


def test_every_numbered_clause_of_the_full_standard_once_with_its_path(full_standard):
    expected = _expected_decimal_labels()
    assert len(expected) > 150
    got = [c for c in full_standard.clauses if c.scheme == "decimal"]
    assert sorted(c.label for c in got) == sorted(expected)
    for c in got:
        parts = c.label.split(".")
        assert c.path == [".".join(parts[: i + 1]) for i in range(len(parts))], c.id
    appendix = [c for c in full_standard.clauses if c.label == "附录"]
    assert len(appendix) == 1 and appendix[0].title == "服务技巧" and appendix[0].path == ["附录"]


def test_glued_list_items_nest_under_their_clause(full_standard):
    items = [c for c in full_standard.clauses if c.path[:3] == ["3", "3.1", "3.1.1"] and len(c.path) == 4]
    assert [c.label for c in items] == ["1", "2", "3", "4", "5", "6"]
    assert items[0].text == "面带笑容,保持开朗心态。"
    assert all(c.path == ["3", "3.1", "3.1.1", c.label] for c in items)
    # the list under 3.2.7 does not swallow the next decimal clause
    c = next(c for c in full_standard.clauses if c.label == "3.2.8")
    assert c.path == ["3", "3.2", "3.2.8"]


def test_no_table_of_contents_entry_becomes_a_clause(full_standard):
    tops = [c for c in full_standard.clauses if c.label == "1" and len(c.path) == 1]
    assert len(tops) == 1
    for c in full_standard.clauses:
        assert not re.search(r"\(\d+\)\s*$", c.text), c.text
    assert any("(2)" in n for n in full_standard.noise)


def test_two_clauses_on_one_line_are_split(full_standard):
    by = {c.label: c for c in full_standard.clauses if c.scheme == "decimal"}
    assert by["6.1.18"].text.endswith("厅内物品及时擦拭。")
    assert by["6.1.19"].text == "严禁在工作区域内用餐、吃零食。"
    assert by["7.1.2"].path == ["7", "7.1", "7.1.2"]


def test_headings_and_clauses(full_standard):
    by = {c.label: c for c in full_standard.clauses if c.scheme == "decimal"}
    assert by["4.5"].kind == "heading" and by["4.5"].title == "禁忌用语"
    assert by["3.1.1"].kind == "heading"
    assert by["2.2.3"].kind == "clause"
    assert by["4.5.1"].kind == "clause" and by["4.5.1"].text == "“不知道”、“不管”。"
    # a heading followed by a paragraph is a clause with a title
    assert by["7.4.1"].kind == "clause" and by["7.4.1"].title == "匆忙型"


def test_wrapped_lines_continue_the_clause(full_standard):
    c = next(c for c in full_standard.clauses if c.path == ["3", "3.2", "3.2.4", "1"])
    assert "与身体成45度角;手臂伸直" in c.text
    assert "以肘关节为轴" in c.text


def test_flattened_excerpts_come_out_as_trees(seed_docs):
    by_title = {}
    for d in seed_docs:
        by_title.setdefault(d.title, d)
    site = by_title["安全文明工地验收标准"]
    p = paths(site)
    assert p[:4] == ["一", "一/1", "一/2", "一/3"]
    assert "二/3" in p and "七/4" in p
    assert next(c for c in site.clauses if c.path == ["二", "3"]).text == "施工道路循环喷淋系统必须设置到位(长度不少于50米);"
    # "2.0米高" on a wrapped line is a value, not clause 2.0
    c = next(c for c in site.clauses if c.path == ["四", "4"])
    assert "2.0米高" in c.text
    wz = by_title["温州市建筑安全文明施工标准化工地验收标准和认定程序"]
    p = paths(wz)
    assert p[:3] == ["一", "一/(一)", "一/(二)"]
    assert ["一/(六)/1", "一/(六)/2", "一/(六)/3", "一/(六)/4"] == [x for x in p if x.startswith("一/(六)/")]
    assert "二" in p
    req = by_title["安全文明工地标准及要求"]
    p = paths(req)
    assert "第一章/1.4" in p and "第二章/2.2/2.2.5" in p
    assert [x for x in p if x.startswith("第二章/2.1/")] == [f"第二章/2.1/2.1.{i}" for i in range(1, 6)]
    flow = by_title["客服工作标准化流程"]
    assert "一/1/1.2" in paths(flow) and "二/1/1.3/(3)" in paths(flow)


# --- documents written for these tests -----------------------------------------------------------------------

def test_chapters_articles_and_chinese_lists():
    doc = one_doc("""物业服务管理规定

第一章 总则
第一条 为规范物业服务,制定本规定。
第二条 本规定适用于本市住宅小区。
第二章 服务要求
第三条 物业服务企业应当遵守下列要求:
（一）保洁人员每日清扫不少于2次;
（二）保安人员24小时值班;
1、夜间巡逻每2小时一次;
2、巡逻记录保存不少于1年。
（三）维修人员接到报修后30分钟内到场。
第四条 禁止在消防通道停放车辆。
附录A 服务记录表
""")
    assert tree(doc) == [
        ("第一章", "heading"), ("第一章/第一条", "clause"), ("第一章/第二条", "clause"),
        ("第二章", "heading"), ("第二章/第三条", "clause"), ("第二章/第三条/(一)", "clause"),
        ("第二章/第三条/(二)", "clause"), ("第二章/第三条/(二)/1", "clause"), ("第二章/第三条/(二)/2", "clause"),
        ("第二章/第三条/(三)", "clause"), ("第二章/第四条", "clause"), ("附录A", "heading"),
    ]
    assert doc.title == "物业服务管理规定"
    assert doc.clauses[-1].label == "附录A"


def test_circled_letters_parens_and_sections():
    doc = one_doc("""一、服务礼仪
(一)仪容
①头发整洁;
②不留长指甲。
(二)用语
A、迎客用语;
B、送客用语。
二、服务流程
1.受理
(1)登记客户信息;
(2)核对证件。
2.办结
""")
    assert paths(doc) == ["一", "一/(一)", "一/(一)/①", "一/(一)/②", "一/(二)", "一/(二)/A", "一/(二)/B",
                          "二", "二/1", "二/1/(1)", "二/1/(2)", "二/2"]


def test_run_on_line_is_split_at_list_boundaries():
    doc = one_doc("文明工地验收标准\n\n一、办公室: 1、各级管理人员照片提供一张; 2、各办公室内清理干净,办公室用品摆放整齐; "
                  "二、施工道路: 1、入口处冲洗设施齐全; 2、施工道路循环喷淋系统必须设置到位(长度不少于50米);\n")
    assert paths(doc) == ["一", "一/1", "一/2", "二", "二/1", "二/2"]
    assert doc.clauses[0].title == "办公室"
    assert doc.clauses[-1].text.endswith("(长度不少于50米);")


def test_values_are_not_clause_numbers():
    doc = one_doc("""安全防护标准

1 防护栏杆
1.1 临边防护栏杆高度不小于1.2米,
2.0米高的围挡应张挂安全网;展览板尺寸不宜小于1.0mX1.8m。
1.2 电话 0577-88881234 应于 2021年1月 公布,版本第 2 版 生效。
每班值守人员不少于
2 人。
2 检查
""")
    assert paths(doc) == ["1", "1/1.1", "1/1.2", "2"]
    c = doc.clauses[1]
    assert "2.0米高的围挡" in c.text and "1.0mX1.8m" in c.text
    assert "每班值守人员不少于2 人。" in doc.clauses[2].text.replace("\n", "")


def test_english_sections_numbered_lists_and_letters():
    doc = one_doc("""Customer Service Standard

Section 1 Scope
This standard applies to all contact centres.
Section 2 Requirements
2.1 Response times
1. The operator shall answer calls within 3 rings.
2. Complaints shall be resolved within 48 hours.
(a) Urgent complaints must be escalated within 1 hour.
(b) Staff should record every complaint.
2.2 Conduct
Staff must not argue with customers.
Appendix A Scripts
""")
    assert paths(doc) == ["1", "2", "2/2.1", "2/2.1/1", "2/2.1/2", "2/2.1/2/(a)", "2/2.1/2/(b)", "2/2.2", "Appendix A"]
    assert doc.lang == "en"
    assert doc.clauses[0].text.startswith("Scope")
    assert doc.title == "Customer Service Standard"


def test_markdown_like_heading_blocks_and_list_items():
    from stdkb.model import Block
    from stdkb.pipeline import process_blocks

    blocks = [
        Block("Service Manual", kind="title"),
        Block("Telephone", kind="heading", level=1),
        Block("Answer within three rings.", kind="list_item", label="1.", level=1),
        Block("Greet the caller.", kind="list_item", label="2.", level=1),
        Block("Say the company name.", kind="list_item", label="1.", level=2),
        Block("Close politely.", kind="list_item", label="3.", level=1),
        Block("Counter", kind="heading", level=1),
        Block("Queue", kind="heading", level=2),
        Block("Keep the queue under 10 people.", kind="para"),
    ]
    doc = list(process_blocks(blocks, "m.md", extract=False))[0]
    assert doc.title == "Service Manual"
    assert paths(doc) == ["Telephone", "Telephone/1", "Telephone/2", "Telephone/2/1", "Telephone/3",
                          "Counter", "Counter/Queue"]
    assert doc.clauses[-1].text.endswith("under 10 people.")


@pytest.mark.parametrize("raw,label,family", [
    ("1、面带", "1", "num_dun"), ("1.面带", "1", "bare"), ("1面带", "1", "bare"), ("一、目的", "一", "cn_dun"),
    ("（一）市标", "(一)", "cn_paren"), ("(一)市标", "(一)", "cn_paren"), ("（1）行政", "(1)", "num_paren"),
    ("1) item", "1", "num_rparen"), ("① 头发", "①", "circled"), ("第一章 总则", "第一章", "ord:chapter"),
    ("第三条 适用", "第三条", "ord:article"), ("第一部分 总则", "第一部分", "ord:part"),
    ("第一阶段:感谢", "第一阶段", "ord:stage"), ("第一节 安全", "第一节", "ord:section"), ("A、店长", "A", "alpha、"),
    ("A.限期", "A", "alpha."), ("附录服务技巧", "附录", "appendix"), ("２.２.３ 一般", "2.2.3", "decimal"),
    ("1.1.1.1 细则", "1.1.1.1", "decimal"), ("4.5 禁忌用语", "4.5", "decimal"),
])
def test_label_normalisation(raw, label, family):
    lab = parse_label(raw)
    assert lab is not None and lab.label == label and lab.family == family


@pytest.mark.parametrize("raw", ["50米", "2.0米高", "1.0mX1.8m", "3米距离", "2016年上半年", "48小时内", "30cm",
                                 "5公分", "120-140个", "7*24*365", "2 版", "0577-88881234", "e.g. this"])
def test_values_are_not_labels(raw):
    assert parse_label(raw) is None


def test_bracketed_roman_numbers_beyond_twelve():
    """'(xiv)' used to raise TypeError (ord('xiv')) and abort the whole file; '(iiii)' is not a number."""
    lab = parse_label("(xiv) Staff shall reply.")
    assert lab is not None and lab.family == "roman_paren" and lab.value == 14
    assert parse_label("(ii) x").value == 2 and parse_label("(iiii) x") is None
    doc = process_text("Service Code\n(i) Staff shall reply.\n(xiv) Staff shall log calls.\n(iiii) x\n", extract=False)[0]
    assert "Staff shall log calls." in "".join(c.text for c in doc.clauses)


def test_keyword_with_multi_level_number():
    """'Chapter 1.2' used to raise ValueError (int('1.2')) and abort the whole file: it is clause 1.2."""
    lab = parse_label("Chapter 1.2 Scope")
    assert lab is not None and lab.family == "decimal" and lab.value == (1, 2) and lab.label == "1.2"
    doc = process_text("Customer Service Code\nChapter 1 General\nChapter 1.2 Scope\nStaff shall reply.\n",
                       extract=False)[0]
    assert [c.label for c in doc.clauses] == ["Chapter 1", "1.2"]


def test_national_standard_layout():
    """A GB-style standard: cover lines, a term entry whose number stands alone, a) b) lists, a lettered appendix."""
    doc = one_doc("""ICS 75.180
GB/T 12345—2020

燃气服务导则
Guidelines for gas service

前言
本标准按照GB/T 1.1—2009给出的规则起草。

1 范围
本标准规定了燃气服务的基本要求。
3 术语和定义
3.1
燃气服务 gas service
燃气经营者向用户提供的服务。
4 基本要求
4.2 服务人员应:
a) 持证上岗;
b) 着装整洁。
4.3 抢修人员应在接到报警后30 min内到达现场。
附 录 A
服务用语示例
A.1 问候用语
A.2 禁忌用语
""")
    assert doc.title == "燃气服务导则"
    assert paths(doc) == ["1", "3", "3/3.1", "4", "4/4.2", "4/4.2/a", "4/4.2/b", "4/4.3", "附录A", "附录A/A.1", "附录A/A.2"]
    by = {"/".join(c.path): c for c in doc.clauses}
    assert by["4/4.2"].kind == "clause"  # "服务人员应:" introduces a list, it is not a heading
    assert by["3/3.1"].text.endswith("燃气经营者向用户提供的服务。")
    assert by["4/4.3"].text == "抢修人员应在接到报警后30 min内到达现场。"
    # "GB/T 1.1—2009" in the foreword is a document number, not clause 1.1
    assert not any(c.label == "1.1" for c in doc.clauses)


def test_english_inline_references_are_not_clause_starts():
    doc = one_doc("""Complaints Standard

2 Handling
2.1 Record every complaint.
2.2 Escalate complaints as described in Section 3. Staff shall reply within 2 hours. 2.3 Close the case.
3 Escalation
3.1 Managers shall review within 1 day.
""")
    assert paths(doc) == ["2", "2/2.1", "2/2.2", "2/2.3", "3", "3/3.1"]
    assert doc.clauses[2].text == "Escalate complaints as described in Section 3. Staff shall reply within 2 hours."


def test_space_then_a_cjk_word_is_a_title_not_a_unit():
    # "安" (ampere), "下", "名" are units only when they touch the number
    doc = one_doc("燃气入户安检服务规范\n\n1 安检要求\n1.1 安检人员入户前应出示工作证件。\n2 下水道检查\n2.1 每月1次。\n")
    assert paths(doc) == ["1", "1/1.1", "2", "2/2.1"]


def test_top_level_number_after_a_lost_heading():
    doc = one_doc("规范\n\n1.1 安检人员入户前应出示工作证件。\n1.2 每户安检时间不得少于15分钟。\n2 服务用语\n2.1 禁止使用。\n")
    assert paths(doc) == ["1.1", "1.2", "2", "2/2.1"]


def test_clause_references_inside_a_sentence_do_not_split():
    doc = one_doc("施工规范\n\n1 总则\n1.1 施工单位应遵守本规范。\n1.2 施工单位应按本标准 1.1 的规定执行。 1.3 监理单位负责检查。\n")
    assert paths(doc) == ["1", "1/1.1", "1/1.2", "1/1.3"]
    assert doc.clauses[2].text == "施工单位应按本标准 1.1 的规定执行。"


def test_bullets_stay_separate_lines():
    doc = one_doc("服务规范\n\n4.5 禁忌用语\n• 不知道\n• 找领导去\n- 这不是我们的事\n")
    assert doc.clauses[0].text.splitlines()[1:] == ["• 不知道", "• 找领导去", "- 这不是我们的事"]


def test_flattened_clause_starting_with_a_reference_cue_word_still_splits():
    # "2.1.4 项目减分…": 项目 is a word, not "the item of 2.1.3"
    doc = one_doc("评定办法\n\n2.1 评定办法 2.1.3 检查时采取观感、实测等方法。 2.1.4 项目减分最多以应得分为度。\n")
    assert paths(doc) == ["2.1", "2.1/2.1.3", "2.1/2.1.4"]


def test_spelled_out_white_space_is_what_regex_s_matches():
    """The run-on candidate pattern spells out the white space characters (faster to scan than \\s): the list
    must be exactly what \\s matches, over all of Unicode."""
    from stdkb.segment import _WHITE_SPACE

    everything = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x110000)))
    assert "".join(re.findall(r"\s", everything)) == _WHITE_SPACE
