"""The Markdown reader: CommonMark structure (headings, ordered list numbering, nesting), noise removal."""
from __future__ import annotations

import pytest

from stdkb.errors import InputError
from stdkb.readers import read_blocks
from stdkb.readers.markdown import inline_text, parse_markdown, read_markdown


def md(text: str):
    return list(parse_markdown(text.splitlines(), source="t.md"))


def nonblank(text: str):
    return [(b.kind, b.level, b.label, b.text) for b in md(text) if b.text]


def items(text: str):
    return [(b.label, b.level, b.text) for b in md(text) if b.kind == "list_item" and b.label != "•"]


ZH_STANDARD = """\
---
title: 燃气客户服务标准
version: 2.1
draft: true
---

<!-- 本文件由 OA 系统导出，请勿手工修改 -->

燃气客户服务标准
================

<div align="center">
  <img src="logo.png" alt="公司标志">
  <p>内部资料 注意保密</p>
</div>

## 1 总则

为规范**客户服务**行为，提高服务质量，制定本标准。<br>本标准适用于[公司](https://example.com/org "组织")所属各营业网点。

## 2 服务承诺

2.1 用户报修后，维修人员应在 **30 分钟**内到达现场。

2.2 一般故障排除不超过`4`小时，大故障不超过24小时修复。

## 4.5 禁忌用语 ##

服务人员不得使用下列用语：

1. 不知道。
1. 找领导去。
1. 这不是我们的事。
   1. 包括“这事不归我管”；
   1. 包括“你找别人吧”。
1. 下班了，明天再来。

- 保持微笑
- [x] 着装整洁，佩戴工牌

| 故障类别 | 到场时限 | 修复时限 |
| :--- | :---: | ---: |
| 一般故障 | 30 分钟 | 4 小时 |
| 大故障 | 1 小时 | 24 小时 |

```bash
# 导出脚本
1. 这不是条款
```

> 注：本条为*提示性*条款，不作考核依据。

附录 A 服务技巧
---------------

尺寸 1.0m*1.8m*2m 的展板；文件名 snake_case_name 保留。
"""


def test_chinese_standard_structure():
    got = nonblank(ZH_STANDARD)
    assert got == [
        ("heading", 1, None, "燃气客户服务标准"),
        ("heading", 2, None, "1 总则"),
        ("para", None, None, "为规范客户服务行为，提高服务质量，制定本标准。 本标准适用于公司所属各营业网点。"),
        ("heading", 2, None, "2 服务承诺"),
        ("para", None, None, "2.1 用户报修后，维修人员应在 30 分钟内到达现场。"),
        ("para", None, None, "2.2 一般故障排除不超过4小时，大故障不超过24小时修复。"),
        ("heading", 2, None, "4.5 禁忌用语"),
        ("para", None, None, "服务人员不得使用下列用语："),
        ("list_item", 1, "1.", "不知道。"),
        ("list_item", 1, "2.", "找领导去。"),
        ("list_item", 1, "3.", "这不是我们的事。"),
        ("list_item", 2, "1.", "包括“这事不归我管”；"),
        ("list_item", 2, "2.", "包括“你找别人吧”。"),
        ("list_item", 1, "4.", "下班了，明天再来。"),
        ("list_item", 1, "•", "保持微笑"),
        ("list_item", 1, "•", "着装整洁，佩戴工牌"),
        ("table_row", None, None, "故障类别 | 到场时限 | 修复时限"),
        ("table_row", None, None, "一般故障 | 30 分钟 | 4 小时"),
        ("table_row", None, None, "大故障 | 1 小时 | 24 小时"),
        ("para", None, None, "注：本条为提示性条款，不作考核依据。"),
        ("heading", 2, None, "附录 A 服务技巧"),
        ("para", None, None, "尺寸 1.0m*1.8m*2m 的展板；文件名 snake_case_name 保留。"),
    ]


def test_line_numbers_and_source_point_into_the_file():
    blocks = md(ZH_STANDARD)
    lines = ZH_STANDARD.splitlines()
    for b in blocks:
        assert b.source == "t.md"
        if b.kind == "heading" and b.text == "4.5 禁忌用语":
            assert lines[b.line - 1] == "## 4.5 禁忌用语 ##"
        if b.kind == "list_item" and b.text == "下班了，明天再来。":
            assert lines[b.line - 1] == "1. 下班了，明天再来。"
    assert not any("这不是条款" in b.text or "OA 系统" in b.text or "内部资料" in b.text for b in blocks)
    assert not any("title:" in b.text or "version" in b.text for b in blocks)


EN_STANDARD = """\
+++
title = "Site Safety Standard"
+++

Site Safety Standard
====================

# Section 3 Scaffolding

## 3.2 Guard rails

Guard rails *shall* be fitted to every platform higher than 2.0 m.

3) Toe boards shall be at least 150 mm high.
4) Ladders shall extend 1 m above the landing.

7. Inspection
8. Records
    1. Keep inspection records for **three years**.
    2. Records ~~may~~ shall be signed by the supervisor.

Contractors must read <span class="ref">Section 3.2</span> before work &amp; sign the register.
See the [annex][ann] and footnote[^1].

[ann]: https://example.com/annex
[^1]: The register is kept on site.
"""


def test_english_standard_structure():
    got = nonblank(EN_STANDARD)
    assert got == [
        ("heading", 1, None, "Site Safety Standard"),
        ("heading", 1, None, "Section 3 Scaffolding"),
        ("heading", 2, None, "3.2 Guard rails"),
        ("para", None, None, "Guard rails shall be fitted to every platform higher than 2.0 m."),
        ("list_item", 1, "3)", "Toe boards shall be at least 150 mm high."),
        ("list_item", 1, "4)", "Ladders shall extend 1 m above the landing."),
        # a "." list after a ")" list is a new list: it starts at its own first number
        ("list_item", 1, "7.", "Inspection"),
        ("list_item", 1, "8.", "Records"),
        ("list_item", 2, "1.", "Keep inspection records for three years."),
        ("list_item", 2, "2.", "Records may shall be signed by the supervisor."),
        ("para", None, None, "Contractors must read Section 3.2 before work & sign the register."),
        ("para", None, None, "See the annex and footnote."),
        ("para", None, None, "The register is kept on site."),
    ]


# --------------------------------------------------------------------- CommonMark list numbering


def test_items_renumber_from_the_start_number():
    assert items("1. a\n1. b\n1. c") == [("1.", 1, "a"), ("2.", 1, "b"), ("3.", 1, "c")]
    assert items("3. a\n7. b\n1. c") == [("3.", 1, "a"), ("4.", 1, "b"), ("5.", 1, "c")]
    assert items("0. a\n0. b") == [("0.", 1, "a"), ("1.", 1, "b")]
    assert items("007. a\n8. b") == [("7.", 1, "a"), ("8.", 1, "b")]


def test_paren_and_dot_lists_are_different_lists():
    assert items("1. a\n2. b\n1) c\n2) d\n5. e") == [
        ("1.", 1, "a"), ("2.", 1, "b"), ("1)", 1, "c"), ("2)", 1, "d"), ("5.", 1, "e")]


def test_blank_lines_between_items_keep_one_list():
    assert items("1. 总则\n\n1. 服务理念\n\n\n1. 服务承诺") == [("1.", 1, "总则"), ("2.", 1, "服务理念"), ("3.", 1, "服务承诺")]


def test_unindented_paragraph_after_blank_line_ends_the_list():
    text = "1. 总则\n\n本标准适用于各单位。\n\n1. 服务理念\n2. 服务承诺"
    assert items(text) == [("1.", 1, "总则"), ("1.", 1, "服务理念"), ("2.", 1, "服务承诺")]
    # and a new list keeps its own start number
    assert items("1. 总则\n\n正文。\n\n2. 服务理念")[-1] == ("2.", 1, "服务理念")


def test_indented_paragraph_and_lazy_line_stay_in_the_item():
    text = "1. 第一项\n   续行在项内。\n\n   第二段也在项内。\n懒惰续行\n1. 第二项"
    assert items(text) == [("1.", 1, "第一项"), ("2.", 1, "第二项")]
    paras = [b.text for b in md(text) if b.kind == "para" and b.text]
    assert paras == ["续行在项内。", "第二段也在项内。", "懒惰续行"]


def test_nesting_follows_the_content_column():
    # indented to the content column: nested; less: a sibling (CommonMark)
    assert items("1. a\n   1. b\n   1. c\n2. d") == [("1.", 1, "a"), ("1.", 2, "b"), ("2.", 2, "c"), ("2.", 1, "d")]
    assert items("1. a\n  1. b") == [("1.", 1, "a"), ("2.", 1, "b")]
    assert items("10. a\n    1. b") == [("10.", 1, "a"), ("1.", 2, "b")]
    assert items("1. a\n   - x\n     1. deep\n     1. deeper\n2. b") == [
        ("1.", 1, "a"), ("1.", 3, "deep"), ("2.", 3, "deeper"), ("2.", 1, "b")]
    assert items("- x\n\n  3. y\n  4. z") == [("3.", 2, "y"), ("4.", 2, "z")]
    # inside an item, a new list interrupting the item's paragraph must start at 1 too
    assert items("- x\n  3. y\n  4. z") == []
    assert items("1. a\n   2. b") == [("1.", 1, "a")]
    # but a list that closes the item is not interrupting anything
    assert items("- x\n3) y") == [("3)", 1, "y")]
    # tabs count to the next multiple of four
    assert items("1. a\n\t1. b") == [("1.", 1, "a"), ("1.", 2, "b")]


def test_only_a_list_starting_at_one_interrupts_a_paragraph():
    assert items("温度不低于\n2. 摄氏度") == []
    assert [b.text for b in md("温度不低于\n2. 摄氏度") if b.text] == ["温度不低于", "2. 摄氏度"]
    assert items("要求如下：\n1. 甲\n2. 乙") == [("1.", 1, "甲"), ("2.", 1, "乙")]


def test_not_list_markers():
    assert items("1.1 总则\n2.2.3 一般故障\n1、各级管理人员\n2019.年\n1.5米") == []
    assert items("1\\. 不是列表") == []
    assert [b.text for b in md("1\\. 不是列表")] == ["1. 不是列表"]


def test_heading_or_thematic_break_ends_the_list():
    assert items("1. a\n2. b\n# H\n1. c") == [("1.", 1, "a"), ("2.", 1, "b"), ("1.", 1, "c")]
    assert items("1. a\n2. b\n\n***\n\n9. c") == [("1.", 1, "a"), ("2.", 1, "b"), ("9.", 1, "c")]
    # an HTML comment between two lists separates them (a common Markdown idiom)
    assert items("1. a\n2. b\n\n<!-- -->\n\n1. c") == [("1.", 1, "a"), ("2.", 1, "b"), ("1.", 1, "c")]


def test_empty_item_keeps_its_number():
    assert items("1.\n2. b") == [("1.", 1, ""), ("2.", 1, "b")]


# --------------------------------------------------------------------- headings


def test_atx_headings():
    assert nonblank("# 第一章 总则\n###### 6 级\n####### 七个井号\n#5 不是标题\n## 关闭 ##\n### C#\n#") == [
        ("heading", 1, None, "第一章 总则"),
        ("heading", 6, None, "6 级"),
        ("para", None, None, "####### 七个井号"),
        ("para", None, None, "#5 不是标题"),
        ("heading", 2, None, "关闭"),
        ("heading", 3, None, "C#"),
    ]


def test_setext_headings_and_thematic_breaks():
    got = nonblank("标准名称\n第二行\n===\n\n---\n\n附录\n---\n* * *\n正文")
    assert got == [
        ("heading", 1, None, "标准名称第二行"),
        ("heading", 2, None, "附录"),
        ("para", None, None, "正文"),
    ]
    assert nonblank("Site\nSafety\n===") == [("heading", 1, None, "Site Safety")]


# --------------------------------------------------------------------- noise


def test_front_matter_only_at_the_top():
    assert nonblank("---\na: 1\n...\n正文") == [("para", None, None, "正文")]
    # a --- that is never closed is not front matter: nothing is lost
    got = nonblank("---\n正文一\n正文二")
    assert got == [("para", None, None, "正文一"), ("para", None, None, "正文二")]
    # --- later in the file is a setext underline, not front matter
    assert nonblank("正文\n---\na: 1\n---") == [("heading", 2, None, "正文"), ("heading", 2, None, "a: 1")]


def test_fenced_code_dropped():
    text = "前\n~~~~\n1. x\n~~~\n仍在代码里\n~~~~\n后\n```\n未闭合的代码块\n1. y"
    assert [b.text for b in md(text) if b.text] == ["前", "后"]
    assert nonblank("``` a`b\n不是代码") == [("para", None, None, "``` a`b"), ("para", None, None, "不是代码")]


def test_html_blocks_and_comments_dropped_inline_tags_removed():
    text = (
        "<table>\n<tr><td>1. 表格里的</td></tr>\n</table>\n\n"
        "<script>\nvar x = 1;\n\nvar y = 2;\n</script>\n"
        "正文<!-- 单行注释 -->继续\n"
        "开始<!-- 多行\n注释\n-->结束\n"
        "<span style=\"color:red\">红色</span>文字&nbsp;A&lt;B<br/>换行\n"
        "<https://example.com/a> 与 <a href=\"x\">链接</a>\n"
    )
    assert [b.text for b in md(text) if b.text] == [
        "正文继续", "开始", "结束", "红色文字\u00a0A<B 换行", "https://example.com/a 与 链接"]


def test_a_lone_inline_tag_line_cannot_interrupt_a_paragraph():
    assert [b.text for b in md("正文\n<span>\n续行")] == ["正文", "续行"]
    # at the start of a block it opens an HTML block that runs to the blank line
    assert [b.text for b in md("<custom-tag>\n被丢弃\n\n保留") if b.text] == ["保留"]


def test_inline_markup():
    assert inline_text("**必须**佩戴__安全帽__") == "必须佩戴安全帽"
    assert inline_text("严禁*吸烟*") == "严禁吸烟"
    assert inline_text("***强调***") == "强调"
    assert inline_text("`code *not emphasis*` and *em*") == "code *not emphasis* and em"
    assert inline_text("``a ` b``") == "a ` b"
    assert inline_text("![示意图](img/a.png)见图") == "见图"
    assert inline_text("[GB 50016](http://x/a_(b)) 第 5.1 条") == "GB 50016 第 5.1 条"
    assert inline_text("\\*不是强调\\* \\_x\\_ a\\\\b") == "*不是强调* _x_ a\\b"
    assert inline_text("行尾硬换行\\") == "行尾硬换行"
    assert inline_text("2*3*4 与 a*b") == "2*3*4 与 a*b"


def test_tables():
    text = "名称|数值\n---|---\n高度|2.0 米\n\n| 只有 | 行 |\n| 没有 | 分隔行 |\n\n管道 a\\|b 不是表格"
    assert nonblank(text) == [
        ("table_row", None, None, "名称 | 数值"),
        ("table_row", None, None, "高度 | 2.0 米"),
        ("table_row", None, None, "只有 | 行"),
        ("table_row", None, None, "没有 | 分隔行"),
        ("para", None, None, "管道 a|b 不是表格"),
    ]
    # a table header takes only the last paragraph line
    assert nonblank("说明文字\n| a | b |\n|---|---|\n| 1 | 2 |")[0] == ("para", None, None, "说明文字")


def test_blockquotes():
    assert nonblank("> 注1：引用\n> > 嵌套引用\n>\n> **注2**") == [
        ("para", None, None, "注1：引用"), ("para", None, None, "嵌套引用"), ("para", None, None, "注2")]


# --------------------------------------------------------------------- files


def test_read_markdown_file_in_gb18030_and_dispatch(tmp_path):
    f = tmp_path / "标准.md"
    f.write_bytes(ZH_STANDARD.encode("gb18030"))
    blocks = list(read_blocks(f))
    assert blocks == list(read_markdown(f))
    assert [b.label for b in blocks if b.kind == "list_item" and b.label != "•"] == ["1.", "2.", "3.", "1.", "2.", "4."]
    assert blocks[0].source == str(f)


def test_utf16_and_bom_markdown(tmp_path):
    f = tmp_path / "a.md"
    f.write_bytes("\ufeff# 第一章 总则\r\n\r\n1. 甲\r\n1. 乙\r\n".encode("utf-16"))
    got = [(b.kind, b.label, b.text) for b in read_markdown(f) if b.text]
    assert got == [("heading", None, "第一章 总则"), ("list_item", "1.", "甲"), ("list_item", "2.", "乙")]
    g = tmp_path / "b.markdown"
    g.write_bytes(b"\xef\xbb\xbf---\nx: 1\n---\n# T\n")
    assert [(b.kind, b.text) for b in read_blocks(g) if b.text] == [("heading", "T")]


def test_bad_markdown_files(tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty.md"):
        list(read_blocks(empty))
    ws = tmp_path / "ws.md"
    ws.write_bytes(b"  \n\n\t\n")
    with pytest.raises(InputError, match="ws.md"):
        list(read_blocks(ws))
    junk = tmp_path / "junk.md"
    junk.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(InputError, match="junk.md"):
        list(read_blocks(junk))


def test_long_paragraph_streams(tmp_path):
    f = tmp_path / "long.md"
    f.write_text("\n".join(f"第{i}行文字。" for i in range(5000)) + "\n===\n", encoding="utf-8")
    blocks = list(read_markdown(f))
    # only the last lines of a very long paragraph can become a setext heading; no line is lost
    assert "".join(b.text for b in blocks) == "".join(f"第{i}行文字。" for i in range(5000))
    assert blocks[-1].kind == "heading" and blocks[-1].text.endswith("第4999行文字。")
    assert blocks[0].kind == "para" and blocks[0].line == 1


# --------------------------------------------------------------------- through the whole pipeline


def test_markdown_standard_through_the_pipeline(tmp_path):
    import stdkb

    f = tmp_path / "燃气客户服务标准.md"
    f.write_text(ZH_STANDARD, encoding="utf-8")
    [doc] = list(stdkb.process_path(f, extract=False))
    assert doc.title == "燃气客户服务标准"
    by_path = {tuple(c.path): c for c in doc.clauses}
    assert by_path[("2", "2.1")].text.startswith("用户报修后")
    assert [by_path[("4.5", n)].text for n in ("1", "2", "3")] == ["不知道。", "找领导去。", "这不是我们的事。"]
    assert by_path[("4.5", "3", "2")].text == "包括“你找别人吧”。"
    assert by_path[("4.5", "4")].text.startswith("下班了，明天再来。")
    assert any(c.label and c.label.startswith("附录") for c in doc.clauses)
    alltext = "\n".join(c.text for c in doc.clauses)
    for noise in ("这不是条款", "导出脚本", "OA 系统", "内部资料", "title:", "<", "**", "](", "```"):
        assert noise not in alltext
    ids = [c.id for c in doc.clauses]
    assert len(ids) == len(set(ids))


def test_english_markdown_through_the_pipeline(tmp_path):
    import stdkb

    f = tmp_path / "site-safety.md"
    f.write_text(EN_STANDARD, encoding="utf-8")
    [doc] = list(stdkb.process_path(f, extract=False))
    assert doc.title == "Site Safety Standard" and doc.lang == "en"
    guard = next(c for c in doc.clauses if c.label == "3.2")
    assert guard.path[-2:] == ["3", "3.2"]
    keep = next(c for c in doc.clauses if c.text.startswith("Keep inspection records"))
    assert keep.label == "1" and keep.path[-2] == "8"
    assert "+++" not in "".join(c.text for c in doc.clauses)


# --------------------------------------------------------------------- CommonMark corner cases


def test_list_after_a_block_quote_is_not_interrupting_a_paragraph():
    assert items("> 注：引用\n延续引用的懒惰行\n10. 条款") == [("10.", 1, "条款")]
    assert [b.text for b in md("> 注：引用\n延续引用的懒惰行") if b.text] == ["注：引用", "延续引用的懒惰行"]


def test_setext_underline_under_an_item_keeps_the_item():
    got = nonblank("1. 总则\n   ===\n2. 范围")
    assert got == [("list_item", 1, "1.", "总则"), ("list_item", 1, "2.", "范围")]


def test_code_and_html_blocks_inside_an_item_end_with_the_item():
    text = "1. 甲\n   ```\n   代码\n2. 乙\n   <div>\n   隐藏\n3. 丙"
    assert items(text) == [("1.", 1, "甲"), ("2.", 1, "乙"), ("3.", 1, "丙")]
    assert "代码" not in [b.text for b in md(text)] and "隐藏" not in [b.text for b in md(text)]


def test_deeply_indented_text_is_kept_and_does_not_block_a_list():
    text = "        缩进的正文（CommonMark 的缩进代码块）\n2. 条款"
    assert [b.text for b in md(text) if b.text] == ["缩进的正文（CommonMark 的缩进代码块）", "条款"]
    assert items(text) == [("2.", 1, "条款")]


def test_empty_item_followed_by_a_blank_line_is_closed():
    assert items("1.\n\n        1. 甲") == [("1.", 1, "")]


def test_a_dash_line_that_is_not_front_matter():
    assert items("---\n1) 条款\n\n---\n正文") == [("1)", 1, "条款")]


def _oracle_items(tokens):
    """(label, depth, line) of the ordered list items a CommonMark renderer produces."""
    out, stack = [], []
    for t in tokens:
        if t.type == "ordered_list_open":
            stack.append([True, int((t.attrs or {}).get("start", 1)), t.markup])
        elif t.type == "bullet_list_open":
            stack.append([False, 0, t.markup])
        elif t.type in ("ordered_list_close", "bullet_list_close"):
            stack.pop()
        elif t.type == "list_item_open" and stack[-1][0]:
            out.append((f"{stack[-1][1]}{stack[-1][2]}", len(stack), t.map[0] + 1))
            stack[-1][1] += 1
    return out


def test_list_numbering_agrees_with_a_commonmark_renderer():
    """Differential test against markdown-it-py (CommonMark) on random list documents.

    Known divergences, all on oddly indented nests of lists mixing delimiters, keep a small residue (about
    0.3 % of these random documents); a regression in ordinary numbering or nesting shows up as far more.
    """
    import random

    markdown_it = pytest.importorskip("markdown_it")
    renderer = markdown_it.MarkdownIt("commonmark")
    rng = random.Random(2024)
    markers = ["1. ", "2. ", "1) ", "3) ", "10. ", "- ", "* ", "1.  "]
    bad, cases = [], 3000
    for _ in range(cases):
        lines, cols = [], [0]
        for _ in range(rng.randint(1, 14)):
            r = rng.random()
            indent = " " * (rng.choice(cols) + rng.choice([0, 0, 0, 0, 1]))
            if r < 0.55:
                mk = rng.choice(markers)
                lines.append(indent + mk + rng.choice(["甲", "item", "乙 丙", "2.1 条款"]))
                cols = (cols + [len(indent) + len(mk)])[-4:]
            elif r < 0.75:
                lines.append("")
            elif r < 0.92:
                lines.append(indent + rng.choice(["正文", "text", "2.1 条款", "**粗体** 文字"]))
            else:
                lines.append(rng.choice(["# H", "---", "> q", "<!-- c -->", "## 4.5 禁忌用语"]))
        text = "\n".join(lines)
        want = _oracle_items(renderer.parse(text))
        got = [(b.label, b.level, b.line) for b in parse_markdown(text.split("\n"))
               if b.kind == "list_item" and b.label != "•"]
        if got != want:
            bad.append(text)
    assert len(bad) <= cases * 0.006, (len(bad), bad[:3])


def test_never_crashes_and_blocks_are_well_formed():
    import re

    from hypothesis import given, settings, strategies as st

    pieces = st.sampled_from(["1. ", "2) ", "- ", "* ", "> ", "# ", "## ", "```", "~~~", "---", "===", "+++", "<div>",
                              "<!--", "-->", "<br>", "| a | b |", "|---|", "**", "__", "`", "[x](y)", "![i](p)", "\\",
                              "&amp;", "\t", "    ", "  ", "总则", "1.1 条款", "text", "\u3000", "\f", ""])
    line = st.lists(pieces, max_size=6).map("".join)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(line, max_size=25))
    def check(lines):
        blocks = list(parse_markdown(lines, source="h.md"))
        last = 0
        for b in blocks:
            assert b.kind in {"para", "heading", "list_item", "table_row"}
            assert 1 <= b.line <= len(lines) and b.line >= last
            last = b.line
            assert "\n" not in b.text and "\f" not in b.text
            if b.kind == "list_item":
                assert (re.fullmatch(r"\d+[.)]", b.label) or b.label == "•") and b.level >= 1
            if b.kind == "heading":
                assert 1 <= b.level <= 6 and b.text

    check()
