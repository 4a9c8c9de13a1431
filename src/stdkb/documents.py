"""From a block stream to documents: noise removal, tables of contents, multi-document files, duplicates.

``split_documents(blocks, source)`` yields :class:`~stdkb.model.Document` s with their cleaned blocks:

* **noise** — watermark and encoding-code lines ("IMB standardization office【…】", "Jenny was compiled in
  January 2021", "标准化管理处编码[…]"), page headers/footers repeated across pages, page-number lines,
  the site's navigation lines (相关文档, 最新文档) — is moved to ``Document.noise``;
* a **table of contents** ("目录" followed by entries ending in page numbers "(2)", dot leaders, or Word's
  "错误!未定义书签。") is moved to ``Document.noise`` too, so its entries never become clauses;
* **several documents back to back** (a document-sharing page dump) are split at title lines: a short line
  that is repeated by the next line (the page title followed by the document's own title), or followed by
  a table of contents; once a file has shown such boundaries, a standalone line that reads like a title of
  a standard ("…标准", "…流程", "…体系") also starts a new document;
* **near-duplicates** (the same standard pasted twice, with small noise) are marked by
  :class:`DuplicateIndex` with ``duplicate_of``, never dropped.

The words used (目录, 相关文档, title words) are language data in ``lang/*/segment.json`` and
``lang/noise.json``.
"""
from __future__ import annotations

import hashlib
import os
import re
import zlib
from array import array
from collections import Counter
from dataclasses import replace
from bisect import bisect_right
from itertools import chain, repeat
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, List, Optional

from .labels import lang_data, parse_label
from .model import Block, Document
from .text import detect_lang, fold

_PUNCT_WS = re.compile(r"[\s\W_]+", re.UNICODE)


@lru_cache(maxsize=None)
def _noise():
    data = lang_data("", "noise")
    # one alternation per kind: one regex pass per line instead of one per pattern
    strip = [re.compile("|".join(f"(?:{p})" for p in data["strip_patterns"]))]
    line_re = re.compile("|".join(f"(?:{p})" for p in data["line_patterns"]))
    # patterns that are all anchored with "^" can only match at the start: match() instead of search() everywhere
    lines = [line_re.match if all(map(_anchored, data["line_patterns"])) else line_re.search]
    # literal words one of which every strip pattern needs: lines without any skip the regex (tested with
    # ``in``, faster than a regex alternation of literals)
    triggers = tuple(data.get("strip_triggers", ()))
    strip.append(triggers or None)
    zh, en = lang_data("zh", "segment"), lang_data("en", "segment")
    nav = {fold(x).strip().lower() for x in zh["nav_lines"] + en["nav_lines"]}
    toc_words = sorted({fold(x) for x in zh["toc_words"] + en["toc_words"]}, key=len, reverse=True)
    broken = [fold(x) for x in zh["toc_broken_ref"]]
    title_words = zh["title_words"]
    en_title_words = [w.lower() for w in en["title_words"]]
    return strip, lines, nav, toc_words, broken, title_words, en_title_words


def _anchored(pattern: str) -> bool:
    """Does ``pattern`` start with "^" and have no "|" outside groups and classes (so all of it is anchored)?"""
    if not pattern.startswith("^"):
        return False
    depth, in_class, i = 0, False, 1
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]" or pattern[i + 1:i + 3] == "^]":
                i += 2 if pattern[i + 1] == "]" else 3  # a "]" first in a class is a literal
                continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return False
        i += 1
    return True


@lru_cache(maxsize=None)
def _toc_first_chars() -> frozenset:
    return frozenset(w[0].lower() for w in _noise()[3]) | frozenset(w[0].upper() for w in _noise()[3])


# an entry of a table of contents: text, then a page number in brackets, after dot leaders, or a broken ref
_LEADERS = ".．…·•-—_"
_BROKEN_REFS = ("错误!未定义书签。", "Error! Bookmark not defined.")  # as fold() leaves them
_TOC_MARK = (r"(?:[\(（]\s*\d{1,3}\s*[\)）]|[%s]{3,}\s*\d{0,3}|" % re.escape(_LEADERS)
             + "|".join(map(re.escape, _BROKEN_REFS)) + ")")
_TOC_ENTRY = re.compile(r"^\s*\S.{0,80}?\s*" + _TOC_MARK + r"\s*$")
_TOC_ENTRY_NUM = re.compile(r"^\s*\S.{0,80}?[^\d\s.]\s+\d{1,3}\s*$")  # "4.5 禁忌用语 6" in a TOC block
_TOC_MARK_RE = re.compile(_TOC_MARK)
_DATE = re.compile(r"(19|20)\d\d\s*年|[〇零一二三四五六七八九]{4}\s*年")


def _norm_key(s: str) -> str:
    return _PUNCT_WS.sub("", fold(s)).lower()


# a title is compared with many lines, and a line with the title and the lines around it: short strings cached
_norm_key_short = lru_cache(maxsize=2048)(_norm_key)


def norm_key(s: str) -> str:
    """Folded text without white space and punctuation: for comparing titles and fingerprints."""
    return _norm_key_short(s) if len(s) <= 256 else _norm_key(s)


def _bigrams(s: str) -> set:
    return {s[i:i + 2] for i in range(len(s) - 1)} or ({s} if s else set())


_bigrams_short = lru_cache(maxsize=256)(_bigrams)  # titles and title-like lines (<= 80); callers never change the set


def _norm_key_start(line: str, n: int) -> str:
    """``norm_key(line)[:n]`` without normalising all of a long line: fold, the punctuation filter and lower()
    work character by character (lower() but for a final sigma, hence the Σ test), so the key of a prefix that
    yields n characters starts like the key of the whole line."""
    cut = 4 * n + 16
    if len(line) > cut and "\u03a3" not in line:
        k = norm_key(line[:cut])
        if len(k) >= n:
            return k[:n]
    return norm_key(line)[:n]


def title_similarity(title: str, line: str) -> float:
    """Share of the title's character bigrams found near the start of ``line`` (0..1)."""
    a = norm_key(title)
    b = _norm_key_start(line, len(a) + max(2, len(a) // 3))
    if not a or not b:
        return 0.0
    if len(a) < 6:
        return 1.0 if b.startswith(a) else 0.0
    ba = _bigrams_short(a) if len(a) <= 80 else _bigrams(a)
    return len(ba & _bigrams(b)) / len(ba)


def contained_in(line: str, title: str) -> float:
    """Share of ``line``'s bigrams found in ``title`` (a cover-page line repeating the title)."""
    a = norm_key(line)
    b = norm_key(title)
    if not a or not b:
        return 0.0
    ba = _bigrams_short(a) if len(a) <= 80 else _bigrams(a)
    return len(ba & (_bigrams_short(b) if len(b) <= 80 else _bigrams(b))) / len(ba)


def clean_line(text: str) -> tuple[str, list]:
    """Remove noise from one line: returns (kept text, [removed pieces])."""
    noise = _noise()
    strip, lines, nav = noise[0], noise[1], noise[2]
    f = fold(text)
    stripped = f.strip()
    if not stripped:
        return "", []
    if len(stripped) <= _LINE_NOISE_MAX:
        for find in lines:
            if find(f):
                return "", [text]
        if stripped.lower() in nav:
            return "", [text]
    triggers = strip[-1]
    if triggers is not None:
        for w in triggers:
            if w in f:
                break
        else:
            return text, []
    removed = []
    for pat in strip[:-1]:
        m = pat.search(f)
        while m:
            removed.append(text[m.start():m.end()])
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end():]
            f = fold(text)
            m = pat.search(f)
    if removed and not text.strip():
        return "", removed
    return (text if not removed else re.sub(r"\s{2,}", " ", text).strip()), removed


_LINE_NOISE_MAX = 40  # page numbers, running headers and navigation lines are short


def is_toc_header(text: str) -> bool:
    t = text.strip()
    if not t or len(t) > 24 or t[0] not in _toc_first_chars():
        return False
    t = fold(t)
    return any(t == w or t.lower() == w.lower() for w in _noise()[3])


def split_toc_line(text: str) -> Optional[tuple[str, str]]:
    """A flattened table of contents on one line ("目录 1 总则 (2) 2 … (12)"): (toc part, rest) or None."""
    t = text.lstrip()
    if not t or t[0] not in _toc_first_chars():
        return None
    f = fold(text)
    t = f.lstrip()
    if not any(t.startswith(w) for w in _noise()[3]):
        return None
    marks = list(_TOC_MARK_RE.finditer(f))
    if len(marks) < 2:
        return None
    cut = marks[-1].end()
    rest = text[cut:]
    # a trailing fragment of the TOC ("2." cut by the page) stays with it
    if len(norm_key(rest)) < 12:
        return text, ""
    return text[:cut], rest.strip()


def is_toc_entry(text: str, in_toc: bool) -> bool:
    t = text.rstrip()
    if not t or not (t[-1].isdigit() or t[-1] in ")）。." or in_toc):
        return False
    f = fold(text)
    # both patterns end with a mark: a bracket, a digit (\d), leaders or a broken reference. A sentence ending in
    # "。" or "." is answered here (the patterns would try every split of the first 80 characters)
    fr = f.rstrip()
    if not fr:
        return False
    c = fr[-1]
    if c == "。":
        if not fr.endswith(_BROKEN_REFS):
            return False
    elif c in _LEADERS:
        if not ((len(fr) >= 3 and fr[-2] in _LEADERS and fr[-3] in _LEADERS) or fr.endswith(_BROKEN_REFS)):
            return False
    elif not (c in ")）" or c.isdecimal()):
        return False
    if _TOC_ENTRY.match(f):
        return True
    return in_toc and bool(_TOC_ENTRY_NUM.match(f))


def is_title_candidate(text: str) -> bool:
    if len(text) > 80 and len(text.strip()) > 60:
        return False
    f = fold(text).strip()
    if not (2 <= len(f) <= 60):
        return False
    if f[-1] in "。;；,，:：、" or f.endswith("..."):
        return False
    letters = len(_PUNCT_WS.sub("", f))
    if letters < max(2, len(f) * 0.5):
        return False
    return parse_label(f, 0, folded=f) is None and not is_toc_header(f)  # (fold(f) == f)


def has_title_word(text: str) -> bool:
    _, _, _, _, _, zh_words, en_words = _noise()
    f = fold(text)
    return any(w in f for w in zh_words) or any(w in f.lower() for w in en_words)


_COPY_SUFFIX = re.compile(r"\s+[\(（]\d{1,2}[\)）]$")


def clean_title(title: str) -> str:
    """A title as a person would write it: no trailing full stop, no " (1)" left by a second download."""
    t = " ".join(title.split())
    t = _COPY_SUFFIX.sub("", t)
    t = re.sub(r"[.。．]+$", "", t).strip()
    return t or title.strip()


def _wordy(text: str) -> bool:
    """Mostly letters (CJK or Latin words), not codes and numbers ("ICS 75.180", "GB/T 12345—2020")."""
    t = fold(text).strip()
    alpha = sum(1 for ch in t if ch.isalpha())
    return alpha >= 0.6 * len(t.replace(" ", "")) and (len(t.split()) >= 2 or alpha >= 4)


def doc_id_for(source: str, index: int, title: str) -> str:
    """Stable document id: the same file (folder and file name), position and title give the same id on every
    run, also after the file's text was edited; ``v1/std.txt`` and ``v2/std.txt`` get different ids."""
    return _doc_id(_source_key(source), index, title)


def _source_key(source: str) -> str:
    p = Path(os.path.abspath(source))  # the same file gives the same id whichever way its path was written
    return f"{p.parent.name}/{p.name}"


def _doc_id(source_key: str, index: int, title: str) -> str:
    key = f"{source_key}\0{index}\0{norm_key(title)}"
    return "d" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


class _Pending:
    def __init__(self, title: Optional[str], source: str):
        self.title = title
        self.source = source
        self.blocks: List[Block] = []
        self.noise: List[str] = []
        self.body_chars = 0
        self.weak_title = False

    def add(self, block: Block):
        self.blocks.append(block)
        self.body_chars += len(block.text.strip())


def _strip_running_lines(blocks: List[Block], noise: list) -> List[Block]:
    """Remove page headers/footers: short lines at the top or bottom of most pages, the same but for their
    numbers ("第 3 页 共 12 页"). Needs page numbers (form feeds in text exports; PDFs do this themselves).
    A line that starts with a clause number is never a running line."""
    distinct = {b.page for b in blocks}
    distinct.discard(None)
    if len(distinct) < 3:  # (most text files are one page: answered without the index below)
        return blocks
    pages: dict = {}
    for i, b in enumerate(blocks):
        if b.page is not None:
            pages.setdefault(b.page, []).append(i)
    if len(pages) < 3:
        return blocks

    def key(b):
        k = norm_key(b.text)
        if not k or len(k) > 40 or parse_label(b.text.strip(), 0) is not None:
            return None
        return re.sub(r"\d+", "#", k)

    edge_pages: dict = {}
    edge_keys: dict = {}  # block index at a page edge -> its key (computed once)
    for page, idx in pages.items():
        for i in set(idx[:2] + idx[-2:]):
            k = edge_keys[i] = key(blocks[i])
            if k:
                edge_pages.setdefault(k, set()).add(page)
    running = {k for k, ps in edge_pages.items() if len(ps) >= max(3, 0.6 * len(pages))}
    if not running:
        return blocks
    kept = []
    for i, b in enumerate(blocks):
        if i in edge_keys and edge_keys[i] in running:
            noise.append(b.text)
        else:
            kept.append(b)
    return kept


def split_documents(blocks: Iterable[Block], source: str) -> Iterator[Document]:
    """Split a block stream into documents (see the module docstring)."""
    source = str(source)
    source_key = _source_key(source)  # (doc_id_for(source, ...) once per file, not per document)
    lines = _clean_stream(blocks)
    cur: Optional[_Pending] = None
    strong_seen = 0
    index = 0
    carry_noise: list = []
    buf = _Lookahead(lines)
    in_toc = False
    toc_first = _toc_first_chars()  # is_toc_header and split_toc_line answer False for a line not starting with one

    def emit(p: _Pending):
        nonlocal index
        if p is None:
            return None
        if p.body_chars == 0 and not p.blocks and p.title is None:
            carry_noise.extend(p.noise)
            return None
        title = clean_title(p.title or _fallback_title(p, source))
        blocks = _strip_running_lines(p.blocks, p.noise)
        text_sample = "\n".join(b.text for b in blocks[:400])
        doc = Document(id=_doc_id(source_key, index, title), title=title, source=source,
                       lang=detect_lang(title + "\n" + text_sample), index=index)
        doc.noise = carry_noise[:] + p.noise
        carry_noise.clear()
        doc.blocks = blocks
        doc.sha256 = hashlib.sha256("\n".join([b.text for b in blocks]).encode("utf-8")).hexdigest()
        index += 1
        return doc

    held: list = []  # the last emitted document, yielded once the next one exists (trailing noise joins it)

    def release(d):
        out = held[:]
        held.clear()
        held.append(d)
        return out

    for block, kind, removed in buf:
        if cur is None:
            cur = _Pending(None, source)
        if removed:
            cur.noise.extend(removed)
        if kind == "break":
            d = emit(cur)
            if d:
                yield from release(d)
            cur = None
            in_toc = False
            continue
        if kind == "noise":
            continue
        text = block.text
        # --- a title line followed by its repetition or a table of contents starts a document ---
        nxt = None
        candidate = block.kind in ("para", "heading") and is_title_candidate(text)
        if candidate:
            nxt = buf.peek_text(1)
        repeated = nxt is not None and title_similarity(text, nxt) >= 0.6
        before_toc = nxt is not None and (is_toc_header(nxt) or split_toc_line(nxt) is not None)
        strong_title = repeated or before_toc
        # --- tables of contents ---
        if not strong_title:
            maybe_toc = text.lstrip()[:1] in toc_first
            if maybe_toc and is_toc_header(text):
                in_toc = True
                cur.noise.append(text)
                continue
            toc = split_toc_line(text) if maybe_toc else None
            if toc:
                cur.noise.append(toc[0])
                if toc[1]:
                    block = replace(block, text=toc[1])
                    text = toc[1]
                    candidate = block.kind in ("para", "heading") and is_title_candidate(text)
                else:
                    continue
            elif is_toc_entry(text, in_toc):
                # a lone entry outside a TOC needs two more entries after it to count
                if in_toc or buf.peek_toc(2):
                    in_toc = True
                    cur.noise.append(text)
                    continue
        in_toc = False
        # --- document boundaries ---
        if block.kind == "title":
            if cur.title is None and cur.body_chars == 0:
                cur.title = text.strip()
                cur.noise.append(text)
                continue
            d = emit(cur)
            if d:
                yield from release(d)
            cur = _Pending(text.strip(), source)
            cur.noise.append(text)
            continue
        if candidate:
            boundary = None
            if cur.title is not None and (contained_in(text, cur.title) >= 0.7 or title_similarity(cur.title, text) >= 0.7):
                if cur.body_chars == 0 or norm_key(text) == norm_key(cur.title) or contained_in(text, cur.title) >= 0.9:
                    cur.noise.append(text)  # the title repeated (page title, cover page)
                    continue
            if strong_title:
                boundary = "strong"
            elif strong_seen and len(fold(text).strip()) <= 30 and has_title_word(text) and not _DATE.search(text):
                boundary = "weak"
            if boundary and not repeated and cur.title is not None and cur.body_chars == 0 and not cur.blocks:
                boundary = None  # a cover-page line under a title that has no body yet
            if boundary and (cur.body_chars > 0 or cur.title is not None):
                d = emit(cur)
                if d:
                    yield from release(d)
                cur = _Pending(text.strip(), source)
                cur.noise.append(text)
                strong_seen += boundary == "strong"
                continue
            if boundary and cur.title is None and cur.body_chars == 0:
                cur.title = text.strip()
                cur.noise.append(text)
                strong_seen += boundary == "strong"
                continue
            if ((cur.title is None or cur.weak_title) and cur.body_chars == 0 and has_title_word(text)
                    and len(fold(text).strip()) <= 40):
                cur.title = text.strip()  # the first title-like line of a file names its document
                cur.weak_title = False
                cur.noise.append(text)
                continue
            if cur.title is None and cur.body_chars == 0 and not cur.blocks and _wordy(text):
                # the first line of a file, short and made of words ("Customer Service Code"): its title, unless
                # a line naming a standard follows before the body starts
                cur.title = text.strip()
                cur.weak_title = True
                cur.noise.append(text)
                continue
        cur.add(block)
    d = emit(cur) if cur is not None else None
    if d:
        held.append(d)
    if held:
        held[-1].noise.extend(carry_noise)
        yield from held


def _fallback_title(p: _Pending, source: str) -> str:
    for b in p.blocks[:20]:
        t = b.text.strip()
        if b.kind in ("heading", "title") or (is_title_candidate(t) and has_title_word(t)):
            return t
    return Path(source).stem if source and not source.startswith("<") else (p.blocks[0].text.strip()[:40] if p.blocks else "untitled")


def _clean_stream(blocks: Iterable[Block]):
    """Yield (block, kind, removed_noise) with kind in {"text", "noise", "break", "blank"}; blank lines dropped."""
    for b in blocks:
        if b.kind == "break":
            yield b, "break", []
            continue
        if not b.text or not b.text.strip():
            continue
        if b.kind == "table_row":
            yield b, "text", []
            continue
        kept, removed = clean_line(b.text)
        if not kept:
            yield b, "noise", removed
            continue
        if removed:
            b = replace(b, text=kept)
        yield b, "text", removed


class _Lookahead:
    """Iterate (block, kind, removed) with peeking at the next text lines."""

    def __init__(self, it):
        self._it = iter(it)
        self._buf: list = []

    def __iter__(self):
        return self

    def __next__(self):
        if self._buf:
            return self._buf.pop(0)
        return next(self._it)

    def _fill(self, n: int):
        while sum(1 for x in self._buf if x[1] == "text") < n:
            try:
                self._buf.append(next(self._it))
            except StopIteration:
                return

    def peek_text(self, n: int) -> Optional[str]:
        """The text of the n-th text line ahead, or None."""
        seen = 0
        for x in self._buf:
            if x[1] == "text":
                seen += 1
                if seen == n:
                    return x[0].text
        for x in self._it:
            self._buf.append(x)
            if x[1] == "text":
                seen += 1
                if seen == n:
                    return x[0].text
        return None

    def peek_toc(self, n: int) -> bool:
        self._fill(n)
        texts = [x[0].text for x in self._buf if x[1] == "text"][:n]
        return len(texts) == n and all(is_toc_entry(t, False) for t in texts)


class DuplicateIndex:
    """Near-duplicate detection for documents streamed in order, in memory bounded per document.

    A document's fingerprint is the set of its text fragments between punctuation marks (white space
    removed first, so reflowed, flattened or re-wrapped copies give the same fragments), hashed. Only a
    bottom-k sketch of it is kept (the ``k`` smallest hashes: a consistent sample, so two sketches can be
    compared), and an inverted index from sampled hash to documents finds the candidates, so marking does
    not compare a new document with every earlier one.

    A document is marked ``duplicate_of`` an earlier one when most of either one's sampled fragments occur in
    the other (containment >= ``threshold``): the same standard pasted twice, an excerpt of it, a copy with
    another watermark or reflowed lines.
    """

    _FRAGMENT = re.compile(r"\w{4,}")  # on text without "_": fragments of 4+ letters or digits

    def __init__(self, threshold: float = 0.8, k: int = 128, min_fragments: int = 5, max_posting: int = 64):
        self.max_posting = max_posting
        self.threshold = threshold
        self.k = k
        self.min_fragments = min_fragments
        self._ids: list = []
        # sorted hashes per document, as 4-byte unsigned arrays: a tuple of 128 Python ints is ~5 KB, 9 times
        # more, and every document's sketch is kept for the whole run (memory grew with the corpus)
        self._sketches: list = []
        self._index: dict = {}  # hash -> [doc number]

    @staticmethod
    def _compact(sk: tuple):
        try:
            return array("I", sk)
        except (OverflowError, TypeError):  # (not 32-bit hashes: kept as given)
            return sk

    def fingerprint(self, doc: Document) -> tuple:
        if doc.clauses:
            text = "".join(c.text for c in doc.clauses)
        else:
            text = "".join(b.text for b in doc.blocks)
        # white space removed first (reflowed copies give the same fragments: str.split() splits at exactly the
        # characters regex \s matches, 2.5x faster than a substitution); fragments of 4+ letters in one C-level
        # pass; full-width letters are rare enough not to fold here (it is the hot path of dedupe)
        text = "".join(text.split()).lower()
        if "_" in text:  # (\w{4,} on text without "_" finds what [^\W_]{4,} finds, a little faster)
            text = text.replace("_", " ")
        hashes = set(map(zlib.crc32, map(str.encode, self._FRAGMENT.findall(text))))  # UTF-8 bytes
        return tuple(sorted(hashes)[: self.k])

    def add(self, doc_id: str, sketch: tuple, duplicate_of: Optional[str] = None) -> None:
        """Register a document marked earlier, from its stored :meth:`fingerprint` and ``duplicate_of``,
        exactly as :meth:`mark` left it (lets a knowledge base seed the index without re-reading texts)."""
        n = len(self._ids)
        sk = tuple(sketch)
        self._ids.append(doc_id)
        self._sketches.append(self._compact(sk))
        if duplicate_of is None:
            for h in sk:
                posting = self._index.setdefault(h, [])
                if len(posting) < self.max_posting:
                    posting.append(n)

    def sketch(self, doc_id: str) -> Optional[tuple]:
        """The sketch kept for ``doc_id`` (the latest document with that id), or None."""
        for i in range(len(self._ids) - 1, -1, -1):
            if self._ids[i] == doc_id:
                return tuple(self._sketches[i])
        return None

    def mark(self, doc: Document) -> Optional[str]:
        sk = self.fingerprint(doc)
        n = len(self._ids)
        if len(sk) >= self.min_fragments:
            tau_new = sk[-1] if len(sk) == self.k else 0xFFFFFFFF
            # fragments shared with each earlier document, counted in C (postings hold up to max_posting each)
            common = Counter(chain.from_iterable(map(self._index.get, sk, repeat(()))))
            best = None
            for j, c in sorted(common.items()):
                other = self._sketches[j]
                tau_other = other[-1] if len(other) == self.k else 0xFFFFFFFF
                # hashes up to the smaller of the two sketch limits (all of a sketch when the limit is its own)
                if tau_new <= tau_other:
                    n_new, n_other = len(sk), bisect_right(other, tau_new)
                else:
                    n_new, n_other = bisect_right(sk, tau_other), len(other)
                if min(n_new, n_other) < self.min_fragments:
                    continue
                score = max(c / n_new, c / n_other)
                if score >= self.threshold and (best is None or score > best[0]):
                    best = (score, j)
            if best is not None:
                doc.duplicate_of = self._ids[best[1]]
        self._ids.append(doc.id)
        self._sketches.append(self._compact(sk))
        if doc.duplicate_of is None:  # a duplicate is found through its original
            for h in sk:
                posting = self._index.setdefault(h, [])
                if len(posting) < self.max_posting:  # a fragment in very many documents tells nothing
                    posting.append(n)
        return doc.duplicate_of
