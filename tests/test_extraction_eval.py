"""Extraction quality gate over tests/data/gold/*.jsonl, and the scorer itself."""
from __future__ import annotations

import json

import pytest

from stdkb.extract.evaluate import DEFAULT_GOLD_DIR, evaluate, format_table, load_gold
from stdkb.model import Obligation, Phrase, Threshold


@pytest.fixture(scope="module")
def result():
    return evaluate()


def test_gold_set_is_large_enough():
    lines = load_gold([DEFAULT_GOLD_DIR / "modality.jsonl", DEFAULT_GOLD_DIR / "phrases.jsonl"])
    assert len(lines) >= 150
    langs = {g["lang"] for g in lines}
    assert {"zh", "en"} <= langs
    for g in lines:
        assert g["text"].strip() and isinstance(g.get("context", []), list)


def test_modality_f1(result):
    assert result["fields"]["modalities"]["f1"] >= 0.90, format_table(result)


def test_threshold_f1(result):
    s = result["fields"]["thresholds"]
    if not s["lines"]:
        pytest.skip("no threshold gold lines")
    assert s["f1"] >= 0.90, format_table(result)


def test_phrase_f1(result):
    assert result["fields"]["phrases"]["f1"] >= 0.95, format_table(result)


# --- the scorer ---------------------------------------------------------------------------------------

def _fake(out):
    def extractor(text, lang, context):
        return out[text]
    return extractor


def test_scorer_counts_multisets_and_normalises_phrases(tmp_path):
    gold = [
        {"id": "a", "text": "A", "modalities": ["obligation", "obligation", "prohibition"],
         "phrases": [{"kind": "required", "text": "您好"}, {"kind": "prohibited", "text": "不知道"}]},
        {"id": "b", "text": "B", "modalities": []},
        {"id": "c", "text": "C", "thresholds": [{"value": 4, "max": None, "unit": "h", "comparator": "<="},
                                                 {"value": 0.667, "max": None, "unit": "ratio", "comparator": ">="}]},
    ]
    f = tmp_path / "g.jsonl"
    f.write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in gold), encoding="utf-8")
    out = {
        "A": {"obligations": [Obligation("obligation", "x"), Obligation("permission", "y")],
              "phrases": [Phrase("required", "“您好!”"), Phrase("required", "不知道")],
              "thresholds": [], "references": []},
        "B": {"obligations": [Obligation("obligation", "z")], "phrases": [], "thresholds": [], "references": []},
        "C": {"obligations": [], "phrases": [], "references": [],
              "thresholds": [Threshold(4.0, "h", "<=", "不超过4小时"), Threshold(2 / 3, "ratio", ">=", "三分之二"),
                             Threshold(24.0, "h", "<=", "24小时内")]},
    }
    r = evaluate([f], _fake(out))
    m = r["fields"]["modalities"]
    assert (m["tp"], m["fp"], m["fn"]) == (1, 2, 2)
    p = r["fields"]["phrases"]
    assert (p["tp"], p["fp"], p["fn"]) == (1, 1, 1)  # kind matters; quotes and '!' do not
    t = r["fields"]["thresholds"]
    assert (t["tp"], t["fp"], t["fn"]) == (2, 1, 0)
    assert r["fields"]["references"]["lines"] == 0
    assert "modalities" in format_table(r)
    assert {e["id"] for e in r["errors"]} == {"a", "b", "c"}
