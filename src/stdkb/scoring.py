"""Score sheets: find a standard's own scoring scheme in its text and compute grades from filled-in results.

Construction-site acceptance standards (and many inspection forms) score: a total ("总分为200分"), section
maxima ("“安全施工”与“文明施工”均为100分", "附加分项…满分为30分"), deductions per item ("每处扣2分"),
guarantee items ("保证项目达不到要求的,则该分项不得分"), grade bands ("160分及以上 示范工地", "低于120分
不达标"), veto items ("一票否决") and a formula ("各分部实得分=各分部检查项实得分数之和÷各分部检查项应得分数之和
×100"). :func:`detect_score_sheet` finds these with the patterns of ``lang/<lang>/scoring.json``;
:func:`compute_score` applies them to inspection results.

Computation (documented contract):

* an item's *possible* points are its ``points`` (1 when the standard gives no per-item points), items marked
  not applicable (不适用/缺项) count for neither side ("评分时如遇缺项" / "实查" in the formulas);
* an item's *earned* points: pass -> points, fail -> 0, a number -> that number, ``{"deduction": d}`` ->
  points - d; clamped to [0, points] (deductions never go below zero: "项目减分最多以应得分为度");
* a section's score = earned / possible x scale when the document gives a ratio formula (scale = its "×100"),
  else the earned sum; capped at the section maximum; a failed guarantee item zeroes its section when the
  document says so; bonus sections (附加分) add their earned points directly, up to their maximum;
* the total is the sum of the ordinary section scores plus the bonus, or, when the document gives a second
  (overall) ratio formula such as "综合标准分=实查各分项实得标准分之和/实查各分项应得标准分之和*100", that
  ratio over the sections (each weighted by its maximum, 100 when unknown);
* the grade is the band with the highest minimum the total reaches; a failed veto item (or ``veto=True``)
  sets ``vetoed`` and the grade to the lowest band.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Optional

from .text import fold


@dataclass
class Section:
    name: str
    max: Optional[float] = None
    bonus: bool = False
    text: str = ""


@dataclass
class GradeBand:
    name: str
    comparator: str  # >= > < <=
    value: float
    text: str = ""


@dataclass
class ScoreItem:
    id: str
    section: Optional[str]
    points: Optional[float] = None
    deduction: Optional[str] = None
    guarantee: bool = False
    veto: bool = False


@dataclass
class ScoreSheet:
    total: Optional[float] = None
    sections: list = field(default_factory=list)  # [Section]
    bands: list = field(default_factory=list)  # [GradeBand]
    formulas: list = field(default_factory=list)  # [{"text", "lhs", "numerator", "denominator", "scale"}]
    examples: list = field(default_factory=list)  # worked examples found in the text
    veto: list = field(default_factory=list)  # [{"text", "clause_id"}]
    guarantee_zero: bool = False
    deduction_cap: bool = False
    percent_scale: bool = False
    items: list = field(default_factory=list)  # [ScoreItem], filled by the checklist builder
    lang: str = "zh"

    @property
    def scale(self) -> Optional[float]:
        if self.formulas:
            return float(self.formulas[0]["scale"])
        return 100.0 if self.percent_scale else None

    @property
    def overall_ratio(self) -> bool:
        """True when the document computes its total as a ratio over sections (a second formula)."""
        return len(self.formulas) >= 2

    def section(self, name: str) -> Optional[Section]:
        for s in self.sections:
            if s.name == name:
                return s
        return None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["scale"] = self.scale
        d["overall_ratio"] = self.overall_ratio
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ScoreSheet":
        d = dict(d)
        d.pop("scale", None)
        d.pop("overall_ratio", None)
        d["sections"] = [Section(**s) for s in d.get("sections", [])]
        d["bands"] = [GradeBand(**b) for b in d.get("bands", [])]
        d["items"] = [ScoreItem(**i) for i in d.get("items", [])]
        return cls(**d)


# ---------------------------------------------------------------------------------------------- language data

class _Patterns:
    def __init__(self, lang: str):
        from . import lang as langdata

        data = langdata.load_optional(lang, "scoring") or langdata.load("zh", "scoring")
        self.data = data
        self.signals = data.get("signals", [])
        self.total = [re.compile(p) for p in data.get("total", [])]
        self.section_all = re.compile(data["section_all_anchor"]) if data.get("section_all_anchor") else None
        self.section_quoted = re.compile(data.get("section_name_quoted", r"[“\"]([^”\"]{2,12})[”\"]"))
        self.section_split = re.compile(data.get("section_name_split", r"与|和|及|、"))
        self.section_window = int(data.get("section_name_window", 60))
        self.formula = re.compile(data["formula"]) if data.get("formula") else None
        self.example = re.compile(data["example"]) if data.get("example") else None
        suffixes = "|".join(map(re.escape, data.get("grade_suffixes", [])))
        leads = "|".join(map(re.escape, data.get("grade_leads", [])))
        self.grade_name = re.compile(
            r"(?:[“\"](?P<q>[^”\"]{2,14})[”\"]\s*[:(]"
            + (rf"|(?:^|[、,;:)\s]|{leads})\s*(?P<u>[\u4e00-\u9fffA-Za-z]{{0,8}}?(?:{suffixes}))\s*\(" if suffixes else "")
            + ")"
        )
        self.grade_lead_split = re.compile(leads) if leads else None
        self.grade_value = re.compile(data["grade_value"])
        self.grade_reverse = re.compile(data["grade_reverse"]) if data.get("grade_reverse") else None
        self.cmp_before = data.get("grade_cmp_before", {})
        self.cmp_after = data.get("grade_cmp_after", {})
        self.inclusive = data.get("grade_cmp_after_inclusive_marker", "含")
        self.veto = data.get("veto", [])
        self.guarantee = data.get("guarantee", [])
        self.guarantee_zero = re.compile(data["guarantee_zero_rule"]) if data.get("guarantee_zero_rule") else None
        self.deduction_cap = data.get("deduction_cap", [])
        self.percent_scale = data.get("percent_scale", [])
        self.item_points = [re.compile(p) for p in data.get("item_points", [])]
        self.item_deduction = re.compile(data["item_deduction"]) if data.get("item_deduction") else None
        self.bonus = data.get("bonus", [])
        self.max_re = re.compile(data.get("section_max", r"满分(?:为|是)?\s*(?P<n>\d+(?:\.\d+)?)\s*分"))
        self.section_noun = re.compile(data.get("section_noun", r"[\u4e00-\u9fff]{2,6}?(?:分项|分部)"))
        self.strip_lead = re.compile(data.get("section_strip_lead", r"^(?:在|对|于|其中|的)+"))
        self.results = {k.lower(): v for k, v in data.get("result_aliases", {}).items()}
        self.result_values = data.get("result_values", {"pass": "合格", "fail": "不合格", "na": "不适用"})
        self.enum_split = re.compile(data.get("enum_split", r"(?:^|[\s;:。])(?:\d{1,2}|[一二三四五六七八九十]{1,3})[、.)]\s*"))


@lru_cache(maxsize=8)
def patterns(lang: str = "zh") -> _Patterns:
    return _Patterns(lang or "zh")


def _num(s: str) -> float:
    v = float(s)
    return v


# ------------------------------------------------------------------------------------------------ detection

def document_text(document) -> str:
    """The text scoring detection works on: clause texts in order (titles of headings included)."""
    parts = []
    if getattr(document, "clauses", None):
        for c in document.clauses:
            t = c.text or ""
            if c.title and c.title not in t:
                t = f"{c.title} {t}".strip()
            parts.append(t)
    else:
        parts = [b.text for b in getattr(document, "blocks", []) or []]
    return "\n".join(parts)


def is_scoring_text(text: str, lang: str = "zh") -> bool:
    p = patterns(lang)
    return sum(1 for s in p.signals if s in text) >= 2


def detect_score_sheet(document, lang: Optional[str] = None) -> Optional[ScoreSheet]:
    """Find the scoring scheme of ``document`` (a :class:`stdkb.model.Document` or a string).

    Returns ``None`` when the text does not score (fewer than two scoring signals and no grade band)."""
    if isinstance(document, str):
        text, clauses, lang = document, [], lang or "zh"
    else:
        text, clauses, lang = document_text(document), list(document.clauses or []), lang or document.lang or "zh"
    p = patterns(lang)
    t = fold(text)
    sheet = ScoreSheet(lang=lang)

    for rx in p.total:
        m = rx.search(t)
        if m:
            sheet.total = _num(m.group("n"))
            break

    # sections: "其中“A”与“B”均为100分" -- the names are in the comma-clause before the anchor
    if p.section_all:
        for m in p.section_all.finditer(t):
            start = max(0, m.start() - p.section_window)
            head = t[start:m.start()]
            cut = max(head.rfind(x) for x in ",，。;；:：\n")
            head = head[cut + 1:]
            names = p.section_quoted.findall(head)
            if not names:
                names = [x.strip() for x in p.section_split.split(head)]
            for n in names:
                n = p.strip_lead.sub("", n.strip())
                if len(n) >= 2 and not sheet.section(n):
                    sheet.sections.append(Section(n, _num(m.group("n")), text=(head + m.group(0)).strip()))
    # sections: "...附加分项给予直接加分,满分为30分"
    for m in p.max_re.finditer(t):
        start = max(t.rfind("。", 0, m.start()), t.rfind("\n", 0, m.start()), m.start() - 60)
        window = t[start + 1:m.start()]
        name = None
        bonus = False
        for b in p.bonus:
            i = window.rfind(b)
            if i >= 0:
                name = b + ("项" if window[i + len(b):i + len(b) + 1] == "项" else "")
                bonus = True
                break
        if name is None:
            quoted = re.findall(r"[“\"]([^”\"]{2,12})[”\"]", window)
            if quoted:
                name = quoted[-1]
            else:
                nouns = [p.strip_lead.sub("", x) for x in p.section_noun.findall(window)]
                name = nouns[-1] if nouns else None
        if name and not sheet.section(name):
            sheet.sections.append(Section(name, _num(m.group("n")), bonus=bonus, text=t[start + 1:m.end()].strip()))

    if p.formula:
        for m in p.formula.finditer(t):
            sheet.formulas.append({
                "text": m.group(0).strip(), "lhs": m.group("lhs").strip(), "numerator": m.group("num").strip(),
                "denominator": m.group("den").strip(), "scale": _num(m.group("scale")),
            })
    if p.example:
        for m in p.example.finditer(t):
            sheet.examples.append({"earned": _num(m.group("earned")), "possible": _num(m.group("possible")),
                                   "scale": _num(m.group("scale")), "result": _num(m.group("result")),
                                   "text": m.group(0)})
    # formulas that are only worked examples ("68÷80×100=85") are not formulas
    sheet.formulas = [f for f in sheet.formulas if not re.fullmatch(r"[\d.\s]+", f["numerator"])]

    sheet.bands = _detect_bands(t, p)
    sheet.veto = _detect_veto(t, clauses, p)
    sheet.guarantee_zero = bool(p.guarantee_zero and p.guarantee_zero.search(t))
    sheet.deduction_cap = any(w in t for w in p.deduction_cap)
    sheet.percent_scale = any(w in t for w in p.percent_scale)

    signals = sum(1 for s in p.signals if s in t)
    found = (sheet.total is not None) + bool(sheet.sections) + bool(sheet.bands) + bool(sheet.formulas)
    if found == 0 or (signals < 2 and not sheet.bands):
        return None
    return sheet


def _detect_bands(t: str, p: _Patterns) -> list:
    names = list(p.grade_name.finditer(t))
    bands: list[GradeBand] = []
    seen = set()
    for i, m in enumerate(names):
        name = (m.group("q") or m.group("u") or "").strip()
        if m.group("u") and p.grade_lead_split is not None:
            name = p.grade_lead_split.split(name)[-1]
        if not name or name in seen:
            continue
        end = names[i + 1].start() if i + 1 < len(names) else len(t)
        body = t[m.end():end]
        stop = re.search(r"[。;\n]", body)
        if stop:
            body = body[:stop.start()]
        v = p.grade_value.search(body)
        if not v:
            continue
        cmp = None
        if v.group("cmp"):
            cmp = p.cmp_after.get(v.group("cmp"))
        if cmp is None:
            before = body[max(0, v.start() - 8):v.start()]
            for w, c in sorted(p.cmp_before.items(), key=lambda kv: -len(kv[0])):
                if w in before:
                    cmp = c
                    break
        if cmp is None:
            after = body[v.end():v.end() + 6]
            for w, c in sorted(p.cmp_after.items(), key=lambda kv: -len(kv[0])):
                if w in after:
                    cmp = c
                    break
        if cmp is None and p.inclusive in v.group(0):
            cmp = ">="
        if cmp is None:
            continue
        seen.add(name)
        bands.append(GradeBand(name=name, comparator=cmp, value=_num(v.group("n")), text=(m.group(0) + body).strip()))
    # the other order: "90分及以上为优秀, 75~89分为良好, 60分以下为不合格"
    if p.grade_reverse is not None:
        for m in p.grade_reverse.finditer(t):
            name = m.group("name")
            if name in seen:
                continue
            c = m.group("cmp") or ""
            if m.group("b"):
                cmp, value = ">=", _num(m.group("a"))
            elif "以上" in c:
                cmp, value = ">=", _num(m.group("a"))
            elif "以下" in c or "以内" in c:
                cmp, value = ("<=" if "及" in c else "<"), _num(m.group("a"))
            else:
                continue
            seen.add(name)
            bands.append(GradeBand(name=name, comparator=cmp, value=value, text=m.group(0)))
    return bands


def _detect_veto(t: str, clauses: list, p: _Patterns) -> list:
    out = []
    if clauses:
        children: dict = {}
        for c in clauses:
            if c.parent:
                children.setdefault(c.parent, []).append(c)
        for c in clauses:
            txt = fold(c.text or "")
            if not any(w in txt for w in p.veto):
                continue
            kids = children.get(c.id, [])
            if kids:
                out.extend({"text": k.text.strip(), "clause_id": k.id} for k in kids)
                continue
            tail = _after_any(txt, p.veto)
            parts = [x.strip(" ;:。") for x in p.enum_split.split(tail) if x.strip(" ;:。")]
            if len(parts) >= 2 or (parts and tail.lstrip(" :").startswith(("1", "一"))):
                out.extend({"text": x, "clause_id": c.id} for x in parts)
            else:
                out.append({"text": txt.strip(), "clause_id": c.id})
        if out:
            return out
    for w in p.veto:
        i = t.find(w)
        if i < 0:
            continue
        tail = t[i + len(w):]
        stop = re.search(r"\s\((?:[一二三四五六七八九十]+|\d+)\)|\n\n", tail)
        if stop:
            tail = tail[:stop.start()]
        parts = [x.strip(" ;:。") for x in p.enum_split.split(tail) if x.strip(" ;:。")]
        out.extend({"text": x, "clause_id": None} for x in parts)
        break
    return out


def _after_any(s: str, words) -> str:
    for w in words:
        i = s.find(w)
        if i >= 0:
            return s[i + len(w):]
    return ""


# ------------------------------------------------------------------------------------- item-level detection

def item_points(text: str, lang: str = "zh") -> tuple[Optional[float], Optional[str]]:
    """Points an item is worth and its deduction rule, e.g. ("10", "每处扣2分"), from the item's text."""
    p = patterns(lang)
    t = fold(text or "")
    points = None
    for rx in p.item_points:
        m = rx.search(t)
        if m:
            points = _num(m.group("n"))
            break
    ded = None
    if p.item_deduction:
        ds = [m.group(0).strip() for m in p.item_deduction.finditer(t)]
        if ds:
            ded = "; ".join(ds)
    return points, ded


def is_guarantee(text: str, lang: str = "zh") -> bool:
    return any(w in (text or "") for w in patterns(lang).guarantee)


# ------------------------------------------------------------------------------------------------ computing

def normalise_result(value, lang: str = "zh") -> Optional[str]:
    """'pass' / 'fail' / 'na' / None for a result cell (合格, 不合格, 不适用, yes, n/a ...)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "pass" if value else "fail"
    s = str(value).strip().lower()
    if not s:
        return None
    return patterns(lang).results.get(s)


def _earned(points: float, r, lang: str):
    """(earned, possible, status) of one item result; possible None = not applicable / not checked."""
    if isinstance(r, dict):
        if normalise_result(r.get("result"), lang) == "na":
            return None, None, "na"
        if r.get("score") is not None:
            e = float(r["score"])
        elif r.get("deduction") is not None:
            e = points - float(r["deduction"])
        else:
            st = normalise_result(r.get("result"), lang)
            if st is None:
                return None, None, None
            e = points if st == "pass" else 0.0
        status = "pass" if e >= points else "fail"
        if normalise_result(r.get("result"), lang) == "fail":
            status = "fail"
    elif isinstance(r, (int, float)) and not isinstance(r, bool):
        e = float(r)
        status = "pass" if e >= points else "fail"
    else:
        st = normalise_result(r, lang)
        if st is None:
            try:
                e = float(str(r))
            except (TypeError, ValueError):
                return None, None, None
            status = "pass" if e >= points else "fail"
        elif st == "na":
            return None, None, "na"
        else:
            e = points if st == "pass" else 0.0
            status = st
    e = max(0.0, min(e, points))  # a deduction never goes below zero nor a score above the item's points
    return e, points, status


def grade_for(sheet: ScoreSheet, total: Optional[float]) -> Optional[str]:
    if total is None or not sheet.bands:
        return None
    ups = sorted([b for b in sheet.bands if b.comparator in (">=", ">")], key=lambda b: -b.value)
    for b in ups:
        if (total >= b.value) if b.comparator == ">=" else (total > b.value):
            return b.name
    for b in sheet.bands:
        if b.comparator in ("<", "<=") and ((total < b.value) if b.comparator == "<" else (total <= b.value)):
            return b.name
    return None


def lowest_band(sheet: ScoreSheet) -> Optional[str]:
    if not sheet.bands:
        return None
    downs = [b for b in sheet.bands if b.comparator in ("<", "<=")]
    if downs:
        return min(downs, key=lambda b: b.value).name
    return min(sheet.bands, key=lambda b: b.value).name


def compute_score(score_sheet: ScoreSheet, results: dict, *, veto: bool = False) -> dict:
    """Section scores, total, grade and veto state from inspection ``results``.

    ``results`` maps either item ids (of ``score_sheet.items``) to a result (合格/不合格/不适用, a number of
    points earned, or ``{"result"|"score"|"deduction": ...}``), or section names to
    ``{"earned": x, "possible": y}`` (a section's sums taken from a paper form), or both. See the module
    docstring for the formula."""
    sheet = score_sheet
    lang = sheet.lang or "zh"
    items = {i.id: i for i in sheet.items}
    order: list[str] = [s.name for s in sheet.sections]
    sums: dict[str, dict] = {}

    def acc(name):
        if name not in sums:
            sums[name] = {"earned": 0.0, "possible": 0.0, "checked": 0, "guarantee_failed": False, "given": False}
            if name not in order:
                order.append(name)
        return sums[name]

    vetoed = bool(veto)
    reasons = []
    any_points = any(i.points for i in sheet.items)
    for key, r in (results or {}).items():
        if key in items:
            it = items[key]
            if it.veto:
                st = normalise_result(r.get("result") if isinstance(r, dict) else r, lang)
                if st == "fail":
                    vetoed = True
                    reasons.append(it.id)
                continue
            pts = it.points if it.points is not None else (0.0 if any_points else 1.0)
            e, poss, status = _earned(pts, r, lang)
            if poss is None:
                continue
            s = acc(it.section or "")
            s["earned"] += e
            s["possible"] += poss
            s["checked"] += 1
            if it.guarantee and status == "fail":
                s["guarantee_failed"] = True
        elif isinstance(r, dict) and ("earned" in r or "possible" in r):
            s = acc(key)
            s["earned"] += float(r.get("earned") or 0)
            poss = r.get("possible")
            if poss is None:
                sec = sheet.section(key)
                poss = sec.max if sec and sec.max is not None else 0
            s["possible"] += float(poss)
            s["given"] = True
            if r.get("guarantee_failed"):
                s["guarantee_failed"] = True
        elif key in ("veto", "__veto__"):
            if r:
                vetoed = True
                reasons.append(str(r) if not isinstance(r, bool) else "veto")

    scale = sheet.scale
    out_sections = []
    total = 0.0
    weighted_e = weighted_p = 0.0
    for name in order:
        if name not in sums:
            continue
        s = sums[name]
        sec = sheet.section(name)
        mx = sec.max if sec else None
        bonus = bool(sec and sec.bonus)
        earned = s["earned"]
        if s["guarantee_failed"] and sheet.guarantee_zero:
            earned = 0.0
        if bonus:
            score = earned if mx is None else min(earned, mx)
        elif scale is not None:
            score = (earned / s["possible"] * scale) if s["possible"] > 0 else None
            if score is not None and mx is not None and mx != scale:
                score = score * mx / scale
        else:
            score = earned if mx is None else min(earned, mx)
        if score is not None:
            score = round(score, 2)
        out_sections.append({"name": name, "earned": round(earned, 2), "possible": round(s["possible"], 2),
                             "score": score, "max": mx, "bonus": bonus, "guarantee_failed": s["guarantee_failed"]})
        if score is None:
            continue
        if bonus:
            total += score
            continue
        w = mx if mx is not None else (scale or 100.0)
        weighted_e += score / (mx if mx is not None else (scale or 100.0)) * w
        weighted_p += w
        if not sheet.overall_ratio:
            total += score
    if sheet.overall_ratio and weighted_p:
        total = weighted_e / weighted_p * (scale or 100.0) + sum(
            x["score"] for x in out_sections if x["bonus"] and x["score"] is not None)
    total = round(total, 2) if out_sections else None
    grade = grade_for(sheet, total)
    if vetoed:
        grade = lowest_band(sheet)
    return {"sections": out_sections, "total": total, "max_total": sheet.total, "grade": grade,
            "vetoed": vetoed, "veto_reasons": reasons,
            "formula": [f["text"] for f in sheet.formulas]}


def check_examples(sheet: ScoreSheet) -> list:
    """Recompute the document's own worked examples ("68÷80×100=85") with the sheet's arithmetic."""
    out = []
    for ex in sheet.examples:
        got = round(ex["earned"] / ex["possible"] * ex["scale"], 2) if ex["possible"] else None
        out.append({**ex, "computed": got, "ok": got is not None and abs(got - ex["result"]) < 0.01})
    return out


def iter_section_names(sheet: ScoreSheet) -> Iterable[str]:
    return (s.name for s in sheet.sections)
