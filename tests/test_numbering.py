"""Word automatic numbering: number formats and counter semantics (ECMA-376 Part 1 §17.9)."""
import pytest

from fixtures_build import _parse, abstract_xml, num_xml
from stdkb.readers.numbering import Numbering, chinese_counting, format_number


@pytest.mark.parametrize("n,expected", [
    (1, "一"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"), (99, "九十九"),
    (100, "一百"), (101, "一百零一"), (110, "一百一十"), (1000, "一千"), (1001, "一千零一"), (1010, "一千零一十"),
    (10000, "一万"), (10001, "一万零一"), (12345, "一万二千三百四十五"),
])
def test_chinese_counting_thousand(n, expected):
    assert chinese_counting(n) == expected
    assert format_number(n, "chineseCountingThousand") == expected


@pytest.mark.parametrize("n,fmt,expected", [
    (3, "decimal", "3"), (7, "decimalZero", "07"), (12, "decimalZero", "12"),
    (12, "decimalFullWidth", "１２"), (3, "decimalEnclosedCircle", "③"), (20, "decimalEnclosedCircle", "⑳"),
    (21, "decimalEnclosedCircle", "21"),
    (4, "upperRoman", "IV"), (14, "lowerRoman", "xiv"), (1, "upperLetter", "A"), (26, "lowerLetter", "z"),
    (27, "upperLetter", "AA"), (28, "lowerLetter", "bb"),
    (3, "chineseCounting", "三"), (12, "chineseCounting", "十二"), (101, "chineseCounting", "一〇一"),
    (1, "chineseLegalSimplified", "壹"), (10, "chineseLegalSimplified", "壹拾"), (23, "chineseLegalSimplified", "贰拾叁"),
    (1, "ideographTraditional", "甲"), (10, "ideographTraditional", "癸"), (2, "ideographZodiac", "丑"),
    (2, "ordinal", "2nd"), (11, "ordinal", "11th"), (3, "cardinalText", "Three"), (22, "ordinalText", "Twenty-second"),
    (5, "bullet", None), (5, "none", ""),
])
def test_formats(n, fmt, expected):
    assert format_number(n, fmt) == expected


def _numbering(abstracts, nums, styles_xml=None):
    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    from lxml import etree

    el = etree.fromstring(f'<w:numbering xmlns:w="{W}">{"".join(abstracts)}{"".join(nums)}</w:numbering>')
    st = etree.fromstring(f'<w:styles xmlns:w="{W}">{styles_xml}</w:styles>') if styles_xml else None
    return Numbering(el, st)


def _labels(numbering, seq):
    return [numbering.next_label(nid, il)[0] for nid, il in seq]


def test_multilevel_decimal_and_reset_of_deeper_levels():
    n = _numbering([abstract_xml(1, [dict(ilvl=0, text="%1"), dict(ilvl=1), dict(ilvl=2)])], [num_xml(5, 1)])
    seq = [(5, 0), (5, 1), (5, 2), (5, 2), (5, 1), (5, 2), (5, 0), (5, 1), (5, 2)]
    assert _labels(n, seq) == ["1", "1.1", "1.1.1", "1.1.2", "1.2", "1.2.1", "2", "2.1", "2.1.1"]


def test_skipped_level_shows_start_value_and_start_values_honoured():
    n = _numbering([abstract_xml(1, [dict(ilvl=0, text="%1", start=3), dict(ilvl=1, start=5), dict(ilvl=2)])],
                   [num_xml(1, 1)])
    assert _labels(n, [(1, 2), (1, 0), (1, 1)]) == ["3.5.1", "3", "3.5"]


def test_chinese_formats_and_mixed_levels():
    n = _numbering([abstract_xml(1, [dict(ilvl=0, fmt="chineseCounting", text="%1、"),
                                     dict(ilvl=1, fmt="chineseCounting", text="（%2）"),
                                     dict(ilvl=2, fmt="decimal", text="%3."),
                                     dict(ilvl=3, fmt="decimalEnclosedCircle", text="%4")])],
                   [num_xml(1, 1)])
    seq = [(1, 0), (1, 1), (1, 2), (1, 3), (1, 3), (1, 1), (1, 0)]
    assert _labels(n, seq) == ["一、", "（一）", "1.", "①", "②", "（二）", "二、"]


def test_article_numbering_di_tiao():
    n = _numbering([abstract_xml(1, [dict(ilvl=0, fmt="chineseCounting", text="第%1条")])], [num_xml(1, 1)])
    assert _labels(n, [(1, 0)] * 12)[-3:] == ["第十条", "第十一条", "第十二条"]


def test_is_lgl_forces_decimal_of_inherited_levels():
    n = _numbering([abstract_xml(1, [dict(ilvl=0, fmt="upperRoman", text="Article %1"),
                                     dict(ilvl=1, fmt="decimal", text="%1.%2", is_lgl=True),
                                     dict(ilvl=2, fmt="lowerLetter", text="%1.%2(%3)")])], [num_xml(1, 1)])
    assert _labels(n, [(1, 0), (1, 0), (1, 1), (1, 2)]) == ["Article I", "Article II", "2.1", "II.1(a)"]


def test_lvl_restart_zero_never_restarts_and_restart_after_level_one():
    n = _numbering([abstract_xml(1, [dict(ilvl=0, text="%1"), dict(ilvl=1, text="%1.%2"),
                                     dict(ilvl=2, text="(%3)", restart=0)])], [num_xml(1, 1)])
    assert _labels(n, [(1, 0), (1, 2), (1, 2), (1, 0), (1, 2)]) == ["1", "(1)", "(2)", "2", "(3)"]
    n = _numbering([abstract_xml(1, [dict(ilvl=0, text="%1"), dict(ilvl=1, text="%1.%2"),
                                     dict(ilvl=2, text="(%3)", restart=1)])], [num_xml(1, 1)])
    # restarts only when level 1 is used, not when level 2 is
    assert _labels(n, [(1, 0), (1, 2), (1, 1), (1, 2), (1, 0), (1, 2)]) == ["1", "(1)", "1.1", "(2)", "2", "(1)"]


def test_nums_sharing_an_abstract_continue_and_start_override_restarts():
    n = _numbering([abstract_xml(1, [dict(ilvl=0, text="%1.")])],
                   [num_xml(1, 1), num_xml(2, 1), num_xml(3, 1, start_overrides={0: 1}),
                    num_xml(4, 1, start_overrides={0: 10})])
    assert _labels(n, [(1, 0), (1, 0), (2, 0)]) == ["1.", "2.", "3."]  # numId 2 continues the same list
    assert _labels(n, [(3, 0), (3, 0)]) == ["1.", "2."]  # a restart
    assert _labels(n, [(1, 0)]) == ["4."]  # the original list goes on where it was
    assert _labels(n, [(4, 0)]) == ["10."]


def test_full_level_override():
    n = _numbering([abstract_xml(1, [dict(ilvl=0, text="%1.")])],
                   [num_xml(1, 1, lvl_overrides={0: dict(fmt="upperLetter", text="(%1)", start=2)})])
    assert _labels(n, [(1, 0), (1, 0)]) == ["(B)", "(C)"]


def test_bullet_gives_no_label():
    n = _numbering([abstract_xml(1, [dict(ilvl=0, fmt="bullet", text="\u2022")])], [num_xml(1, 1)])
    assert _labels(n, [(1, 0)]) == [None]


def test_numbering_inherited_from_style_chain_and_pstyle_level():
    styles = ('<w:style w:type="paragraph" w:styleId="H1"><w:name w:val="heading 1"/>'
              '<w:pPr><w:numPr><w:numId w:val="7"/></w:numPr></w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="H2"><w:name w:val="heading 2"/><w:basedOn w:val="H1"/>'
              '<w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="H3"><w:name w:val="heading 3"/>'
              '<w:pPr><w:numPr><w:numId w:val="7"/></w:numPr></w:pPr></w:style>')
    n = _numbering([abstract_xml(1, [dict(ilvl=0, text="%1", pstyle="H1"), dict(ilvl=1),
                                     dict(ilvl=2, pstyle="H3")])], [num_xml(7, 1)], styles)
    assert n.resolve_numpr(None, "H1") == (7, 0)
    assert n.resolve_numpr(None, "H2") == (7, 1)  # numId from the based-on style, ilvl from its own
    assert n.resolve_numpr(None, "H3") == (7, 2)  # ilvl from the level whose pStyle is H3
    ppr = _parse('<w:pPr><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr>')
    assert n.resolve_numpr(ppr, "H1") is None  # numId 0 removes numbering
    assert n.resolve_numpr(None, "Normal") is None


def test_unknown_num_id_is_unnumbered():
    n = _numbering([], [])
    ppr = _parse('<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="42"/></w:numPr></w:pPr>')
    assert n.label_for(ppr, None) is None


def test_custom_format_in_alternate_content_uses_the_fallback():
    lvl = ('<w:lvl w:ilvl="0"><w:start w:val="1"/>'
           '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
           '<mc:Choice Requires="w14"><w:numFmt w:val="custom" w:format="001, 002, 003, ..."/></mc:Choice>'
           '<mc:Fallback><w:numFmt w:val="decimalZero"/></mc:Fallback></mc:AlternateContent>'
           '<w:lvlText w:val="%1."/></w:lvl>')
    n = _numbering([abstract_xml(1, [lvl])], [num_xml(1, 1)])
    assert _labels(n, [(1, 0), (1, 0)]) == ["01.", "02."]
