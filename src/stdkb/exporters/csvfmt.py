"""CSV: one row per item, UTF-8 with a BOM so that Excel opens Chinese text correctly.

The inspector fills ``result`` (合格 / 不合格 / 不适用, or the points earned as a number) and, for a failed
scored item, ``deducted`` (points taken off); ``stdkb checklist SOURCE --results FILE.csv`` grades it."""
from __future__ import annotations

import csv
import io
import json

COLUMNS = ["id", "document_id", "document_title", "clause_id", "path", "titles", "requirement", "modality",
           "actor", "condition", "exception", "criteria", "phrases", "section", "points", "deduction",
           "guarantee", "veto", "result", "deducted", "evidence", "inspector", "remarks"]


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else ""
    if isinstance(v, float):
        return f"{v:g}"
    return v


def render(checklists) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for cl in checklists:
        for it in cl.items:
            row = {
                "id": it.id, "document_id": it.document_id, "document_title": cl.title, "clause_id": it.clause_id,
                "path": it.path_str, "titles": it.title_chain, "requirement": it.requirement,
                "modality": it.modality, "actor": it.actor, "condition": it.condition, "exception": it.exception,
                "criteria": "; ".join(it.criteria),
                "phrases": json.dumps(it.phrases, ensure_ascii=False) if it.phrases else "",
                "section": it.section, "points": it.points, "deduction": it.deduction, "guarantee": it.guarantee,
                "veto": it.veto, "result": it.result, "deducted": "", "evidence": it.evidence, "inspector": it.inspector,
                "remarks": it.remarks,
            }
            w.writerow([_cell(row[c]) for c in COLUMNS])
    return "\ufeff" + buf.getvalue()
