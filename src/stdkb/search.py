"""Full-text search over clauses that works for Chinese queries of any length and for English words.

Design (why not jieba, why not the trigram tokenizer)
-----------------------------------------------------
SQLite's ``trigram`` tokenizer cannot match queries under three characters, and a word segmenter (jieba)
gives queries and texts different cuts (投诉 inside 不投诉电话 may be cut 不投/诉电话), so recall depends on a
dictionary. Instead each clause is indexed in a contentless FTS5 table ``clauses_fts`` (rowid = ``clauses.n``)
with two columns produced here, in Python, and fed to FTS5's ``unicode61`` tokenizer as space-separated tokens:

``uni``  every CJK character and every Latin/digit word (folded to half-width, lower-cased), in text order;
``bi``   every pair of *adjacent* CJK characters (投诉电话 -> 投诉 诉电 电话).

Between runs separated by punctuation a gap token (:data:`GAP`) is emitted, so a phrase never matches across
punctuation (禁忌，忌用 does not contain 禁忌用). A query is cut with the very same function:

* a 1-character Chinese term        -> ``uni : "诉"``
* a Chinese term of n >= 2 chars    -> ``bi : "禁忌 忌用 用语"`` (a phrase of its n-1 bigrams; 2 chars = one token)
* an English word                   -> ``uni : "complaint"`` (``compl*`` = prefix)
* anything mixed (``4小时``, ``2.2.3``) -> a phrase over ``uni``

A Chinese term of n characters therefore matches exactly the clauses whose text contains those n characters
adjacently: the same set as ``LIKE '%term%'`` (tests prove precision and recall against a LIKE scan), with
bm25 ranking and index look-ups instead of a table scan. Whitespace-separated terms are ANDed; ``"..."``
quotes a phrase. No dictionary is loaded, so search starts instantly.

datasette's own ``_search=`` box (``searchmode: raw``) hands the query straight to FTS5 whose ``unicode61``
tokenizer keeps a run of Chinese characters as one token: 1- and 2-character queries work as typed (诉, 投诉),
longer ones need the ``stdkb_match()`` SQL function registered by the bundled datasette plugin (the
"search_clauses" canned query uses it) or the same rewriting, which that plugin also applies to ``_search``.
"""
from __future__ import annotations

import re
from typing import Optional

from .errors import StdkbError
from .text import fold

#: Version of the tokenisation below; stored in kb_meta, a change triggers a rebuild of clauses_fts.
FTS_VERSION = "1"
#: Separator token between runs (never produced from text: it is filtered out of words).
GAP = "qqgapqq"

_CJK_RANGE = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNIT = re.compile(rf"[{_CJK_RANGE}]|[^\W_{_CJK_RANGE}]+")
_CJK1 = re.compile(rf"[{_CJK_RANGE}]")


def _norm(text: str) -> str:
    return fold(text).lower()


_TOKEN = re.compile(rf"[{_CJK_RANGE}]|[^\W_{_CJK_RANGE}]+|(?:[^\w\s]|_)+")
_CJK_RUN2 = re.compile(rf"[{_CJK_RANGE}]{{2,}}")
_GAPS = re.compile(rf"{GAP}(?: {GAP})+")


def tokens(text: str) -> tuple[str, str]:
    """The (uni, bi) column values indexed for ``text``. This runs on every clause of every build, so it
    works on whole strings with regular expressions; :func:`_tokens_reference` is the readable
    character-by-character definition, and the tests check that both agree."""
    s = _norm(text)
    if GAP in s:
        s = s.replace(GAP, "qqgap")
    u = " ".join([t if t[0].isalnum() else GAP for t in _TOKEN.findall(s)])
    if GAP in u:
        u = _GAPS.sub(GAP, u)
        if u.startswith(GAP):
            u = u[len(GAP) + 1:]
        if u.endswith(GAP):
            u = u[:-len(GAP) - 1]
    runs = _CJK_RUN2.findall(s)
    if not runs:
        return u, ""
    return u, f" {GAP} ".join(" ".join([r[i:i + 2] for i in range(len(r) - 1)]) for r in runs)


def _tokens_reference(text: str) -> tuple[str, str]:
    """Character-by-character version of :func:`tokens` (kept for the tests: both must agree)."""
    s = _norm(text)
    uni: list[str] = []
    bi: list[str] = []
    prev_end = -1
    prev_cjk = ""  # last CJK char when it ends right where the next unit starts
    bi_open = False  # the bi column has tokens since the last gap
    for m in _UNIT.finditer(s):
        u = m.group()
        start = m.start()
        if prev_end >= 0 and start != prev_end:
            between = s[prev_end:start]
            if between.strip():  # punctuation: a gap in both columns
                if uni and uni[-1] != GAP:
                    uni.append(GAP)
                if bi_open:
                    bi.append(GAP)
                    bi_open = False
                prev_cjk = ""
            else:  # only white space: Latin words stay adjacent, CJK bigrams do not span it
                if prev_cjk and bi_open:
                    bi.append(GAP)
                    bi_open = False
                prev_cjk = ""
        if u == GAP:
            u = "qqgap"
        uni.append(u)
        if len(u) == 1 and _CJK1.match(u):
            if prev_cjk and start == prev_end:
                bi.append(prev_cjk + u)
                bi_open = True
            prev_cjk = u
        else:
            if prev_cjk and bi_open:
                bi.append(GAP)
                bi_open = False
            prev_cjk = ""
        prev_end = m.end()
    if bi and bi[-1] == GAP:
        bi.pop()
    return " ".join(uni), " ".join(bi)


_TERM = re.compile(r'"([^"]*)"|(\S+)')


def _term_expr(term: str, prefix: bool = False) -> Optional[str]:
    uni, bi = tokens(term)
    u = uni.split()
    while u and u[0] == GAP:
        u.pop(0)
    while u and u[-1] == GAP:
        u.pop()
    if not u:
        return None
    units = [t for t in u if t != GAP]
    all_cjk = all(len(t) == 1 and _CJK1.match(t) for t in units)
    if all_cjk and len(units) == 1:
        return f'uni : "{units[0]}"'
    if all_cjk:
        runs = [r for r in re.split(rf"[^{_CJK_RANGE}]+", _norm(term)) if r]
        if all(len(r) >= 2 for r in runs):  # the bigram phrase is exact and much faster
            return f'bi : "{bi}"'
    if len(u) == 1:
        return f'uni : "{u[0]}"' + (" *" if prefix else "")
    return f'uni : "{" ".join(u)}"'


def compile_query(query: str) -> str:
    """Turn a user query into an FTS5 MATCH expression over clauses_fts. Raises StdkbError when it has no
    searchable character."""
    parts = []
    for m in _TERM.finditer(query or ""):
        if m.group(1) is not None:
            expr = _term_expr(m.group(1))
        else:
            raw = m.group(2)
            prefix = raw.endswith("*") and len(raw) > 1
            expr = _term_expr(raw.rstrip("*") if prefix else raw, prefix=prefix)
        if expr:
            parts.append(expr)
    if not parts:
        raise StdkbError(f"nothing to search for in {query!r} (give letters, digits or Chinese characters)")
    return " AND ".join(parts)


def query_terms(query: str) -> list[str]:
    """The query's terms as the user meant them (for highlighting)."""
    out = []
    for m in _TERM.finditer(query or ""):
        t = m.group(1) if m.group(1) is not None else m.group(2).rstrip("*")
        if t.strip():
            out.append(t)
    return out


def _term_regex(term: str) -> Optional[re.Pattern]:
    s = _norm(term)
    units = [m.group() for m in _UNIT.finditer(s)]
    if not units:
        return None
    pieces = []
    prev = None
    for u in units:
        if prev is not None:
            both_cjk = len(prev) == 1 and len(u) == 1 and _CJK1.match(prev) and _CJK1.match(u)
            pieces.append("" if both_cjk else r"[\W_]*")
        pieces.append(re.escape(u))
        prev = u
    return re.compile("".join(pieces))


def highlight(text: str, query: str, *, width: int = 80, start_tag: str = "<mark>", end_tag: str = "</mark>") -> str:
    """A window of ``text`` around the first match of ``query`` with every match wrapped in tags."""
    s = _norm(text)
    if len(s) != len(text):  # lower() changed lengths (rare non-ASCII case rules): fall back to fold only
        s = fold(text)
    spans = []
    for t in query_terms(query):
        rx = _term_regex(t)
        if rx is None:
            continue
        spans.extend(m.span() for m in rx.finditer(s) if m.end() > m.start())
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    if merged:
        first = merged[0][0]
        lo = max(0, first - width // 3)
    else:
        lo = 0
    hi = min(len(text), lo + width)
    if hi - lo < width:
        lo = max(0, hi - width)
    out = ["…" if lo > 0 else ""]
    pos = lo
    for a, b in merged:
        if b <= lo or a >= hi:
            continue
        a, b = max(a, lo), min(b, hi)
        out.append(text[pos:a])
        out.append(start_tag + text[a:b] + end_tag)
        pos = b
    out.append(text[pos:hi])
    if hi < len(text):
        out.append("…")
    return "".join(out).replace("\n", " ")
