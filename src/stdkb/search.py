"""Full-text search over clauses that works for Chinese queries of any length and for English words.

Design (why not jieba, why not the trigram tokenizer)
-----------------------------------------------------
SQLite's ``trigram`` tokenizer cannot match queries under three characters, and a word segmenter (jieba)
gives queries and texts different cuts (投诉 inside 不投诉电话 may be cut 不投/诉电话), so recall depends on a
dictionary. Instead each clause is indexed in a contentless FTS5 table ``clauses_fts`` (rowid = ``clauses.n``)
with ONE column ``tok`` produced here, in Python, and fed to FTS5's ``unicode61`` tokenizer as
space-separated tokens: every Latin/digit word (folded to half-width, lower-cased), and for every CJK character
the pair it starts (投诉电话 -> 投诉 诉电 电话 话): the bigram with the next character of the same run, or the
character alone at the end of a run. Every character of the text is thus the first character of exactly one
token, at its own position, so one column answers every query length (an earlier layout kept a unigram and
a bigram column: twice the postings, twice the index size).

Between runs separated by punctuation a gap token (:data:`GAP`) is emitted, so a phrase never matches across
punctuation (禁忌，忌用 does not contain 禁忌用); white space ends a CJK run (燃气表 电池 does not contain
燃气表电池) but keeps words adjacent. A query is cut with the very same function, then:

* a 1-character Chinese term        -> ``tok : "诉" *``  (a prefix: 诉 alone or any pair it starts)
* a Chinese term of n >= 2 chars    -> ``tok : "禁忌 忌用 用语"`` (its n-1 bigrams; the lone last character is
  dropped, as in a text the run may go on: 禁忌用语的 has 语的 there)
* an English word                   -> ``tok : "complaint"`` (``compl*`` = prefix)
* anything mixed (``4小时``, ``2.2.3``) -> the same phrase rules over the mixed tokens (``tok : "4 小时"``)

A Chinese term of n characters therefore matches exactly the clauses whose text contains those n characters
adjacently: the same set as ``LIKE '%term%'`` (tests prove precision and recall against a LIKE scan), with
bm25 ranking and index look-ups instead of a table scan. Whitespace-separated terms are ANDed; ``"..."``
quotes a phrase. No dictionary is loaded, so search starts instantly.

datasette's own ``_search=`` box (``searchmode: raw``) hands the query straight to FTS5 whose ``unicode61``
tokenizer keeps a run of Chinese characters as one token: 2-character queries work as typed (投诉), a single
character as a prefix (``诉*``); longer ones need the ``stdkb_match()`` SQL function registered by the bundled
datasette plugin (the "search_clauses" canned query uses it) or the same rewriting, which that plugin also
applies to ``_search``.
"""
from __future__ import annotations

import re
from typing import Optional

from .errors import StdkbError
from .text import fold

#: Version of the tokenisation below; stored in kb_meta, a change triggers a rebuild of clauses_fts.
FTS_VERSION = "2"
#: Separator token between runs (never produced from text: it is filtered out of words).
GAP = "qqgapqq"
#: the one indexed column of clauses_fts
COLUMN = "tok"

_CJK_RANGE = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNIT = re.compile(rf"[{_CJK_RANGE}]|[^\W_{_CJK_RANGE}]+")
_CJK1 = re.compile(rf"[{_CJK_RANGE}]")


def _norm(text: str) -> str:
    return fold(text).lower()


# a CJK run | a word | punctuation (white space is skipped)
_TOKEN = re.compile(rf"([{_CJK_RANGE}]+)|([^\W_{_CJK_RANGE}]+)|(?:[^\w\s]|_)+")


def tokens(text: str) -> str:
    """The ``tok`` column value indexed for ``text``. This runs on every clause of every build, so it works on
    whole runs; :func:`_tokens_reference` is the readable character-by-character definition, and the tests
    check that both agree."""
    s = _norm(text)
    if GAP in s:
        s = s.replace(GAP, "qqgap")
    out: list = []
    for run, word in _TOKEN.findall(s):
        if run:
            out += [run[i:i + 2] for i in range(len(run))]
        elif word:
            out.append(word)
        elif out and out[-1] != GAP:
            out.append(GAP)
    if out and out[-1] == GAP:
        out.pop()
    return " ".join(out)


def _tokens_reference(text: str) -> str:
    """Character-by-character version of :func:`tokens` (kept for the tests: both must agree)."""
    s = _norm(text)
    units = list(_UNIT.finditer(s))
    out: list = []
    for k, m in enumerate(units):
        u = m.group()
        if k and s[units[k - 1].end():m.start()].strip() and out and out[-1] != GAP:
            out.append(GAP)  # punctuation between two units (white space alone is no gap)
        if u == GAP:
            u = "qqgap"
        if len(u) == 1 and _CJK1.match(u):
            nxt = units[k + 1] if k + 1 < len(units) else None
            if nxt is not None and nxt.start() == m.end() and _CJK1.fullmatch(nxt.group()):
                u += nxt.group()  # the pair this character starts
        out.append(u)
    if out and out[-1] == GAP:
        out.pop()
    return " ".join(out)


_TERM = re.compile(r'"([^"]*)"|(\S+)')


def _is_cjk_char(t: str) -> bool:
    return len(t) == 1 and _CJK1.match(t) is not None


def _term_expr(term: str, prefix: bool = False) -> Optional[str]:
    toks = tokens(term).split()
    if not toks:
        return None
    star = prefix
    last = toks[-1]
    if _is_cjk_char(last):  # the query's last character: in a text its run may go on (诉 in 投诉电话 is 诉电)
        prev = toks[-2] if len(toks) > 1 else ""
        if len(prev) == 2 and _is_cjk_char(prev[0]) and prev[1] == last:
            toks.pop()  # the pair before it already pins it
            star = False
        else:
            star = True  # a lone character: the pair it starts, whatever comes next
    elif len(last) == 2 and _is_cjk_char(last[0]):
        star = False
    return f'{COLUMN} : "{" ".join(toks)}"' + (" *" if star else "")


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
