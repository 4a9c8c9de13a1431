"""Obligations: one :class:`~stdkb.model.Obligation` per normative statement.

Algorithm (plain Python over strings; language data in ``lang/<lang>/modals.json``, ``actors.json``,
``conditions.json``):

1. Quoted stretches (scripts, forbidden utterances) are masked, so "“请不要客气”" is not a prohibition.
2. The text is split into sentences (。；;!?, newline) and each sentence into segments (，, ：).
3. Each segment gets the modality of its first modal marker. Markers are matched longest-first together
   with the trap words (可靠, 认可, 许可证, 要求, 重要, 主要, 应用, 相应, 供应, 必须 ...), so a trap swallows
   the character and never counts; "不可" beats "可", "无须/不必" are permissions. A marker inside a
   condition ("如遇…需停气时", "不能立即接待客户时说") or a relative clause ("不能当即答复的问题") is ignored.
4. Consecutive segments with the same modality form one statement; a change of modality (or of named
   actor) starts a new statement ("保持身体清洁,不可用香水,要干净得体" -> obligation, prohibition, obligation).
   Unmarked segments continue the current statement; condition segments ("与客户沟通过程中") attach to
   the next one.
5. Imperative norms: in a standards context (a heading or document title containing 标准/要求/规范...,
   see ``imperative_headings``), a sentence without any modal word is an obligation ("头发梳理整齐,面部保持
   清洁", rule ``imperative``) unless it reads as a description (是/指/包括...), and "不留长发" (不 + verb) is a
   prohibition (rule ``negated_imperative``).
6. Under a forbidden-phrases heading (禁忌用语), each listed utterance is a prohibition (rule
   ``forbidden_phrase``); they are passed in by :func:`stdkb.extract.extract_text`.

Stated minimums and maximums (a decision, checked against the gold files): a prohibition marker directly
followed by a "less than" word (不得少于, 不应低于, 不能小于, "shall not be less than", "must not fall below";
``negated_minimum`` in ``modals.json``) states a minimum that must be reached -- "每2年检查不得少于1次" is
the duty to inspect at least once every two years -- so it is an **obligation** (rule ``modal:不得;minimum``,
strength of the marker). A marker followed by a "more than" word (不得超过, 不应大于, "shall not exceed")
forbids exceeding a maximum, the act a checker looks for, so it stays a **prohibition**. The rule of thumb:
the modality names what a violation is -- failing to do enough (obligation) or doing too much
(prohibition). Weak markers are untouched (不宜少于 / 不宜超过 stay recommendations). The threshold
itself (``>= 1 count per 2 year``, ``<= 2 min``) is extracted either way by :mod:`.thresholds`.

Not imperative norms: the clause's own title line and any heading clause (handled by
:func:`stdkb.extract.extract_document`), a first segment before a colon that is a short label or a role
("语速:适中", "研发或工程技术人员:负责…" -- the label joins the statement, never a condition), a short name
ending in a title word (公司, 标准, 类, 型, 理念 ... ``title_suffixes``), and sentences with descriptive or
promulgation words (是指, 现予发布, 决定制订 ... ``descriptive_markers``).

actor: the last actor noun before the modal marker in the statement (not after 对/向/为...), else the
previous statement's actor in the same text, else an actor named in the heading context, else None.
condition / exception: ``conditions.json`` patterns over the statement. strength: from the marker.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional, Sequence

from ..model import Obligation
from ._text import _ANY_OPEN as _ANY_QUOTE_OPEN
from ._text import (MASK, context_has, dispatch_alternation, first_chars, first_class, guarded, literal_alternation, load,
                    mask_quotes, quote_spans, spans_split, strip_span, substring_probe)

__all__ = ["find_obligations", "modal_hits"]


@dataclass
class _Lex:
    lang: str
    pattern: re.Pattern
    info: dict  # normalised word -> (modality, strength, confidence)
    traps: frozenset
    sent_re: re.Pattern
    seg_re: re.Pattern
    imperative_headings: tuple
    descriptive: tuple
    neg_prefixes: tuple
    neg_exclude: tuple
    neg_conf: float
    imp_conf: float
    actors_re: Optional[re.Pattern]
    not_actor_before: frozenset
    passive_actors: frozenset
    cond_res: list
    exc_res: list
    cond_prefixes: tuple
    cond_suffixes: tuple
    imperative_verbs: frozenset = field(default_factory=frozenset)
    cond_any: Optional[re.Pattern] = None
    exc_trigger: Optional[re.Pattern] = None
    desc_re: Optional[re.Pattern] = None
    ref_markers: tuple = ()
    title_suffixes: tuple = ()
    imp_min: int = 0
    imp_exclude: tuple = ()
    non_normative: tuple = ()
    cond_prefix_exclude: tuple = ()
    new_norm_words: tuple = ()
    neg_list: Optional[re.Pattern] = None
    topic_prefixes: tuple = ()
    topic_max: int = 99
    conj_re: Optional[re.Pattern] = None
    ignore_prefixes: tuple = ()
    time_words: tuple = ()
    rel_words: frozenset = frozenset()
    continuation: frozenset = frozenset()
    leadin_short: tuple = ()
    min_after: tuple = ()  # words after a prohibition marker that make it a stated minimum (不得少于)
    min_modality: str = "obligation"
    neg_chars: frozenset = frozenset()  # first characters of the negation prefixes (不): a cheap pre-check
    neg_list_chars: frozenset = frozenset()  # characters a neg_list match can start with (or all: None below)
    label_max: int = 8
    present_re: Optional[re.Pattern] = None  # English present-passive norms ("Records are retained for 5 years")
    present_exclude: frozenset = frozenset()
    present_conf: float = 0.6
    label_suffixes: tuple = ()
    sent_runs: Optional[re.Pattern] = None  # zh: stripped sentence spans in one pass
    seg_runs: Optional[re.Pattern] = None
    all_seg_runs: Optional[re.Pattern] = None  # zh: the segments of every sentence in one pass over the text
    ref_re: Optional[re.Pattern] = None
    exc_probe: Optional[re.Pattern] = None  # (en) finds an exception trigger (lower-cased) in a lower-cased text
    cond_prefixes_sp: tuple = ()  # (en) cond_prefixes followed by a space, for one startswith call
    cond_first: frozenset = frozenset()  # first characters of cond_prefixes (a cheap test before startswith)
    neg_one: Optional[str] = None  # the only character of neg_chars, when there is one
    nl_one: Optional[str] = None  # the only character of neg_list_chars, when there is one
    cond_cue: Optional[re.Pattern] = None  # one of the characters a cond_any match starts with
    text_cue: Optional[re.Pattern] = None  # ... or an exception trigger starts with (searched in the raw text)
    cond_suffix_last: frozenset = frozenset()  # last characters of cond_suffixes


def _is_zh(lang: str) -> bool:
    return (lang or "zh").lower().startswith("zh")


class _AnyChar(frozenset):
    """A character set that intersects every text (used when a pattern's first characters are unknown)."""

    def intersection(self, *others):
        return True

    def __contains__(self, ch):
        return True


def _edge_chars(words, last: bool = False) -> frozenset:
    """First (or last) characters of ``words``; every character when one of them is empty."""
    if any(not w for w in words):
        return _AnyChar()
    return frozenset(w[-1] if last else w[0] for w in words)


def _has_any(s: str, chars: frozenset) -> bool:
    """``chars.intersection(s)`` as a truth value, without hashing every character of ``s`` (the sets are
    a character or two: one substring test each)."""
    if isinstance(chars, _AnyChar):
        return True
    for ch in chars:
        if ch in s:
            return True
    return False


def _runs_re(sep_chars: str) -> re.Pattern:
    """Maximal runs without a separator, stripped of ASCII/Unicode whitespace at both ends: the same spans as
    ``spans_split`` + ``strip_span`` in one regex pass."""
    return re.compile(r"[^%s\s](?:[^%s]*[^%s\s])?" % (sep_chars, sep_chars, sep_chars))


@lru_cache(maxsize=None)
def _lex(lang: str) -> _Lex:
    zh = _is_zh(lang)
    key = "zh" if zh else "en"
    m = load(key, "modals")
    a = load(key, "actors")
    c = load(key, "conditions")
    info = {}
    alts = []
    for modality, entries in m["modals"].items():
        for e in entries:
            w = e["word"]
            info[w.lower()] = (modality, e.get("strength"), round(float(e.get("confidence", 0.95)), 3))
            alts.append((w, False))
    traps = []
    for t in m.get("traps", []):
        alts.append((t, True))
        traps.append(t)
    alts.sort(key=lambda x: -len(x[0]))
    if zh:
        # longest word at each position; no (?=[…]) guard: a trie whose branches open with literals already gets
        # the engine's first-character scan, which a look-ahead would switch off (~20% slower)
        pattern = re.compile(literal_alternation([w for w, _ in alts]))
        sent_chars = re.escape(m.get("sentence_end", "。；;!！?？\n"))
        seg_chars = re.escape(m.get("clause_sep", "，,：:"))
        sent_re = re.compile("[" + sent_chars + "]")
        seg_re = re.compile("[" + seg_chars + "]")
        sent_runs = _runs_re(sent_chars)
        seg_runs = _runs_re(seg_chars)
        all_seg_runs = _runs_re(sent_chars + seg_chars)
    else:
        parts = []
        for w, is_trap in alts:
            if is_trap:
                parts.append("(?:%s)" % w)
            else:
                parts.append(r"\s+".join(re.escape(x) for x in w.split()))
        en_pat = r"(?<![A-Za-z'])(?:" + "|".join(parts) + r")(?![A-Za-z])"
        # the alternatives bucketed by first letter (same matches, the modal scan ~2.4x faster on English text)
        dispatched = dispatch_alternation(parts, ignorecase=True)
        # a (?=[first letters]) guard (case-insensitive like the pattern): the look-behind and the alternatives
        # are then tried only where a marker can start (same matches, ~8x faster on English text)
        fc = first_chars(en_pat)
        if dispatched:
            en_pat = r"(?<![A-Za-z'])" + dispatched + r"(?![A-Za-z])"
        pattern = re.compile(("(?=[%s])" % re.escape(fc) if fc else "") + en_pat, re.I)
        # guarded: its look-behinds (e.g., i.e, No.) were tried at every character (same matches, ~6x faster)
        sent_re = guarded(m.get("sentence_end", r"[.!?;](?=\s|$)|\n"))
        seg_pat = m.get("segment_split", r",\s+|;\s+|:\s+|\s+-\s+")
        # its alternatives open with \s+ and were tried at every character: a (?=[,;:\s]) guard, compiled
        # case-insensitively like the pattern (same matches)
        seg_fc = first_class(seg_pat)
        seg_re = re.compile(("(?=[%s])(?:%s)" % (seg_fc, seg_pat)) if seg_fc else seg_pat, re.I)
        sent_runs = seg_runs = all_seg_runs = None
    actors = sorted(a.get("actors", []), key=len, reverse=True)
    if actors:
        if zh:
            actors_re = re.compile(literal_alternation(actors))
        else:
            actor_parts = [re.escape(x) for x in actors]
            plain_actors = r"\b(?:" + "|".join(actor_parts) + r")\b"
            # case-insensitive alternatives get no fast first-character test: a guard on their first letters and
            # a first-letter dispatch (same matches)
            dispatched = dispatch_alternation(actor_parts, ignorecase=True)
            cls = first_class(plain_actors)
            actors_re = re.compile(("(?=[%s])" % cls if cls else "") + (r"\b" + dispatched + r"\b" if dispatched
                                                                         else plain_actors), re.I)
    else:
        actors_re = None
    seg = c.get("condition_segment", {})
    neg = m.get("negated_imperative", {})
    lx = _Lex(
        lang=key, pattern=pattern, info=info, traps=frozenset(t.lower() for t in traps), sent_re=sent_re,
        seg_re=seg_re, imperative_headings=tuple(x.lower() for x in m.get("imperative_headings", [])),
        descriptive=tuple(m.get("descriptive_markers", [])), neg_prefixes=tuple(neg.get("prefixes", [])),
        neg_exclude=tuple(neg.get("exclude", [])), neg_conf=round(float(neg.get("confidence", 0.7)), 3),
        imp_conf=round(float(m.get("imperative_confidence", 0.6)), 3), actors_re=actors_re,
        not_actor_before=frozenset(a.get("not_actor_before", [])), passive_actors=frozenset(a.get("passive_actors", [])),
        cond_res=[re.compile(p, 0 if zh else re.I) for p in c.get("condition_patterns", [])],
        cond_any=guarded("|".join("(?:%s)" % p for p in c.get("condition_patterns", [])), 0 if zh else re.I)
        if c.get("condition_patterns") else None,
        exc_trigger=(re.compile if zh else guarded)("|".join(re.escape(w) for w in c.get("exception_triggers", [])) or "(?!)",
                                                   0 if zh else re.I),
        ref_markers=tuple(m.get("reference_markers", [])),
        ref_re=re.compile(literal_alternation(m.get("reference_markers", []))),
        sent_runs=sent_runs, seg_runs=seg_runs, all_seg_runs=all_seg_runs,
        neg_chars=frozenset(p[0] for p in neg.get("prefixes", []) if p),
        neg_list_chars=_AnyChar() if not neg.get("list_pattern") or not first_chars(neg["list_pattern"])
        else frozenset(first_chars(neg["list_pattern"])),
        present_re=re.compile(m["present_tense_norms"]["pattern"], re.I) if m.get("present_tense_norms") else None,
        present_exclude=frozenset(m.get("present_tense_norms", {}).get("exclude", [])),
        present_conf=round(float(m.get("present_tense_norms", {}).get("confidence", 0.6)), 3),
        label_max=int(m.get("label_max_chars", 8)), label_suffixes=tuple(m.get("label_suffixes", [])),
        min_after=tuple(w.lower() for w in m.get("negated_minimum", {}).get("after", [])),
        min_modality=m.get("negated_minimum", {}).get("modality", "obligation"),
        title_suffixes=tuple(m.get("title_suffixes", [])),
        imp_min=int(m.get("imperative_min_chars", 0)),
        imp_exclude=tuple(x.lower() for x in m.get("imperative_heading_exclude", [])),
        cond_prefix_exclude=tuple(seg.get("prefix_exclude", [])),
        neg_list=re.compile(neg["list_pattern"]) if neg.get("list_pattern") else None,
        topic_prefixes=tuple(m.get("topic_prefixes", [])),
        topic_max=int(m.get("topic_max_chars", 99)),
        new_norm_words=tuple(m.get("new_norm_after_negative", [])),
        non_normative=tuple(x.lower() for x in m.get("non_normative_titles", [])),
        desc_re=re.compile(literal_alternation([w if zh else w.lower() for w in m.get("descriptive_markers", [])])),
        exc_res=[re.compile(p, 0 if zh else re.I) for p in c.get("exception_patterns", [])],
        exc_probe=substring_probe([w.lower() for w in c.get("exception_triggers", [])]),
        cond_prefixes=tuple(seg.get("prefixes", [])), cond_prefixes_sp=tuple(p + " " for p in seg.get("prefixes", [])),
        cond_suffixes=tuple(seg.get("suffixes", [])),
        cond_first=_edge_chars(seg.get("prefixes", [])), cond_suffix_last=_edge_chars(seg.get("suffixes", []), last=True),
        imperative_verbs=frozenset(v.lower() for v in m.get("imperative_verbs", [])),
        ignore_prefixes=tuple(seg.get("hit_ignoring_prefixes", seg.get("prefixes", []))),
        time_words=tuple(seg.get("time_words", [])),
        rel_words=frozenset(m.get("relative_clause_words", [])),
        leadin_short=tuple(seg.get("leadin_short_prefixes", [])),
        continuation=frozenset(w.lower() for w in m.get("continuation_markers", [])),
        conj_re=(re.compile("^(?:%s)%s" % ("|".join(re.escape(w) for w in sorted(m.get("leading_conjunctions", []), key=len, reverse=True)),
                                          "" if zh else r"\b\s*"), 0 if zh else re.I)
                 if m.get("leading_conjunctions") else None),
    )
    if len(lx.neg_chars) == 1:
        lx.neg_one = next(iter(lx.neg_chars))
    if len(lx.neg_list_chars) == 1 and not isinstance(lx.neg_list_chars, _AnyChar):
        lx.nl_one = next(iter(lx.neg_list_chars))
    cond_pat = "|".join("(?:%s)" % p for p in c.get("condition_patterns", []))
    cue = first_chars(cond_pat) if (zh and cond_pat) else None
    if cue:  # a plain character class gets the engine's fast scan: no cue character, no condition match
        lx.cond_cue = re.compile("[%s]" % "".join(re.escape(ch) for ch in cue))
        # on the raw text, for conditions (matched on the masked text, whose characters other than MASK and
        # 。 are the text's) and exceptions at once
        trig = [w for w in c.get("exception_triggers", [])]
        both = set(cue) | {w[0] for w in trig if w}
        if all(trig) and not both & {MASK, "。"}:
            lx.text_cue = re.compile("[%s]" % "".join(re.escape(ch) for ch in sorted(both)))
    return lx


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    word: str
    modality: str
    strength: Optional[str]
    confidence: float
    minimum: bool = False  # a prohibition marker stating a minimum (不得少于): turned into an obligation


_WS_RUN = re.compile(r"\s+")  # compiled once (re.sub(pattern, ...) looks it up in re's cache on every call)


def modal_hits(masked: str, lang: str = "zh") -> list[_Hit]:
    """Modal markers in (already quote-masked) text, traps removed."""
    lx = _lex(lang)
    if lx.lang == "zh":  # no case, no inner spaces: the matched word is the key
        info = lx.info
        out = [_Hit(mt.start(), mt.end(), w, *inf) for mt in lx.pattern.finditer(masked)
               if (inf := info.get(w := mt.group(0))) is not None]
        if lx.min_after:  # _minimums inlined (this runs for every clause)
            min_after = lx.min_after
            for h in out:
                if h.modality == "prohibition" and masked[h.end:h.end + 24].lstrip().startswith(min_after):
                    h.modality = lx.min_modality
                    h.minimum = True
        return out
    out = []
    for mt in lx.pattern.finditer(masked):
        w = mt.group(0)
        key = w.lower()
        inf = lx.info.get(key)
        if inf is None:
            key = _WS_RUN.sub(" ", key)
            inf = lx.info.get(key)
        if inf is None:  # a trap
            continue
        out.append(_Hit(mt.start(), mt.end(), w, inf[0], inf[1], inf[2]))
    return _minimums(out, masked, lx) if lx.min_after else out


def _minimums(hits: list, masked: str, lx: _Lex) -> list:
    """不得少于 / 不应低于 / shall not be less than: the prohibition states a minimum -> an obligation."""
    for h in hits:
        if h.modality == "prohibition":
            after = masked[h.end:h.end + 24].lstrip()
            if lx.lang != "zh":
                after = _WS_RUN.sub(" ", after.lower())
            if after.startswith(lx.min_after):
                h.modality = lx.min_modality
                h.minimum = True
    return hits


_REL_TAIL = re.compile(r"的[\u4e00-\u9fff]{1,3}$")


def _ends_with_when(t: str, lx: _Lex) -> bool:
    """t ends with a condition word; 时 only as 'when' (not 小时, 及时 ...)."""
    if not t.endswith(lx.cond_suffixes):
        return False
    if t.endswith("时") and t.endswith(lx.time_words):
        return False
    return True


def _is_condition_seg(s: str, lx: _Lex, last: bool = False) -> bool:
    t = s.strip()
    if not t:
        return False
    if lx.lang == "zh":
        if t.startswith(lx.cond_prefixes) and not t.startswith(lx.cond_prefix_exclude):
            return True
        return not last and _ends_with_when(t, lx)
    return t.lower().startswith(lx.cond_prefixes_sp)


_WHEN = re.compile(r"(时|后)")


def _hit_is_conditional(masked: str, hit: _Hit, seg_start: int, seg_end: int, lx: _Lex, first_seg: bool,
                        next_hit: Optional[_Hit]) -> bool:
    """The marker belongs to a condition or a relative clause, not to the main clause."""
    if lx.lang != "zh":
        return False
    rest = masked[hit.end:seg_end]
    for m in _WHEN.finditer(rest):
        k = m.start()
        if k < 2 and m.group(1) == "时":  # "守时": too close to the marker to be a clause of its own
            continue
        if m.group(1) == "时" and (rest[k - 1:k + 1] in lx.time_words or rest[k:k + 2] in lx.time_words):
            continue
        if m.group(1) == "后" and hit.modality != "permission":  # "得到允许后再入内", not "应在…后挂机"
            continue
        if len(rest) - k - 1 <= 4:
            return True
    if hit.word in lx.rel_words:
        # "有紧急事情要处理的通话时间不得超过…": 的 between this marker and the next one in the segment
        if next_hit is not None and next_hit.start < seg_end and "的" in masked[hit.end:next_hit.start]:
            return True
        # "不能当即答复的问题,向客户致歉…": a noun phrase opening the sentence
        if first_seg and (hit.word in ("不能", "能")) and _REL_TAIL.search(rest):
            return True
    return False


def _find_actor(text: str, a: int, b: int, lx: _Lex) -> Optional[str]:
    if lx.actors_re is None or b <= a:
        return None
    best = None
    for m in lx.actors_re.finditer(text, a, b):
        prev = text[m.start() - 1] if m.start() > a else ""
        if lx.lang == "zh":
            if prev and prev in lx.not_actor_before:
                continue
            if m.group(0) in lx.passive_actors and m.start() != a:
                continue
        else:
            before = text[max(a, m.start() - 16):m.start()].lower().split()
            if before and before[-1] in lx.not_actor_before:
                continue
        best = m.group(0)
    return best


def _imperative_context(context: Sequence[str], lx: _Lex) -> bool:
    """A heading (or the document title) names a standard/rule set, and none names an essay or exam."""
    titles = []
    for t in context or ():
        t = (t or "").lower()
        for x in lx.imp_exclude:
            t = t.replace(x, "")
        titles.append(t)
    if context_has(titles, lx.non_normative):
        return False
    return context_has(titles, lx.imperative_headings)


def _descriptive(s: str, lx: _Lex) -> bool:
    return lx.desc_re.search(s if lx.lang == "zh" else s.lower()) is not None


def _en_imperative(s: str, lx: _Lex) -> bool:
    w = s.strip().split(" ", 1)[0].strip("\"'“”(").lower() if s.strip() else ""
    return w in lx.imperative_verbs


def _en_present_norm(s: str, lx: _Lex) -> bool:
    """"Records are retained for 5 years", "All fire exits are kept clear": a present passive opening the segment."""
    m = lx.present_re.match(s.strip())
    return m is not None and m.group("v").lower() not in lx.present_exclude


def _neg_imperative(s: str, lx: _Lex) -> bool:
    """不 + verb at the head of a segment (after an optional actor): 不留长发, 男员工不化浓妆."""
    if lx.lang != "zh" or not _has_any(s, lx.neg_chars):
        return False
    t = s.strip()
    if lx.actors_re is not None:
        m = lx.actors_re.match(t)
        if m:
            t = t[m.end():]
    if not t.startswith(lx.neg_prefixes):
        return False
    return not t.startswith(lx.neg_exclude)


@lru_cache(maxsize=4096)
def _context_info(lang: str, context: tuple) -> tuple[bool, bool, Optional[str]]:
    """(imperative context, forbidden-phrases context, actor named in the headings) for a heading chain."""
    lx = _lex(lang)
    pdata = load(lx.lang, "phrases")
    forbidden = context_has(context, [w.lower() for w in pdata.get("forbidden_headings", [])])
    actor = None
    if lx.actors_re is not None:
        for title in reversed(context):
            found = _find_actor(title or "", 0, len(title or ""), lx)
            if found and found not in lx.passive_actors:
                actor = found
                break
    return _imperative_context(context, lx), forbidden, actor


def find_obligations(text: str, lang: str = "zh", context: Sequence[str] = (), *, phrases: Sequence = (),
                     imperative: bool = True) -> list[Obligation]:
    """Normative statements of ``text``.

    ``context``: heading titles, outermost first (used for imperative norms and actor inheritance).
    ``phrases``: the clause's :class:`~stdkb.model.Phrase` s; under a forbidden-phrases heading each
    prohibited phrase becomes a prohibition. ``imperative=False`` disables imperative norms (headings).
    """
    if not text or text.isspace():
        return []
    lx = _lex(lang)
    zh = lx.lang == "zh"
    masked = mask_quotes(text, quote_spans(text)) if _ANY_QUOTE_OPEN.search(text) is not None else text
    if zh:  # modal_hits inlined (this runs for every clause)
        info = lx.info
        hits = [_Hit(mt.start(), mt.end(), w, *inf) for mt in lx.pattern.finditer(masked)
                if (inf := info.get(w := mt.group())) is not None]
        if hits and lx.min_after:
            min_after = lx.min_after
            for h in hits:
                if h.modality == "prohibition" and masked[h.end:h.end + 24].lstrip().startswith(min_after):
                    h.modality = lx.min_modality
                    h.minimum = True
    else:
        hits = modal_hits(masked, lang)
    hit_starts = [h.start for h in hits] if hits else []
    imp_ctx0, forbidden_ctx, ctx_actor = _context_info(lx.lang, tuple(context or ()))
    imp_ctx = imperative and imp_ctx0
    if not hits and not imp_ctx and not forbidden_ctx and zh:
        return []  # nothing can be normative here (fast path)
    out: list[Obligation] = []
    clause_actor = None
    # no character a condition or exception pattern starts with: no statement of this text has either
    cues = lx.text_cue is None or lx.text_cue.search(text) is not None
    # (en) no exception trigger in the text, none in its statements: for ASCII text lower() is exactly the
    # trigger pattern's case folding, so a substring test decides it once instead of a search per statement
    exc_cue = zh or not text.isascii() or lx.exc_probe.search(text.lower()) is not None

    forbidden_phrases = [p for p in phrases if getattr(p, "kind", None) == "prohibited"] if forbidden_ctx else []
    # locate each prohibited phrase once (phrases come in text order), to hand them to their sentences
    located = []
    cursor = 0
    for p in forbidden_phrases:
        i = text.find(p.text, cursor)
        if i == -1:
            i = text.find(p.text)
        if i != -1:
            located.append((i, len(located), p))
            cursor = i + 1
    if located:
        located.sort()
        fp_pos = [x[0] for x in located]
        fp_items = [x[2] for x in located]
    else:
        fp_pos = fp_items = []

    seg_runs = lx.seg_runs
    if seg_runs is not None:
        sentences = [mt.span() for mt in lx.sent_runs.finditer(masked)]
        # a sentence's segments are the stripped runs without a segment separator inside it (found when
        # the sentence is not ruled out first); without a separator in the text, each sentence is one segment
        seg_split = lx.seg_re.search(masked) is not None
    else:
        sentences = [x for x in (strip_span(masked, a0, b0) for a0, b0 in spans_split(masked, lx.sent_re)) if x[1] > x[0]]
    cond_prefixes, cond_prefix_exclude = lx.cond_prefixes, lx.cond_prefix_exclude
    cond_suffixes, time_words = lx.cond_suffixes, lx.time_words
    neg_list_chars = lx.neg_list_chars
    neg_chars = lx.neg_chars if zh else _AnyChar()
    # per-text pre-checks: a segment can only hold 不 (or a neg_list start) if the text does
    neg_one = lx.neg_one if zh else None
    neg_seg = imp_ctx and ((neg_one in masked) if neg_one is not None else _has_any(masked, neg_chars))
    nl_one = lx.nl_one
    neg_list = (lx.neg_list if (imp_ctx and zh and ((nl_one in masked) if nl_one is not None
                                                    else _has_any(masked, neg_list_chars))) else None)
    ignore_prefixes, topic_prefixes, topic_max = lx.ignore_prefixes, lx.topic_prefixes, lx.topic_max
    label_max, label_suffixes = lx.label_max, lx.label_suffixes
    rel_words = lx.rel_words
    n_hits = len(hits)
    # literal words: none in the text -> none in any of its sentences
    desc_any = zh and imp_ctx and lx.desc_re.search(masked) is not None
    cond_first, suffix_last = lx.cond_first, lx.cond_suffix_last
    continuation = lx.continuation
    # (zh) a sentence without a marker holds a norm only as an imperative one (or as a forbidden phrase):
    # decided before its segments are classified
    skip_unmarked = zh and not forbidden_ctx
    for sa, sb in sentences:
        sentence_masked = masked[sa:sb]
        sentence_imp = None
        if n_hits:  # does a marker start in this sentence?
            i = bisect_left(hit_starts, sa)
            sent_hits = i < n_hits and hit_starts[i] < sb
        else:
            sent_hits = False
        if skip_unmarked:
            if not sent_hits:
                sentence_imp = (imp_ctx and not (desc_any and _descriptive(sentence_masked, lx))
                                and not _title_like(sentence_masked, lx))
                if not sentence_imp:
                    continue  # unmarked segments only ever wait for a statement that never comes
        if seg_runs is not None:
            seg_spans = [mt.span() for mt in seg_runs.finditer(masked, sa, sb)] if seg_split else [(sa, sb)]
        else:
            seg_spans = [x for x in (strip_span(masked, ga, gb) for ga, gb in spans_split(masked, lx.seg_re, sa, sb))
                         if x[1] > x[0]]
        if not seg_spans:
            continue
        # segments as tuples (start, end, kind, hit, actor); kind: modal | neg_imp | cond | label | plain
        segs: list[tuple] = []
        n_modal = 0
        last_k = len(seg_spans) - 1
        for k_seg, (ga, gb) in enumerate(seg_spans):
            seg_text = masked[ga:gb]
            hit = None
            if zh:  # _is_condition_seg inlined (segments are already stripped, never empty): runs for every segment
                is_cond = ((seg_text[0] in cond_first and seg_text.startswith(cond_prefixes)
                            and not seg_text.startswith(cond_prefix_exclude))
                           or (k_seg != last_k and seg_text[-1] in suffix_last and seg_text.endswith(cond_suffixes)
                               and not (seg_text[-1] == "时" and seg_text.endswith(time_words))))
            else:
                is_cond = _is_condition_seg(seg_text, lx, k_seg == last_k)
            if sent_hits:
                i = bisect_right(hit_starts, ga - 1)
                while i < n_hits and hits[i].start < gb:
                    h = hits[i]
                    i += 1
                    if is_cond and (seg_text.startswith(ignore_prefixes) if zh
                                    else seg_text.lower().startswith(ignore_prefixes)):
                        continue
                    # _hit_is_conditional needs 时/后 after the marker or a relative-clause marker (zh only)
                    if (zh and (h.word in rel_words or masked.find("时", h.end, gb) != -1
                                or masked.find("后", h.end, gb) != -1)
                            and _hit_is_conditional(masked, h, ga, gb, lx, k_seg == 0, hits[i] if i < n_hits else None)):
                        continue
                    hit = h
                    break
            if hit is not None:
                n_modal += 1
                # (no text before the marker: no actor, without a call)
                segs.append((ga, gb, "modal", hit, _find_actor(text, ga, hit.start, lx) if hit.start > ga else None))
            elif ((neg_seg and not is_cond and (neg_one in seg_text if neg_one is not None else _has_any(seg_text, neg_chars))
                   and _neg_imperative(seg_text, lx))
                  or (neg_list is not None and (nl_one in seg_text if nl_one is not None else _has_any(seg_text, neg_list_chars))
                      and neg_list.search(seg_text) and not seg_text.startswith(ignore_prefixes))):
                # "不留长发"; "对客户不懂的地方不教训、不责备" (neg_list)
                segs.append((ga, gb, "neg_imp", None, _find_actor(text, ga, gb, lx)))
            elif is_cond:
                segs.append((ga, gb, "plain" if (zh and len(seg_text) > topic_max and seg_text.startswith(topic_prefixes))
                             else "cond", None, None))
            elif (k_seg == 0 and masked[gb:gb + 1] in (":", "：")
                  and (gb - ga <= label_max or (gb - ga <= 2 * label_max and seg_text.endswith(label_suffixes)))):
                segs.append((ga, gb, "label", None, None))  # "语速:适中…", "研发或工程技术人员:负责…"
            else:
                segs.append((ga, gb, "plain", None, None))
        only_quotes = not (sentence_masked.replace(MASK, "") if MASK in sentence_masked
                           else sentence_masked).strip(" 、，,。.;；:：/!！?？()（）")
        if forbidden_ctx and (only_quotes or not n_modal):
            lo = bisect_right(fp_pos, sa - 1)
            hi = bisect_right(fp_pos, sb - 1)
            for p in fp_items[lo:hi]:
                out.append(Obligation(modality="prohibition", text=p.text, actor=ctx_actor, action=None,
                                      strength="strong", confidence=round(0.85 * p.confidence, 3),
                                      rule="forbidden_phrase"))
            continue
        if only_quotes:
            continue
        imp_rule, imp_conf = "imperative", lx.imp_conf
        if zh:
            if sentence_imp is None:
                sentence_imp = (imp_ctx and not (desc_any and _descriptive(sentence_masked, lx))
                                and not _title_like(sentence_masked, lx))
        else:  # English imperatives are recognisable by their first word ("Greet the caller…", "When…, apologise")
            sentence_imp = imperative and any(_en_imperative(masked[x[0]:x[1]], lx) for x in segs if x[2] != "cond")
            if (not sentence_imp and imp_ctx and lx.present_re is not None
                    and not n_modal and not _descriptive(sentence_masked, lx)
                    and any(_en_present_norm(masked[x[0]:x[1]], lx) for x in segs if x[2] != "cond")):
                sentence_imp, imp_rule, imp_conf = True, "present_tense", lx.present_conf
        # statements as lists [modality, segs, hit, rule, confidence, strength, prefix] (see _build)
        groups: list[list] = []
        pending: list[tuple] = []
        n_modal_left = n_modal
        for s in segs:
            kind = s[2]
            if kind == "modal":
                n_modal_left -= 1
                ga, gb, _k, h, _actor = s
                # "我们应做到:" introduces the norms that follow; it is not one itself
                if (n_modal_left > 0 and masked[gb:gb + 1] in (":", "：") and gb - ga <= 12
                        and masked[gb + 1:gb + 2].strip() not in (MASK,)):
                    pending.append((ga, gb, "cond", None, _actor))
                    continue
                m = h.modality
                # every modal word starts its own statement; unmarked segments before it are its lead-in
                # unless they are imperative norms of their own (handled below)
                if groups and not pending:
                    g = groups[-1]
                    if g[0] == m and g[2] is not None and (h.word if zh else h.word.lower()) in continuation:
                        g[1].append(s)  # "应…,做到…", "应…,并有专人负责": a weak marker continues the statement
                        continue
                groups.append([m, [s], h, "modal:" + h.word + (";minimum" if h.minimum else ""), h.confidence,
                               h.strength, pending])
                pending = []
            elif kind == "neg_imp":
                if not sentence_imp:
                    pending.append(s)
                    continue
                groups.append(["prohibition", [s], None, "negated_imperative", lx.neg_conf, "normal", pending])
                pending = []
            elif kind == "plain":
                if groups and not pending:
                    if (sentence_imp and groups[-1][0] in ("prohibition", "recommendation")
                            and masked.startswith(lx.new_norm_words, s[0])):
                        groups.append(["obligation", [s], None, imp_rule, imp_conf, "normal", []])
                    else:
                        groups[-1][1].append(s)
                elif sentence_imp and not _is_leadin(s, masked, lx) and not _is_pointer(s, masked, lx):
                    groups.append(["obligation", [s], None, imp_rule, imp_conf, "normal", pending])
                    pending = []
                else:
                    pending.append(s)
            else:
                pending.append(s)
        if pending and groups:
            groups[-1][1].extend(pending)
        # Chinese norms often drop the subject of the previous sentence ("客服人员须…;对重大投诉的,应…");
        # English ones name it, so only Chinese carries the actor across sentences of one clause
        last_actor = clause_actor if zh else None
        for g in groups:
            ob = _build(text, masked, g, lx, last_actor, ctx_actor, cues, exc_cue)
            if ob.actor:
                last_actor = ob.actor
                if zh:
                    clause_actor = ob.actor
            out.append(ob)
    return out


def _is_leadin(s: tuple, masked: str, lx: _Lex) -> bool:
    """A topic or subject lead-in ("对待客人的询问", "客户服务人员") rather than an imperative norm."""
    t = masked[s[0]:s[1]].strip()
    if lx.lang == "zh":
        if t.startswith(("对待", "对于", "关于", "针对", "至于")):
            return True
        if t.startswith(lx.leadin_short) and len(t) <= 6:  # "有工作差错,应…"
            return True
        if lx.actors_re is not None:
            m = lx.actors_re.fullmatch(t)
            if m:
                return True
        return False
    return False


_LIST_PUNCT = re.compile("[，,、：:]")


def _title_like(s: str, lx: _Lex) -> bool:
    """"总则", "中石油昆仑燃气有限公司": a heading or a name left in the text, not an imperative."""
    t = s.strip().rstrip(",，、:：")  # "安全隐患类," is a category name followed by its items
    if len(t) - t.count(MASK) < lx.imp_min:  # the length without masked quotes, without copying
        return True
    return t.endswith(lx.title_suffixes) and _LIST_PUNCT.search(t) is None


def _is_pointer(s: tuple, masked: str, lx: _Lex) -> bool:
    """"详见附录A", "见第4.5条": a pointer to other text, not a norm of its own."""
    return lx.ref_re.search(masked, s[0], s[1]) is not None


def _build(text: str, masked: str, g: list, lx: _Lex, last_actor, ctx_actor, cues: bool = True,
           exc_cue: bool = True) -> Obligation:
    """One statement ``[modality, segs, hit, rule, confidence, strength, prefix]`` (segments are tuples
    ``(start, end, kind, hit, actor)``) -> an Obligation. ``cues=False``: the text holds no character a
    condition or exception pattern starts with (both are then None without searching); ``exc_cue=False``: no
    exception trigger in the text (the exception is None without searching)."""
    modality, segs, hit, rule, confidence, strength, prefix = g
    # in text order: a prefix precedes the group, appended segments follow it
    a = prefix[0][0] if prefix else segs[0][0]
    b = segs[-1][1]
    body = text[a:b].strip()
    if lx.conj_re is not None and hit is not None and not prefix and segs[0][3] is hit:
        m0 = lx.conj_re.match(body)
        if m0 and m0.end() < len(body) and body[m0.end():].lstrip().startswith(hit.word):
            body = body[m0.end():].lstrip()
    actor = None
    for s in segs:
        if s[4]:
            actor = s[4]
            break
    if actor is None:
        for s in prefix:
            if s[2] != "cond":
                actor = _find_actor(text, s[0], s[1], lx)
                if actor:
                    break
    if actor is None and hit is None and segs:
        # an imperative has no subject; only a noun opening the norm ("迎宾站在门的左侧") is its actor
        m0 = lx.actors_re.match(text, segs[0][0]) if (lx.actors_re is not None and lx.lang == "zh") else None
        actor = m0.group(0) if m0 and m0.group(0) not in lx.passive_actors else None
    if actor is None:
        actor = last_actor or ctx_actor
    # action: from after the marker (or the segment start) to the end of the statement
    if hit is not None:
        act = text[hit.end:b]
    else:
        act = text[segs[0][0]:b]
    act = act.strip(" ,，:：、")
    if lx.lang == "zh" and actor and act.startswith(actor):
        act = act[len(actor):]
    condition = None
    if cues:
        mbody = masked[a:b]
        if lx.cond_any is None:
            m = None
        elif lx.cond_cue is None:
            m = lx.cond_any.search(mbody)
        else:  # no match starts before the first cue character (look-behinds still see what precedes it)
            cm = lx.cond_cue.search(mbody)
            m = lx.cond_any.search(mbody, cm.start()) if cm is not None else None
    else:
        m = None
    if m:
        grp = None  # the first group that took part in the match (a plain loop: no generator per statement)
        for i in range(1, (m.re.groups or 0) + 1):
            if m.start(i) != -1:
                grp = i
                break
        ca, cb = (m.start(grp), m.end(grp)) if grp else (m.start(), m.end())
        condition = text[a + ca:a + cb].strip()
    if condition is None:
        for s in prefix:
            if s[2] == "cond":
                condition = text[s[0]:s[1]].strip()
                break
    exception = None
    for rx in (lx.exc_res if cues and exc_cue and lx.exc_trigger.search(text, a, b) else ()):
        m = rx.search(text, a, b)
        if m:
            exception = (m.group(1) if m.groups() else m.group(0)).strip()
            break
    if condition and exception and (condition in exception or exception in condition):
        condition = None
    # positional: 4x cheaper than keywords, and this runs once per statement (model field order:
    # modality, text, actor, action, condition, exception, strength, confidence, rule)
    return Obligation(modality, body, actor, act or None, condition, exception, strength, confidence, rule)
