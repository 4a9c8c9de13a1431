"""Evaluate extraction against hand-annotated gold files (``tests/data/gold/*.jsonl``).

Gold format: one JSON object per line::

    {"id": "...", "lang": "zh", "context": ["服务用语", "禁忌用语"], "text": "...",
     "modalities": ["obligation", "prohibition"],                 # optional: multiset of statements
     "phrases": [{"kind": "prohibited", "text": "不知道"}],         # optional
     "thresholds": [{"value": 4, "max": null, "unit": "h", "comparator": "<="}],   # optional
     "references": [{"kind": "document", "target": "建筑施工安全检查标准"}]}      # optional

A field is scored only on lines that carry its key (an empty list there means "nothing to find", so
extractions are false positives). Matching is per line, as multisets:

- modalities: the modality strings;
- phrases: (kind, text) with text folded to half-width and stripped of quotes, spaces and outer
  punctuation (an ellipsis is kept);
- thresholds: value, max, unit and comparator all equal (numbers within 1e-3 relative / absolute);
- references: (kind, target) with 《》 and spaces removed.

Scores are micro precision / recall / F1 per field. ``python bench/eval_extraction.py`` prints the table.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Optional

from ..text import fold

FIELDS = ("modalities", "thresholds", "phrases", "references")
DEFAULT_GOLD_DIR = Path(__file__).resolve().parents[3] / "tests" / "data" / "gold"

_STRIP = " \t\r\n\"'“”‘’「」『』.,。，!！?？:：;；、/"


def load_gold(paths: Optional[Iterable] = None) -> list[dict]:
    """Gold lines from ``paths`` (files or directories); default: every ``tests/data/gold/*.jsonl``."""
    if paths is None:
        paths = [DEFAULT_GOLD_DIR]
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        files.extend(sorted(p.glob("*.jsonl")) if p.is_dir() else [p])
    out = []
    for f in files:
        with f.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.strip()
                if not line or line.startswith("//"):
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise ValueError(f"{f}:{n}: bad JSON: {e}") from None
                obj.setdefault("id", f"{f.stem}:{n}")
                obj["_file"] = f.name
                out.append(obj)
    return out


def norm_phrase(s: str) -> str:
    return fold(s or "").replace(" ", "").strip(_STRIP)


def norm_target(s: str) -> str:
    return fold(s or "").replace(" ", "").strip("《》<>「」\"“” ")


def _get(x, k):
    return x.get(k) if isinstance(x, dict) else getattr(x, k, None)


def _num_eq(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-3, abs_tol=1e-3)
    except (TypeError, ValueError):
        return False


def _match_thresholds(gold: list, pred: list) -> tuple[int, int, int]:
    used = [False] * len(pred)
    tp = 0
    for g in gold:
        for i, p in enumerate(pred):
            if used[i]:
                continue
            if (_num_eq(_get(g, "value"), _get(p, "value")) and _num_eq(_get(g, "max"), _get(p, "max"))
                    and (_get(g, "unit") or None) == (_get(p, "unit") or None)
                    and _get(g, "comparator") == _get(p, "comparator")):
                used[i] = True
                tp += 1
                break
    return tp, len(pred) - tp, len(gold) - tp


def _counter_match(gold: Counter, pred: Counter) -> tuple[int, int, int]:
    tp = sum((gold & pred).values())
    return tp, sum(pred.values()) - tp, sum(gold.values()) - tp


def _keys(field: str, items) -> Counter:
    if field == "modalities":
        return Counter(items)
    if field == "phrases":
        return Counter((_get(p, "kind"), norm_phrase(_get(p, "text"))) for p in items)
    if field == "references":
        return Counter((_get(r, "kind"), norm_target(_get(r, "target"))) for r in items)
    raise KeyError(field)


def evaluate(paths: Optional[Iterable] = None, extractor: Optional[Callable] = None, *,
             lines: Optional[list[dict]] = None) -> dict:
    """Score ``extractor(text, lang, context) -> dict`` (default :func:`stdkb.extract.extract_text`).

    Returns ``{"fields": {field: {tp, fp, fn, precision, recall, f1, lines}}, "errors": [...], "lines": n}``;
    each error is ``{"id", "field", "missing": [...], "extra": [...], "text"}``.
    """
    if extractor is None:
        from . import extract_text as extractor
    gold = lines if lines is not None else load_gold(paths)
    acc = {f: [0, 0, 0, 0] for f in FIELDS}
    errors = []
    for g in gold:
        present = [f for f in FIELDS if f in g]
        if not present:
            continue
        res = extractor(g["text"], g.get("lang", "zh"), g.get("context") or ())
        for f in present:
            gl = g[f] or []
            if f == "modalities":
                pred = [o.modality if not isinstance(o, dict) else o["modality"] for o in res["obligations"]]
            else:
                pred = list(res[f])
            if f == "thresholds":
                tp, fp, fn = _match_thresholds(gl, pred)
                missing = extra = None
                if fp or fn:
                    missing = [f"{_get(x, 'comparator')} {_get(x, 'value')}..{_get(x, 'max')} {_get(x, 'unit')}" for x in gl]
                    extra = [f"{_get(x, 'comparator')} {_get(x, 'value')}..{_get(x, 'max')} {_get(x, 'unit')}" for x in pred]
            else:
                gk, pk = _keys(f, gl), _keys(f, pred)
                tp, fp, fn = _counter_match(gk, pk)
                missing = sorted(map(str, (gk - pk).elements()))
                extra = sorted(map(str, (pk - gk).elements()))
            a = acc[f]
            a[0] += tp
            a[1] += fp
            a[2] += fn
            a[3] += 1
            if fp or fn:
                errors.append({"id": g["id"], "field": f, "missing": missing, "extra": extra, "text": g["text"]})
    fields = {}
    for f, (tp, fp, fn, n) in acc.items():
        p = tp / (tp + fp) if tp + fp else (1.0 if n else 0.0)
        r = tp / (tp + fn) if tp + fn else (1.0 if n else 0.0)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        fields[f] = {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f1, "lines": n}
    return {"fields": fields, "errors": errors, "lines": len(gold)}


def format_table(result: dict) -> str:
    rows = [f"{'field':<12}{'lines':>7}{'tp':>6}{'fp':>6}{'fn':>6}{'precision':>11}{'recall':>9}{'F1':>8}"]
    for f, s in result["fields"].items():
        if not s["lines"]:
            rows.append(f"{f:<12}{0:>7}{'(no gold lines)':>46}")
            continue
        rows.append(f"{f:<12}{s['lines']:>7}{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}"
                    f"{s['precision']:>11.3f}{s['recall']:>9.3f}{s['f1']:>8.3f}")
    rows.append(f"gold lines: {result['lines']}")
    return "\n".join(rows)
