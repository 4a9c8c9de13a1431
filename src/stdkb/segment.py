"""Segmentation: turn a document's blocks into a tree of numbered clauses.

The segmenter nests clauses by what the document actually does, not by a fixed order of schemes. It
keeps a stack of open numbering levels (one per nesting depth, each with its family and last value) and
accepts a proposed label (:func:`stdkb.labels.parse_label`) when it fits:

* a decimal label "2.2.3" goes under the open clause whose number is its prefix ("2.2");
* any other label continues the nearest open level of the same family when its value is the next one
  (二、 after 一、; (3) after (2)), closing everything opened since;
* a first value (1, 一, A, ①, 第一章) opens a new level under the current clause, or restarts a list of
  the same family;
* otherwise a label at the start of a line with an explicit delimiter ("5、") is still accepted (documents
  skip numbers), but a weak one (a bare number glued to text, or a label in the middle of a line) is text.

Run-on text ("一、办公室: 1、各级…; 2、各办公室…") is split at labels that follow a sentence or list boundary
and fit the numbering; values such as "不少于50米", "2.0米高", "第 2 版", dates and phone numbers never fit.
Lines without a label continue the current clause.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, List, Optional

from .labels import Label, lang_data, parse_label
from .model import Block, Clause, Document
from .text import BULLETS, DASH_BULLETS, fold

_BOUNDARY = set(" \t。;；!！?？:：")
_SENT_END = "。;；!！?？:：…"
_HEAD_PUNCT = re.compile(r"[,，。;；!！?？]")
_CJKCH = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’《》]")


@dataclass(slots=True)
class _Level:
    family: str
    value: object
    clause: Clause
    delim: str = ""
    layout: Optional[int] = None  # level of a layout heading (no number)
    item_level: Optional[int] = None  # nesting depth of a DOCX/Markdown list item
    base: str = ""  # the clause's id without its "~n" suffix: "<doc>:<path joined by />" (its children's prefix)


def _is_tuple_family(level: _Level) -> bool:
    return isinstance(level.value, tuple)


@dataclass
class _State:
    doc_id: str
    lang: str
    stack: List[_Level] = field(default_factory=list)
    clauses: List[Clause] = field(default_factory=list)
    ids: dict = field(default_factory=dict)
    current: Optional[Clause] = None  # clause receiving continuation text
    seen_decimal: set = field(default_factory=set)  # decimal labels already used in this document

    # -- placement -----------------------------------------------------------------------------------
    def place(self, lab: Label, *, strong: bool, item_level: Optional[int] = None) -> Optional[int]:
        """Return the stack index at which the new level goes (everything from there is closed),
        or None when the label does not fit (it is then text)."""
        st = self.stack
        if item_level is not None:
            # a DOCX/Markdown list item closes list items nested deeper than itself
            for i, lv in enumerate(st):
                if lv.item_level is not None and lv.item_level > item_level:
                    st = st[:i]
                    break
        return self._fit_family(lab, lab.family, st, strong)

    def _fit_family(self, lab: Label, fam: str, st: list, strong: bool) -> Optional[int]:
        value = lab.value
        if fam == "appendix":
            # appendices sit beside the top-level clauses, after any layout heading
            for i, lv in enumerate(st):
                if lv.layout is None:
                    return i
            return len(st)
        if isinstance(value, tuple):  # multi-level decimal
            # the parent is the deepest open decimal clause whose number is a prefix ("2.2" for "2.2.3"); a list
            # item "1." is a parent only for "1.1" when the document has no decimal clauses open
            has_decimal = False
            for lv in st:
                if lv.family == "decimal":
                    has_decimal = True
                    break
            nv = len(value)
            for i in range(len(st) - 1, -1, -1):
                lv = st[i]
                lvv = lv.value
                if not isinstance(lvv, tuple) or (has_decimal and lv.family not in ("decimal", "appendix")):
                    continue
                k = len(lvv)
                if k < nv and value[:k] == lvv:
                    return i + 1
            # no parent open: a sibling ("1.2" after "1.1" under 第一章) continues its level
            for i in range(len(st) - 1, -1, -1):
                lv = st[i]
                if (_is_tuple_family(lv) and len(lv.value) == len(value) and lv.value[:-1] == value[:-1]
                        and isinstance(lv.value[-1], int) and isinstance(value[-1], int)
                        and value[-1] == lv.value[-1] + 1):
                    return i
            # inside a line, a decimal label without parent or sibling must at least start its level ("1.1")
            if not strong and value[-1] != 1:
                return None
            # close the decimal levels, stay under the enclosing non-decimal clause (第一章 > 1.1)
            for i, lv in enumerate(st):
                if _is_tuple_family(lv):
                    return i
            return len(st)
        if fam.startswith("bare"):
            return self._fit_bare(lab, fam, st, strong)
        # ordinal families: continue a level of the same family when the value is the next one
        for i in range(len(st) - 1, -1, -1):
            lv = st[i]
            if lv.family == fam and isinstance(lv.value, int) and value == lv.value + 1:
                return i
        if value == 1 or (fam.startswith("ord:") and value == 1):
            for i in range(len(st) - 1, -1, -1):
                if st[i].family == fam:
                    return i  # restart of a list of the same family
            return len(st)
        if strong:
            for i in range(len(st) - 1, -1, -1):
                lv = st[i]
                if lv.family == fam and isinstance(lv.value, int) and value > lv.value and value - lv.value <= 5:
                    return i  # a skipped number
            if fam.startswith("ord:") or fam in ("cn_dun",):
                return len(st) if not any(lv.family == fam for lv in st) else None
        return None

    def _fit_bare(self, lab: Label, fam: str, st: list, strong: bool) -> Optional[int]:
        """Bare numbers: "1 总则" (a top-level decimal), "1面带笑容" / "1. The" (a list item)."""
        v = lab.value
        delim = lab.delim
        for i in range(len(st) - 1, -1, -1):
            lv = st[i]
            if lv.layout is not None:
                break
            if isinstance(lv.value, tuple) and len(lv.value) == 1 and isinstance(lv.value[0], int) and v == lv.value[0] + 1:
                if lv.family == "decimal" or lv.delim == delim:
                    return i
        if v == 1:
            for i in range(len(st) - 1, -1, -1):
                lv = st[i]
                if lv.family == f"list{delim}" and lv.item_level is None:
                    return i  # restart
                if lv.family == "decimal" or lv.layout is not None:
                    break
            return len(st)
        if strong and delim in (".", "space"):
            if not st:
                return 0
            # "2 服务用语" right after 1.3 when the "1" heading was lost: inside section v-1, close it
            firsts = [(i, lv) for i, lv in enumerate(st) if lv.family == "decimal" and isinstance(lv.value, tuple)]
            if firsts and all(lv.value[0] == v - 1 for _, lv in firsts) and not any(
                    isinstance(lv.value, tuple) and len(lv.value) == 1 and lv.family == "decimal" for _, lv in firsts):
                return firsts[0][0]
            # a document that skips a number ("1 范围", "3 术语和定义") still continues its level
            for i in range(len(st) - 1, -1, -1):
                lv = st[i]
                if lv.layout is not None:
                    break
                if (isinstance(lv.value, tuple) and len(lv.value) == 1 and isinstance(lv.value[0], int)
                        and lv.value[0] < v <= lv.value[0] + 5 and (lv.family == "decimal" or lv.delim == delim)):
                    return i
        return None

    # -- clause creation ------------------------------------------------------------------------------
    def new_clause(self, lab: Optional[Label], at: int, text: str, block: Block, item_level=None,
                   layout: Optional[int] = None, title: Optional[str] = None) -> Clause:
        stack = self.stack
        del stack[at:]
        top = stack[-1] if stack else None
        # the id is the parent's id prefix (kept on its level) and this clause's label: no join over the path
        if lab is not None:
            label = path_elem = lab.label
            fam = lab.family
            value = lab.value
            if fam == "bare":
                # a bare number at the top (or right under a layout heading) is a top-level decimal ("1 总则");
                # under a clause it starts or continues a list ("1面带笑容")
                value = (value,)
                fam = "decimal" if top is None or top.layout is not None else "list" + lab.delim
            elif fam == "decimal":
                self.seen_decimal.add(label)
        else:
            label = None
            path_elem = title or ""
            fam = "layout" if layout is not None else "text"
            value = None
        if top is not None:
            parent = top.clause
            path = parent.path + [path_elem]
            base = top.base + "/" + path_elem
        else:
            parent = None
            path = [path_elem]
            base = self.doc_id + ":" + path_elem
        ids = self.ids
        n = ids.get(base, 0) + 1
        ids[base] = n
        cid = base if n == 1 else f"{base}~{n}"
        # positional (id, label, path, kind, level, parent, text, raw_label, scheme, title, line, page): this
        # runs once per clause and keyword arguments cost measurably more
        if lab is not None:
            clause = Clause(cid, label, path, "clause", len(path), parent.id if parent else None, text,
                            lab.raw, fam, title, block.line, block.page)
            stack.append(_Level(fam, value, clause, lab.delim, layout, item_level, base))
        else:
            clause = Clause(cid, None, path, "clause", len(path), parent.id if parent else None, text,
                            None, None, title, block.line, block.page)
            stack.append(_Level(fam, value, clause, "", layout, item_level, base))
        self.clauses.append(clause)
        self.current = clause
        return clause

    def prefix_open(self, value) -> bool:
        """Is the parent of decimal number ``value`` ("1" for "1.1") an open clause?"""
        if not isinstance(value, tuple) or len(value) < 2:
            return False
        return any(isinstance(lv.value, tuple) and lv.value == value[:-1] for lv in self.stack)

    def _make_id(self, path: list) -> str:
        base = f"{self.doc_id}:" + "/".join(path)
        n = self.ids.get(base, 0) + 1
        self.ids[base] = n
        return base if n == 1 else f"{base}~{n}"

    def preamble(self, text: str, block: Block) -> Clause:
        """Unnumbered text before the first clause."""
        cid = self._make_id(["_"])
        clause = Clause(id=cid, label=None, path=[], kind="text", level=0, parent=None, text=text,
                        line=block.line, page=block.page)
        self.clauses.append(clause)
        self.current = clause
        return clause


def _join(prev: str, new: str) -> str:
    if not prev:
        return new
    if not new:
        return prev
    a, b = prev[-1], new[0]
    if a in _SENT_END:
        return prev + "\n" + new
    if _CJKCH.match(a) or _CJKCH.match(b) or (a.isdigit() and _CJKCH.match(b)):
        return prev + new
    return prev + " " + new


_INNER_COLON = re.compile(r"[:：]\s*\S")
_EN_SENT_END = re.compile(r"[.;!?]$")
_EN_VERB = re.compile(r"\b(shall|must|should|may|will|is|are)\b", re.I)


def _heading_max(lang: str) -> int:
    return lang_data("zh" if lang == "zh" else "en", "segment")["heading_max_chars"]


@lru_cache(maxsize=8192)
def _heading_like(text: str, lang: str) -> bool:
    raw = text.strip()
    t = raw.rstrip(":：")
    if not t or len(t) > 80:
        return False
    if raw[-1] in ":：" and (len(t) > 10 or t[-1] in "应须要得"):
        return False  # "物业服务企业应当遵守下列要求:", "服务人员应:" introduce a list: sentences, not headings
    if len(t) > _heading_max(lang):
        return False
    if lang == "zh":
        return not _HEAD_PUNCT.search(t) and not _INNER_COLON.search(t)
    if _EN_SENT_END.search(t):
        return False
    if len(t.split()) > 10:
        return False
    return not _EN_VERB.search(t)


def segment_blocks(blocks: Iterable[Block], doc_id: str, lang: str = "zh") -> List[Clause]:
    """Segment ``blocks`` (one document, noise already removed) into clauses, in document order."""
    state = _State(doc_id=doc_id, lang=lang)
    for block in blocks:
        kind = block.kind
        if kind == "break":
            continue
        text = block.text
        if not text or not text.strip():
            continue
        if kind == "para":  # most blocks
            _segment_line(state, text, fold(text), block)
            continue
        if kind == "table_row":
            _continue(state, text.strip(), block, newline=True)
            continue
        folded = fold(text)
        if block.kind == "list_item" and block.label:
            lab = parse_label(block.label.strip() + " ", 0)
            if lab is not None:
                lab = Label(lab.family, lab.value, lab.label, block.label, 0, 0, lab.delim)
                at = state.place(lab, strong=True, item_level=block.level or 1)
                if at is None:
                    # a list of another style at the same depth ("7." after "4)") is a sibling, not a child
                    lvl = block.level or 1
                    at = next((i for i, lv in enumerate(state.stack)
                               if lv.item_level is not None and lv.item_level >= lvl), len(state.stack))
                _start(state, lab, at, text.strip(), block, item_level=block.level or 1)
                continue
            # a label parse_label cannot take alone (a bare "1" from Word's "%1"): read it as the numbered line
            text = block.label.strip() + " " + text.lstrip()
            folded = fold(text)
        if block.kind == "heading" and block.level:
            lab0 = parse_label(text.lstrip(), 0)
            if lab0 is None:
                _layout_heading(state, text.strip(), block)
                continue
        _segment_line(state, text, folded, block)
    return state.clauses


def _layout_heading(state: _State, text: str, block: Block) -> None:
    lvl = block.level or 1
    at = len(state.stack)
    for i, lv in enumerate(state.stack):
        if lv.layout is not None and lv.layout >= lvl:
            at = i
            break
        if lv.layout is None:
            at = i
            break
    c = state.new_clause(None, at, text, block, layout=lvl, title=text)
    c.kind = "heading"


# the characters regex \s matches (str.isspace()), spelled out: a class of literal characters is scanned faster
# than one with the \s category (tests check the two agree over all of Unicode)
_WHITE_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# where a label can start inside a line: after white space or a sentence/list boundary, at a character that
# begins some numbering scheme (the same boundaries as _BOUNDARY, after fold())
# The match is the boundary character, the candidate starts at its end: a pattern that starts with a character
# class lets the regex engine skip ahead to the next boundary (a look-behind is tried at every position)
_CAND = re.compile(
    "[" + _WHITE_SPACE + r"。;!?:](?=[0-9一二三四五六七八九十(第附\u2460-\u2473]|[A-Za-z](?=\s*[.、)．])|[A-Z](?=\.\d)"
    r"|(?i:section|clause|chapter|article|part|appendix|annex|schedule|attachment)\b)")
_BULLET = re.compile(rf"^\s*[{re.escape(DASH_BULLETS)}](?=\s)|^\s*[{BULLETS}]")
_BULLET_FIRST = frozenset(DASH_BULLETS + BULLETS)  # what _BULLET needs after the white space


def _reference_context(folded: str, lab: Label) -> bool:
    """'按本标准 1.1 的规定', '见 3.2 条': a number inside a sentence that points at a clause."""
    cues_before, cues_after = _reference_cues()
    before = folded[max(0, lab.start - 8):lab.start].rstrip()
    after = folded[lab.start + len(lab.label) if lab.label else lab.end:][:4].lstrip()
    return before.endswith(cues_before) or after.startswith(cues_after)


@lru_cache(maxsize=None)
def _reference_cues() -> tuple:
    data = lang_data("zh", "segment")
    return tuple(data["reference_before"]), tuple(data["reference_after"])


def _segment_line(state: _State, text: str, folded: str, block: Block) -> None:
    lead = len(text) - len(text.lstrip())
    if folded.lstrip()[:1] in _BULLET_FIRST and _BULLET.match(folded):
        # a bullet item is its own line of the current clause ("• 不知道"), never glued to the previous one
        _continue(state, text.strip(), block, newline=True)
        return
    first = parse_label(text, lead, folded=folded) if lead < len(folded) else None
    if first is not None:
        labels = [first]
        end = first.end if first.end > lead + 1 else lead + 1
    else:
        labels = []
        end = lead + 1
    # candidates after sentence/list boundaries (run-on text)
    for m in _CAND.finditer(folded, end - 1):
        i = m.end()
        if i < end:
            continue
        lab = parse_label(text, i, folded=folded)
        if lab is not None:
            labels.append(lab)
            end = lab.end if lab.end > i else i + 1
    if not labels:
        rest = text[lead:].strip()
        if rest:
            _continue(state, rest, block)
        return
    # accept labels in order against the live stack
    pending_start = lead
    accepted = False
    stack = state.stack  # (new_clause edits it in place)
    for lab in labels:
        start = lab.start
        fam = lab.family
        if start == lead:
            # a label at the start of the line is strong, except a bare number glued to text ("1面带笑容"),
            # which must fit the numbering like any label found inside a run-on line
            strong = not (fam == "bare" and lab.delim == "glued")
        else:
            strong = False
            if text[start].isascii() and text[start].isalpha() and len(lab.label) > 1 and " " in lab.label:
                continue  # "as described in Section 3": a keyword label inside a sentence is a reference
            if state.lang != "zh":
                # English runs clauses on only after a sentence end, and only with multi-level numbers
                prev = folded[:start].rstrip()
                if not (isinstance(lab.value, tuple) and len(lab.value) > 1 and prev and prev[-1] in ".;"):
                    continue
            elif (fam == "decimal" or fam.startswith("ord:")) and _reference_context(folded, lab):
                continue  # "按本标准 1.1 的规定执行", "见第5章的要求": references
            elif fam == "decimal" and lab.label in state.seen_decimal and not state.prefix_open(lab.value):
                continue  # a decimal number that exists already, inside a sentence: a reference
        at = state._fit_family(lab, fam, stack, strong)  # == state.place(lab, strong=strong)
        if at is None:
            continue
        # text before this label belongs to the previous clause (or is a preamble)
        if start > pending_start:
            before = text[pending_start:start].strip()
            if before:
                _continue(state, before, block)
        state.new_clause(lab, at, "", block)
        pending_start = lab.end
        accepted = True
    rest = text[pending_start:].strip()
    if rest:
        if accepted:
            _set_first_text(state, rest)
        else:
            _continue(state, rest, block)


def _start(state: _State, lab: Label, at: int, text: Optional[str], block: Block, item_level=None) -> None:
    state.new_clause(lab, at, "", block, item_level)
    if text:
        _set_first_text(state, text)


_FLAT_TITLE = re.compile(r"^([^\s,，。;；!！?？]{2,16}?)[:：]?\s+(?=\S)")
_WS_SEARCH = re.compile(r"\s").search  # _FLAT_TITLE needs white space at offsets 2..17: a cheaper pre-check


def _set_first_text(state: _State, text: str) -> None:
    c = state.current
    if c.text:
        c.text = _join(c.text, text)
        return
    c.text = text
    if _heading_like(text, state.lang):
        c.title = text.strip().rstrip(":：").strip()
    elif state.lang == "zh":
        # flattened text keeps a heading and its first sentence on one line, separated by a space:
        # "2.1 服务理念 始于用户需求…"; Chinese sentences do not contain spaces, so the space marks the title
        m = _FLAT_TITLE.match(text) if _WS_SEARCH(text, 2, 18) else None
        if (m and _CJKCH.match(m.group(1)[0]) and _heading_like(m.group(1), "zh")
                and not re.search(r"\d", m.group(1)) and not re.match(r"[a-z%]", text[m.end():])):
            c.title = m.group(1).rstrip(":：")


def _continue(state: _State, text: str, block: Block, newline: bool = False) -> None:
    if state.current is None:
        state.preamble(text, block)
        return
    c = state.current
    if not c.text and c.kind != "text":
        _set_first_text(state, text)
        return
    if newline and c.text:
        c.text = c.text + "\n" + text
    elif c.title and c.text.strip().rstrip(":：").strip() == c.title:
        c.text = c.text + "\n" + text
    else:
        c.text = _join(c.text, text)


def finalize(clauses: List[Clause], lang: str) -> None:
    """Decide heading vs clause kind."""
    has_children = {c.parent for c in clauses if c.parent}
    for c in clauses:
        if c.kind == "text":
            continue
        t = c.text.strip()
        if c.title is None and t and _heading_like(t, lang) and "\n" not in t:
            c.title = t.rstrip(":：").strip()
        if c.kind == "heading":
            continue
        if not t:
            c.kind = "heading"
        elif c.title is not None and t.rstrip(":：").strip() == c.title and (c.id in has_children or _heading_like(t, lang)):
            c.kind = "heading"
        else:
            c.kind = "clause"


def segment_document(doc: Document) -> Document:
    """Fill ``doc.clauses`` from ``doc.blocks`` (then drops the blocks to free memory)."""
    doc.clauses = segment(doc.blocks, doc.id, doc.lang)
    doc.blocks = []
    return doc


def segment(blocks: Iterable[Block], doc_id: str = "doc", lang: str = "zh") -> List[Clause]:
    """Segment a block stream that holds one document. Convenience wrapper for library users."""
    clauses = segment_blocks(blocks, doc_id, lang)
    finalize(clauses, lang)
    return clauses
