"""References to other documents, laws and clauses.

``find_references(text, lang)`` returns :class:`stdkb.model.Reference` objects:

- ``《…》`` titles -> kind ``document`` (target without the brackets), or ``law`` when the title is a law or
  regulation (《中华人民共和国建筑法》, 《建设工程安全生产管理条例》, …规定/办法);
- document numbers -> kind ``document``: 温住建发〔2011〕19号, GB/T 50326-2017, GB 50016—2014,
  ISO 9001:2015, BS EN 1090-2;
- clause cross-references -> kind ``clause``: 见第2.2条, 按本标准第5章, 详见附录A, see Section 3,
  in accordance with clause 4.2; the target is the label ("2.2", "5", "附录A", "A").

``resolve_references(doc)`` sets ``Reference.resolved`` of clause references to the id of the clause of the
same document whose label matches. Words and prefixes live in ``lang/<lang>/references.json``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from stdkb.extract._text import dispatch_alternation, first_chars, substring_probe
from stdkb.model import Document, Reference
from stdkb.text import fold

__all__ = ["find_references", "resolve_references"]


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted({w for w in words if w}, key=len, reverse=True))


class _Pats:
    def __init__(self, lang: str):
        from stdkb import lang as langdata

        zh = langdata.load("zh", "references")
        d = langdata.load(lang, "references") if lang != "zh" else zh
        self.lang = lang
        self.law_suffixes = tuple(zh.get("law_suffixes_strict", ()))
        self.law_prefixes = tuple(zh.get("law_prefixes", ()))
        self.docno_cut = tuple(zh.get("docno_cut_words", ()))
        prefixes = d.get("standard_prefixes", zh.get("standard_prefixes", ()))
        # prefixes are regex fragments (DB\d{2}/T); sort longest first
        pref = "|".join(sorted(prefixes, key=len, reverse=True))
        std = (rf"(?P<code>(?:{pref})(?:\s*/\s*T)?)\s*(?P<num>(?:[A-Z]\s?)?\d+(?:\.\d+)*(?:-\d+)*(?:\s*[-—–:]\s*(?:19|20)\d{{2}})?)(?!\d|\.\d)")
        # a (?=[first letters of the prefixes]) guard: the look-behind is then tried at those letters only, not at
        # every position (same matches, ~6x faster on Chinese text)
        fc = first_chars(std)
        self.std_rx = re.compile(("(?=[%s])" % re.escape(fc) if fc else "") + rf"(?<![A-Za-z0-9/]){std}")
        self.title_rx = re.compile(r"《(?P<t>[^《》\n]{1,80})》")
        # 温住建发〔2011〕19号, 国办发[2011]3号, 建质(2011)111号
        # anchored on the bracketed year (fast); the agency is read backwards in Python
        self.docno_rx = re.compile(r"[〔\[(（【](?P<year>(?:19|20)\d{2})[〕\])）】]\s*(?P<no>\d+)\s*号")
        self.has_std = re.compile(r"[A-Z](?:[A-Z]|/|\s*\d)")  # one opening class: the engine scans for it in C
        if lang == "zh":
            trig = _alt(d.get("clause_triggers", ()))
            selfw = _alt(d.get("self_words", ()))
            units = _alt(d.get("clause_units", ()))
            annex = _alt(d.get("annex_words", ()))
            num = r"[\d.]+\d|\d|[一二三四五六七八九十百零〇两]+"
            self.clause_rx = re.compile(
                rf"(?P<trig>{trig})\s*(?:(?P<self>{selfw})\s*)?(?:"
                rf"第\s*(?P<n1>{num})\s*(?P<u1>{units})"
                rf"|(?P<n2>\d+(?:\.\d+)+)\s*(?P<u2>条|款|节)?"
                rf"|(?P<ax>{annex})\s*(?P<axl>[A-Z](?:\.\d+)*|[一二三四五六七八九十\d]+)"
                rf")"
            )
            self.self_clause_rx = re.compile(
                rf"(?P<self>{selfw})\s*第\s*(?P<n1>{num})\s*(?P<u1>{units})"
            )
        else:
            trig_parts = [re.escape(w).replace(r"\ ", r"\s+") for w in sorted(d.get("clause_triggers", ()), key=len, reverse=True)]
            word_parts = [re.escape(w) for w in sorted(d.get("clause_words", ()), key=len, reverse=True)]
            # case-insensitive alternatives get no fast first-character test: bucketed by first letter (same
            # matches, see dispatch_alternation)
            trig = dispatch_alternation(trig_parts, ignorecase=True) or "|".join(trig_parts)
            words = dispatch_alternation(word_parts, ignorecase=True) or "|".join(word_parts)
            # a match starts with a trigger or a clause word: a case-insensitive guard on their first letters
            # keeps the engine from trying the optional trigger group at every character (same matches)
            starts = list(d.get("clause_triggers", ())) + list(d.get("clause_words", ()))
            guard = ("(?=(?i:[%s]))" % re.escape("".join(sorted({w[0] for w in starts})))
                     if starts and all(w and not w[0].isspace() for w in starts) else "")
            self.clause_rx = re.compile(
                rf"{guard}(?i:\b(?P<trig>{trig})\s+(?:(?:this|the)\s+\w+\s*,?\s*)?)?"
                rf"(?P<w>(?i:{words}))\s*(?P<lab>[A-Z](?:\.\d+)*(?![a-z])|\d+(?:\.\d+)*(?:\([a-z0-9]+\))?)"
            )
            law = "|".join(re.escape(w) for w in d.get("law_suffixes", ()))
            self.en_law_rx = re.compile(
                rf"(?:the\s+)?(?P<t>(?:[A-Z][\w'&-]*\s+)(?:(?:[A-Z][\w'&-]*|and|of|for|at|etc\.|the|on|in|\(\w+\))\s+){{0,10}}(?:{law})(?:\s+(?:19|20)\d{{2}})?)\b"
            )
            self.self_clause_rx = None
            # cheap pre-checks (C substring scans): a clause_rx match holds a clause word (case-insensitive:
            # checked on the lower-cased text when it is ASCII, where lower() is exactly the pattern's case
            # folding), an en_law_rx match holds a law suffix verbatim
            # (a word that is not ASCII, like §, cannot be in an ASCII text)
            self.clause_probe = substring_probe([w.lower() for w in d.get("clause_words", ()) if w.isascii()])
            self.law_probe = substring_probe(d.get("law_suffixes", ()))
            self.law_need_year = tuple(d.get("law_suffixes_need_year", ()))


@lru_cache(maxsize=None)
def _pats(lang: str) -> _Pats:
    return _Pats("zh" if (lang or "zh").startswith("zh") else "en")


def _is_law(title: str, P: _Pats) -> bool:
    t = title.strip()
    if t.startswith(P.law_prefixes):
        return True
    return t.endswith(P.law_suffixes)


# every Chinese pattern needs one of these (《…》, …号, 第/附/条/款/节, a standard code in capitals, ASCII or
# full-width before folding)
_ZH_CUES = re.compile("[《号第附条款节A-ZＡ-Ｚ]")


def find_references(text: str, lang: str = "zh") -> list[Reference]:
    """All references in ``text`` (one clause), in text order."""
    if not text:
        return []
    P = _pats(lang)
    if P.lang == "zh" and _ZH_CUES.search(text) is None:
        return []  # no title mark, 号, clause word or capital letter: nothing any pattern below can match
    t = fold(text)
    found: list[tuple[int, int, Reference]] = []
    spans: list[tuple[int, int]] = []

    def add(s: int, e: int, ref: Reference) -> None:
        for a, b in spans:
            if s < b and a < e:
                return
        spans.append((s, e))
        found.append((s, e, ref))

    if "《" in t:
        for m in P.title_rx.finditer(t):
            title = m.group("t").strip()
            if not title or title in ("附件",):
                continue
            kind = "law" if _is_law(title, P) else "document"
            add(*m.span(), Reference(kind=kind, target=title, text=text[m.start():m.end()], confidence=0.95 if kind == "document" else 0.9,
                                     rule="title" if kind == "document" else "title.law"))
    for m in (P.docno_rx.finditer(t) if "号" in t else ()):
        k = m.start()
        while k > 0 and m.start() - k < 10 and "\u4e00" <= t[k - 1] <= "\u9fff":
            k -= 1
        agency = t[k:m.start()]
        cut = max((agency.rfind(w) + len(w) for w in P.docno_cut if w in agency), default=0)
        agency = agency[cut:][-8:]
        if not agency:
            continue
        s0 = m.start() - len(agency)
        target = f"{agency}〔{m.group('year')}〕{m.group('no')}号"
        add(s0, m.end(), Reference(kind="document", target=target, text=text[s0:m.end()], confidence=0.9, rule="docno"))
    for m in (P.std_rx.finditer(t) if P.has_std.search(t) else ()):
        code = _SLASH_WS.sub("/", m.group("code"))
        num = _SEP_WS.sub(r"\1", m.group("num")).replace("—", "-").replace("–", "-")
        target = f"{code} {num}"
        # a bare "EN 3" or "UL 9" is too weak: require a 3+ digit number or a year
        if len(_NON_DIGITS.sub("", m.group("num"))) < 3 and not _NUM_SEP.search(m.group("num")):
            continue
        add(*m.span(), Reference(kind="document", target=target, text=text[m.start():m.end()], confidence=0.9, rule="standard_no"))
    if P.lang == "zh":
        clause_iter = P.clause_rx.finditer(t) if ("第" in t or "附" in t or "条" in t or "款" in t or "节" in t) else ()
        for m in clause_iter:
            s = m.start()
            if m.group("n1"):
                target = _norm_label(m.group("n1"))
                unit = m.group("u1")
                conf = 0.9
            elif m.group("n2"):
                target = m.group("n2").rstrip(".")
                unit = m.group("u2") or ""
                conf = 0.85 if unit else 0.6
                if not unit and not m.group("self"):
                    continue  # "按2.5" alone is not clearly a clause
            else:
                ax = m.group("ax")
                target = ax + m.group("axl")
                unit = ""
                conf = 0.85
            # a clause of another document (《安全生产法》第二十条) belongs to that title, not to us
            before = t[max(0, s - 2):s]
            if before.endswith("》") and not m.group("self"):
                continue
            start = m.start("self") if m.group("self") else (m.start("n1") - 1 if m.group("n1") else m.start())
            if m.group("n1"):
                # include 第
                start = t.rfind("第", m.start(), m.start("n1")) if not m.group("self") else m.start("self")
            add(start, m.end(), Reference(kind="clause", target=target, text=text[start:m.end()], confidence=conf,
                                          rule="clause:" + (unit or "annex")))
        if P.self_clause_rx is not None and "本" in t:
            for m in P.self_clause_rx.finditer(t):
                add(*m.span(), Reference(kind="clause", target=_norm_label(m.group("n1")), text=text[m.start():m.end()],
                                         confidence=0.85, rule="clause:self"))
    else:
        if t.isascii():
            low = t.lower()
            clause_iter = P.clause_rx.finditer(t) if P.clause_probe.search(low) is not None else ()
        else:
            clause_iter = P.clause_rx.finditer(t)
        for m in clause_iter:
            w = m.group("w").lower()
            lab = m.group("lab")
            conf = 0.9 if m.group("trig") else 0.7
            if not m.group("trig") and not m.group("w")[0].isupper() and w != "§":
                continue  # lower-case "part 2 of" without a trigger is prose
            start = m.start("w")
            target = lab
            if w in ("annex", "appendix"):
                target = f"{m.group('w').capitalize()} {lab}"
            add(start, m.end(), Reference(kind="clause", target=target, text=text[start:m.end()], confidence=conf, rule=f"clause:{w}"))
        for m in (P.en_law_rx.finditer(t) if P.law_probe.search(t) is not None else ()):
            ts, te = m.start("t"), m.end("t")
            lead = _EN_LAW_LEAD.match(t, ts, te)
            if lead:
                ts = lead.end()  # "Part L of the Building Regulations" -> the Regulations; "The Fire Safety Order"
            title = t[ts:te].strip()
            if len(title.split()) < 2:
                continue
            if not _YEAR_END.search(title) and title.endswith(P.law_need_year):
                continue  # "Work Order", "Ohm's Law": without a year these are not laws
            add(ts, te, Reference(kind="law", target=title, text=text[ts:te], confidence=0.75, rule="law.en"))
    found.sort(key=lambda x: x[0])
    return [r for _, _, r in found]


_EN_LAW_LEAD = re.compile(
    r"(?:(?:The|This|These|Apply|See|Under)\s+)?(?:(?:Part|Section|Clause|Schedule|Chapter|Article|Regulation|Annex|Appendix)\s+\S+\s+of\s+(?:the\s+)?)?"
)


_CN_DIG = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_small(s: str) -> Optional[int]:
    """Chinese numerals up to 999 (clause numbers) without cn2an."""
    if not s:
        return None
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_DIG:
            cur = _CN_DIG[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


def _norm_label(s: str) -> str:
    s = s.strip().rstrip(".")
    if s and not s[0].isdigit():
        v = _cn_small(s)
        return str(v) if v is not None else s
    return s


_LABEL_CLEAN = re.compile(r"^[第\s]*|[章节条款、.．\s)）]*$")


# compiled once (re.match(...) looks the pattern up in re's cache on every call; this runs for every clause)
_SLASH_WS = re.compile(r"\s*/\s*")
_SEP_WS = re.compile(r"\s*([-—–:])\s*")
_NON_DIGITS = re.compile(r"\D")
_NUM_SEP = re.compile(r"[-—–:]")
_YEAR_END = re.compile(r"\b(?:19|20)\d{2}$")
_ANNEX_TITLE = re.compile(r"^\s*(附录|附件|附表|Annex|Appendix|ANNEX|APPENDIX)\s*([A-Z0-9一二三四五六七八九十]+)")
_ANNEX_TARGET = re.compile(r"^(附录|附件|附表|Annex|Appendix)\s*(\S+)$")


def _clause_keys(c) -> set[str]:
    keys = set()
    for raw in (c.label, getattr(c, "raw_label", None)):
        if not raw:
            continue
        raw = fold(str(raw)).strip()
        keys.add(raw)
        k = _LABEL_CLEAN.sub("", raw)
        k = k.strip("()（）")
        if k:
            keys.add(k)
            keys.add(_norm_label(k))
    title = getattr(c, "title", None) or ""
    m = _ANNEX_TITLE.match(fold(title)) if title else None
    if m:
        keys.add(m.group(1) + m.group(2))
        keys.add(m.group(1).capitalize() + " " + m.group(2))
        keys.add(m.group(2))
    return keys


def resolve_references(doc: Document) -> None:
    """Set ``resolved`` on every clause-kind reference whose target labels a clause of ``doc``."""
    if not any(r.kind == "clause" and not r.resolved for c in doc.clauses for r in c.references):
        return  # nothing to resolve: do not index the labels (most documents)
    index: dict[str, str] = {}
    for c in doc.clauses:
        for k in _clause_keys(c):
            index.setdefault(k, c.id)
    if not index:
        return
    for c in doc.clauses:
        for r in c.references:
            if r.kind != "clause" or r.resolved:
                continue
            tgt = fold(r.target).strip()
            cands = [tgt, _norm_label(tgt)]
            m = _ANNEX_TARGET.match(tgt)
            if m:
                cands += [m.group(1) + m.group(2), m.group(1) + " " + m.group(2), m.group(2)]
            for k in cands:
                cid = index.get(k)
                if cid and cid != c.id:
                    r.resolved = cid
                    break
