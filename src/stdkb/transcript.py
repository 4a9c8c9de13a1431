"""Phrase checker for call and counter transcripts.

    >>> from stdkb.transcript import check_transcript, phrases_from_documents
    >>> report = check_transcript(open("call.txt").read(), phrases_from_documents(docs))
    >>> report.ok, report.score, [f.phrase for f in report.findings]

The transcript is plain text, or "speaker: utterance" lines (an optional "[00:01]" time stamp first). With
speakers, only the agent's lines are checked: the agent is ``agent=`` if given, else the speaker whose name
is an agent word (客服, 坐席, agent ...), else the speaker who says the most required scripts and
greeting/closing cues (ties: the first who greets, then the first speaker).

Matching (one Aho-Corasick automaton, pyahocorasick, for all phrases at once) works on *normalised* text:
:func:`stdkb.text.fold` (full-width -> half-width), lower case, punctuation, symbols and spaces removed
(English keeps single spaces between words, so phrases match whole words only). A phrase is split into
pieces at placeholders ("XX", "××", "某某", "……": a wildcard of up to ``placeholder_gap`` characters) and at
its own punctuation (up to ``split_gap`` characters may be inserted there), and matches when its pieces occur
in order within those gaps. Pieces of ``fuzzy_min_len`` characters or more also match with one or two
characters changed (difflib ratio >= ``fuzzy_ratio``); such findings are marked ``fuzzy``.

Guards (language data, ``lang/<lang>/scripts.json``):

* Phrases shorter than ``alone_below`` (2) characters ("嗯", "那") only match as a clause of their own
  (between punctuation), never inside other words.

* "我知道" never matches "不知道" (different characters), and "不知道" does match "我不知道".
* Double negation: a prohibited phrase that starts with a negation (不/没/别...) preceded by a cancelling
  negation ("不是不知道", "并不是不管") is reported with ``suppressed=True`` and not penalised: the agent is
  denying the forbidden attitude, not expressing it.
* Per-phrase guards: "不管" followed in the same clause by 都/也/还是 is the conjunction "regardless"
  ("不管什么时候我们都在"), "不知道" followed by 是否/能否/方便 is a polite question; both are suppressed.
* Quoting: a phrase inside quotation marks or right after "您说/你说" is still flagged (it is in the agent's
  words) but marked ``quoted=True`` so a reviewer can dismiss it.

Required scripts: each required phrase is classified as ``greeting``, ``closing`` or ``other`` by the cues of
scripts.json (closing cues first: "欢迎下次再来" is a closing). A greeting must appear in the agent's first
``greeting_window`` utterances, a closing in the last ``closing_window``; any one phrase of the category
satisfies it. "other" required phrases are reported when used, never required.

Score = max(0, 100 - penalty_prohibited x (prohibited findings not suppressed) - penalty_missing x (missing
required categories)); penalties are 10 and 5 by default (scripts.json).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Iterable, Optional

from .text import fold

CATEGORIES = ("greeting", "closing", "other")


@dataclass
class PhraseRef:
    """A phrase to look for, with the clause it comes from."""

    kind: str  # prohibited | required
    text: str
    clause_id: Optional[str] = None
    path: Optional[str] = None  # "4/4.5/4.5.2"
    document_id: Optional[str] = None
    category: Optional[str] = None  # greeting | closing | other (required phrases)


@dataclass
class Finding:
    kind: str  # prohibited | required
    line: int
    speaker: Optional[str]
    phrase: str
    matched: str  # the text of the transcript that matched
    utterance: str
    clause_id: Optional[str] = None
    path: Optional[str] = None
    document_id: Optional[str] = None
    category: Optional[str] = None
    quoted: bool = False
    suppressed: Optional[str] = None  # why a match is not counted (double negation, guard)
    fuzzy: bool = False


@dataclass
class Report:
    findings: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # [{"category", "phrases", "clause_ids"}]
    agent: Optional[str] = None
    speakers: list = field(default_factory=list)
    lines_checked: int = 0
    score: float = 100.0
    formula: str = ""

    @property
    def prohibited(self) -> list:
        return [f for f in self.findings if f.kind == "prohibited" and not f.suppressed]

    @property
    def ok(self) -> bool:
        """True when no prohibited phrase was found."""
        return not self.prohibited

    def to_dict(self) -> dict:
        return {"ok": self.ok, "score": self.score, "formula": self.formula, "agent": self.agent,
                "speakers": list(self.speakers), "lines_checked": self.lines_checked,
                "prohibited": len(self.prohibited), "missing": list(self.missing),
                "findings": [asdict(f) for f in self.findings]}

    def format_text(self) -> str:
        out = []
        for f in self.findings:
            if f.kind == "prohibited":
                tag = "SUPPRESSED" if f.suppressed else "PROHIBITED"
            else:
                tag = f"REQUIRED {f.category or ''}".strip()
            who = f"{f.speaker}: " if f.speaker else ""
            marks = []
            if f.quoted:
                marks.append("quoted")
            if f.fuzzy:
                marks.append("approximate")
            if f.suppressed:
                marks.append(f.suppressed)
            src = f" [{f.path or f.clause_id}]" if (f.path or f.clause_id) else ""
            out.append(f"line {f.line}: {tag} “{f.phrase}”{src}{' (' + ', '.join(marks) + ')' if marks else ''}\n"
                       f"    {who}{f.utterance}")
        for m in self.missing:
            eg = "、".join(f"“{p}”" for p in m["phrases"][:3])
            out.append(f"MISSING {m['category']}: none of {eg}" + (" ..." if len(m["phrases"]) > 3 else ""))
        out.append(f"score: {self.score:g}  ({len(self.prohibited)} prohibited, {len(self.missing)} missing"
                   f"{', agent: ' + self.agent if self.agent else ''}; {self.formula})")
        return "\n".join(out)


# ---------------------------------------------------------------------------------------------- language data

@lru_cache(maxsize=8)
def _data(lang: str) -> dict:
    from . import lang as langdata

    return langdata.load_optional(lang, "scripts") or langdata.load("zh", "scripts")


def _is_word_lang(lang: str) -> bool:
    return bool(_data(lang).get("word_boundaries"))


def classify(text: str, lang: str = "zh") -> str:
    """greeting / closing / other for a required phrase."""
    d = _data(lang)
    t = fold(text).lower()
    order = ("closing", "greeting") if d.get("closing_first", True) else ("greeting", "closing")
    for cat in order:
        if any(c.lower() in t for c in d.get(f"{cat}_cues", [])):
            return cat
    return "other"


# ---------------------------------------------------------------------------------------------- normalising

def _keep(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "LN"


def normalise(s: str, lang: str = "zh") -> tuple[str, list]:
    """(normalised text, index of each normalised character in ``s``)."""
    f = fold(s).lower()
    out, idx = [], []
    if _is_word_lang(lang):
        out.append(" ")
        idx.append(0)
        for i, ch in enumerate(f):
            if _keep(ch) or ch == "'":
                out.append(ch)
                idx.append(i)
            elif out[-1] != " ":
                out.append(" ")
                idx.append(i)
        if out[-1] != " ":
            out.append(" ")
            idx.append(len(f))
        return "".join(out), idx
    for i, ch in enumerate(f):
        if _keep(ch):
            out.append(ch)
            idx.append(i)
    return "".join(out), idx


@dataclass
class _Compiled:
    ref: PhraseRef
    pieces: list  # normalised pieces
    gaps: list  # allowed gap before piece k (k >= 1)
    neg_start: bool


def _compile(ref: PhraseRef, lang: str) -> Optional[_Compiled]:
    d = _data(lang)
    ph = re.compile(d.get("placeholder", r"XX"))
    punct = re.compile(d.get("clause_punct", r"[,，。.!！?？;；:：、\s]"))
    min_piece = int(d.get("min_piece", 2))
    pieces, gaps = [], []
    pending_gap = 0
    for k, chunk in enumerate(ph.split(fold(ref.text))):
        if k > 0:
            pending_gap += int(d.get("placeholder_gap", 16))
        subs = [s for s in punct.split(chunk)] if not _is_word_lang(lang) else [chunk]
        for j, sub in enumerate(subs):
            if j > 0:
                pending_gap += int(d.get("split_gap", 6))
            n, _ = normalise(sub, lang)
            core = n.strip()
            if not core:
                continue
            if len(core) < min_piece and (pieces or len(subs) > 1 or k > 0):
                # too short to anchor on (a lone "X"-like remnant): widen the gap instead
                pending_gap += len(core)
                continue
            pieces.append(f" {core} " if _is_word_lang(lang) else core)
            gaps.append(pending_gap if len(pieces) > 1 else 0)
            pending_gap = 0
    if not pieces:
        return None
    full, _ = normalise(ref.text, lang)
    neg = any(full.strip().startswith(w) for w in d.get("negations", []))
    return _Compiled(ref, pieces, gaps, neg)


# ---------------------------------------------------------------------------------------------- transcript

_TS = re.compile(r"^\s*[\[(【]?\s*\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\s*[\])】]?\s*")
_SPK = re.compile(r"^\s*(?P<spk>[^\s:：\d\[(【][^:：]{0,15}?)\s*[:：]\s*(?P<utt>.*)$")


@dataclass
class Utterance:
    line: int
    speaker: Optional[str]
    text: str


def parse_transcript(text: str) -> tuple[list, bool]:
    """(utterances, has_speakers). Lines without a speaker continue the previous speaker's turn."""
    rows = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        rows.append((n, _TS.sub("", fold(line)), line))
    matched = [(n, _SPK.match(t), orig) for n, t, orig in rows]
    hits = [m for _, m, _ in matched if m]
    speakers = {m.group("spk").strip() for m in hits}
    has = bool(rows) and len(hits) * 2 >= len(rows) and len(speakers) >= 1 and (len(speakers) >= 2 or len(hits) == len(rows))
    out = []
    if not has:
        return [Utterance(n, None, orig) for n, _, orig in rows], False
    current = None
    for n, m, orig in matched:
        if m:
            current = m.group("spk").strip()
            # keep the original characters of the utterance (fold is length preserving)
            t = _TS.sub("", fold(orig))
            start = len(orig) - len(t) + m.start("utt")
            out.append(Utterance(n, current, orig[start:]))
        else:
            out.append(Utterance(n, current, orig))
    return out, True


def guess_agent(utterances: list, lang: str = "zh", matcher: Optional["PhraseMatcher"] = None) -> Optional[str]:
    """The agent's speaker name: a name that is an agent word (客服, 坐席, agent...), else the speaker who
    says the most greeting/closing cues and required scripts (``matcher``), else the first who greets."""
    d = _data(lang)
    speakers = []
    for u in utterances:
        if u.speaker and u.speaker not in speakers:
            speakers.append(u.speaker)
    if not speakers:
        return None
    for s in speakers:
        low = s.lower()
        if any(w.lower() in low for w in d.get("agent_names", [])) and not any(
                w.lower() == low for w in d.get("customer_names", [])):
            return s
    non_customer = [s for s in speakers if not any(w.lower() in s.lower() for w in d.get("customer_names", []))]
    pool = non_customer or speakers
    # unnamed speakers (A/B, 甲/乙): the one who speaks the standard's scripts and the service cues most;
    # a tie goes to the first one who greets, then to the first speaker
    score = {s: 0 for s in pool}
    first_greet = None
    cues = [c.lower() for c in d.get("greeting_cues", []) + d.get("closing_cues", [])]
    greet = [c.lower() for c in d.get("greeting_cues", [])]
    for u in utterances:
        if u.speaker not in score:
            continue
        t = fold(u.text).lower()
        score[u.speaker] += sum(1 for c in cues if c in t)
        if matcher is not None:
            score[u.speaker] += 2 * sum(1 for c, *_ in matcher.find(u.text) if c.ref.kind == "required")
        if first_greet is None and any(c in t for c in greet):
            first_greet = u.speaker
    best = max(score.values())
    tied = [s for s in pool if score[s] == best]
    if first_greet in tied:
        return first_greet
    return tied[0]


# ---------------------------------------------------------------------------------------------- matching

class PhraseMatcher:
    """All phrases compiled into one Aho-Corasick automaton."""

    def __init__(self, phrases: Iterable, lang: str = "zh"):
        import ahocorasick

        self.lang = lang
        self.d = _data(lang)
        self.compiled: list[_Compiled] = []
        seen = set()
        for p in phrases:
            ref = _as_ref(p)
            if ref is None or not ref.text.strip():
                continue
            if ref.kind == "required" and not ref.category:
                ref.category = classify(ref.text, lang)
            # one phrase, one finding: the same words forbidden by several clauses (or documents) are reported
            # once, with the first clause that states them
            key = (ref.kind, normalise(ref.text, lang)[0])
            if key in seen:
                continue
            seen.add(key)
            c = _compile(ref, lang)
            if c is not None:
                self.compiled.append(c)
        self.auto = ahocorasick.Automaton()
        for i, c in enumerate(self.compiled):
            for j, piece in enumerate(c.pieces):
                if piece in self.auto:
                    self.auto.get(piece).append((i, j))
                else:
                    self.auto.add_word(piece, [(i, j)])
        self.empty = len(self.auto) == 0
        if not self.empty:
            self.auto.make_automaton()
        self.alone = int(self.d.get("alone_below", 2))
        fmin = int(self.d.get("fuzzy_min_len", 6))
        self.fuzzy_pieces = {(i, j) for i, c in enumerate(self.compiled) for j, p in enumerate(c.pieces)
                             if fmin > 0 and len(p.strip()) >= fmin}
        # phrases that can match with no exact piece at all (every piece long enough for approximate matching)
        self.fuzzy_only = {i for i, c in enumerate(self.compiled)
                           if all((i, j) in self.fuzzy_pieces for j in range(len(c.pieces)))}

    def find(self, text: str) -> list:
        """[(compiled, start, end, fuzzy)] in the normalised text (end exclusive)."""
        norm, idx = normalise(text, self.lang)
        occ: dict = {}
        if not self.empty:
            for end, vals in self.auto.iter(norm):
                for i, j in vals:
                    occ.setdefault(i, {}).setdefault(j, []).append((end + 1 - len(self.compiled[i].pieces[j]), end + 1))
        ratio = float(self.d.get("fuzzy_ratio", 0.85))
        line_chars = None
        out = []
        candidates = sorted(set(occ) | self.fuzzy_only) if self.fuzzy_only else sorted(occ)
        for i in candidates:
            c = self.compiled[i]
            found = occ.get(i, {})
            fuzzy = False
            if len(found) < len(c.pieces):
                # fill missing long pieces approximately
                missing = [j for j in range(len(c.pieces)) if j not in found]
                if not all((i, j) in self.fuzzy_pieces for j in missing):
                    continue
                if line_chars is None:
                    line_chars = Counter(norm)
                for j in missing:
                    spans = _fuzzy_spans(c.pieces[j], norm, ratio, line_chars)
                    if not spans:
                        break
                    found = {**found, j: spans}
                    fuzzy = True
                if len(found) < len(c.pieces):
                    continue
            for start, end in _chain(c, found):
                if len(c.pieces) == 1 and len(c.pieces[0].strip()) < self.alone and not _alone(text, idx, start, end):
                    continue
                out.append((c, start, end, fuzzy))
        return _dedupe(out)


def _alone(text: str, idx: list, start: int, end: int) -> bool:
    """True when the match is a whole clause of ``text`` (punctuation or the line's ends around it): very
    short phrases ("嗯", "那") only count as interjections of their own, not inside words."""
    if not idx or start >= len(idx):
        return False
    a, b = idx[start], idx[end - 1] + 1
    before = text[a - 1] if a > 0 else ""
    after = text[b] if b < len(text) else ""
    return not (before and _keep(before)) and not (after and _keep(after))


@lru_cache(maxsize=4096)
def _counter(piece: str) -> Counter:
    return Counter(piece)


def _fuzzy_spans(piece: str, norm: str, ratio: float, line_chars: Optional[Counter] = None) -> list:
    L = len(piece)
    if len(norm) < L - 2:
        return []
    # upper bound on matching characters: the multiset overlap of the piece and the whole line
    common = sum((_counter(piece) & (line_chars or Counter(norm))).values())
    if 2 * common < ratio * (2 * L - 2):
        return []
    best = []
    anchors = {piece[:2], piece[-2:], piece[L // 2 - 1:L // 2 + 1]}
    if not any(a in norm for a in anchors):
        return []
    sm = SequenceMatcher(autojunk=False)
    sm.set_seq2(piece)
    for w in (L, L - 1, L + 1, L + 2, L - 2):
        if w <= 0:
            continue
        for s in range(0, max(1, len(norm) - w + 1)):
            cand = norm[s:s + w]
            sm.set_seq1(cand)
            if sm.real_quick_ratio() >= ratio and sm.quick_ratio() >= ratio:
                r = sm.ratio()
                if r >= ratio:
                    best.append((-r, abs(w - L), s, s + w))
    # the best-scoring spans first, then keep those that do not overlap a better one
    best.sort()
    out: list = []
    for _, _, s, e in best:
        if any(s < oe and os_ < e for os_, oe in out):
            continue
        out.append((s, e))
    return sorted(out)


def _chain(c: _Compiled, found: dict) -> list:
    """Start/end of each in-order occurrence of all pieces with allowed gaps."""
    results = []
    for s0, e0 in found.get(0, []):
        end = e0
        ok = True
        for j in range(1, len(c.pieces)):
            nxt = [(s, e) for s, e in found.get(j, []) if end <= s <= end + c.gaps[j]]
            if not nxt:
                ok = False
                break
            end = nxt[0][1]
        if ok:
            results.append((s0, end))
    return results


def _dedupe(matches: list) -> list:
    """Drop a prohibited match contained in a longer prohibited match of the same kind ("不管" inside
    "我不管你"), keep one match per phrase per span."""
    out = []
    seen = set()
    for m in sorted(matches, key=lambda x: (x[1], -(x[2] - x[1]))):
        c, s, e, _ = m
        key = (c.ref.kind, c.ref.text, s)
        if key in seen:
            continue
        seen.add(key)
        out.append(m)
    final = []
    for m in out:
        c, s, e, _ = m
        if any(o is not m and o[0].ref.kind == c.ref.kind and o[1] <= s and e <= o[2] and (o[2] - o[1]) > (e - s)
               for o in out):
            continue
        final.append(m)
    return final


def _as_ref(p) -> Optional[PhraseRef]:
    if isinstance(p, PhraseRef):
        return PhraseRef(**asdict(p))
    if isinstance(p, dict):
        return PhraseRef(kind=p.get("kind", "prohibited"), text=str(p.get("text", "")), clause_id=p.get("clause_id"),
                         path=p.get("path"), document_id=p.get("document_id"), category=p.get("category"))
    if isinstance(p, str):
        return PhraseRef(kind="prohibited", text=p)
    kind, text = getattr(p, "kind", None), getattr(p, "text", None)
    if kind and text:
        return PhraseRef(kind=kind, text=text)
    return None


def phrases_from_documents(documents: Iterable, *, include_duplicates: bool = False) -> list:
    """PhraseRefs of every prohibited/required phrase of ``documents`` with their clause ids and paths
    (near-duplicate documents skipped unless ``include_duplicates``)."""
    out = []
    for doc in documents:
        if doc.duplicate_of and not include_duplicates:
            continue
        for c in doc.clauses:
            for p in c.phrases or []:
                if p.kind not in ("prohibited", "required"):
                    continue
                out.append(PhraseRef(kind=p.kind, text=p.text, clause_id=c.id,
                                     path="/".join(str(x) for x in (c.path or [])) or c.label,
                                     document_id=doc.id))
    return out


# ---------------------------------------------------------------------------------------------- checking

def _in_quotes(orig: str, start: int, end: int, d: dict) -> bool:
    for o, c in d.get("quote_marks", []):
        before = orig[:start]
        if o == c:
            if before.count(o) % 2 == 1 and c in orig[end:]:
                return True
        elif before.rfind(o) > before.rfind(c) and c in orig[end:]:
            return True
    pre = fold(orig[max(0, start - 6):start]).lower()
    return any(q in pre for q in d.get("quote_cues", []))


def _guard(c: _Compiled, norm: str, idx: list, orig: str, s: int, e: int, d: dict, lang: str) -> Optional[str]:
    if c.ref.kind != "prohibited":
        return None
    if c.neg_start:
        before = norm[:s].rstrip()
        for w in d.get("negation_cancel", []):
            wn = normalise(w, lang)[0].strip()
            if wn and before.endswith(wn):
                return f"double negation ({w}…)"
    ptxt = normalise(c.ref.text, lang)[0]
    punct = re.compile(d.get("clause_punct", r"[,，。.!！?？;；:：、\s]"))
    for g in d.get("guards", []):
        if normalise(g.get("phrase", ""), lang)[0] != ptxt:
            continue
        o_end = idx[e - 1] + 1 if 0 < e <= len(idx) else len(orig)
        rest = fold(orig[o_end:])
        stop = punct.search(rest)
        clause = rest[:stop.start()] if stop else rest
        for w in g.get("followed_in_clause", []):
            if w in clause:
                return g.get("why", "guard")
    return None


def check_transcript(text: str, phrases: Iterable, *, required: Iterable[str] = ("greeting", "closing"),
                     agent: Optional[str] = None, lang: Optional[str] = None) -> Report:
    """Check ``text`` for ``phrases`` (PhraseRefs, dicts, model Phrases or strings = prohibited).

    ``required``: the required-script categories that must be present (greeting, closing; "other" is
    never required). ``agent``: the agent's speaker name (guessed when None). See the module docstring."""
    from .text import detect_lang

    lang = lang or detect_lang(text)
    d = _data(lang)
    matcher = phrases if isinstance(phrases, PhraseMatcher) else PhraseMatcher(phrases, lang)
    utts, has_speakers = parse_transcript(text)
    speakers = []
    for u in utts:
        if u.speaker and u.speaker not in speakers:
            speakers.append(u.speaker)
    if has_speakers:
        agent = agent or guess_agent(utts, lang, matcher)
        checked = [u for u in utts if u.speaker == agent]
    else:
        agent = None
        checked = utts
    report = Report(agent=agent, speakers=speakers, lines_checked=len(checked))
    turns = []  # agent turn index per utterance (consecutive lines of one speaker are one turn)
    prev = object()
    t = -1
    for u in utts:
        if not has_speakers or u.speaker != prev:
            t += 1
            prev = u.speaker
        turns.append(t)
    checked_ids = {id(u) for u in checked}
    agent_turns = sorted({turns[k] for k, u in enumerate(utts) if id(u) in checked_ids})
    gwin = int(d.get("greeting_window", 3))
    cwin = int(d.get("closing_window", 3))
    first_turns = set(agent_turns[:gwin])
    last_turns = set(agent_turns[-cwin:])
    satisfied = {c: False for c in CATEGORIES}
    for k, u in enumerate(utts):
        if id(u) not in checked_ids:
            continue
        norm, idx = normalise(u.text, lang)
        for c, s, e, fuzzy in matcher.find(u.text):
            os_ = idx[s] if s < len(idx) else 0
            oe = idx[e - 1] + 1 if 0 < e <= len(idx) else len(u.text)
            matched = u.text[os_:oe].strip()
            if c.ref.kind == "required":
                cat = c.ref.category or "other"
                in_window = (cat == "greeting" and turns[k] in first_turns) or \
                            (cat == "closing" and turns[k] in last_turns) or cat == "other"
                if in_window:
                    satisfied[cat] = True
            report.findings.append(Finding(
                kind=c.ref.kind, line=u.line, speaker=u.speaker, phrase=c.ref.text, matched=matched,
                utterance=u.text.strip(), clause_id=c.ref.clause_id, path=c.ref.path,
                document_id=c.ref.document_id, category=c.ref.category if c.ref.kind == "required" else None,
                quoted=_in_quotes(u.text, os_, oe, d) if c.ref.kind == "prohibited" else False,
                suppressed=_guard(c, norm, idx, u.text, s, e, d, lang), fuzzy=fuzzy))
    req = [c for c in matcher.compiled if c.ref.kind == "required"]
    for cat in required:
        if cat == "other":
            continue
        of_cat = [c for c in req if c.ref.category == cat]
        if of_cat and checked and not satisfied.get(cat):
            report.missing.append({"category": cat, "phrases": [c.ref.text for c in of_cat],
                                   "clause_ids": sorted({c.ref.clause_id for c in of_cat if c.ref.clause_id})})
    pp = float(d.get("penalty_prohibited", 10))
    pm = float(d.get("penalty_missing", 5))
    report.score = max(0.0, 100.0 - pp * len(report.prohibited) - pm * len(report.missing))
    report.formula = f"100 - {pp:g} x prohibited - {pm:g} x missing required scripts (min 0)"
    return report
