"""Numeric thresholds: every number a compliance check could test.

``find_thresholds(text, lang, context)`` returns :class:`stdkb.model.Threshold` objects with value/max,
canonical unit, comparator (``<= >= < > = range``), the matched text, quantity, ``per`` (frequency period),
SI-normalised values, a confidence and the rule that produced each one.

How it works (all words and units come from ``lang/<lang>/units.json`` and ``comparators.json``):

1. one precompiled pattern per language finds ``NUMBER [range NUMBER] [multiplier] UNIT [/ UNIT]``; a number
   without a unit is never a threshold (that rules out clause numbers, phone and document numbers);
2. guards drop ordinals (第二次), dates (2016年, 2021年1月, 二〇一〇年), numbers glued to codes
   (HSWIADM2018001, GB/T 50326-2017), numbers inside quoted example scripts, ``7*24*365`` service windows,
   vague counts (10多年), time of day (10点30分) and lone 一 before a count word (一下, 一次, 一人 are
   words unless a comparator or a frequency makes them a limit);
3. the comparator comes from the words just before the number (不超过, 不得少于, at least ...; a negator
   before 超过/少于 flips it), the words just after the unit (以内, 及以上, or more ...), or an adverb a few
   words earlier (至少坐满座椅的三分之二); a second number makes a range;
4. frequencies: "每2年 ... 不得少于1次" -> value 1 count, per "2 year"; "每分钟吐字约120-140个" and
   "50字/分钟" -> rate unit "char/min".

Chinese numeral spans found by the patterns (and only those) are converted with cn2an.
"""
from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import Optional, Sequence

from stdkb.extract import numerals, units
from stdkb.extract._text import dispatch_alternation, first_class, substring_probe
from stdkb.model import Threshold
from stdkb.text import fold

__all__ = ["find_thresholds"]

_PUNCT = "，,。；;：:！!？?\n、()（）【】[]"
_SENT_SPLIT = re.compile(r"[，,。；;！!？?\n]")



#: characters outside ASCII that a case-insensitive pattern accepts for an ASCII letter (Python's re folds
#: them so): a word a (?i) pattern matched is looked up in the lexicon dicts under this key
_CASE_VARIANTS = str.maketrans({"\u017f": "s", "\u212a": "k", "\u0131": "i", "\u0130": "i"})


def _key(word: str) -> str:
    """The lexicon key of a word a case-insensitive pattern matched ("At Leaſt" -> "at least")."""
    return word.lower() if word.isascii() else word.translate(_CASE_VARIANTS).lower()

def _alt(words, escape=True) -> str:
    """Alternation of literal words, longest first; built as a trie (one branch per first character), which
    the regex engine tries far faster than a flat list of hundreds of words."""
    ws = {w for w in words if w}
    if not escape:
        return "|".join(sorted(ws, key=len, reverse=True))
    trie: dict = {}
    for w in ws:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_rx(trie)


def _trie_rx(node: dict) -> str:
    branches = []
    end = "" in node
    for ch in sorted(k for k in node if k):
        sub = node[ch]
        rest = _trie_rx(sub) if any(k for k in sub) else ""
        branches.append(re.escape(ch) + rest)
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and not end else "(?:" + "|".join(branches) + ")"
    if end:
        body = "(?:" + "|".join(branches) + ")?"
    return body


class _Lang:
    """Compiled patterns and word tables of one language (built once, cached)."""

    def __init__(self, lang: str):
        from stdkb import lang as langdata

        self.lang = lang
        u = langdata.load(lang, "units")
        c = langdata.load(lang, "comparators")
        self.units = dict(u["units"])
        self.special = dict(u.get("special", {}))
        # the first unit (in the data's order) of each lower-case form: the answer of a loop comparing lower()s
        self.units_by_lower: dict[str, str] = {}
        for k, v in self.units.items():
            self.units_by_lower.setdefault(k.lower(), v)
        self.cable_words = tuple(u.get("cable_words", ()))
        self.cable_unit = u.get("cable_unit", "mm2")
        self.scoring_words = tuple(u.get("scoring_words", ()))
        self.time_of_day_before = tuple(u.get("time_of_day_before", ()))
        self.day_cues_after = tuple(u.get("day_unit_cues_after", ()))
        self.char_cues = tuple(u.get("char_cues", ()))
        self.multipliers = {k: float(v) for k, v in u.get("multipliers", {}).items()}
        self.periods = dict(u.get("period_words", {}))
        self.period_prefix = tuple(u.get("period_prefix", ()))
        self.vague_after = tuple(u.get("vague_after", ()))
        self.ordinal_before = tuple(u.get("ordinal_before", ()))
        dg = u.get("date_guard", {})
        self.year_min, self.year_max = dg.get("year_min", 1900), dg.get("year_max", 2100)
        self.half_words = {k: float(v) for k, v in u.get("half_words", {}).items()}
        self.half_blocked = tuple(u.get("half_blocked_before", ()))
        self.rate_units = set(u.get("rate_units", ()))
        self.numbers = {k.lower(): v for k, v in u.get("numbers", {}).items()}
        self.count_words = {k.lower(): v for k, v in u.get("count_words", {}).items()}
        self.count_probe = substring_probe(self.count_words)  # a count word in a lower-cased (ASCII) text
        self.period_adverbs = dict(u.get("period_adverbs", {}))
        self.quantity_nouns = tuple(u.get("quantity_nouns", ()))
        self.digit_cues = tuple(u.get("digit_cues", ()))
        self.window_before = tuple(u.get("window_before", ()))
        self.zero_words = set(u.get("zero_words", ()))
        self.time_within = tuple(c.get("time_within_prefix", ()))
        self.plus_minus = tuple(c.get("plus_minus", ()))
        self.window_after = tuple(w.lower() for w in c.get("window_after", ()))
        self.enum_before = tuple(u.get("enumeration_before", ()))
        self.narrative_before = tuple(u.get("narrative_before", ()))
        self.restatement_before = tuple(c.get("restatement_before", ()))
        self.currency = dict(c.get("currency", {}))
        self.negative_before = tuple(c.get("negative_before", ()))
        self.name_after = tuple(c.get("name_after", ()))
        self.cur_rx = re.compile(
            rf"(?<![A-Za-z0-9_])(?P<cur>{_alt(self.currency)})\s?(?P<n>{numerals.AR_NUMERAL})(?:\s*(?P<mult>(?i:k|thousand|million|m|万|千|亿))(?![A-Za-z]))?"
        ) if self.currency else None
        self.cur_first = re.compile("[" + re.escape("".join({w[0] for w in self.currency})) + "]") if self.currency else None
        self.en_negators = tuple(c.get("negators", ())) if lang != "zh" else ()
        self.en_negators_rx = (re.compile(r"\b(?:%s)\b(?:\s+\w+){0,5}\s*$" % "|".join(map(re.escape, self.en_negators)))
                               if self.en_negators else None)
        self.en_negated = dict(c.get("negated", {})) if lang != "zh" else {}
        self.en = lang != "zh"

        # comparator words
        self.prefix: dict[str, str] = {}
        for cmp_, words in c.get("prefix", {}).items():
            for w in words:
                self.prefix[w.lower() if self.en else w] = cmp_
        for cmp_, words in c.get("negatable", {}).items():
            neg = c["negated"][cmp_]
            for n in c.get("negators", ()):
                for w in words:
                    self.prefix[n + w] = neg
        self.weak = set(c.get("weak_prefix", ()))
        self.suffix: dict[str, str] = {}
        for cmp_, words in c.get("suffix", {}).items():
            for w in words:
                self.suffix[w.lower() if self.en else w] = cmp_
        self.adverbial: dict[str, str] = {}
        for cmp_, words in c.get("adverbial", {}).items():
            for w in words:
                self.adverbial[w.lower() if self.en else w] = cmp_
        self.approx = set(c.get("approx", ()))
        fillers = c.get("fillers", ())
        seps = list(c.get("range_separators", ())) + list(c.get("plus_minus", ()))

        if self.en:
            # Python >= 3.11: the digits as an atomic group. Whatever follows a number here (white space, a unit,
            # a multiplier, a range separator, "-") never starts with a digit, "." or ",", so giving digits back
            # can never lead to a match: the engine no longer retries every shorter digit run (same matches)
            ar = numerals.AR_NUMERAL
            if _ATOMIC and not any(
                    w[:1] in "0123456789.," for w in list(self.units) + list(self.multipliers)):
                ar = f"(?>{ar})"
            num = rf"(?:{ar}|(?i:{self._en_number_alt()}))"
            unit_alt = _alt(self.units)
            # word units are case-insensitive; symbols keep their case (m vs M, A vs a)
            unit_pat = rf"(?:(?i:{_alt([w for w in self.units if len(w) > 3])})|{_alt([w for w in self.units if len(w) <= 3])})"
            sep = r"\s*(?:-|–|—|~|(?i:to|and))\s*"
            mult = _alt(self.multipliers)
            # a number starts with a digit, "." or the first letter of a number word: a case-insensitive guard
            # keeps the look-behind and the number-word alternation from being tried at every character
            self.rx = re.compile(
                rf"(?=(?i:[\d.{re.escape(self._en_number_firsts())}]))"
                rf"(?<![\w.])(?P<n1>{num})(?:(?:\s*(?P<u1>{unit_pat})(?![A-Za-z]))?"
                rf"(?P<sep>{sep})(?P<n2>{num}))?\s*(?:(?P<mult>{mult})\s+)?-?"
                rf"(?P<unit>{unit_pat})(?![A-Za-z\d])"
                rf"(?:\s*(?:/|(?i:per)\s)\s*(?P<den>{unit_pat})(?![A-Za-z]))?"
            )
            del unit_alt
            self.count_rx = _iguarded(rf"(?<![\w])(?i:(?P<cw>{_alt(self.count_words)}))(?![\w])") if self.count_words else None
            self.prefix_rx = re.compile(rf"(?i:(?P<cmp>{_alt(self.prefix)}))\s*$")
            # the same answer without a search over the window (see _prefix_at_end): lower-cased words by length
            self.prefix_rev = re.compile("|".join(re.escape(w[::-1]) for w in sorted(self.prefix, key=len, reverse=True)))
            self.prefix_fast = (all(w and not w[0].isspace() and not w[-1].isspace() for w in self.prefix)
                                and all(w == w.lower() for w in self.prefix))
            self.suffix_rx = re.compile(rf"\s*(?i:(?P<cmp>{_alt(self.suffix)}))(?![A-Za-z])")
            self.adverb_rx = _iguarded(rf"(?i:\b(?P<cmp>{_alt(self.adverbial)})\b)") if self.adverbial else None
            per_words = _alt(self.periods)
            self.per_rx = _iguarded(
                rf"(?i:\b(?:every|each|per|a|an)\s+(?:(?P<pn>{num})\s+)?(?P<pw>{per_words})\b)"
            )
            self.per_adv_rx = _iguarded(rf"(?i:\b(?P<adv>{_alt(self.period_adverbs)})\b)") if self.period_adverbs else None
            self.range_prefix_rx = re.compile(r"(?i:\b(?:between|from)\s*)$")
        else:
            num = rf"(?:{numerals.AR_NUMERAL}|{numerals.CN_NUMERAL})"
            ascii_units = [w for w in self.units if w.isascii()]
            cjk_units = [w for w in self.units if not w.isascii()]
            special = list(self.special)
            # 分 must not eat 分钟/分之/分公司/分别...; 内 etc are handled as suffixes
            unit_pat = (
                rf"(?:{_alt(cjk_units)}|(?:{_alt(ascii_units)})(?![A-WYZa-wyz])|"
                rf"(?:{_alt(special)})(?![钟之公别析配批类级期数管]))"
            )
            sep = "|".join(re.escape(s) for s in sorted(seps, key=len, reverse=True))
            mult = _alt(self.multipliers)
            half = r"(?:个?半(?=[小年天周个月钟分秒]))"
            self.rx = re.compile(  # the look-ahead guard lets the engine skip to a digit / numeral fast
                # (_find_zh unpacks m.groups() in this order)
                rf"(?=[\d.{numerals.CN_START}])(?<![\dA-WYZa-wyz.\u2160-\u217f])(?P<n1>{num})(?P<h1>{half})?(?:\s*(?P<m1>{mult}))?"
                rf"(?:(?:\s*(?P<u1>{unit_pat}))?"
                rf"\s*(?P<sep>{sep})\s*(?P<n2>{num})(?P<h2>{half})?)?"
                rf"\s*(?P<mult>{mult})?\s*(?P<unit>{unit_pat})"
                rf"(?:\s*/\s*(?P<den>{unit_pat}))?"
            )
            if list(self.rx.groupindex) != ["n1", "h1", "m1", "u1", "sep", "n2", "h2", "mult", "unit", "den"] \
                    or self.rx.groups != 10:
                raise RuntimeError("thresholds: _find_zh unpacks the number pattern's groups in a fixed order")
            self.pm_rx = re.compile(rf"\(\s*(?P<a>{numerals.AR_NUMERAL})\s*(?:±|\+/-)\s*(?P<b>{numerals.AR_NUMERAL})\s*\)\s*(?P<unit>{unit_pat})")
            self.frac_rx = re.compile(rf"(?<![\dA-Za-z.])(?P<den>百|千|万|{num})分之(?P<num>{num})")
            half_units = _alt(u.get("half_units", ["小时", "年", "天"]))
            self.half_rx = re.compile(
                rf"(?P<hw>{_alt(self.half_words)})|(?<![{''.join(self.half_blocked)}])(?P<half>半)(?P<hu>{half_units})"
            )
            self.prefix_rx = re.compile(rf"(?P<cmp>{_alt(self.prefix)})(?:{_alt(fillers)})*$")
            # the same, matched once on the reversed window (an anchored match instead of a search)
            self.prefix_rev = re.compile(rf"(?:{_alt(w[::-1] for w in fillers)})*(?P<cmp>{_alt(w[::-1] for w in self.prefix)})")
            self.suffix_rx = re.compile(rf"\s*(?:\(\s*(?P<paren>不?含)[^()]{{0,12}}\)\s*)?(?P<cmp>{_alt(self.suffix)})(?![容部侧涵科饰衣网存置墙页业线径])")
            self.adverb_rx = re.compile(rf"(?P<cmp>{_alt(self.adverbial)})") if self.adverbial else None
            per_words = _alt(self.periods)
            self.per_rx = re.compile(
                rf"(?:{_alt(self.period_prefix)})\s*(?P<pn>{num})?\s*(?P<pw>{per_words})"
            )
            self.per_adv_rx = None
            self.range_prefix_rx = None
            self.count_rx = None
            q = self.quantity_nouns
            qf = ["应", "须", "需", "要", "必须", "均", "宜", "应当", "应该", "的", "在", "需要", "不宜", "不得", "不应"]
            self.qty_rx = re.compile(
                rf"(?:{_alt(w[::-1] for w in qf)})*(?P<q>(?:{_alt(w[::-1] for w in q)})[\u4e00-\u9fff]{{0,2}})"
            ) if q else None  # matched on the reversed text before the comparator
        any_words = list(self.numbers) + list(self.count_words) if lang != "zh" else []
        self.any_num = re.compile(
            # English: behind a guard on the characters a digit or a number word starts with (same matches)
            ("(?=(?i:[0-9０-９%s半%s]))" % (numerals.CN_START, re.escape("".join(sorted({w[0] for w in any_words}))))
             if any_words and all(any_words) else "")
            + rf"[0-9０-９{numerals.CN_START}半]" + ("" if lang == "zh" else "|(?i:" + "|".join(map(re.escape, any_words)) + ")")
        )
        self.quote_rx = re.compile(r"“[^”]{0,400}”|\"[^\"\n]{0,400}\"|「[^」]{0,400}」|『[^』]{0,400}』")
        # (en) the same answer as any_num.search in two cheap steps: a digit (one class: the engine scans for it in
        # C), else a number word in the lower-cased text when it is ASCII (lower() is then exactly the pattern's
        # case folding). any_num tried its case-insensitive word alternation at most letters of a clause without
        # a digit before its first number (a clause text has no label)
        self.any_digit = re.compile(rf"[0-9０-９{numerals.CN_START}半]")
        self.any_word_probe = substring_probe([w.lower() for w in any_words]) if any_words else None

    _TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

    def _en_number_firsts(self) -> str:
        """The letters a number word of _en_number_alt can start with."""
        return "".join(sorted({w[0].lower() for w in list(self.numbers) + self._TENS if w}))

    def _en_number_alt(self) -> str:
        words = [w for w in self.numbers if " " not in w]
        tens = self._TENS
        ones = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        compound = rf"(?:{'|'.join(tens)})[- ](?:{'|'.join(ones)})"
        spaced = [re.escape(w).replace(r"\ ", r"\s+") for w in self.numbers if " " in w]
        parts = [compound] + spaced + [rf"\b{re.escape(w)}\b" for w in sorted(words, key=len, reverse=True)]
        # matched case-insensitively: bucketed by first letter, the engine tries a few look-aheads at a word
        # start instead of every number word (same matches)
        return dispatch_alternation(parts, ignorecase=True) or "|".join(parts)


_ATOMIC = sys.version_info >= (3, 11)  # atomic groups (?>...) exist


def _iguarded(pattern: str) -> re.Pattern:
    """``pattern`` behind a case-insensitive ``(?=[first characters])`` guard when they can be told: a superset
    of the characters a match can start with, so the same matches; the engine then skips other positions in C
    instead of trying a look-behind or a case-insensitive alternation at every character."""
    cls = first_class(pattern)
    return re.compile("(?=(?i:[%s]))(?:%s)" % (cls, pattern) if cls else pattern)


def _prefix_at_end(L: "_Lang", back: str):
    """What ``L.prefix_rx.search(back)`` finds, as (start, word), or None.

    The leftmost match of ``(?i:word)\\s*$`` is the longest comparator word that ends where the trailing white
    space begins (no word starts or ends with white space, so no other end is possible). For ASCII text,
    lower() is exactly the pattern's case folding: one anchored match of the reversed words (longest first) on the
    reversed, lower-cased window instead of a search that tries the alternation at every position of the
    60-character window. Other text: the search itself."""
    if not (L.prefix_fast and back.isascii()):
        m = L.prefix_rx.search(back)
        return (m.start(), m.group("cmp")) if m else None
    r = len(back.rstrip())
    m = L.prefix_rev.match(back[:r].lower()[::-1])  # the longest word first: the leftmost start
    if m is None:
        return None
    n = m.end()
    return r - n, back[r - n:r]


@lru_cache(maxsize=None)
def _lang(lang: str) -> _Lang:
    return _Lang(lang if lang in ("zh", "en") else ("zh" if lang.startswith("zh") else "en"))


def find_thresholds(text: str, lang: str = "zh", context: Sequence[str] = ()) -> list[Threshold]:
    """All thresholds in ``text`` (one clause), in text order.

    ``context`` is the heading chain (titles of ancestor headings): it decides 分 -> points in a scoring
    context and 平方 -> mm2 under a wiring heading.
    """
    if not text:
        return []
    L = _lang(lang or "zh")
    if L.any_word_probe is not None:  # English
        if (L.any_digit.search(text) is None
                and (L.any_word_probe.search(text.lower()) is None if text.isascii() else L.any_num.search(text) is None)):
            return []
    elif not L.any_num.search(text):
        return []
    t = fold(text)
    quotes = [m.span() for m in L.quote_rx.finditer(t)] if ("“" in t or '"' in t or "「" in t or "『" in t) else []
    ctx = " ".join(context) if context else ""
    out: list[tuple[int, int, Threshold]] = []
    if L.en:
        _find_en(L, t, text, quotes, ctx, out)
    else:
        _find_zh(L, t, text, quotes, ctx, out)
    if len(out) > 1:
        out.sort(key=_first_item)
    # drop overlaps (keep the earlier / longer one)
    res: list[Threshold] = []
    last_end = -1
    for s, e, th in out:
        if s < last_end:
            continue
        res.append(th)
        last_end = e
    return res


# ---------------------------------------------------------------- helpers


def _first_item(x):
    return x[0]


def _in_quotes(quotes, s: int) -> bool:
    for a, b in quotes:
        if a < s < b:
            return True
    return False


_PUNCT_RX = re.compile("[" + re.escape(_PUNCT) + "]")
# compiled once (the re.match(...) module functions look the pattern up in re's cache on every call)
_DIGIT_RX = re.compile(r"\d")
_MONTH_AFTER = re.compile(r"\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})月")
_TIMES_GAP = re.compile(r"\s*[Xx×*]\s*")
_HAN_RX = re.compile(r"[\u4e00-\u9fff]")
_EN_PERIOD_WORDS = ("every", "each", "per")
_EN_PERIOD_BEFORE = re.compile(r"\b(?:%s)\s*$" % "|".join(map(re.escape, _EN_PERIOD_WORDS)))
_EN_LABEL_WORDS = ("section", "clause", "chapter", "annex", "appendix", "table", "figure", "item", "no.", "number",
                   "version", "step")
_EN_LABEL_BEFORE = re.compile(r"(?:%s)\s*$" % "|".join(map(re.escape, _EN_LABEL_WORDS)))
# both match only where the text, trailing white space removed, ends with one of their words: that cheap
# endswith test comes first
_EN_NO_SUBJECT = re.compile(r"\s*(?i:no)\s+(?i:person|one|employee|worker|agent|staff|vehicle|load|customer|call)")
_EN_IN_BEFORE = re.compile(r"\b(?i:in)\s*$")


# greedy: one match ending just after the last punctuation mark of the window
_LAST_PUNCT_RX = re.compile("(?s).*[" + re.escape(_PUNCT) + "]")


def _segment_start(t: str, pos: int, limit: int) -> int:
    """Start of the sub-sentence holding ``pos`` (after the last punctuation), at most ``limit`` back."""
    lo = max(0, pos - limit)
    m = _LAST_PUNCT_RX.match(t, lo, pos)
    return m.end() if m is not None else lo


def _sentence_end(t: str, pos: int, limit: int) -> int:
    hi = min(len(t), pos + limit)
    for i in range(pos, hi):
        if t[i] in _PUNCT:
            return i
    return hi


def _make(value, vmax, unit, comparator, text, quantity=None, per=None, conf=0.9, rule="") -> Threshold:
    if value is not None and value == int(value) and abs(value) < 1e15:
        value = float(int(value))
    si_v, si_u = units.to_si(value, unit)
    si_m = units.to_si(vmax, unit)[0] if vmax is not None else None
    # positional (model field order: value, unit, comparator, text, max, quantity, per, si_value, si_unit,
    # si_max, confidence, rule): keyword construction costs several times more and this runs per number
    return Threshold(value, unit, comparator, text, vmax, quantity or units.quantity(unit), per, si_v, si_u, si_m,
                     round(max(0.05, min(1.0, conf)), 2), rule)


def _fmt_num(v: float) -> str:
    return str(int(v)) if v == int(v) else str(v)


# ---------------------------------------------------------------- Chinese


def _zh_unit(L: _Lang, surface: str, t: str, s: int, e: int, ctx: str) -> tuple[Optional[str], float, str]:
    """Canonical unit of a surface unit at t[s:e]; (None, ...) when it must be dropped here."""
    if surface in L.units:
        return L.units[surface], 0.0, ""
    sp = L.special.get(surface)
    if surface == "分":
        before = t[max(0, s - 8):s]
        if before and any(before.rstrip("0123456789 ").endswith(w) for w in L.time_of_day_before):
            return None, 0, ""
        seg = t[max(0, s - 60):min(len(t), e + 30)]
        if any(w in seg or w in ctx for w in L.scoring_words):
            return "points", 0.0, "scoring"
        return "points", -0.25, "points?"
    if surface == "平方":
        seg = t[max(0, s - 40):min(len(t), e + 20)]
        if any(w in seg or w in ctx for w in L.cable_words):
            return L.cable_unit, 0.0, "cable"
        return "m2", -0.05, ""
    if surface == "日":
        after = t[e:e + 3]
        if any(after.startswith(w) for w in L.day_cues_after):
            return "d", -0.05, ""
        return None, 0, ""  # 15日 is a date
    if surface == "月":
        return None, 0, ""  # 5月 is a date; durations say 个月
    return sp, -0.1, ""


def _zh_comparator(L: _Lang, t: str, s: int, e: int, seg_start: int):
    """(comparator, rule, confidence delta, start of the comparator words) for the number at t[s:e]."""
    window = t[max(seg_start, s - 14):s]
    # the prefix words are matched once on the reversed window (an anchored match instead of a search)
    pm = L.prefix_rev.match(window[::-1]) if window else None
    pre_word = pm.group("cmp")[::-1] if pm is not None else None
    suf = L.suffix_rx.match(t, e, min(len(t), e + 24))
    pre_cmp = L.prefix.get(pre_word) if pm is not None else None
    suf_cmp = L.suffix.get(suf.group("cmp")) if suf else None
    if suf is not None and suf.group("paren") == "不含":
        suf_cmp = {">=": ">", "<=": "<"}.get(suf_cmp, suf_cmp)
    start = s - pm.end() if pm is not None else s
    end = suf.end() if suf else e
    weak = pm is not None and pre_word in L.weak
    if pre_cmp and pre_cmp != "=" and not weak:
        return pre_cmp, "prefix:" + pre_word, 0.0, start, end if suf_cmp in (None, pre_cmp, "=") else end
    if suf_cmp and suf_cmp != "=":
        return suf_cmp, "suffix:" + suf.group("cmp"), 0.0, start, end
    if pre_cmp and pre_cmp != "=":
        return pre_cmp, "weak:" + pre_word, -0.15, start, end
    # an adverb a few words back in the same sub-sentence (至少坐满座椅的三分之二)
    if L.adverb_rx is not None:
        back = t[max(seg_start, s - 16):s]
        ms = list(L.adverb_rx.finditer(back))
        if ms:
            m = ms[-1]
            between = back[m.end():]
            if not _DIGIT_RX.search(between):
                return L.adverbial[m.group("cmp")], "adverb:" + m.group("cmp"), -0.15, start, end
    if pre_cmp == "=" or suf_cmp == "=":
        word = (pre_word if pre_cmp == "=" else suf.group("cmp"))
        return "=", "approx:" + word, -0.15, start, end
    return "=", "plain", -0.2, start, end


def _zh_per(L: _Lang, t: str, s: int, seg_start: int):
    """The 每N<period> before the number in the same sub-sentence: (per string, start, end) or None."""
    back_start = max(0, s - 30)
    if "每" not in t[max(seg_start, back_start):s]:
        return None
    # a frequency may sit in the previous sub-sentence only when separated by a comma? keep it local
    back = t[max(seg_start, back_start):s]
    ms = list(L.per_rx.finditer(back))
    if not ms:
        return None
    m = ms[-1]
    pw = L.periods[m.group("pw")]
    n = 1.0
    if m.group("pn"):
        v = numerals.to_number(m.group("pn"))
        if v is None:
            return None
        n = v
    if " " in pw:  # "0.5 year" (半年)
        k, _, pu = pw.partition(" ")
        n, pw = n * float(k), pu
    return f"{_fmt_num(n)} {pw}", m, back


def _zh_value(L: _Lang, n: str, half: Optional[str], m1: Optional[str]) -> Optional[float]:
    if n.isascii():
        v = float(n.replace(",", ""))
    else:
        v = numerals.cn_to_number(n)
        if v is None:
            return None
    if half:
        v += 0.5
    if m1:
        v *= L.multipliers.get(m1, 1.0)
    return v


def _find_currency(L: _Lang, t: str, orig: str, quotes, out: list, taken: list) -> None:
    """£5,000 / ¥500 / $2k: the currency symbol stands before the number."""
    if L.cur_rx is None or not L.cur_first.search(t):
        return
    for m in L.cur_rx.finditer(t):
        s, e = m.span()
        if quotes and _in_quotes(quotes, s):
            continue
        value = float(m.group("n").replace(",", ""))
        mult = m.group("mult")
        if mult:
            value *= {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "万": 1e4, "千": 1e3, "亿": 1e8}[_key(mult)]
        unit = L.currency[m.group("cur")]
        if L.en:
            lo = max(0, s - 60)
            pm = L.prefix_rx.search(t[lo:s])
            cmp_, cs, rule = "=", s, "plain"
            if pm and L.prefix.get(_key(pm.group("cmp")), "=") != "=":
                cmp_, cs, rule = L.prefix[_key(pm.group("cmp"))], lo + pm.start(), "prefix:" + _key(pm.group("cmp"))
            ce = e
        else:
            cmp_, rule, _dc, cs, ce = _zh_comparator(L, t, s, e, _segment_start(t, s, 40))
        out.append((cs, ce, _make(value, None, unit, cmp_, orig[cs:ce], conf=0.85 if cmp_ != "=" else 0.7, rule=f"currency;{rule}")))
        taken.append((s, e))


def _find_zh(L: _Lang, t: str, orig: str, quotes, ctx: str, out: list) -> None:
    taken: list[tuple[int, int]] = []
    _find_currency(L, t, orig, quotes, out, taken)
    # (20±2)℃ -> range 18..22
    if "±" in t or "+/-" in t:
        for m in L.pm_rx.finditer(t):
            s, e = m.span()
            unit, du, urule = _zh_unit(L, m.group("unit"), t, m.start("unit"), e, ctx)
            if unit is None or _in_quotes(quotes, s):
                continue
            a, b = float(m.group("a")), float(m.group("b"))
            out.append((s, e, _make(a - b, a + b, unit, "range", orig[s:e], conf=0.9 + du, rule="zh.plus_minus")))
            taken.append((s, e))
    # fractions and halves first: 三分之二, 百分之八十, 一半, 半小时
    if "分之" in t:
        for m in L.frac_rx.finditer(t):
            s, e = m.span()
            if _in_quotes(quotes, s):
                continue
            den = {"百": 100.0, "千": 1000.0, "万": 10000.0}.get(m.group("den")) or numerals.to_number(m.group("den"))
            num = numerals.to_number(m.group("num"))
            if den is None or num is None or den == 0:
                continue
            seg = _segment_start(t, s, 40)
            cmp_, rule, dc, cs, ce = _zh_comparator(L, t, s, e, seg)
            if den == 100:
                unit, value = "%", num
            else:
                unit, value = "ratio", round(num / den, 3 if den < 1000 else 6)
            per_info = _zh_per(L, t, s, seg)
            per = per_info[0] if per_info else None
            out.append((cs, ce, _make(value, None, unit, cmp_, orig[cs:ce], per=per, conf=0.85 + dc, rule=f"zh.fraction;{rule}")))
            taken.append((s, e))
    if "半" in t:
        for m in L.half_rx.finditer(t):
            s, e = m.span()
            if _in_quotes(quotes, s) or any(a <= s < b for a, b in taken):
                continue
            if m.group("hw"):
                value, unit = L.half_words[m.group("hw")], "ratio"
            else:
                # 一个半小时 is taken by the main pattern; here only a bare 半小时 / 半年
                if s > 0 and (t[s - 1] in "个" or t[s - 1].isdigit() or t[s - 1] in numerals.CN_CHARS):
                    continue
                value, unit = 0.5, L.units.get(m.group("hu"), L.periods.get(m.group("hu")))
                if unit is None:
                    continue
            seg = _segment_start(t, s, 40)
            if s > 0 and t[max(0, s - 2):s].endswith(L.period_prefix):
                continue  # 每半年: a period, not a limit
            cmp_, rule, dc, cs, ce = _zh_comparator(L, t, s, e, seg)
            if cmp_ == "=" and s > 0 and t[s - 1] == "过":
                cmp_, rule, dc, cs = ">", "prefix:过", 0.0, s - 1  # 过半数
            out.append((cs, ce, _make(value, None, unit, cmp_, orig[cs:ce], conf=0.8 + dc, rule=f"zh.half;{rule}")))
            taken.append((s, e))

    for m in L.rx.finditer(t):
        s, e = m.span()
        if taken and any(a <= s < b or a < e <= b for a, b in taken):
            continue
        if quotes and _in_quotes(quotes, s):
            continue
        # all groups in one call (their order is checked in _Lang): ~10 named look-ups less per number
        n1, h1, m1, u1, sep, n2, h2, mult, surface, den = m.groups()
        after_n1 = t[m.end(1):m.end(1) + 1]
        before = t[max(0, s - 3):s].rstrip()
        # ordinals, codes, 7*24*365, per-period numbers (每2年)
        if before.endswith(L.ordinal_before):
            continue
        if before.endswith(("*", "×", "x", "X")) and len(before) >= 2 and before[-2].isdigit():
            continue
        if t[e:e + 1] in ("*", "×"):
            continue
        if after_n1 == "*":
            continue
        if before.endswith(L.period_prefix) and not (n2 or u1):
            continue
        if s > 1 and t[s - 1] in "-/—" and t[s - 2].isascii() and t[s - 2].isalnum():
            continue
        if t[e:e + 2].startswith(L.vague_after) and surface not in ("个",):
            continue
        if after_n1 in L.vague_after and not n2:
            continue
        cn = not n1.isascii()
        if cn and (numerals.looks_like_cn_date(n1) or n1 in L.zero_words):
            continue
        if L.window_before and t[max(0, s - 4):s].rstrip().endswith(L.window_before):
            continue  # 全年365天, 全天24小时: a service window, not a limit
        if L.restatement_before and t[max(0, s - 4):s].replace(" ", "").endswith(L.restatement_before):
            continue  # 70分以上(含70分): the bracket restates the bound
        if surface == "年" and t[e:e + 1] == "代":
            continue  # 60年代
        unit, du, urule = _zh_unit(L, surface, t, m.start(9), m.end(9), ctx)
        if unit is None:
            continue
        if surface == "位" and any(w in t[max(0, s - 20):s] for w in L.digit_cues):
            unit = "char"  # 密码长度不少于8位
        if surface == "分" and cn and n1 == "十" and not n2:
            continue  # 十分 = "very"
        value = _zh_value(L, n1, h1, m1)
        if value is None:
            continue
        # t[s - len(w):s] == w is t.endswith(w, 0, s): one C call rules out the common case (no such word)
        neg = (next((w for w in L.negative_before if t[max(0, s - len(w)):s] == w), None)
               if L.negative_before and t.endswith(L.negative_before, 0, s) else None)
        if neg and (len(neg) > 1 or s < 2 or not (t[s - 2].isascii() and t[s - 2].isalnum())):
            value = -value  # -18℃以下, 零下5℃
            s -= len(neg)
        vmax = None
        if n2:
            vmax = _zh_value(L, n2, h2, None)
            if vmax is None:
                continue
            if sep in L.plus_minus:  # 20±2℃ -> 18..22
                value, vmax = value - vmax, value + vmax
            if mult:
                f = L.multipliers.get(mult, 1.0)
                if not m1 and value <= vmax:
                    value *= f  # 1-2万元: the multiplier covers both ends; 3000至1万㎡: only the second
                vmax *= f
        elif mult:
            value *= L.multipliers.get(mult, 1.0)
        # dates: 2016年, 2020-2021年, 2021年1月
        if unit == "year" and not cn and n1.isdigit() and L.year_min <= value <= L.year_max:
            continue
        if unit == "year" and _MONTH_AFTER.match(t, e, e + 4):
            continue
        if unit == "year" and t[e:e + 2] in ("上半", "下半"):
            continue
        # lone 一 before a count word (一下, 一次, 一人) is a word unless made a limit below
        lone_one = cn and n1 == "一" and not n2 and units.quantity(unit) == "count"
        pair = numerals.cn_pair_range(n1) if cn and not n2 else None
        if pair:
            value, vmax = pair
        seg = _segment_start(t, s, 40)
        per_info = _zh_per(L, t, s, seg)
        per = None
        rate_unit = None
        if den:
            cden = L.units.get(den) or L.special.get(den)
            if cden and units.quantity(cden) == "time":
                if unit in ("count", "people") or units.quantity(unit) == "time":
                    per = f"1 {cden}"
                else:
                    rate_unit = f"{unit}/{cden}"
            elif cden:
                rate_unit = f"{unit}/{cden}"
        elif per_info:
            per_str, pm, back = per_info
            cue_zone = back[pm.end():]
            if unit == "count" and surface in ("个",) and any(c in cue_zone for c in L.char_cues):
                unit = "char"
            if unit in L.rate_units and not pm.group("pn"):
                rate_unit = f"{unit}/{per_str.split(' ', 1)[1]}"
            else:
                per = per_str
        if rate_unit:
            unit = rate_unit
        cmp_, rule, dc, cs, ce = _zh_comparator(L, t, s, e, seg)
        if rule == "plain" and out and out[-1][1] <= s and _TIMES_GAP.fullmatch(t, out[-1][1], s):
            prev = out[-1][2]  # 1.0mX1.8m: the second dimension shares the first one's comparator
            if prev.comparator not in ("=", "range"):
                cmp_, rule, dc = prev.comparator, "dimension", -0.05
        if rule == "plain" and unit in ("s", "min", "h", "d") and t[max(seg, s - 2):s].rstrip().endswith(L.time_within):
            cmp_, rule, dc = "<=", "time_within:" + t[s - 1], -0.2  # 保证备件在2小时更换
        if vmax is not None:
            if vmax < value:
                continue  # "10-5天" is not a range we understand
            cmp_, rule, dc = "range", ("range;" + rule if rule != "plain" else "range"), (0.0 if not pair else -0.1)
        if lone_one and rule in ("plain",) and not per and not rule.startswith("approx"):
            continue
        if lone_one and surface == "下":
            continue
        if rule == "plain" and vmax is None and L.name_after and any(w in t[e:e + 4] for w in L.name_after) \
                and not _PUNCT_RX.search(t, e, e + 4):
            continue  # 15秒接通率: the number names a metric, the limit follows
        if (rule == "plain" or rule.startswith("approx:")) and not per and vmax is None:
            if surface in ("个", "项", "种", "类") and (cn and _HAN_RX.match(t, e, e + 1) or
                                                     t[max(seg, s - 12):s].rstrip().endswith(L.enum_before) or
                                                     any(w in t[max(seg, s - 12):s] for w in L.enum_before[:3])):
                continue  # 分为三个等次 / 两个分项: an enumeration, not a limit
            if cn and t[max(0, s - 1):s] in L.narrative_before and units.quantity(unit) == "time":
                continue  # 快速发展的二十年
        if surface == "平方" and cn:
            dc -= 0.1
        conf = 0.9 + dc + du - (0.05 if cn else 0.0)
        qty = None
        if L.qty_rx is not None:
            lo = max(seg, cs - 12)
            qm = L.qty_rx.match(t[lo:cs][::-1])
            if qm:
                qty = qm.group("q")[::-1]
        th = _make(value, vmax, unit, cmp_, orig[cs:ce], quantity=qty, per=per, conf=conf,
                   rule=f"zh.number;{rule}" + (f";{urule}" if urule else ""))
        out.append((cs, ce, th))


# ---------------------------------------------------------------- English


_WORD_PAREN = re.compile(r"\b(?P<w>[A-Za-z]+(?:-[A-Za-z]+)?)\s*\((\d+(?:\.\d+)?)\)")


def _unparen(m: "re.Match") -> str:
    """"three (3)" -> "       3 " (same length, so offsets stay valid on the original text)."""
    whole = m.group(0)
    if _to_float(m.group(2)) != numerals.to_number(m.group("w"), _lang("en").numbers):
        return whole  # "section (3)" is not a number written twice
    a, b = m.start(2) - m.start(), m.end(2) - m.start()
    return " " * a + m.group(2) + " " * (len(whole) - b)


def _to_float(x: str):
    try:
        return float(x)
    except ValueError:
        return None


def _find_en(L: _Lang, t: str, orig: str, quotes, ctx: str, out: list) -> None:
    paren_start: dict[int, int] = {}
    if "(" in t:
        for pm_ in _WORD_PAREN.finditer(t):
            if _to_float(pm_.group(2)) == numerals.to_number(pm_.group("w"), L.numbers):
                paren_start[pm_.start(2)] = pm_.start()
        t = _WORD_PAREN.sub(_unparen, t)  # legal style: "three (3) years"
    low = t.lower()
    taken: list[tuple[int, int]] = []
    _find_currency(L, t, orig, quotes, out, taken)
    for m in L.rx.finditer(t):
        s, e = m.span()
        if quotes and _in_quotes(quotes, s):
            continue
        if taken and any(a <= s < b for a, b in taken):
            continue
        n1, n2 = m.group("n1"), m.group("n2")
        surface = m.group("unit")
        unit = L.units.get(surface) or L.units.get(surface.lower())
        if unit is None:
            unit = L.units_by_lower.get(surface.lower())
        if unit is None:
            continue
        value = numerals.to_number(n1, L.numbers)
        if value is None:
            continue
        if m.group("u1") and not n2:
            continue
        vmax = numerals.to_number(n2, L.numbers) if n2 else None
        if n2 and vmax is None:
            continue
        mult = m.group("mult")
        if mult:
            f = L.multipliers.get(mult.lower(), 1.0)
            value *= f
            vmax = vmax * f if vmax is not None else None
        if n2 and m.group("sep").strip().lower() == "and" and not L.range_prefix_rx.search(t[max(0, s - 12):s]):
            continue  # "2 and 3 hours" without "between" is ambiguous: skip
        if unit == "year" and n1.isdigit() and L.year_min <= value <= L.year_max:
            continue
        before = t[max(0, s - 12):s].lower()
        window = bool(L.window_after) and units.quantity(unit) == "time" and t[e:e + 12].lower().lstrip().startswith(L.window_after)
        before_r = before.rstrip()
        if before_r.endswith(_EN_PERIOD_WORDS) and _EN_PERIOD_BEFORE.search(before):
            continue  # "every 2 years" is a period, not a limit
        if before_r.endswith(_EN_LABEL_WORDS) and _EN_LABEL_BEFORE.search(before):
            continue
        seg = max(0, s - 60)
        back = t[seg:s]
        pm = _prefix_at_end(L, back)  # (start in back, word) of L.prefix_rx.search(back)
        sm = L.suffix_rx.match(t, e, min(len(t), e + 16))
        cmp_, rule, dc, cs, ce = "=", "plain", -0.2, s, e
        pw = _key(pm[1]) if pm else None
        if pm and L.prefix.get(pw) and pw not in L.weak:
            cmp_, rule, dc, cs = L.prefix[pw], "prefix:" + pw, 0.0, seg + pm[0]
        elif sm and L.suffix.get(_key(sm.group("cmp"))) and L.suffix[_key(sm.group("cmp"))] != "=":
            cmp_, rule, dc, ce = L.suffix[_key(sm.group("cmp"))], "suffix:" + _key(sm.group("cmp")), 0.0, sm.end()
        elif pm:
            cmp_, rule, dc, cs = "=", "approx:" + pw, -0.15, seg + pm[0]
        if cmp_ == "=" and L.adverb_rx is not None and vmax is None:
            back = t[seg:s]
            cut = max(back.rfind(". "), back.rfind(";"), back.rfind(", "))
            back = back[cut + 1:] if cut >= 0 else back
            am = list(L.adverb_rx.finditer(back))
            if am and not _DIGIT_RX.search(back[am[-1].end():]):
                cmp_, rule, dc = L.adverbial[_key(am[-1].group("cmp"))], "adverb:" + _key(am[-1].group("cmp")), -0.15
        if cmp_ in L.en_negated and rule.startswith("prefix:") and L.en_negators:
            lead = t[max(0, cs - 30):cs].lower()
            sent = t[max(0, cs - 120):cs]
            cut = max(sent.rfind(". "), sent.rfind(";"), sent.rfind(": "))
            sent = sent[cut + 1:] if cut >= 0 else sent
            if L.en_negators_rx.search(lead) or _EN_NO_SUBJECT.match(sent):
                cmp_, rule = L.en_negated[cmp_], "negated;" + rule  # shall not be stacked higher than 2 m
        if window and cmp_ == "=":
            continue  # "24 hours a day, 7 days a week": a service window, not a limit
        if vmax is not None:
            if vmax < value:
                continue
            rp = L.range_prefix_rx.search(t[max(0, s - 12):s])
            if rp:
                cs = max(0, s - 12) + rp.start()
            cmp_, rule, dc = "range", "range", 0.0
        if rule == "plain" and units.quantity(unit) == "time" and _EN_IN_BEFORE.search(t[max(0, s - 4):s]):
            cmp_, rule, dc = "<=", "time_within:in", -0.2  # answer calls in 20 seconds
        per = None
        den = m.group("den")
        if den:
            cden = L.units.get(den) or L.units.get(den.lower())
            if cden and units.quantity(cden) == "time" and (unit in ("count", "people") or units.quantity(unit) == "time"):
                per = f"1 {cden}"
            elif cden:
                unit = f"{unit}/{cden}"
        else:
            per = _en_per(L, t, s, e)
            if per and unit in L.rate_units and per.startswith("1 "):
                unit, per = f"{unit}/{per[2:]}", None
        if s in paren_start and cs == s:
            cs = paren_start[s]
        th = _make(value, vmax, unit, cmp_, orig[cs:ce], per=per, conf=0.9 + dc, rule=f"en.number;{rule}")
        out.append((cs, ce, th))
    # a count word in the text (for ASCII text lower() is exactly the pattern's case folding; other text: scanned)
    if L.count_rx is not None and (not t.isascii() or L.count_probe.search(low) is not None):
        for m in L.count_rx.finditer(t):
            s, e = m.span()
            if quotes and _in_quotes(quotes, s):
                continue
            value = float(L.count_words[_key(m.group("cw"))])
            seg = max(0, s - 60)
            pm = _prefix_at_end(L, t[seg:s])
            sm = L.suffix_rx.match(t, e, min(len(t), e + 16))
            cmp_, cs, ce, rule = "=", s, e, "plain"
            if pm and L.prefix.get(_key(pm[1]), "=") != "=":
                cmp_, cs, rule = L.prefix[_key(pm[1])], seg + pm[0], "prefix:" + _key(pm[1])
            elif sm and L.suffix.get(_key(sm.group("cmp")), "=") != "=":
                cmp_, ce, rule = L.suffix[_key(sm.group("cmp"))], sm.end(), "suffix:" + _key(sm.group("cmp"))
            per = _en_per(L, t, s, e)
            if cmp_ == "=" and not per:
                continue  # "once the call ends"
            out.append((cs, ce, _make(value, None, "count", cmp_, orig[cs:ce], per=per, conf=0.85 if cmp_ != "=" else 0.7,
                                      rule=f"en.count_word;{rule}")))
    del low


def _en_per(L: _Lang, t: str, s: int, e: int) -> Optional[str]:
    a = max(0, s - 50)
    b = min(len(t), e + 40)
    # the period must be in the same sentence
    left = t[a:s]
    cut = max(left.rfind("."), left.rfind(";"))
    if cut >= 0 and cut < len(left) - 1 and not left[cut + 1:cut + 2].isdigit():
        a = a + cut + 1
    right = t[e:b]
    for ch in ".;":
        k = right.find(ch + " ")
        if k >= 0:
            b = e + k
            right = t[e:b]
    cands = []
    for m in L.per_rx.finditer(t, a, b):
        if m.start() >= s and m.start() < e:
            continue
        art = m.group(0).split(None, 1)[0].lower()
        if art in ("a", "an") and (m.start() < e or t[max(0, m.start() - 5):m.start()].lower().strip().endswith("half")):
            continue  # "twice a day" follows the number; "half an hour" is a duration
        pw = L.periods.get(_key(m.group("pw")))
        if pw is None:
            continue
        n = numerals.to_number(m.group("pn"), L.numbers) if m.group("pn") else 1.0
        if n is None:
            continue
        cands.append((abs(m.start() - s), f"{_fmt_num(n)} {pw}"))
    if L.per_adv_rx is not None:
        for m in L.per_adv_rx.finditer(t, a, b):
            cands.append((abs(m.start() - s), L.period_adverbs[_key(m.group("adv"))]))
    if not cands:
        return None
    return min(cands)[1]
