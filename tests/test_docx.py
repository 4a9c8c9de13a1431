"""DOCX reader on real DOCX files built with python-docx and real numbering.xml definitions."""
import zipfile

import pytest

from fixtures_build import abstract_xml, make_docx, num_xml
from stdkb.errors import InputError
from stdkb.readers import read_blocks
from stdkb.readers.docx import read_docx

MULTI = abstract_xml(1, [dict(ilvl=0, text="%1"), dict(ilvl=1), dict(ilvl=2)])
CN = abstract_xml(2, [dict(ilvl=0, fmt="chineseCounting", text="%1、"),
                      dict(ilvl=1, fmt="chineseCounting", text="（%2）"),
                      dict(ilvl=2, fmt="decimal", text="%3.")])
ARTICLE = abstract_xml(3, [dict(ilvl=0, fmt="chineseCounting", text="第%1条")])
ITEMS = abstract_xml(4, [dict(ilvl=0, text="%1")])


def _rows(blocks):
    return [(b.kind, b.level, b.label, b.text) for b in blocks]


def test_multilevel_headings_and_clauses(tmp_path):
    items = [
        dict(text="客户服务标准（试行）", style="Title"),
        dict(text="总则", style="Heading 1", num=(1, 0)),
        dict(text="为加强客户服务工作的管理，制定本标准。"),
        dict(text="服务理念、承诺", style="Heading 1", num=(1, 0)),
        dict(text="服务理念", style="Heading 2", num=(1, 1)),
        dict(text="始于用户需求，终于用户满意。"),
        dict(text="服务承诺", style="Heading 2", num=(1, 1)),
        dict(text="为用户提供全天候服务。", num=(1, 2)),
        dict(text="一般故障排除不超过4小时。", num=(1, 2)),
        dict(text="仪容仪表", style="Heading 1", num=(1, 0)),
        dict(text="仪容标准", style="Heading 2", num=(1, 1)),
    ]
    p = make_docx(tmp_path / "a.docx", items, abstracts=[MULTI], nums=[num_xml(1, 1)],
                  header="昆仑燃气 页眉", footer="第 1 页 共 1 页")
    rows = _rows(read_docx(p))
    assert rows == [
        ("title", None, None, "客户服务标准（试行）"),
        ("list_item", 1, "1", "总则"),
        ("para", None, None, "为加强客户服务工作的管理，制定本标准。"),
        ("list_item", 1, "2", "服务理念、承诺"),
        ("list_item", 2, "2.1", "服务理念"),
        ("para", None, None, "始于用户需求，终于用户满意。"),
        ("list_item", 2, "2.2", "服务承诺"),
        ("list_item", 3, "2.2.1", "为用户提供全天候服务。"),
        ("list_item", 3, "2.2.2", "一般故障排除不超过4小时。"),
        ("list_item", 1, "3", "仪容仪表"),
        ("list_item", 2, "3.1", "仪容标准"),
    ]
    assert all("页眉" not in r[3] and "第 1 页" not in r[3] for r in rows)


def test_heading_styles_without_numbering_give_levels(tmp_path):
    p = make_docx(tmp_path / "h.docx", [dict(text="Scope", style="Heading 1"), "Body text.",
                                       dict(text="Terms", style="Heading 2"), dict(text="Deep", style="Heading 3")])
    assert _rows(read_docx(p)) == [("heading", 1, None, "Scope"), ("para", None, None, "Body text."),
                                   ("heading", 2, None, "Terms"), ("heading", 3, None, "Deep")]


def test_chinese_counting_lists_and_restart(tmp_path):
    nums = [num_xml(2, 2), num_xml(3, 3), num_xml(4, 4), num_xml(5, 4, start_overrides={0: 1})]
    items = [
        dict(text="验收标准", num=(2, 0)),
        dict(text="总分为200分。", num=(2, 1)),
        dict(text="得分低于120分为不达标。", num=(2, 1)),
        dict(text="认定条件", num=(2, 0)),
        dict(text="参加认定的工地应符合下列条件：", num=(2, 1)),
        dict(text="无死亡事故；", num=(2, 2)),
        dict(text="无通报批评。", num=(2, 2)),
        dict(text="本办法自发布之日起施行。", num=(3, 0)),
        dict(text="本办法由市住建局负责解释。", num=(3, 0)),
        dict(text="面带笑容。", num=(4, 0)),
        dict(text="保持整洁。", num=(4, 0)),
        dict(text="穿戴整齐工作服。", num=(5, 0)),  # a new list over the same definition: restarts at 1
        dict(text="佩戴工作牌。", num=(5, 0)),
    ]
    rows = _rows(read_docx(make_docx(tmp_path / "c.docx", items, abstracts=[CN, ARTICLE, ITEMS], nums=nums)))
    assert [(r[2], r[1]) for r in rows] == [
        ("一、", 1), ("（一）", 2), ("（二）", 2), ("二、", 1), ("（一）", 2), ("1.", 3), ("2.", 3),
        ("第一条", 1), ("第二条", 1), ("1", 1), ("2", 1), ("1", 1), ("2", 1)]
    assert rows[1][3] == "总分为200分。"


def test_numbering_from_paragraph_style(tmp_path):
    abst = abstract_xml(1, [dict(ilvl=0, text="%1", pstyle="Heading1"), dict(ilvl=1, pstyle="Heading2")])
    items = [dict(text="范围", style="Heading 1"), dict(text="适用对象", style="Heading 2"),
             dict(text="正文。"), dict(text="术语", style="Heading 1"), dict(text="定义", style="Heading 2")]
    p = make_docx(tmp_path / "s.docx", items, abstracts=[abst], nums=[num_xml(9, 1)],
                  style_numpr={"Heading 1": (9, 0), "Heading 2": (9, None)})
    assert [(r[2], r[3]) for r in _rows(read_docx(p))] == [
        ("1", "范围"), ("1.1", "适用对象"), (None, "正文。"), ("2", "术语"), ("2.1", "定义")]


def test_tables_in_document_order(tmp_path):
    items = [dict(text="响应时间", style="Heading 1"), "要求如下：",
             dict(table=[["项目", "时限"], ["到达现场", "2小时"], ["修复", "24小时"]]),
             "表后说明。"]
    rows = _rows(read_docx(make_docx(tmp_path / "t.docx", items)))
    assert rows == [("heading", 1, None, "响应时间"), ("para", None, None, "要求如下："),
                    ("table_row", None, None, "项目 | 时限"), ("table_row", None, None, "到达现场 | 2小时"),
                    ("table_row", None, None, "修复 | 24小时"), ("para", None, None, "表后说明。")]


def test_one_column_layout_table_is_read_as_paragraphs(tmp_path):
    p = make_docx(tmp_path / "frame.docx", [dict(table=[["第一段。"], ["第二段。"]])])
    assert _rows(read_docx(p)) == [("para", None, None, "第一段。"), ("para", None, None, "第二段。")]


def test_tracked_deletions_and_field_codes_are_not_text(tmp_path):
    p = make_docx(tmp_path / "x.docx", ["placeholder"])
    with zipfile.ZipFile(p) as z:
        files = {n: z.read(n) for n in z.namelist()}
    xml = files["word/document.xml"].decode("utf-8")
    para = ('<w:p><w:r><w:t>保留</w:t></w:r><w:del w:id="1" w:author="a"><w:r><w:delText>删除</w:delText></w:r>'
            '</w:del><w:ins w:id="2" w:author="a"><w:r><w:t>插入</w:t></w:r></w:ins>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    i = xml.index("<w:p>") if "<w:p>" in xml else xml.index("<w:p ")
    xml = xml[:i] + para + xml[i:]
    files["word/document.xml"] = xml.encode("utf-8")
    q = tmp_path / "y.docx"
    with zipfile.ZipFile(q, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    texts = [b.text for b in read_docx(q)]
    assert texts[0] == "保留插入7"
    assert texts[1] == "placeholder"


def test_lines_are_paragraph_indices_and_source_set(tmp_path):
    p = make_docx(tmp_path / "l.docx", ["一", "", "二", dict(table=[["a", "b"]]), "三"])
    blocks = list(read_blocks(p))
    assert [b.line for b in blocks] == [1, 2, 3, 4]
    assert {b.source for b in blocks} == {str(p)}


@pytest.mark.parametrize("ctype", ["application/vnd.ms-word.document.macroEnabled.main+xml",
                                   "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"])
def test_macro_enabled_and_template_documents_are_read(tmp_path, ctype):
    p = make_docx(tmp_path / "m.docx", [dict(text="总则", style="Heading 1"), "正文。"],
                  abstracts=[MULTI], nums=[num_xml(1, 1)])
    with zipfile.ZipFile(p) as z:
        files = {n: z.read(n) for n in z.namelist()}
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    files["[Content_Types].xml"] = files["[Content_Types].xml"].decode().replace(main, ctype).encode()
    q = tmp_path / "m.docm"
    with zipfile.ZipFile(q, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    assert _rows(read_blocks(q)) == [("heading", 1, None, "总则"), ("para", None, None, "正文。")]


@pytest.mark.parametrize("content,reason", [
    (b"PK\x03\x04" + b"\x00" * 40, "ZIP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "OLE"),
])
def test_broken_docx_reasons(tmp_path, content, reason):
    p = tmp_path / "bad.docx"
    p.write_bytes(content)
    with pytest.raises(InputError) as ei:
        list(read_docx(p))
    assert str(p) in str(ei.value) and reason in str(ei.value)


def test_zip_that_is_not_a_docx(tmp_path):
    p = tmp_path / "archive.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="not a DOCX"):
        list(read_blocks(p))


# ---------------------------------------------------------------------------------------------- done when

from fixtures_build import (clause_facts, docx_items_from_lines, has_extractor, has_segmenter,  # noqa: E402
                            seed_standard_lines, split_run_on)


@pytest.fixture(scope="module")
def seed_pair(tmp_path_factory):
    if not has_segmenter():
        pytest.skip("needs the segmenter (stdkb.segment / stdkb.documents)")
    d = tmp_path_factory.mktemp("seeddocx")
    lines = seed_standard_lines()
    txt = d / "std.txt"
    txt.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    items, abstracts, nums = docx_items_from_lines(lines)
    docx = make_docx(d / "std.docx", items, abstracts=abstracts, nums=nums, header="昆仑燃气 企业标准",
                     footer="第 1 页")
    return txt, docx


def test_seed_standard_docx_blocks_carry_the_numbers(seed_pair):
    """Reader level: every numbered line of the text comes back as label + text."""
    import re

    txt, docx = seed_pair
    lines = split_run_on(seed_standard_lines())
    assert len(lines) > len(seed_standard_lines())
    rendered = [((b.label or "") + ("" if b.label and re.fullmatch(r"\d+", b.label) and b.level == 1
                                     and not re.fullmatch(r"\S{1,14}", b.text) else " " if b.label else "")
                 + b.text) for b in read_docx(docx)]
    assert [re.sub(r"\s+", "", r) for r in rendered] == [re.sub(r"\s+", "", ln) for ln in lines]


def test_seed_standard_docx_gives_the_text_clause_tree(seed_pair):
    txt, docx = seed_pair
    tdocs, t = clause_facts(txt, extract=False)
    ddocs, d = clause_facts(docx, extract=False)
    assert len(ddocs) == len(tdocs) == 1
    assert len(t) > 150
    assert [(k, v[0]) for k, v in d.items()] == [(k, v[0]) for k, v in t.items()]  # labels and paths
    assert {k: v[1] for k, v in d.items()} == {k: v[1] for k, v in t.items()}


def test_seed_standard_docx_gives_the_text_thresholds_and_phrases(seed_pair):
    if not has_extractor():
        pytest.skip("stdkb.extract has no extract_text yet")
    txt, docx = seed_pair
    _, t = clause_facts(txt, extract=True)
    _, d = clause_facts(docx, extract=True)
    assert {k: v[2:] for k, v in d.items()} == {k: v[2:] for k, v in t.items()}


def _with_body_xml(tmp_path, inner: str):
    p = make_docx(tmp_path / "base.docx", ["end"])
    with zipfile.ZipFile(p) as z:
        files = {n: z.read(n) for n in z.namelist()}
    xml = files["word/document.xml"].decode("utf-8")
    i = xml.index("<w:body>") + len("<w:body>")
    ns = ('xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:v="urn:schemas-microsoft-com:vml"')
    files["word/document.xml"] = (xml[:i] + f"<w:customXml {ns} w:element='x'>" + inner + "</w:customXml>"
                                  + xml[i:]).encode("utf-8")
    q = tmp_path / "x.docx"
    with zipfile.ZipFile(q, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    return q


def test_content_controls_and_text_boxes_once(tmp_path):
    box = '<w:txbxContent><w:p><w:r><w:t>框内文字</w:t></w:r></w:p></w:txbxContent>'
    inner = ('<w:sdt><w:sdtContent><w:p><w:r><w:t>控件中的段落</w:t></w:r></w:p></w:sdtContent></w:sdt>'
             '<w:p><w:r><w:t>锚定段落</w:t></w:r><w:r><mc:AlternateContent>'
             f'<mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>'
             f'<mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback>'
             '</mc:AlternateContent></w:r></w:p>')
    texts = [b.text for b in read_docx(_with_body_xml(tmp_path, inner))]
    assert texts == ["控件中的段落", "锚定段落", "框内文字", "end"]


def test_table_cells_merged_and_numbered(tmp_path):
    num = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'

    def tc(text, extra="", ppr=""):
        return f'<w:tc><w:tcPr>{extra}</w:tcPr><w:p>{ppr}<w:r><w:t>{text}</w:t></w:r></w:p></w:tc>'

    inner = ('<w:tbl><w:tr>' + tc("类别", '<w:vMerge w:val="restart"/>') + tc("响应", "", num) + '</w:tr>'
             '<w:tr>' + tc("", "<w:vMerge/>") + tc("修复", "", num) + '</w:tr></w:tbl>')
    q = _with_body_xml(tmp_path, inner)
    # give the document a numbering definition for numId 1
    with zipfile.ZipFile(q) as z:
        files = {n: z.read(n) for n in z.namelist()}
    xml = files["word/numbering.xml"].decode("utf-8")
    i = xml.index(">", xml.index("<w:numbering")) + 1
    j = xml.index("</w:numbering>")
    from fixtures_build import abstract_xml as ax, num_xml as nx
    xml = xml[:i] + ax(1, [dict(ilvl=0, fmt="decimalEnclosedCircle", text="%1")]) + nx(1, 1) + xml[j:]
    files["word/numbering.xml"] = xml.encode("utf-8")
    with zipfile.ZipFile(q, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    rows = [b.text for b in read_docx(q) if b.kind == "table_row"]
    assert rows == ["类别 | ①响应", " | ②修复"]


def test_missing_image_part_does_not_lose_the_text(tmp_path):
    p = make_docx(tmp_path / "img.docx", [dict(text="总则", style="Heading 1", num=(1, 0)), "正文。",
                                         dict(text="附录", style="Heading 2")],
                  abstracts=[MULTI], nums=[num_xml(1, 1)])
    with zipfile.ZipFile(p) as z:
        files = {n: z.read(n) for n in z.namelist()}
    rels = files["word/_rels/document.xml.rels"].decode()
    rel = ('<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'image" Target="media/missing.png"/>')
    files["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", rel + "</Relationships>").encode()
    q = tmp_path / "broken.docx"
    with zipfile.ZipFile(q, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    import docx

    with pytest.raises(KeyError):
        docx.Document(str(q))  # python-docx alone refuses the package
    assert _rows(read_blocks(q)) == [("list_item", 1, "1", "总则"), ("para", None, None, "正文。"),
                                     ("heading", 2, None, "附录")]


def test_symbol_font_signs_and_hidden_text(tmp_path):
    inner = ('<w:p><w:r><w:t xml:space="preserve">响应时间</w:t></w:r>'
             '<w:r><w:sym w:font="Symbol" w:char="F0A3"/></w:r><w:r><w:t>2h，温度</w:t></w:r>'
             '<w:r><w:sym w:font="Symbol" w:char="F0B3"/></w:r><w:r><w:t>5</w:t></w:r>'
             '<w:r><w:sym w:font="Symbol" w:char="F0B0"/></w:r><w:r><w:t>C</w:t></w:r>'
             '<w:r><w:rPr><w:vanish/></w:rPr><w:t>（隐藏批注）</w:t></w:r>'
             '<w:r><w:sym w:font="Wingdings" w:char="F0FC"/></w:r></w:p>'
             '<w:p><w:r><w:t xml:space="preserve">流量 </w:t></w:r>'
             '<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
             '<m:r><m:t>Q≤0.5</m:t></m:r></m:oMath><w:r><w:t xml:space="preserve"> m³/h</w:t></w:r></w:p>')
    texts = [b.text for b in read_docx(_with_body_xml(tmp_path, inner))]
    assert texts[0] == "响应时间≤2h，温度≥5°C"
    assert texts[1] == "流量 Q≤0.5 m³/h"
