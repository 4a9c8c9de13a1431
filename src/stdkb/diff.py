"""Compare two versions of a standard clause by clause.

    diff_documents(old, new) -> DiffResult      (library; ``.to_dict()`` for JSON)
    format_diff(result) -> str                  readable report, grouped by kind of change

Clauses are matched in three passes (a clause's *number* is its label and those of its ancestors):

1. identical text (whitespace and full-width folded, number stripped): same number and same parent text
   first, then same parent text (moved with its section), then same number, then anywhere -- a clause
   inserted or deleted before it only renumbers it;
2. similar text, best pairs first: the same number with ratio >= ``SAME_LABEL_MIN`` (scored with a bonus)
   or another number with ratio >= ``RENUMBER_MIN``;
3. same number with weakly similar text (ratio >= ``REWORD_MIN``): the clause was rewritten in place.

Whatever is left is added (new) or removed (old). A matched pair whose number changed is *renumbered*; a
pair with the same number and different text is *reworded*. For every matched pair the extracted rules are
compared: thresholds (value, maximum, unit, comparator), obligations (modality). Phrases (prohibited and
required) are compared over the whole document, since a new forbidden phrase usually arrives as a new clause.
Thresholds and obligations of added or removed clauses are listed with those clauses.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

SAME_LABEL_MIN = 0.5
RENUMBER_MIN = 0.8
REWORD_MIN = 0.3


# --------------------------------------------------------------------------------------------- result

@dataclass
class DiffResult:
    old: dict
    new: dict
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    renumbered: list = field(default_factory=list)
    reworded: list = field(default_factory=list)
    thresholds: list = field(default_factory=list)
    modality: list = field(default_factory=list)
    phrases: list = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return any((self.added, self.removed, self.renumbered, self.reworded, self.thresholds, self.modality,
                    self.phrases))

    def summary(self) -> dict[str, int]:
        return {"thresholds_changed": len(self.thresholds), "modality_changed": len(self.modality),
                "phrases_changed": len(self.phrases), "added": len(self.added), "removed": len(self.removed),
                "renumbered": len(self.renumbered), "reworded": len(self.reworded), "unchanged": self.unchanged}

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["summary"] = self.summary()
        return d


# --------------------------------------------------------------------------------------------- text helpers

_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text or ""))


def _clause_text(c) -> str:
    """The clause's text without its own number, normalised (full-width folded, no whitespace)."""
    t = _norm(c.text)
    for lab in (c.raw_label, c.label):
        lab = _norm(lab or "")
        if lab and t.startswith(lab):
            t = t[len(lab):].lstrip(".、)）．")
            break
    return t


def _ratio(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def text_changes(a: str, b: str) -> list[dict]:
    """Character-level edits turning ``a`` into ``b``: ``[{"op": "replace", "old": "4", "new": "2"}, ...]``."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [{"op": op, "old": a[i1:i2], "new": b[j1:j2]} for op, i1, i2, j1, j2 in sm.get_opcodes() if op != "equal"]


def inline_diff(a: str, b: str) -> str:
    """``a`` with edits marked ``[-old-]{+new+}`` (wdiff style)."""
    out = []
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out.append(a[i1:i2])
        else:
            if i2 > i1:
                out.append(f"[-{a[i1:i2]}-]")
            if j2 > j1:
                out.append(f"{{+{b[j1:j2]}+}}")
    return "".join(out)


# --------------------------------------------------------------------------------------------- clause info

class _Side:
    """One version's clauses with their matching keys and display labels."""

    def __init__(self, doc):
        self.doc = doc
        self.clauses = [c for c in doc.clauses if (c.text or "").strip() or c.label]
        by_id = {c.id: c for c in doc.clauses}
        label_count: dict = {}
        for c in self.clauses:
            label_count[c.label] = label_count.get(c.label, 0) + 1
        self.key = {}
        self.display = {}
        self.text = {}
        for c in self.clauses:
            chain, p, seen = [], c, set()
            while p is not None and p.id not in seen:
                seen.add(p.id)
                chain.append(p.label or "")
                p = by_id.get(p.parent) if p.parent else None
            chain.reverse()
            self.key[c.id] = tuple(chain) if c.label else None
            if c.label and label_count[c.label] == 1:
                self.display[c.id] = c.label
            elif c.label:
                # "3.1.2 / 1": the label alone is ambiguous (several lists numbered 1, 2, 3...)
                self.display[c.id] = " / ".join(x for x in _compact_chain(chain) if x)
            else:
                self.display[c.id] = f"(unnumbered, line {c.line})" if c.line else "(unnumbered)"
            self.text[c.id] = _clause_text(c)

    def info(self, c) -> dict:
        d = {"id": c.id, "label": self.display[c.id], "text": c.text}
        if c.title:
            d["title"] = c.title
        if c.thresholds:
            d["thresholds"] = [t.text for t in c.thresholds]
        if c.obligations:
            d["obligations"] = [{"modality": o.modality, "text": o.text} for o in c.obligations]
        return d


def _compact_chain(chain):
    """Drop ancestors a decimal label already contains ("3", "3.1", "3.1.2", "1" -> "3.1.2", "1")."""
    out = []
    for i, lab in enumerate(chain):
        nxt = chain[i + 1] if i + 1 < len(chain) else None
        if nxt and lab and nxt.startswith(lab + "."):
            continue
        out.append(lab)
    return out


# --------------------------------------------------------------------------------------------- matching

def _match(A: _Side, B: _Side) -> list[tuple]:
    """Pairs (old clause, new clause, ratio). Clauses are tracked by position (dataclass equality would
    confuse two clauses with the same content)."""
    pairs = []
    left_a = dict.fromkeys(range(len(A.clauses)))  # ordered sets of positions
    left_b = dict.fromkeys(range(len(B.clauses)))
    ka = [A.key[c.id] for c in A.clauses]
    kb = [B.key[c.id] for c in B.clauses]
    ta = [A.text[c.id] for c in A.clauses]
    tb = [B.text[c.id] for c in B.clauses]
    # the parent's text: tells apart identical short clauses ("基本要求", "“不知道”") under different headings
    pa = [A.text.get(c.parent, "") if c.parent else "" for c in A.clauses]
    pb = [B.text.get(c.parent, "") if c.parent else "" for c in B.clauses]

    def take(i, j, r):
        pairs.append((i, j, r))
        del left_a[i]
        del left_b[j]

    by_key_b: dict = {}
    for j in left_b:
        if kb[j] is not None:
            by_key_b.setdefault(kb[j], []).append(j)

    def exact(same_key: bool, same_parent: bool):
        index: dict = {}
        for j in left_b:
            if tb[j]:
                index.setdefault((tb[j], kb[j] if same_key else None, pb[j] if same_parent else None), []).append(j)
        for i in list(left_a):
            if not ta[i] or (same_key and ka[i] is None):
                continue
            cands = [j for j in index.get((ta[i], ka[i] if same_key else None, pa[i] if same_parent else None), ())
                     if j in left_b]
            if cands:
                a = A.clauses[i]
                cands.sort(key=lambda j: (B.clauses[j].kind != a.kind,
                                          abs((B.clauses[j].level or 0) - (a.level or 0)), abs(j - i)))
                take(i, cands[0], 1.0)

    # 1. identical text: same number and parent, then moved with its parent, then same number, then anywhere
    exact(True, True)
    exact(False, True)
    exact(True, False)
    exact(False, False)

    # 2. similar text: the same number with ratio >= SAME_LABEL_MIN (bonus), or anywhere with ratio >=
    #    RENUMBER_MIN; best pairs first, so a clause that moved is not claimed by whatever now has its number
    scored = []
    for i in left_a:
        if not ta[i]:
            continue
        for j in left_b:
            if not tb[j]:
                continue
            same = ka[i] is not None and ka[i] == kb[j]
            floor = SAME_LABEL_MIN if same else RENUMBER_MIN
            sm = difflib.SequenceMatcher(None, ta[i], tb[j], autojunk=False)
            if sm.real_quick_ratio() < floor or sm.quick_ratio() < floor:
                continue
            r = sm.ratio()
            if r >= floor:
                bonus = 0.15 if same else 0.0
                if pa[i] == pb[j]:
                    bonus += 0.05
                scored.append((-(r + bonus), abs(i - j), i, j, r))
    scored.sort()
    for _, _, i, j, r in scored:
        if i in left_a and j in left_b:
            take(i, j, r)

    # 3. same number, rewritten in place
    for i in list(left_a):
        if ka[i] is None:
            continue
        for j in by_key_b.get(ka[i], ()):
            if j in left_b:
                r = _ratio(ta[i], tb[j])
                if r >= REWORD_MIN:
                    take(i, j, r)
                break
    pairs.sort(key=lambda p: p[1])
    return [(A.clauses[i], B.clauses[j], r) for i, j, r in pairs]


# --------------------------------------------------------------------------------------------- rules

def _tdict(t) -> dict:
    d = {"text": t.text, "value": t.value, "max": t.max, "unit": t.unit, "comparator": t.comparator}
    if t.si_value is not None:
        d["si_value"] = t.si_value
        d["si_unit"] = t.si_unit
    if t.quantity:
        d["quantity"] = t.quantity
    return d


def _tsig(t):
    return (t.value, t.max, (t.unit or "").strip(), t.comparator)


def _tdim(t):
    return t.si_unit or t.unit or ""


def _diff_thresholds(a, b, ctx) -> list[dict]:
    old = list(a.thresholds)
    new = list(b.thresholds)
    # identical thresholds are unchanged
    for t in list(old):
        for u in new:
            if _tsig(t) == _tsig(u):
                old.remove(t)
                new.remove(u)
                break
    out = []
    # pair the rest: same dimension first (hours with hours), in order of appearance
    for t in list(old):
        for u in new:
            if _tdim(t) == _tdim(u):
                old.remove(t)
                new.remove(u)
                out.append((t, u))
                break
    for t, u in zip(list(old), list(new)):
        old.remove(t)
        new.remove(u)
        out.append((t, u))
    rows = []
    for t, u in out:
        fields = [f for f, x, y in (("value", t.value, u.value), ("max", t.max, u.max),
                                    ("unit", (t.unit or "").strip(), (u.unit or "").strip()),
                                    ("comparator", t.comparator, u.comparator)) if x != y]
        rows.append({**ctx, "change": "changed", "fields": fields, "old": _tdict(t), "new": _tdict(u)})
    rows += [{**ctx, "change": "removed", "fields": [], "old": _tdict(t), "new": None} for t in old]
    rows += [{**ctx, "change": "added", "fields": [], "old": None, "new": _tdict(u)} for u in new]
    return rows


def _diff_obligations(a, b, ctx) -> list[dict]:
    old = list(a.obligations)
    new = list(b.obligations)
    # pair by similarity (a modal word changed keeps the rest of the text), ties in order of appearance
    scored = sorted((-_ratio(_norm(o.text), _norm(n.text)), abs(i - j), i, j) for i, o in enumerate(old)
                    for j, n in enumerate(new))
    used_o, used_n, pairs = set(), set(), []
    for negr, _, i, j in scored:
        if -negr < 0.4 or i in used_o or j in used_n:
            continue
        used_o.add(i)
        used_n.add(j)
        pairs.append((old[i], new[j]))
    old = [o for i, o in enumerate(old) if i not in used_o]
    new = [n for j, n in enumerate(new) if j not in used_n]
    rows = []
    for o, n in pairs:
        if o.modality != n.modality:
            rows.append({**ctx, "change": "changed", "old_modality": o.modality, "new_modality": n.modality,
                         "old_text": o.text, "new_text": n.text, "actor": n.actor or o.actor})
    rows += [{**ctx, "change": "removed", "old_modality": o.modality, "new_modality": None, "old_text": o.text,
              "new_text": None, "actor": o.actor} for o in old]
    rows += [{**ctx, "change": "added", "old_modality": None, "new_modality": n.modality, "old_text": None,
              "new_text": n.text, "actor": n.actor} for n in new]
    return rows


def _phrases(side: _Side) -> dict:
    out = {}
    n = 0
    for c in side.clauses:
        for p in c.phrases:
            n += 1
            out.setdefault((p.kind, _norm(p.text)), (p.text, side.display[c.id], n))
    return out


# --------------------------------------------------------------------------------------------- main

def _doc_info(doc) -> dict:
    return {"id": doc.id, "title": doc.title, "source": doc.source, "clauses": len(doc.clauses)}


def diff_documents(old, new) -> DiffResult:
    """Compare two :class:`stdkb.model.Document` s (an old and a new version of a standard)."""
    A, B = _Side(old), _Side(new)
    res = DiffResult(old=_doc_info(old), new=_doc_info(new))
    pairs = _match(A, B)
    matched_a = {a.id for a, _, _ in pairs}
    matched_b = {b.id for _, b, _ in pairs}

    for a, b, r in pairs:
        ta, tb = A.text[a.id], B.text[b.id]
        la, lb = A.display[a.id], B.display[b.id]
        ctx = {"old_label": la, "new_label": lb, "old_id": a.id, "new_id": b.id}
        renumbered = A.key[a.id] != B.key[b.id]
        if renumbered:
            row = {**ctx, "similarity": round(r, 3), "text": b.text}
            if ta != tb:
                row["changes"] = text_changes(ta, tb)
                row["inline"] = inline_diff(ta, tb)
            res.renumbered.append(row)
        elif ta != tb:
            res.reworded.append({**ctx, "label": lb, "similarity": round(r, 3), "old_text": a.text,
                                 "new_text": b.text, "changes": text_changes(ta, tb),
                                 "inline": inline_diff(ta, tb)})
        th = _diff_thresholds(a, b, ctx)
        ob = _diff_obligations(a, b, ctx)
        res.thresholds += th
        res.modality += ob
        if not renumbered and ta == tb and not th and not ob:
            res.unchanged += 1

    res.added = [B.info(c) for c in B.clauses if c.id not in matched_b]
    res.removed = [A.info(c) for c in A.clauses if c.id not in matched_a]

    pa, pb = _phrases(A), _phrases(B)
    rows = [("removed", key, pa[key]) for key in pa.keys() - pb.keys()]
    rows += [("added", key, pb[key]) for key in pb.keys() - pa.keys()]
    # prohibited before required, removals before additions, then in document order
    rows.sort(key=lambda x: (x[1][0] != "prohibited", x[1][0], x[0] != "removed", x[2][2]))
    res.phrases = [{"change": ch, "kind": key[0], "text": v[0], "label": v[1]} for ch, key, v in rows]
    return res


# --------------------------------------------------------------------------------------------- report

def _fmt_threshold(t: Optional[dict]) -> str:
    if not t:
        return "—"
    cmp = t.get("comparator") or ""
    val = t.get("value")
    v = "" if val is None else (f"{val:g}" if isinstance(val, float) else str(val))
    if t.get("max") is not None:
        v += f"–{t['max']:g}" if isinstance(t["max"], float) else f"–{t['max']}"
    return f"{cmp} {v}{t.get('unit') or ''}".strip() + f"  «{t.get('text')}»"


def _lbl(row) -> str:
    a, b = row.get("old_label"), row.get("new_label")
    return b if a == b else f"{a} → {b}"


def format_diff(res: DiffResult, *, max_text: int = 120) -> str:
    """A readable report: thresholds, modality, phrases first (what compliance staff act on), then the
    clause-level changes."""

    def cut(s):
        s = " ".join((s or "").split())
        return s if len(s) <= max_text else s[: max_text - 1] + "…"

    lines = [f"--- {res.old['title']}  ({res.old['source']})", f"+++ {res.new['title']}  ({res.new['source']})"]
    s = res.summary()
    lines.append("  ".join(f"{k.replace('_', ' ')}: {v}" for k, v in s.items()))
    if not res.changed:
        lines.append("")
        lines.append("No differences.")
        return "\n".join(lines)

    def section(title, rows, fmt):
        if rows:
            lines.append("")
            lines.append(f"{title} ({len(rows)})")
            for r in rows:
                lines.extend("  " + x for x in fmt(r))

    section("Thresholds changed", res.thresholds,
            lambda r: [f"{_lbl(r)}: {r['change']}: {_fmt_threshold(r['old'])} → {_fmt_threshold(r['new'])}"
                       + (f"  [{', '.join(r['fields'])}]" if r["fields"] else "")])
    section("Modality changed", res.modality,
            lambda r: [f"{_lbl(r)}: {r['old_modality'] or '—'} → {r['new_modality'] or '—'}"
                       + (f"  ({r['actor']})" if r.get("actor") else ""),
                       f"    {cut(r['new_text'] or r['old_text'])}"])
    section("Phrases", res.phrases,
            lambda r: [f"{'+' if r['change'] == 'added' else '-'} {r['kind']}: “{r['text']}”  ({r['label']})"])
    section("Added", res.added, lambda r: [f"+ {r['label']}  {cut(r['text'])}"])
    section("Removed", res.removed, lambda r: [f"- {r['label']}  {cut(r['text'])}"])
    section("Renumbered", res.renumbered,
            lambda r: [f"{r['old_label']} → {r['new_label']}"
                       + ("" if r["similarity"] == 1.0 else f"  (similarity {r['similarity']:.2f})")
                       + f"  {cut(r.get('inline') or r['text'])}"])
    section("Reworded", res.reworded,
            lambda r: [f"{r['label']}  (similarity {r['similarity']:.2f})", f"    {cut(r['inline'])}"])
    return "\n".join(lines)
