"""Shared low-level text helpers for the rule engines: quote spans, masking, sentence and segment spans.

All functions work on offsets into the original string (masking is length-preserving), so a rule can find
something on the masked text and report the original wording.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lang as _lang

MASK = "\u25a1"  # □, never a modal word, never a separator

# opening -> closing; ASCII " toggles; ASCII ' only when it is not an apostrophe
_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’", "《": "》"}
_CLOSERS = set(_PAIRS.values())
_SENT_END_ZH = "。；;!！?？\n"


def quote_spans(text: str, sentence_end: str = _SENT_END_ZH, titles: bool = False) -> list[tuple[int, int, int, int]]:
    """Quoted stretches as ``(open, content_start, content_end, close_end)``.

    Handles unbalanced quotes the way a reader does: in ``“您好、“欢迎您的光临”`` the first quote is closed
    by the second opening mark; a quote never closed runs to the end of its sentence. ``《》`` titles are
    only returned with ``titles=True`` (they are references, not utterances).
    """
    spans = []
    i, n = 0, len(text)
    while i < n:
        m = _ANY_OPEN.search(text, i)
        if m is None:
            break
        i = m.start()
        ch = text[i]
        if ch in _PAIRS and (titles or ch != "《"):
            close = _PAIRS[ch]
            j_close = text.find(close, i + 1, i + 402)  # bounded: no quadratic scans on huge unbalanced text
            j_open = text.find(ch, i + 1, i + 402) if ch != close else -1
            if j_close != -1 and (j_open == -1 or j_close < j_open) and j_close - i <= 400:
                spans.append((i, i + 1, j_close, j_close + 1))
                i = j_close + 1
                continue
            # never closed before the next opening mark (or at all): stop at that mark or at the end of
            # the sentence, whichever comes first ("“很抱歉。“非常抱歉”", "“您好、“欢迎您的光临”")
            limit = j_open if j_open != -1 else n
            k = i + 1
            while k < limit and not (text[k] in sentence_end and text[k] not in "!！?？"):
                k += 1
            spans.append((i, i + 1, k, k))
            i = k
            continue
        if ch == '"':
            j = text.find('"', i + 1)
            if j == -1:
                j2 = _next_end(text, i + 1, sentence_end)
                spans.append((i, i + 1, j2, j2))
                i = j2
            else:
                spans.append((i, i + 1, j, j + 1))
                i = j + 1
            continue
        if ch == "'" and (i == 0 or not text[i - 1].isalnum()):
            m = _APOS_CLOSE.search(text, i + 1)
            if m:
                spans.append((i, i + 1, m.start(), m.start() + 1))
                i = m.start() + 1
                continue
        i += 1
    return spans


_APOS_CLOSE = re.compile(r"'(?![A-Za-z0-9])")
_ANY_OPEN = re.compile("[“「『‘《\"']")


def _next_end(text, i, ends):
    n = len(text)
    while i < n and text[i] not in ends:
        i += 1
    return i


def mask_quotes(text: str, spans=None) -> str:
    """Replace every quoted stretch (marks included) with MASK characters (length-preserving)."""
    if spans is None:
        spans = quote_spans(text)
    if not spans:
        return text
    out = []
    last = 0
    for a, _cs, _ce, b in spans:
        if a < last:
            continue
        out.append(text[last:a])
        if b - a >= 2 and text[_ce - 1:_ce] == "。" and b > _ce:
            # a quote ending a sentence ("…应告知:“请稍候。”等待超过1分钟应…") still ends it
            out.append(MASK * (b - a - 1) + "。")
        else:
            out.append(MASK * (b - a if b > a else 0))
        last = b
    out.append(text[last:])
    return "".join(out)


@lru_cache(maxsize=None)
def _split_re(chars: str) -> re.Pattern:
    return re.compile("[" + re.escape(chars) + "]")


def spans_split(text: str, seps: str | re.Pattern, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split text[start:end] at separator characters; returns non-empty (a, b) spans without separators."""
    end = len(text) if end is None else end
    pat = seps if isinstance(seps, re.Pattern) else _split_re(seps)
    out = []
    a = start
    for m in pat.finditer(text, start, end):  # (blank pieces dropped in the same pass)
        b, e = m.span()
        if b > a and text[a:b].strip():
            out.append((a, b))
        a = e
    if a < end and text[a:end].strip():
        out.append((a, end))
    return out


def strip_span(text: str, a: int, b: int, chars: str = " \t\r\n") -> tuple[int, int]:
    while a < b and text[a] in chars:
        a += 1
    while b > a and text[b - 1] in chars:
        b -= 1
    return a, b


def context_has(context, words) -> bool:
    for title in context or ():
        t = (title or "").lower()
        for w in words:
            if w in t:
                return True
    return False


def load(lang: str, name: str) -> dict:
    try:
        return _lang.load(lang, name)
    except FileNotFoundError:
        return _lang.load("zh" if lang.startswith("zh") else "en", name)


def literal_alternation(words, guard: bool = False) -> str:
    """A regex matching any of ``words`` (literals), the longest at a given position, built as a trie.

    Equivalent to ``"|".join(sorted(words, key=len, reverse=True))`` but each position is tried against one
    branch per first character instead of every word, which is several times faster on long word lists.
    """
    trie: dict = {}
    for w in set(words):
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:  # a word ends here: the longer continuations are tried first, then this word
            return "(?:" + body + ")?" if len(alts) == 1 else body + "?"
        return body

    if not trie:
        return "(?!)"
    if guard:  # a (?=[first chars]) look-ahead lets the engine skip other positions quickly
        return "(?=[%s])%s" % ("".join(re.escape(ch) for ch in sorted(trie)), build(trie))
    return build(trie)


def _parse(pattern: str):
    """``pattern`` parsed by the re module's own parser (None when it is not a valid pattern)."""
    try:
        from re import _parser as sre_parse  # Python >= 3.11
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse  # type: ignore

    try:
        return sre_parse.parse(pattern)
    except re.error:
        return None


def first_chars(pattern: str) -> str | None:
    """The characters a match of ``pattern`` can start with (for a cheap ``(?=[...])`` guard), or None when
    that cannot be told (a pattern may match the empty string, start with a class complement, a dot ...)."""
    parsed = _parse(pattern)
    if parsed is None:
        return None
    if parsed.state.flags & re.I:
        return None
    return _first(list(parsed))


def _first(items) -> str | None:
    out = set()
    for op, av in items:
        name = getattr(op, "name", str(op))
        if name == "LITERAL":
            out.add(chr(av))
            return "".join(sorted(out))
        if name == "SUBPATTERN":
            sub = av[-1]
            r = _first(list(sub))
            if r is None:
                return None
            out.update(r)
            return "".join(sorted(out))
        if name == "BRANCH":
            for alt in av[1]:
                r = _first(list(alt))
                if r is None:
                    return None
                out.update(r)
            return "".join(sorted(out))
        if name == "IN":
            for iop, iav in av:
                if getattr(iop, "name", str(iop)) == "LITERAL":
                    out.add(chr(iav))
                else:
                    return None
            return "".join(sorted(out))
        if name in ("ASSERT", "ASSERT_NOT", "AT"):
            continue  # zero-width: look at what follows
        return None
    return None


def guarded(pattern: str, flags: int = 0) -> re.Pattern:
    """``pattern`` compiled behind a ``(?=[first chars])`` guard when its first characters are known (same
    matches, found faster)."""
    if flags & re.I:
        # a case-insensitive pattern gets a case-insensitive guard (first_class: compiled with the same flags,
        # the class matches what the first literals match)
        cls = first_class(pattern)
        return re.compile("(?=[%s])(?:%s)" % (cls, pattern), flags) if cls else re.compile(pattern, flags)
    fc = first_chars(pattern)
    if not fc:
        return re.compile(pattern, flags)
    return re.compile("(?=[%s])(?:%s)" % ("".join(re.escape(ch) for ch in fc), pattern), flags)


_CATEGORY_CLASS = {"CATEGORY_SPACE": r"\s", "CATEGORY_DIGIT": r"\d", "CATEGORY_WORD": r"\w",
                   "CATEGORY_UNI_SPACE": r"\s", "CATEGORY_UNI_DIGIT": r"\d", "CATEGORY_UNI_WORD": r"\w"}


def first_class(pattern: str) -> str | None:
    """Like :func:`first_chars`, as the body of a character class, also through ``\\s``/``\\d``/``\\w``
    categories, ranges and repeats (``\\s+``): the guard ``(?=[body])`` is then compiled with the pattern's own
    flags, so a case-insensitive pattern gets a case-insensitive guard (the same characters a first literal
    matches). None when it cannot be told (a match may be empty, start with a complement, a dot ...)."""
    parsed = _parse(pattern)
    if parsed is None:
        return None
    if parsed.state.flags & (re.I | re.X | re.M | re.S | re.A | re.L):
        return None  # global inline flags: the pattern could not be wrapped behind a guard
    out: list[str] = []
    if _first_cls(list(parsed), out) is not True:
        return None
    return "".join(dict.fromkeys(out))


def _first_cls(items, out: list) -> bool | None:
    """Adds the class items a match of ``items`` can start with to ``out``. True: done (a character is
    consumed); False: ``items`` may match the empty string; None: unknown."""
    for op, av in items:
        name = getattr(op, "name", str(op))
        if name == "LITERAL":
            out.append(re.escape(chr(av)))
            return True
        if name == "SUBPATTERN":
            r = _first_cls(list(av[-1]), out)
            if r is None or r is True:
                return r
            continue
        if name == "BRANCH":
            empty = False
            for alt in av[1]:
                r = _first_cls(list(alt), out)
                if r is None:
                    return None
                empty = empty or r is False
            if not empty:
                return True
            continue
        if name == "IN":
            for iop, iav in av:
                iname = getattr(iop, "name", str(iop))
                if iname == "LITERAL":
                    out.append(re.escape(chr(iav)))
                elif iname == "RANGE":
                    out.append(re.escape(chr(iav[0])) + "-" + re.escape(chr(iav[1])))
                elif iname == "CATEGORY" and getattr(iav, "name", str(iav)) in _CATEGORY_CLASS:
                    out.append(_CATEGORY_CLASS[getattr(iav, "name", str(iav))])
                else:
                    return None
            return True
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            lo, _hi, body = av
            r = _first_cls(list(body), out)
            if r is None:
                return None
            if r is True and lo >= 1:
                return True
            continue  # may repeat zero times: what follows may start the match too
        if name in ("ASSERT", "ASSERT_NOT", "AT"):
            continue  # zero-width: look at what follows
        return None
    return False


def dispatch_alternation(parts: list[str], ignorecase: bool) -> str | None:
    """``(?:p1|p2|...)`` rewritten as ``(?:(?=a)(?:alternatives that open with a)|(?=b)(?:...)|...)``, each
    bucket keeping the alternatives' order; an alternative that can open with several characters is put in each
    of their buckets. The same match at every position (at a given character only the alternatives of its
    bucket can match, and they are tried in the original order), but the engine tries a handful of look-aheads
    instead of every alternative (a case-insensitive literal gets no fast first-character test inside a
    branch). None when the first characters of some alternative cannot be told as single characters.
    ``ignorecase``: the pattern is compiled with re.I (buckets keyed by lower-case letter: ASCII characters and
    characters without case, like §)."""
    buckets: dict[str, list[str]] = {}
    for p in parts:
        fc = first_class(p)
        if not fc:
            return None
        chars = []
        i = 0
        while i < len(fc):  # single (escaped) characters only
            if fc[i] == "\\":
                if i + 1 >= len(fc) or fc[i + 1].isalnum():
                    return None  # a category (\s, \d) or an escape we do not read here
                chars.append(fc[i + 1])
                i += 2
            elif fc[i] == "-" and chars:
                return None  # a range
            else:
                chars.append(fc[i])
                i += 1
        keys = []
        for ch in chars:
            if ignorecase:
                if not ch.isascii() and not (ch.lower() == ch == ch.upper() == ch.casefold()):
                    return None  # a cased letter outside ASCII (ſ ~ s, K ~ k ...): not bucketed here
                ch = ch.lower()
            if ch not in keys:
                keys.append(ch)
        for k in keys:
            buckets.setdefault(k, []).append(p)
    if not buckets:
        return None
    items = ["(?=%s)(?:%s)" % (re.escape(k), "|".join(v)) for k, v in buckets.items()]
    keys = list(buckets)
    if len(items) > 8:
        # two levels: groups of 4 buckets behind a class of their keys (fewer look-aheads tried per position)
        items = ["(?=[%s])(?:%s)" % ("".join(re.escape(k) for k in keys[i:i + 4]), "|".join(items[i:i + 4]))
                 for i in range(0, len(items), 4)]
    return "(?:" + "|".join(items) + ")"


def substring_probe(words) -> re.Pattern:
    """A pattern whose ``search(s)`` tells whether one of ``words`` occurs in ``s`` (verbatim, case-sensitive):
    one scan in C instead of a Python loop of ``in`` tests. Words holding another word are left out (the shorter
    one is then there too). No words: a pattern that never matches; an empty word: one that always does."""
    words = list(words)
    if any(not w for w in words):
        return re.compile("")
    ws = sorted(set(words))
    ws = [w for w in ws if not any(v != w and v in w for v in ws)]
    return re.compile("|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True)) or "(?!)")
