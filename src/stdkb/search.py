"""Full-text search over clauses that works for Chinese queries of any length and for English words.

Design (why not jieba, why not the trigram tokenizer)
-----------------------------------------------------
SQLite's ``trigram`` tokenizer cannot match queries under three characters, and a word segmenter (jieba)
gives queries and texts different cuts (投诉 inside 不投诉电话 may be cut 不投/诉电话), so recall depends on a
dictionary. Instead each clause is indexed in a contentless FTS5 table ``clauses_fts`` (rowid = ``clauses.n``)
with ONE column ``tok`` produced here, in Python, and fed to FTS5's ``unicode61`` tokenizer as
space-separated tokens: every Latin/digit word (folded to half-width, lower-cased), and for every CJK character
the pair it starts (投诉电话 -> 投诉 诉电 电话 话): the bigram with the next character of the same run, or the
character alone at the end of a run. Punctuation and white space end a run. Each distinct token is given
once: the index keeps no positions (``detail=none``), which makes it a third of the size of a positional one.

A query is cut with the very same function, then (:func:`plan_query`):

* a 1-character Chinese term        -> ``"诉" *``  (a prefix: 诉 alone or any pair it starts)
* a 2-character Chinese term        -> ``"投诉"``   (the pair itself)
* an English word                   -> ``"complaint"`` (``compl*`` = prefix)
* anything longer or mixed          -> all its tokens ANDed (``("禁忌" AND "忌用" AND "用语")``; the lone
  last character is dropped when the pair before it ends with it), and every row the index returns is then
  checked against the clause text (:func:`term_regex`): the pairs must be adjacent, in order.

A Chinese term of n characters therefore matches exactly the clauses whose text contains those n characters
adjacently: the same set as ``LIKE '%term%'`` (tests prove precision and recall against a LIKE scan), with index
look-ups instead of a table scan. Whitespace-separated terms are ANDed; ``"..."`` quotes a phrase. Ranking
(FTS5's bm25 needs positions) is done by stdkb.store with the BM25 formula over the matching rows' text.
No dictionary is loaded, so search starts instantly.

datasette's own ``_search=`` box (``searchmode: raw``) hands the query straight to FTS5 whose ``unicode61``
tokenizer keeps a run of Chinese characters as one token: 2-character queries work as typed (投诉), a single
character as a prefix (``诉*``); longer ones need the ``stdkb_match()`` SQL function registered by the bundled
datasette plugin (the "search_clauses" canned query uses it with ``stdkb_contains()`` for the check and
``stdkb_score()`` for the order), which that plugin also applies to ``_search`` (adding the check as ``_where``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .errors import StdkbError
from .text import fold

#: Version of the tokenisation below; stored in kb_meta, a change triggers a rebuild of clauses_fts.
FTS_VERSION = "3"

_CJK_RANGE = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNIT = re.compile(rf"[{_CJK_RANGE}]|[^\W_{_CJK_RANGE}]+")
_CJK1 = re.compile(rf"[{_CJK_RANGE}]")


def _norm(text: str) -> str:
    return fold(text).lower()


def _token_list(text: str) -> list:
    """Every token of ``text`` in text order (repeats kept): see the module docstring."""
    return _TOKEN_AT.findall(_norm(text))


def tokens(text: str) -> str:
    """The ``tok`` column value indexed for ``text``: its tokens, space-separated (FTS5 keeps no positions, so a
    repeated token costs nothing in the index). This runs on every clause of every build, so it is one regex
    pass; :func:`_tokens_reference` is the readable character-by-character definition, and the tests check
    that both agree."""
    return " ".join(_token_list(text))


# at every position: the CJK pair that starts there (the lone character at the end of a run), or the whole
# word that starts there (not inside a word); an empty match elsewhere, which findall leaves out of group 1
_TOKEN_AT = re.compile(rf"(?=([{_CJK_RANGE}][{_CJK_RANGE}]?|(?<![^\W_{_CJK_RANGE}])[^\W_{_CJK_RANGE}]+))")


def _tokens_reference(text: str) -> str:
    """Character-by-character version of :func:`tokens` (kept for the tests: both must agree)."""
    s = _norm(text)
    units = list(_UNIT.finditer(s))
    out: list = []
    for k, m in enumerate(units):
        u = m.group()
        if len(u) == 1 and _CJK1.match(u):
            nxt = units[k + 1] if k + 1 < len(units) else None
            if nxt is not None and nxt.start() == m.end() and _CJK1.fullmatch(nxt.group()):
                u += nxt.group()  # the pair this character starts
        out.append(u)
    return " ".join(out)


_TERM = re.compile(r'"([^"]*)"|(\S+)')


def _is_cjk_char(t: str) -> bool:
    return len(t) == 1 and _CJK1.match(t) is not None


@dataclass
class Term:
    """One query term: what the user typed, its FTS5 expression, and whether the index alone decides it."""
    text: str
    expr: str
    exact: bool  # False: rows the index returns must still be checked with ``regex`` against the clause text
    prefix: bool
    regex: re.Pattern


def _term(term: str, prefix: bool = False) -> Optional[Term]:
    toks = _token_list(term)
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
    toks = list(dict.fromkeys(toks[:-1])) + [toks[-1]]
    quoted = [f'"{t}"' for t in toks]
    if star:
        quoted[-1] += " *"
    # no column filter (``tok : ...``): FTS5 refuses them without positions, and there is one column anyway
    expr = quoted[0] if len(quoted) == 1 else f"({' AND '.join(quoted)})"
    return Term(text=term, expr=expr, exact=len(toks) == 1, prefix=star, regex=term_regex(term, prefix=star))


def plan_query(query: str) -> list:
    """The query's terms (:class:`Term`), ANDed. Raises StdkbError when it has no searchable character."""
    return list(_plan(query or ""))


@lru_cache(maxsize=256)
def _plan(query: str) -> tuple:
    terms = []
    for m in _TERM.finditer(query or ""):
        if m.group(1) is not None:
            t = _term(m.group(1))
        else:
            raw = m.group(2)
            prefix = raw.endswith("*") and len(raw) > 1
            t = _term(raw.rstrip("*") if prefix else raw, prefix=prefix)
        if t:
            terms.append(t)
    if not terms:
        raise StdkbError(f"nothing to search for in {query!r} (give letters, digits or Chinese characters)")
    return tuple(terms)


def needs_check(query: str) -> bool:
    """Do the rows the index returns for ``query`` still need :func:`contains` (a term longer than one token)?"""
    return not all(t.exact for t in plan_query(query))


#: average clause length assumed by :func:`score` (characters); stdkb.store ranks with the real average
AVG_CHARS = 80.0
#: the BM25 parameters of FTS5's own bm25(), used by :func:`score` and stdkb.store's ranking
BM25_K1, BM25_B = 1.2, 0.75


def score(text: Optional[str], query: str, avg: float = AVG_CHARS) -> float:
    """BM25 of ``text`` for ``query`` without the IDF factor (lower = better, 0 = no match): used by the datasette
    plugin's ``stdkb_score()``."""
    k1, b = BM25_K1, BM25_B
    s = _norm(text or "")
    out = 0.0
    for t in plan_query(query):
        tf = sum(1 for _ in t.regex.finditer(s))
        out -= tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(s) / (avg or 1.0)))
    return out


def compile_query(query: str) -> str:
    """Turn a user query into an FTS5 MATCH expression over clauses_fts (rows it returns for a term that is not
    ``exact`` still need :func:`contains`). Raises StdkbError when it has no searchable character."""
    return " AND ".join(t.expr for t in plan_query(query))


def contains(text: Optional[str], query: str) -> bool:
    """Does ``text`` match every term of ``query`` (the check behind the index for longer terms)?"""
    return passes(text, [t.regex for t in plan_query(query)])


def passes(text: Optional[str], regexes) -> bool:
    """Does the normalised ``text`` match every one of ``regexes`` (:attr:`Term.regex` of the terms to check)?"""
    s = _norm(text or "")
    return all(rx.search(s) for rx in regexes)


def term_regex(term: str, prefix: bool = False) -> Optional[re.Pattern]:
    """A regex over normalised text (fold + lower) that finds ``term`` as the index understands it: CJK
    characters adjacent, other units separated by nothing but punctuation or space, words whole (a prefix when
    ``prefix``)."""
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
    if not _CJK1.match(units[0][0]):
        pieces.insert(0, rf"(?<![^\W_{_CJK_RANGE}])")
    if not prefix and not _CJK1.match(units[-1][-1]):
        pieces.append(rf"(?![^\W_{_CJK_RANGE}])")
    return re.compile("".join(pieces))



def highlight(text: str, query: str, *, width: int = 80, start_tag: str = "<mark>", end_tag: str = "</mark>") -> str:
    """A window of ``text`` around the first match of ``query`` with every match wrapped in tags."""
    s = _norm(text)
    if len(s) != len(text):  # lower() changed lengths (rare non-ASCII case rules): fall back to fold only
        s = fold(text)
    try:
        regexes = [t.regex for t in plan_query(query)]
    except StdkbError:
        regexes = []
    spans = []
    for rx in regexes:
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
