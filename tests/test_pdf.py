"""PDF reader on PDFs built with reportlab (CID font STSong-Light for Chinese)."""
import re

import pytest

from fixtures_build import make_pdf, make_scanned_pdf
from stdkb.errors import InputError
from stdkb.readers import read_blocks
from stdkb.readers.layout import build_lines, is_page_number
from stdkb.readers.pdf import read_pdf

BODY = [f"2.{i} 如果输气管网发生故障，公司将及时维修，一般故障排除不超过{i}小时，大故障不超过24小时修复；"
        f"对无能力进行的维修，及时告知或帮助用户转到其它报修渠道，第{i}项。" for i in range(1, 41)]


def _norm(s):
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory):
    items = [dict(text="客户服务标准（试行）", size=20), dict(text="2 服务承诺", size=14)]
    items += BODY[:12]
    items.append(dict(table=[["项目", "时限要求"], ["到达现场", "2小时内"], ["一般故障修复", "24小时内"]]))
    items += BODY[12:]
    p = tmp_path_factory.mktemp("pdf") / "std.pdf"
    return make_pdf(p, items, header="昆仑燃气 企业标准 Q/KL 001-2010",
                    footer=lambda n, t: f"第 {n} 页 共 {t} 页")


def test_text_complete_once_without_headers_footers(long_pdf):
    blocks = list(read_pdf(long_pdf))
    assert max(b.page for b in blocks) >= 3
    text = "".join(_norm(b.text) for b in blocks if b.kind != "table_row")
    # every clause is there exactly once, in order, even when it continues over a page break
    pos = 0
    for clause in BODY:
        i = text.find(_norm(clause), pos)
        assert i >= 0, clause
        assert text.count(_norm(clause)) == 1
        pos = i
    assert "昆仑燃气企业标准" not in text
    assert not any(re.search(r"第\d+页共\d+页", _norm(b.text)) for b in blocks)


def test_no_spurious_spaces_in_cjk(long_pdf):
    for b in read_pdf(long_pdf):
        if b.kind == "para":
            assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff，。；]", b.text), b.text


def test_headings_from_font_size(long_pdf):
    blocks = list(read_pdf(long_pdf))
    heads = [(b.text, b.level) for b in blocks if b.kind == "heading"]
    assert heads == [("客户服务标准（试行）", 1), ("2 服务承诺", 2)]
    body = [b for b in blocks if b.kind == "para"]
    assert {b.font_size for b in body} == {10.5}
    assert all(b.page >= 1 and b.line for b in blocks)


def test_table_rows_once(long_pdf):
    blocks = list(read_pdf(long_pdf))
    rows = [b.text for b in blocks if b.kind == "table_row"]
    assert rows == ["项目 | 时限要求", "到达现场 | 2小时内", "一般故障修复 | 24小时内"]
    others = "".join(b.text for b in blocks if b.kind != "table_row")
    assert "一般故障修复" not in others and "时限要求" not in others
    # the table sits between clause 2.12 and 2.13
    order = [b.kind for b in blocks]
    first_row = order.index("table_row")
    before = "".join(b.text for b in blocks[:first_row])
    assert "第12项" in before and "第13项" not in before


@pytest.mark.parametrize("footer", [lambda n, t: f"- {n} -", lambda n, t: f"Page {n} of {t}",
                                    lambda n, t: f"{n}"])
def test_english_document_page_numbers_and_bold_heading(tmp_path, footer):
    items = [dict(text="1 Scope", size=10.5, font="Helvetica-Bold")]
    items += [dict(text=f"1.{i} The operator shall respond to every complaint within {i} hours of receipt.",
                   font="Helvetica") for i in range(1, 80)]
    p = make_pdf(tmp_path / "en.pdf", items, header="ACME Service Standard", footer=footer)
    blocks = list(read_pdf(p))
    assert blocks[0].text == "1 Scope" and blocks[0].bold and blocks[0].kind == "heading"
    assert [b.text for b in blocks[1:]] == [f"1.{i} The operator shall respond to every complaint within {i} "
                                           f"hours of receipt." for i in range(1, 80)]
    assert not any(b.bold for b in blocks[1:])


def test_odd_even_running_heads_and_first_page_title_kept(tmp_path):
    body = BODY + [c.replace("2.", "3.", 1).replace("第", "第3-", 1) for c in BODY] \
        + [c.replace("2.", "4.", 1).replace("第", "第4-", 1) for c in BODY]
    items = [dict(text="燃气服务规范", size=18)] + body
    p = make_pdf(tmp_path / "oe.pdf", items, header=lambda n: "燃气服务规范" if n % 2 else "Q/KL 002—2012",
                 footer=lambda n, t: f"— {n} —")
    blocks = list(read_pdf(p))
    texts = [b.text for b in blocks]
    assert max(b.page for b in blocks) >= 4
    assert texts.count("燃气服务规范") == 1 and blocks[0].kind == "heading"  # the title, not the running head
    assert not any("Q/KL" in t or "—" in t for t in texts)
    joined = "".join(_norm(t) for t in texts)
    assert all(joined.count(_norm(c)) == 1 for c in body)


def test_scanned_pdf_needs_ocr(tmp_path):
    p = make_scanned_pdf(tmp_path / "scan.pdf")
    with pytest.raises(InputError, match="no text layer: OCR needed") as ei:
        list(read_blocks(p))
    assert str(p) in str(ei.value)


def test_mostly_scanned_pdf_with_a_text_cover_needs_ocr(tmp_path):
    p = make_scanned_pdf(tmp_path / "cover_scan.pdf", pages=3, text_pages=1)
    with pytest.raises(InputError, match="no text layer on 3 of 4 pages: OCR needed"):
        list(read_blocks(p))


def test_encrypted_pdf(tmp_path):
    # (pdfminer loses the Unicode mapping of reportlab's CID fonts in encrypted files: Latin text here)
    lines = ["1 General", "This standard applies to all operating units."]
    p = make_pdf(tmp_path / "enc.pdf", [dict(text=t, font="Helvetica") for t in lines], password="s3cret")
    with pytest.raises(InputError, match="encrypted PDF: give --password"):
        list(read_blocks(p))
    with pytest.raises(InputError, match="wrong password"):
        list(read_blocks(p, password="nope"))
    assert [b.text for b in read_blocks(p, password="s3cret")] == lines


def test_cid_only_text_is_reported(tmp_path):
    p = make_pdf(tmp_path / "enc.pdf", ["1 总则", "本标准适用于公司所属各单位。"], password="pw")
    with pytest.raises(InputError, match="OCR needed"):
        list(read_blocks(p, password="pw"))


def test_pages_are_streamed(long_pdf, monkeypatch):
    """The reader holds a bounded window of pages: the first blocks come out before the last page is parsed,
    and every parsed page's layout is released."""
    import stdkb.readers.pdf as mod

    parsed, closed = [], []
    real_extract = mod._extract_page

    def spy(page):
        parsed.append(page.page_number)
        orig_close = page.close

        def close():
            closed.append(page.page_number)
            orig_close()

        page.close = close
        return real_extract(page)

    monkeypatch.setattr(mod, "_extract_page", spy)
    monkeypatch.setattr(mod, "WINDOW", 1)
    it = read_pdf(long_pdf)
    first = next(it)
    assert first.page == 1 and parsed == [1, 2]  # one page of look-ahead
    rest = list(it)
    assert max(b.page for b in rest) == max(parsed) >= 3
    assert sorted(closed) == parsed


@pytest.mark.parametrize("text,expected", [
    ("第 3 页 共 12 页", True), ("第3页", True), ("共12页 第3页", True), ("- 3 -", True), ("— 12 —", True),
    ("Page 3 of 12", True), ("3 / 12", True), ("17", True), ("iv", True),
    ("3 仪容仪表", False), ("第三条 本办法", False), ("4.1 基本服务用语", False), ("Page layout rules", False),
])
def test_page_number_patterns(text, expected):
    assert is_page_number(text) is expected


def _ch(text, x0, size=10, bottom=100, font="SimSun"):
    return {"text": text, "x0": x0, "x1": x0 + size, "top": bottom - size, "bottom": bottom, "size": size,
            "fontname": font}


def test_build_lines_spaces_cjk_and_fake_bold():
    chars = [_ch("第", 0), _ch("一", 12), _ch("条", 24),  # CJK with small gaps: no spaces
             _ch("A", 40, bottom=130), _ch("B", 50, bottom=130), _ch("C", 66, bottom=130),  # 6pt gap: a space
             _ch("粗", 0, bottom=160), _ch("粗", 0.3, bottom=160), _ch("体", 10, bottom=160), _ch("体", 10.3, bottom=160)]
    lines = build_lines(chars)
    assert [ln["text"] for ln in lines] == ["第一条", "AB C", "粗体"]
    assert lines[2]["bold"] and not lines[0]["bold"]
    heavy = build_lines([_ch("标", 0, font="ABCDEF+SimHei"), _ch("题", 10, font="ABCDEF+SimHei")])
    assert heavy[0]["bold"]


# ---------------------------------------------------------------------------------------------- done when

from fixtures_build import clause_facts, has_extractor, has_segmenter, pdf_items_from_lines, seed_standard_lines  # noqa: E402


@pytest.fixture(scope="module")
def seed_pair(tmp_path_factory):
    if not has_segmenter():
        pytest.skip("needs the segmenter (stdkb.segment / stdkb.documents)")
    d = tmp_path_factory.mktemp("seedpdf")
    lines = seed_standard_lines()
    txt = d / "std.txt"
    txt.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    pdf = make_pdf(d / "std.pdf", pdf_items_from_lines(lines), header="昆仑燃气 企业标准 Q/KL 001-2010",
                   footer=lambda n, t: f"第 {n} 页 共 {t} 页")
    return txt, pdf


def test_seed_standard_pdf_gives_the_text_clause_tree(seed_pair):
    txt, pdf = seed_pair
    tdocs, t = clause_facts(txt, extract=False)
    pdocs, p = clause_facts(pdf, extract=False)
    assert len(pdocs) == len(tdocs) == 1
    assert pdocs[0].title == tdocs[0].title
    assert len(t) > 150
    assert [(k, v[0]) for k, v in p.items()] == [(k, v[0]) for k, v in t.items()]  # labels and paths
    assert {k: v[1] for k, v in p.items()} == {k: v[1] for k, v in t.items()}  # text, white space aside


def test_seed_standard_pdf_gives_the_text_thresholds_and_phrases(seed_pair):
    if not has_extractor():
        pytest.skip("stdkb.extract has no extract_text yet")
    txt, pdf = seed_pair
    _, t = clause_facts(txt, extract=True)
    _, p = clause_facts(pdf, extract=True)
    assert sum(len(v[2]) for v in t.values()) > 10 and sum(len(v[3]) for v in t.values()) > 10
    assert {k: v[2:] for k, v in p.items()} == {k: v[2:] for k, v in t.items()}


def test_furniture_on_synthetic_pages():
    from stdkb.readers.layout import furniture

    def page(n, first_body):
        lines = [{"kind": "line", "text": f"第{(n + 1) // 2}章 服务用语", "top": 30, "bottom": 40},
                 {"kind": "line", "text": first_body, "top": 60, "bottom": 70},
                 {"kind": "line", "text": "正文。", "top": 400, "bottom": 410},
                 {"kind": "line", "text": f"Q/KL 001—2010  第 {n} 页", "top": 800, "bottom": 810}]
        return {"lines": lines, "height": 842.0}

    pages = [page(n, f"{n}.1 当客户提出要求和意见时，应暂停手头的工作，目视对方，并以眼神表示{n}") for n in range(1, 8)]
    for pg in pages:
        assert furniture(pg, pages) == {0, 3}  # chapter running head and footer; the clause line stays
    lone = [page(1, "1.1 x")]
    assert furniture(lone[0], lone) == set()  # one page: nothing repeats, and no page-number pattern


def test_superscript_stays_on_its_line():
    sup = {"text": "2", "x0": 30.2, "x1": 33.5, "top": 88, "bottom": 94, "size": 6, "fontname": "SimSun"}
    chars = [_ch("面", 0), _ch("积", 10), _ch("m", 20, size=10), _ch("不", 34), sup,
             _ch("下", 0, bottom=117), _ch("行", 10, bottom=117)]  # leading 1.7: the next line stays apart
    assert [ln["text"] for ln in build_lines(chars)] == ["面积m2不", "下行"]


def test_lone_number_at_a_page_edge_is_a_page_number_only_if_it_recurs():
    from stdkb.readers.layout import furniture

    def page(n, top_text):
        return {"height": 842.0, "lines": [{"kind": "line", "text": top_text, "top": 60, "bottom": 70},
                                           {"kind": "line", "text": "正文。", "top": 400, "bottom": 410},
                                           {"kind": "line", "text": str(n), "top": 800, "bottom": 810}]}

    tops = ["甲方应当提供资料。", "乙方应当及时答复。", "3", "丙方负责验收。", "丁方负责结算。", "其他事项另行约定。"]
    pages = [page(n, tops[n - 1]) for n in range(1, 7)]  # a clause number "3" tops page 3
    assert furniture(pages[2], pages) == {2}  # the page number goes, the clause number stays
    assert all(furniture(pg, pages) == {2} for pg in pages)
    single = [page(1, "2")]
    assert furniture(single[0], single) == {2}


def _two_column_pdf(path, left, right, title):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from fixtures_build import CJK_FONT, _register_cjk, wrap

    _register_cjk()
    W, H = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(CJK_FONT, 16)
    c.drawCentredString(W / 2, H - 70, title)
    colw = (W - 2 * 56 - 24) / 2
    for x, paras in ((56, left), (56 + colw + 24, right)):
        y = H - 110
        c.setFont(CJK_FONT, 10)
        for para in paras:
            for ln in wrap(para, CJK_FONT, 10, colw):
                c.drawString(x, y, ln)
                y -= 15
    c.drawCentredString(W / 2, 40, "- 1 -")
    c.showPage()
    c.save()
    return path


def test_two_columns_read_column_by_column(tmp_path):
    left = [f"1.{i} 左栏条款，服务人员应当在接到报修后{i}小时内到达现场并说明情况，做好记录。" for i in range(1, 11)]
    right = [f"2.{i} 右栏条款，客服中心应当在接到投诉后{i}日内答复用户并回访，保存记录。" for i in range(1, 11)]
    p = _two_column_pdf(tmp_path / "cols.pdf", left, right, "双栏排版的服务标准")
    blocks = list(read_pdf(p))
    text = "".join(_norm(b.text) for b in blocks)
    assert blocks[0].text == "双栏排版的服务标准"
    pos = [text.find(_norm(x)) for x in left + right]
    assert all(i >= 0 for i in pos), [x for x, i in zip(left + right, pos) if i < 0]
    assert pos == sorted(pos)  # left column first, then the right one
    assert "-1-" not in text


def test_borderless_term_table_is_not_split_into_columns(tmp_path):
    items = []
    for i in range(1, 30):
        items.append(f"术语{i}：燃气设施的使用与维护要求说明，适用于居民用户和非居民用户的日常检查工作第{i}项。")
    p = make_pdf(tmp_path / "single.pdf", items)
    texts = [b.text for b in read_pdf(p)]
    joined = "".join(_norm(t) for t in texts)
    assert all(_norm(x) in joined for x in items)


def test_rotated_watermark_is_not_mixed_into_the_text(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from fixtures_build import CJK_FONT, _register_cjk

    _register_cjk()
    W, H = A4
    c = canvas.Canvas(str(tmp_path / "wm.pdf"), pagesize=A4)
    lines = []
    for pg in range(3):
        y = H - 80
        for i in range(30):
            text = f"{pg + 1}.{i + 1} 服务人员应当在规定时间内完成第{pg * 30 + i + 1}项工作。"
            lines.append(text)
            c.setFont(CJK_FONT, 11)
            c.drawString(60, y, text)
            y -= 20
        c.saveState()
        c.translate(W / 2 - 100, H / 2 - 100)
        c.rotate(45)
        c.setFillGray(0.85)
        c.setFont(CJK_FONT, 48)
        c.drawString(0, 0, "受控文件")
        c.restoreState()
        c.showPage()
    c.save()
    texts = [b.text for b in read_pdf(tmp_path / "wm.pdf")]
    assert texts == lines
