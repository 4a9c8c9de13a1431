"""Markdown reader: a small, careful line parser (no markdown library) that turns a ``.md`` file into blocks.

What becomes what (CommonMark rules, with the GFM table extension):

- ATX headings (``## 4.5 禁忌用语``) and setext headings (text underlined with ``===`` / ``---``) ->
  ``Block(kind="heading", level=n, text=...)``. A clause number at the start of the heading text is kept in
  the text: the segmenter reads it.
- Ordered list items -> ``Block(kind="list_item", label="3.", level=depth, text=...)``. ``label`` is the
  number CommonMark *renders*: the first item's number is the list's start and each following item adds one,
  whatever its written number ("1. 1. 1." renders 1, 2, 3). A ``)`` list (``1)``) is a different list from a
  ``.`` list. Nesting follows indentation (an item belongs to the enclosing item when it is indented to that
  item's content column); ``level`` is the nesting depth, 1 = top. A list interrupting a paragraph must start
  at 1 (else the line is paragraph text, as in CommonMark); a list ends at a non-indented paragraph after a
  blank line, a heading, a thematic break, a fence or an HTML block.
- Bullet items (``-``, ``*``, ``+``) -> ``Block(kind="list_item", label="•", level=depth)`` with the bullet
  (and a task-list ``[ ]``/``[x]``) removed from the text; the segmenter keeps each on its own line of the
  clause. They count for the nesting depth of ordered lists inside them.
- GFM tables -> one ``table_row`` block per row, cells joined with `` | ``; the ``|---|`` delimiter row is
  skipped. A line that starts and ends with ``|`` is read as a table row even without a delimiter row.
- Block quotes -> ``para`` blocks (``>`` markers removed).
- Paragraph text -> one ``para`` block per source line (like the text reader: the segmenter joins wrapped
  lines and still sees clause numbers at line starts); blank lines -> empty ``para`` blocks (layout).

Dropped, because it is not clause text of a standard:

- YAML (``---``) and TOML (``+++``) front matter at the top of the file;
- fenced code blocks (````` ``` ````` / ``~~~``), with their content;
- HTML blocks (``<div>``, ``<table>``, ``<script>``... up to the blank line or closing tag, as CommonMark
  defines them) and HTML comments, also multi-line ones inside a paragraph;
- images, link reference definitions (``[id]: http://...``), footnote references (``[^1]``), thematic breaks.

Inline markup is reduced to its text: ``**`` ``__`` ``~~`` ``*x*`` ``_x_`` and backticks are removed, links
``[text](url)`` become ``text``, inline tags (``<br>``, ``<span ...>``) are removed with their text kept,
entities (``&nbsp;``) are decoded and backslash escapes (``1\\. ``) are resolved. A single ``*`` between
ASCII letters or digits is not taken as emphasis ("1.0m*1.8m*2m" keeps its asterisks: it is a dimension).

Checked against markdown-it-py (a CommonMark renderer) by a differential test on random list documents: the
rendered numbers and depths agree except on a small residue of oddly indented nests mixing delimiters and
empty items (about 0.3 % of those random documents).

Deliberate departure from CommonMark: text indented by four or more spaces outside a list is kept as
paragraph text, not dropped as an indented code block, because standards pasted into Markdown are often
indented plain text.

The file is decoded with :func:`stdkb.readers.txt.iter_lines` (encoding detection, streaming); only the
lines of the current paragraph (at most 64) are held in memory.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional

from ..model import Block
from .txt import iter_lines

__all__ = ["read_markdown", "parse_markdown"]

# ---------------------------------------------------------------------------------------------- inline

_ASCII_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
# backslash-escaped punctuation is hidden behind Unicode noncharacters (never found in real text) while the
# inline markup is removed, then restored
_PROTECT = {c: chr(0xFDD0 + i) for i, c in enumerate(_ASCII_PUNCT)}
_UNPROTECT = {ord(v): k for k, v in _PROTECT.items()}
_UNPROTECT_IN_CODE = {ord(v): "\\" + k for k, v in _PROTECT.items()}
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BR = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?\s*/?>")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]*|[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>", re.I)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_EM_STAR = re.compile(r"(?<![A-Za-z0-9*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![A-Za-z0-9*])")
_EM_UNDER = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")


def _plain(s: str) -> str:
    """Inline markup of a piece of text outside code spans -> its text."""
    if "!" in s:
        s = _IMAGE.sub("", s)
    if "[" in s:
        s = _FOOTNOTE_REF.sub("", s)
        s = _LINK.sub(r"\1", s)
        s = _REF_LINK.sub(r"\1", s)
    if "<" in s:
        s = _COMMENT.sub("", s)
        s = _AUTOLINK.sub(r"\1", s)
        s = _BR.sub(" ", s)
        s = _TAG.sub("", s)
    if "*" in s or "_" in s:
        for _ in range(3):  # nested strong/emphasis
            t = _STRONG.sub(r"\2", s)
            t = _EM_STAR.sub(r"\1", t)
            t = _EM_UNDER.sub(r"\1", t)
            if t == s:
                break
            s = t
    if "~~" in s:
        s = _STRIKE.sub(r"\1", s)
    if "&" in s:
        import html

        s = html.unescape(s)
    return s


def inline_text(s: str) -> str:
    """The text a Markdown renderer would show for one line of inline content (markup removed)."""
    s = s.rstrip()
    if s.endswith("\\") and not s.endswith("\\\\"):
        s = s[:-1]  # hard line break
    escaped = "\\" in s
    if escaped:
        s = _ESCAPE.sub(lambda m: _PROTECT[m.group(1)], s)
    if "`" in s:
        out = []
        pos = 0
        for m in _CODE_SPAN.finditer(s):
            out.append(_plain(s[pos:m.start()]))
            code = m.group(2)
            if len(code) > 2 and code[0] == " " and code[-1] == " " and code.strip():
                code = code[1:-1]
            out.append(code.translate(_UNPROTECT_IN_CODE) if escaped else code)
            pos = m.end()
        out.append(_plain(s[pos:]))
        s = "".join(out)
    else:
        s = _plain(s)
    return (s.translate(_UNPROTECT) if escaped else s).strip()


def _join(parts: list[str]) -> str:
    """Join the lines of a multi-line heading: no space between two CJK characters, one space otherwise."""
    out = ""
    for p in parts:
        if not p:
            continue
        if out and not (ord(out[-1]) > 0x2E7F and ord(p[0]) > 0x2E7F):
            out += " "
        out += p
    return out


# ----------------------------------------------------------------------------------------------- blocks

_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_SETEXT = re.compile(r"(=+|-+)[ \t]*$")
_THEMATIC = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ORDERED = re.compile(r"(\d{1,9})([.)])(?=[ \t]|$)")
_BULLET = re.compile(r"([-+*])(?=[ \t]|$)")
_TASK = re.compile(r"\[[ xX]\][ \t]+")
_DELIM_ROW = re.compile(r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_LINK_DEF = re.compile(r"\[(?!\^)[^\]]+\]:[ \t]*\S")
_FOOTNOTE_DEF = re.compile(r"\[\^[^\]]+\]:[ \t]*")
_QUOTE = re.compile(r"(?:>[ \t]?)+")

#: a line starting with none of these (and without "|" or "<") can only be paragraph text
_SPECIAL_START = frozenset("#<>|-*+_=~`[0123456789")

_HTML_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|"
    "dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|h3|h4|h5|h6|head|header|hr|html|iframe|"
    "legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|"
    "tbody|td|tfoot|th|thead|title|tr|track|ul"
)
# (start pattern, end pattern or None for "ends at a blank line", may interrupt a paragraph)
_HTML_STARTS = [
    (re.compile(r"<(?:script|pre|style|textarea)(?:[\s>]|$)", re.I),
     re.compile(r"</(?:script|pre|style|textarea)>", re.I), True),
    (re.compile(r"<!--"), re.compile(r"-->"), True),
    (re.compile(r"<\?"), re.compile(r"\?>"), True),
    (re.compile(r"<![A-Za-z]"), re.compile(r">"), True),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>"), True),
    (re.compile(r"</?(?:" + _HTML_BLOCK_TAGS + r")(?:[\s>]|/>|$)", re.I), None, True),
    (re.compile(r"(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*"
                r"\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)[ \t]*$"), None, False),
]


@dataclass
class _List:
    ordered: bool
    delim: str  # "." or ")" for ordered lists, the bullet character otherwise
    number: int  # the number the current item renders with
    content_col: int  # column where the current item's content starts


def _indent(line: str) -> tuple[int, str]:
    """(column of the first non-space character, the rest), tabs expanded to 4-column stops."""
    col = 0
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == " ":
            col += 1
        elif ch == "\t":
            col += 4 - col % 4
        else:
            break
        i += 1
    return col, line[i:]


class _Parser:
    def __init__(self, source: Optional[str]):
        self.source = source
        self.para: list[tuple[int, str]] = []  # pending paragraph lines (raw), for setext headings and tables
        self.lists: list[_List] = []
        self.fence: Optional[tuple[str, int]] = None
        self.html_end = None  # None, a compiled end pattern, or "blank"
        self.block_col = 0  # content column of the list item holding the current code/HTML block
        self.in_comment = False
        self.table = False
        self.prev_blank = True
        self.open_para = False  # the previous line was paragraph text (a list may not interrupt it freely)
        self.item_open = False  # the previous line was a list item's first line, with text
        self.last_kind: Optional[str] = None

    # -- output helpers
    def _block(self, text: str, n: int, kind: str = "para", **kw) -> Block:
        self.last_kind = kind
        return Block(text=text, kind=kind, line=n, source=self.source, **kw)

    def _flush(self, keep_last: bool = False) -> Iterator[Block]:
        lines = self.para[:-1] if keep_last else self.para
        for n, raw in lines:
            text = inline_text(raw)
            if text:
                yield self._block(text, n)
        self.para = self.para[-1:] if keep_last else []

    def _close_lists(self, k: int) -> None:
        del self.lists[k:]

    # -- the line machine
    def feed(self, n: int, raw: str) -> Iterator[Block]:
        line = raw.replace("\f", "")
        if (self.fence is not None or self.html_end is not None) and self.block_col and line.strip() \
                and _indent(line)[0] < self.block_col:
            self.fence = self.html_end = None  # the list item holding the code/HTML block is over
        if self.fence is not None:
            col, rest = _indent(line)
            ch, size = self.fence
            if col - self.block_col < 4 and rest.startswith(ch * size) and not rest.strip().strip(ch):
                self.fence = None
            return
        if self.html_end is not None:
            if self.html_end == "blank":
                if line.strip():
                    return
                self.html_end = None  # the blank line itself is handled below
            else:
                if self.html_end.search(line):
                    self.html_end = None
                return
        if self.in_comment:
            end = line.find("-->")
            if end < 0:
                return
            self.in_comment = False
            line = line[end + 3:]
            if not line.strip():
                return

        if not line.strip():
            yield from self._flush()
            self.table = False
            self.prev_blank = True
            self.open_para = self.item_open = False
            if self.last_kind == "empty_item" and self.lists:
                # an item may begin with at most one blank line: an empty item followed by a blank line is over
                self.lists[-1].content_col = 1 << 30
            yield self._block("", n)
            return

        col, rest = _indent(line)
        # how many open list items contain this line (by indentation)
        k = 0
        while k < len(self.lists) and self.lists[k].content_col <= col:
            k += 1
        rel = col - (self.lists[k - 1].content_col if k else 0)
        blocks = list(self._classify(n, line, col, rest, k, rel))
        self.prev_blank = False
        yield from blocks

    def _classify(self, n: int, line: str, col: int, rest: str, k: int, rel: int) -> Iterator[Block]:
        prev_open, self.open_para = self.open_para, False
        prev_item, self.item_open = self.item_open, False
        # an HTML comment opened in running text and not closed on this line hides the following lines
        if "<!--" in rest and not rest.startswith("<!--") and rest.rfind("<!--") > rest.rfind("-->"):
            rest = rest[: rest.rfind("<!--")]
            self.in_comment = True
            if not rest.strip():
                return

        plain = rest[0] not in _SPECIAL_START and "|" not in rest and "<" not in rest and not self.table
        if rel < 4 and not plain:
            m = _FENCE_OPEN.match(rest)
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                yield from self._flush()
                self._close_lists(k)
                self.table = False
                self.fence = (m.group(1)[0], len(m.group(1)))
                self.block_col = self.lists[k - 1].content_col if k else 0
                return

            if rest.startswith("#"):
                m = _ATX.match(rest)
                if m:
                    yield from self._flush()
                    self._close_lists(k)
                    self.table = False
                    text = inline_text(_ATX_CLOSE.sub("", m.group(2) or ""))
                    if text:
                        yield self._block(text, n, "heading", level=len(m.group(1)))
                    return

            if rest.startswith("<"):
                for start, end, interrupts in _HTML_STARTS:
                    if start.match(rest) and (interrupts or not prev_open):
                        yield from self._flush()
                        self._close_lists(k)
                        self.table = False
                        self.block_col = self.lists[k - 1].content_col if k else 0
                        if end is None:
                            self.html_end = "blank"
                        elif not end.search(rest, start.match(rest).end()):
                            self.html_end = end
                        return

            if prev_item and k == len(self.lists) and _SETEXT.match(rest):
                return  # the item's text is a setext heading: the item stays, the underline goes
            if self.para and k == len(self.lists) and not self.table:
                m = _SETEXT.match(rest)
                if m:
                    level = 1 if m.group(1)[0] == "=" else 2
                    text = _join([inline_text(raw) for _, raw in self.para])
                    first = self.para[0][0]
                    self.para = []
                    if text:
                        yield self._block(text, first, "heading", level=level)
                    return

            if _THEMATIC.match(rest):
                yield from self._flush()
                self._close_lists(k)
                self.table = False
                return

            item = self._list_item(n, col, rest, k, prev_open)
            if item is not None:
                yield from item
                return

            if "|" in rest:
                if "-" in rest and _DELIM_ROW.match(rest):
                    if self.para and "|" in self.para[-1][1]:
                        yield from self._flush(keep_last=True)
                        header = self.para.pop()
                        yield self._table_row(header[0], header[1])
                        self.table = True
                        return
                    if self.last_kind == "table_row":
                        self.table = True
                        return
                if self.table or (rest.startswith("|") and rest.rstrip().endswith("|") and rest.count("|") >= 3):
                    yield from self._flush()
                    self.table = True
                    yield self._table_row(n, rest)
                    return

            if not prev_open:
                if _LINK_DEF.match(rest):
                    return
                m = _FOOTNOTE_DEF.match(rest)
                if m:
                    rest = rest[m.end():]

            if rest.startswith(">"):
                yield from self._flush()
                self._close_lists(k)
                text = inline_text(rest[_QUOTE.match(rest).end():])
                if text:
                    yield self._block(text, n)
                    self.last_kind = "quote"
                return

        elif self.table:
            yield self._table_row(n, rest)
            return

        # paragraph text; a less indented line continues an open paragraph lazily, else it ends the lists
        if k < len(self.lists) and (self.prev_blank or not prev_open):
            self._close_lists(k)
        self.table = False
        if self.last_kind == "quote":
            # lazy continuation of a block quote's paragraph: still quote text (its paragraph is inside the
            # quote, so a list after it does not interrupt a paragraph of ours)
            yield from self._flush()
            text = inline_text(rest)
            if text:
                yield self._block(text, n)
                self.last_kind = "quote"
            return
        if rel >= 4 and not prev_open:
            # an indented code block for CommonMark: kept as text (see the module docstring), but it is not a
            # paragraph, so a list may follow it freely
            yield from self._flush()
            text = inline_text(rest)
            if text:
                yield self._block(text, n)
            return
        self.open_para = True
        self.para.append((n, rest))
        if len(self.para) > 64:
            n0, raw0 = self.para.pop(0)
            text = inline_text(raw0)
            if text:
                yield self._block(text, n0)

    def _list_item(self, n: int, col: int, rest: str, k: int, prev_open: bool) -> Optional[list[Block]]:
        m = _ORDERED.match(rest)
        if m:
            ordered, delim, number = True, m.group(2), int(m.group(1))
        else:
            m = _BULLET.match(rest)
            if not m:
                return None
            ordered, delim, number = False, m.group(1), 0
        after = rest[m.end():]
        sp_cols, content = _indent(after)
        marker_end = col + m.end()
        sibling = k < len(self.lists) and self.lists[k].ordered == ordered and self.lists[k].delim == delim
        if prev_open and not sibling and k == len(self.lists):
            # a new list may interrupt a paragraph only when it starts at 1 (or is a bullet) and is not empty
            if not content.strip() or (ordered and number != 1):
                return None
        if not content.strip() or sp_cols > 4:
            content_col = marker_end + 1
        else:
            content_col = marker_end + sp_cols
        out = list(self._flush())
        self.table = False
        if sibling:
            self._close_lists(k + 1)
            lst = self.lists[k]
            lst.number += 1
            lst.content_col = content_col
        else:
            self._close_lists(k)
            lst = _List(ordered, delim, number, content_col)
            self.lists.append(lst)
        text = content.strip()
        if not ordered:
            tm = _TASK.match(text)
            if tm:
                text = text[tm.end():]
        text = inline_text(text)
        self.open_para = self.item_open = bool(content.strip())
        if ordered:
            out.append(self._block(text, n, "list_item", level=len(self.lists), label=f"{lst.number}{delim}"))
        elif text:
            # a bullet item keeps its bullet as label, so the segmenter keeps items on separate lines
            out.append(self._block(text, n, "list_item", level=len(self.lists), label="•"))
        if not content.strip():
            self.last_kind = "empty_item"
        return out

    def _table_row(self, n: int, raw: str) -> Block:
        s = raw.strip()
        if s.startswith("|"):
            s = s[1:]
        if s.endswith("|") and not s.endswith("\\|"):
            s = s[:-1]
        cells = [inline_text(c.replace("\\|", "|")) for c in _CELL_SPLIT.split(s)]
        return self._block(" | ".join(cells), n, "table_row")

    def close(self) -> Iterator[Block]:
        yield from self._flush()


_FRONT = {"---": ("---", "..."), "+++": ("+++",)}
_FRONT_MAX_LINES = 500
# what the lines of YAML / TOML front matter look like: "key: value", "key = value", "- item", "[table]",
# comments, indented continuation lines, quoted keys
_FRONT_LINE = re.compile(r"\s|#|-(?:\s|$)|\[|[\w\"'.\-\u4e00-\u9fff]+\s*[:=]")


def parse_markdown(lines: Iterable[str], source: Optional[str] = None) -> Iterator[Block]:
    """Blocks of Markdown given as lines (without terminators). See the module docstring for the rules."""
    it = iter(lines)
    parser = _Parser(source)
    replay: list[str] = []
    first = next(it, None)
    if first is None:
        return
    first = first.lstrip("\ufeff")
    n = 1
    if first.rstrip() in _FRONT:
        ends = _FRONT[first.rstrip()]
        buf = [first]
        closed = False
        for line in it:
            buf.append(line)
            if line.rstrip() in ends:
                closed = True
                break
            if len(buf) > _FRONT_MAX_LINES or (line.strip() and not _FRONT_LINE.match(line)):
                break  # not YAML/TOML: a thematic break or setext line followed by ordinary text
        if closed:
            n = len(buf) + 1
        else:
            replay = buf  # not front matter after all: a thematic break / setext line and ordinary text
    else:
        replay = [first]
    for line in replay:
        yield from parser.feed(n, line)
        n += 1
    for line in it:
        yield from parser.feed(n, line)
        n += 1
    yield from parser.close()


def read_markdown(path) -> Iterator[Block]:
    """Yield the blocks of a Markdown file (any encoding :mod:`stdkb.readers.txt` detects)."""
    p = Path(path)
    yield from parse_markdown(iter_lines(p), source=str(p))
