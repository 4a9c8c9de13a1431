"""Checklist generation: one item per normative statement of a standard, for audit apps and inspection forms.

    >>> from stdkb.checklist import build_checklist
    >>> cl = build_checklist(doc, modality="prohibition", section="4.5")
    >>> from stdkb.exporters import export
    >>> export([cl], "xlsx", "out.xlsx")

Each :class:`ChecklistItem` has a stable id ``<document id>:<clause path>#<n>`` (document ids are content
based, so re-ingesting the same document gives the same ids), the clause path and title chain, the
requirement text, modality, actor, condition/exception, testable criteria built from thresholds
("响应时间 <= 4 h"), the phrases to flag, points where the standard scores, and empty
result/evidence/inspector fields for the person filling it in. Where the document scores, the checklist
carries a :class:`stdkb.scoring.ScoreSheet` (see :func:`stdkb.scoring.compute_score`).
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Optional

from .model import Clause, Document

MODALITIES = ("obligation", "prohibition", "recommendation", "permission")
#: threshold units that are scores, not measurable criteria (points come from the scoring module instead)
SCORE_UNITS = {"points", "point", "分"}

_CMP_TEXT = {"<=": "<=", ">=": ">=", "<": "<", ">": ">", "=": "=", "==": "="}


@dataclass
class ChecklistItem:
    id: str
    document_id: str
    clause_id: str
    clause_label: Optional[str]
    path: list  # clause labels from the top, e.g. ["4", "4.5", "4.5.1"]
    titles: list  # title chain of the ancestors (and the clause itself when it is a heading)
    requirement: str
    modality: str
    actor: Optional[str] = None
    condition: Optional[str] = None
    exception: Optional[str] = None
    criteria: list = field(default_factory=list)  # ["响应时间 <= 4 h"]
    thresholds: list = field(default_factory=list)  # threshold dicts (model.Threshold fields)
    phrases: list = field(default_factory=list)  # [{"kind": "prohibited", "text": "不知道"}]
    section: Optional[str] = None  # the score-sheet section (or top-level heading) the item belongs to
    points: Optional[float] = None
    deduction: Optional[str] = None
    guarantee: bool = False
    veto: bool = False
    clause_text: str = ""
    line: Optional[int] = None
    page: Optional[int] = None
    confidence: float = 1.0
    result: str = ""
    evidence: str = ""
    inspector: str = ""
    remarks: str = ""
    path_titles: list = field(default_factory=list)  # title (or None) of each level of ``path``

    @property
    def path_str(self) -> str:
        return "/".join(str(x) for x in self.path)

    @property
    def title_chain(self) -> str:
        return " > ".join(t for t in self.titles if t)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "document_id": self.document_id, "clause_id": self.clause_id,
            "clause_label": self.clause_label, "path": [str(x) for x in self.path], "path_str": self.path_str,
            "titles": list(self.titles), "requirement": self.requirement, "modality": self.modality,
            "actor": self.actor, "condition": self.condition, "exception": self.exception,
            "criteria": list(self.criteria), "thresholds": list(self.thresholds), "phrases": list(self.phrases),
            "section": self.section, "points": self.points, "deduction": self.deduction,
            "guarantee": self.guarantee, "veto": self.veto, "clause_text": self.clause_text, "line": self.line,
            "page": self.page, "confidence": self.confidence,
            "result": self.result, "evidence": self.evidence, "inspector": self.inspector, "remarks": self.remarks,
            "path_titles": list(self.path_titles),
        }


@dataclass
class Checklist:
    document_id: str
    title: str
    source: str
    lang: str = "zh"
    items: list = field(default_factory=list)
    score_sheet: Any = None  # stdkb.scoring.ScoreSheet or None
    filters: dict = field(default_factory=dict)
    generated: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id, "title": self.title, "source": self.source, "lang": self.lang,
            "generated": self.generated, "filters": dict(self.filters),
            "items": [i.to_dict() for i in self.items],
            "score_sheet": self.score_sheet.to_dict() if self.score_sheet is not None else None,
        }

    def compute_score(self, results: Optional[dict] = None, **kw) -> dict:
        """Grade the filled-in checklist: ``results`` (item id -> result) or the items' own ``result``."""
        from .scoring import ScoreSheet, compute_score

        if results is None:
            results = {i.id: i.result for i in self.items if i.result}
        return compute_score(self.score_sheet or ScoreSheet(lang=self.lang, items=_score_items(self.items)),
                             results, **kw)


# --------------------------------------------------------------------------------------------- helpers

def criterion(t) -> str:
    """Readable test for one threshold: "响应时间 <= 4 h", "每分钟吐字 120–140 个"."""
    get = (lambda k: t.get(k)) if isinstance(t, dict) else (lambda k: getattr(t, k, None))
    q = (get("quantity") or "").strip()
    unit = (get("unit") or "").strip()
    cmp = get("comparator") or "="
    v, mx = get("value"), get("max")

    def num(x):
        if x is None:
            return "?"
        return str(int(x)) if float(x).is_integer() else f"{x:g}"

    if cmp == "range" or (mx is not None and cmp not in _CMP_TEXT):
        body = f"{num(v)}–{num(mx)}"
    else:
        body = f"{_CMP_TEXT.get(cmp, cmp)} {num(v)}"
    s = " ".join(x for x in (q, body, unit if unit != q else "") if x)
    if get("per"):
        s += f" / {get('per')}"
    if not q and get("text"):
        s = f"{s} ({get('text').strip()})"
    return s


@lru_cache(maxsize=8)
def _wording(lang: str) -> dict:
    from . import lang as langdata

    d = langdata.load_optional(lang or "zh", "checklist") or {}
    return {
        "generic": set(d.get("generic_quantities", [])),
        "stop": re.compile(d.get("context_stop", r"[,，。;；:：、\s]")),
        "lead": re.compile(d.get("context_strip_lead", r"^$")),
        "tail": re.compile(d.get("context_strip_tail", r"^$")),
        "min": int(d.get("context_min", 2)),
        "max": int(d.get("context_max", 0)),
    }


def context_quantity(clause_text: str, threshold_text: str, lang: str = "zh", others=()) -> Optional[str]:
    """The words just before a threshold in its clause, as a label for it: "一般故障排除" for
    "…,一般故障排除不超过4小时"; None when nothing usable precedes it."""
    w = _wording(lang)
    if not w["max"] or not threshold_text:
        return None
    i = (clause_text or "").find(threshold_text)
    if i <= 0:
        return None
    before = clause_text[max(0, i - 40):i]
    stops = list(w["stop"].finditer(before))
    seg = before[stops[-1].end():] if stops else before
    for o in others:  # never label a threshold with another one's words ("不宜小于1.0mX" before "1.8m")
        j = seg.rfind(o) if o and o != threshold_text else -1
        if j >= 0:
            seg = seg[j + len(o):]
    for _ in range(3):
        seg = w["tail"].sub("", w["lead"].sub("", seg.strip()))
    return seg if w["min"] <= len(seg) <= w["max"] else None


def _label_thresholds(ths: list, clause_text: str, lang: str) -> list:
    """Criteria of ``ths``: a generic or missing quantity is replaced by the clause's own words."""
    generic = _wording(lang)["generic"]
    out = []
    for t in ths:
        q = getattr(t, "quantity", None)
        if not q or q in generic:
            label = context_quantity(clause_text, t.text, lang, [x.text for x in ths])
            if label:
                d = _asdict(t)
                d["quantity"] = label
                out.append(criterion(d))
                continue
        out.append(criterion(t))
    return out


def _asdict(x) -> dict:
    from dataclasses import asdict, is_dataclass

    return asdict(x) if is_dataclass(x) else dict(x)


def _chain(clause: Clause, by_id: dict) -> list:
    chain = []
    seen = set()
    c = clause
    while c is not None and c.id not in seen:
        seen.add(c.id)
        chain.append(c)
        c = by_id.get(c.parent) if c.parent else None
    return list(reversed(chain))


def _label(c: Clause) -> str:
    return str(c.label if c.label not in (None, "") else (c.raw_label or c.id.rsplit(":", 1)[-1]))


def clause_path(clause: Clause, by_id: dict) -> list:
    if clause.path:
        return [str(x) for x in clause.path]
    if clause.kind == "text" and not clause.label:
        return []  # unnumbered text before the first clause
    return [_label(c) for c in _chain(clause, by_id)]


def _level_title(c: Clause) -> Optional[str]:
    t = c.title or (c.text if c.kind == "heading" else "")
    return " ".join(t.split())[:80] if t else None


def _path_titles(chain: list, path: list) -> list:
    titles = [_level_title(c) for c in chain]
    if len(titles) >= len(path):
        return titles[len(titles) - len(path):]
    return [None] * (len(path) - len(titles)) + titles


def _titles(clause: Clause, by_id: dict) -> list:
    out = []
    for c in _chain(clause, by_id):
        if c is clause and c.kind != "heading" and not c.title:
            break  # a plain clause is an item, not a heading; a titled clause ("1 总则 ...") is both
        t = c.title or (c.text if c.kind == "heading" else "")
        if t:
            out.append(" ".join(t.split())[:80])
    return out


def match_section(path: list, prefix: Optional[str]) -> bool:
    """``--section`` filter: "4.5" (a clause label anywhere on the path) or "4/4.5" (a path prefix)."""
    if not prefix:
        return True
    prefix = prefix.strip().strip("/")
    parts = [str(x) for x in path]
    if "/" in prefix:
        want = [x for x in prefix.split("/") if x]
        return parts[:len(want)] == want
    return prefix in parts


def _phrases_for(phrases: list, text: str, all_texts: list) -> list:
    """The clause's phrases an item flags: those its own statement quotes; when no statement of the clause
    quotes a phrase, every item of the clause flags it."""
    if len(all_texts) <= 1:
        return list(phrases)
    norm = lambda s: "".join((s or "").split())  # noqa: E731
    mine = norm(text)
    out = []
    for p in phrases:
        pt = norm(p["text"])
        if pt in mine or not any(pt in norm(t) for t in all_texts):
            out.append(p)
    return out


def _defines_scoring(clause: Clause, sheet) -> bool:
    from .text import fold

    t = fold(clause.text or "")
    texts = [s.text for s in sheet.sections] + [f["text"] for f in sheet.formulas] + [b.text for b in sheet.bands]
    return any(x and x.strip() and x.strip() in t for x in texts)


def _score_items(items) -> list:
    from .scoring import ScoreItem

    return [ScoreItem(id=i.id, section=i.section, points=i.points, deduction=i.deduction, guarantee=i.guarantee,
                      veto=i.veto) for i in items]


# --------------------------------------------------------------------------------------------- building

def build_checklist(document: Document, *, modality: Optional[str] = None, actor: Optional[str] = None,
                    section: Optional[str] = None, with_thresholds_only: bool = False,
                    min_confidence: float = 0.0) -> Checklist:
    """One :class:`ChecklistItem` per normative statement of ``document`` (each obligation of each clause;
    a clause with phrases, thresholds or points but no obligation still gives one item).

    Filters: ``modality``, ``actor`` (substring), ``section`` (see :func:`match_section`),
    ``with_thresholds_only`` (items with a measurable criterion), ``min_confidence`` (drop statements the
    extractor was less sure of, e.g. 0.7 drops bare imperative guesses)."""
    from . import scoring

    lang = document.lang or "zh"
    by_id = {c.id: c for c in document.clauses}
    sheet = scoring.detect_score_sheet(document, lang=lang)
    veto_ids = {v["clause_id"] for v in (sheet.veto if sheet else []) if v.get("clause_id")}
    sec_names = [s.name for s in sheet.sections] if sheet else []
    items: list[ChecklistItem] = []
    all_items: list[ChecklistItem] = []
    modality = modality.lower() if modality else None

    for clause in document.clauses:
        # an "obligation" that is only the heading's own title ("服务承诺") is not a statement
        title = " ".join((clause.title or "").split())
        obligations = [o for o in (clause.obligations or []) if not title or " ".join((o.text or "").split()) != title]
        phrases = [{"kind": p.kind, "text": p.text} for p in (clause.phrases or [])]
        # score values ("(10分)", "扣2分") are points, not testable criteria
        thresholds = [t for t in (clause.thresholds or []) if (t.unit or "") not in SCORE_UNITS
                      and (t.si_unit or "") not in SCORE_UNITS]
        points, deduction = scoring.item_points(clause.text, lang) if sheet else (None, None)
        if sheet and _defines_scoring(clause, sheet):
            points, deduction = None, None  # "附加分项…满分为30分" is a section maximum, not an item's points
        is_veto = clause.id in veto_ids
        if not obligations and not phrases and not thresholds and points is None and not is_veto:
            continue
        path = clause_path(clause, by_id)
        titles = _titles(clause, by_id)
        chain = _chain(clause, by_id)
        sec = None
        if sec_names:
            # headings on the way down (and the opening words of enclosing clauses), not the clause itself:
            # the clause that *defines* the sections ("“安全施工”与“文明施工”均为100分") belongs to none
            chain_text = " ".join((c.title or "") + " " + (c.text or "")[:30] for c in chain[:-1])
            chain_text += " " + (clause.title or "") + (" " + clause.text if clause.kind == "heading" else "")
            sec = next((n for n in sec_names if n in chain_text), None)
        if sec is None:
            top = chain[0] if chain else clause
            sec = None if top.kind == "text" else (
                (top.title or (top.text if top.kind == "heading" else "") or _label(top)).strip()[:40] or None)
        guarantee = any(scoring.is_guarantee((c.title or "") + (c.text or "")[:40], lang) for c in chain)

        # thresholds go to the obligation whose span of the clause text holds them (both come in text order);
        # else to the first obligation quoting their text; the rest to the first item
        per_ob: list[list] = [[] for _ in obligations]
        leftover = []
        ctext = clause.text or ""
        spans = []
        at = 0
        for ob in obligations:
            i = ctext.find(ob.text or "\0", at) if ob.text else -1
            if i < 0 and ob.text:
                i = ctext.find(ob.text)
            spans.append((i, i + len(ob.text or "")) if i >= 0 else None)
            if i >= 0:
                at = i + 1
        tpos = 0
        for t in thresholds:
            k_found = None
            j = ctext.find(t.text, tpos) if t.text else -1
            if j >= 0:
                tpos = j + 1
                k_found = next((k for k, sp in enumerate(spans) if sp and sp[0] <= j < sp[1]), None)
            if k_found is None:
                k_found = next((k for k, ob in enumerate(obligations) if t.text and t.text in (ob.text or "")), None)
            if k_found is None:
                leftover.append(t)
            else:
                per_ob[k_found].append(t)
        if obligations:
            per_ob[0].extend(leftover)
            specs = [(ob.text, ob.modality, ob.actor, ob.condition, ob.exception, per_ob[k], ob.confidence)
                     for k, ob in enumerate(obligations)]
        else:
            mod = "prohibition" if any(p["kind"] == "prohibited" for p in phrases) or is_veto else "obligation"
            specs = [(clause.text, mod, None, None, None, thresholds, 1.0)]

        # the clause id without the document prefix ("4/4.5/4.5.1", "3/2/A~2" for a repeated number): unique
        # within the document and stable across re-ingestion
        if clause.id.startswith(document.id + ":"):
            base = clause.id[len(document.id) + 1:]
        else:
            base = "/".join(path) or clause.id
        # points: each statement's own "(N分)" when the statements carry them, else the clause's points on its
        # first item only (one scored check, several statements: the points are not counted twice)
        own = [scoring.item_points(sp[0], lang) if sheet and len(specs) > 1 else (None, None) for sp in specs]
        per_statement = any(p is not None for p, _ in own)
        for n, (text, mod, act, cond, exc, ths, conf) in enumerate(specs, start=1):
            if is_veto:  # a veto item is an event that must not happen
                mod = "prohibition"
            if per_statement:
                ob_points, ob_ded = own[n - 1]
            elif n == 1:
                ob_points, ob_ded = points, deduction
            else:
                ob_points, ob_ded = None, None
            item = ChecklistItem(
                id=f"{document.id}:{base}#{n}", document_id=document.id, clause_id=clause.id,
                clause_label=clause.label, path=path, titles=titles, requirement=" ".join((text or "").split()),
                modality=mod, actor=act, condition=cond, exception=exc,
                criteria=_label_thresholds(ths, clause.text or "", lang), thresholds=[_asdict(t) for t in ths],
                phrases=_phrases_for(phrases, text, [sp[0] for sp in specs]),
                section=sec, points=ob_points, deduction=ob_ded if ob_points is not None else None,
                guarantee=guarantee, veto=is_veto,
                clause_text=" ".join((clause.text or "").split()), line=clause.line, page=clause.page,
                confidence=conf, path_titles=_path_titles(chain, path),
            )
            all_items.append(item)
            if modality and item.modality != modality:
                continue
            if actor and actor not in (item.actor or ""):
                continue
            if section and not match_section(path, section):
                continue
            if with_thresholds_only and not item.thresholds:
                continue
            if min_confidence and item.confidence < min_confidence:
                continue
            items.append(item)

    if sheet is not None:
        sheet.items = _score_items(all_items)
        # veto statements of a run-on paragraph have no clause of their own: give them items
        for k, v in enumerate(x for x in sheet.veto if not x.get("clause_id")):
            vid = f"{document.id}:veto#{k + 1}"
            sheet.items.append(scoring.ScoreItem(id=vid, section=None, veto=True))
            if (not modality or modality == "prohibition") and not section and not with_thresholds_only \
                    and not actor:
                items.append(ChecklistItem(id=vid, document_id=document.id, clause_id="", clause_label=None,
                                           path=["veto", str(k + 1)], titles=[], requirement=v["text"],
                                           modality="prohibition", veto=True, clause_text=v["text"]))
    filters = {k: v for k, v in (("modality", modality), ("actor", actor), ("section", section),
                                 ("with_thresholds_only", with_thresholds_only), ("min_confidence", min_confidence))
               if v}
    return Checklist(document_id=document.id, title=document.title, source=document.source, lang=lang,
                     items=items, score_sheet=sheet, filters=filters,
                     generated=_dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat())


def build_checklists(documents: Iterable[Document], *, include_duplicates: bool = False, **filters) -> list:
    """Checklists of several documents (near-duplicates skipped unless ``include_duplicates``)."""
    return [build_checklist(d, **filters) for d in documents if include_duplicates or not d.duplicate_of]


def pick_document(documents: list, wanted: Optional[str]) -> list:
    """Documents matching ``wanted`` (an id, an id prefix or a title substring), all when ``wanted`` is None."""
    if not wanted:
        return documents
    w = wanted.strip()
    exact = [d for d in documents if d.id == w or d.title == w]
    if exact:
        return exact[:1]
    return [d for d in documents if d.id.startswith(w) or w in (d.title or "")]
