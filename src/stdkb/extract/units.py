"""Unit normalisation and conversion to SI base units, driven by ``lang/units_si.json``.

``units_si.json`` maps each canonical symbol (``s min h d week month year m cm mm km m2 mm2 kg t deg % points
CNY count byte GB char`` ...) to its quantity, its SI (or base) unit and a factor: ``si = value * factor``.
Rates are written ``a/b`` ("char/min") and converted by dividing the factors. No pint at run time (its
import costs 0.3 s); ``tests/test_thresholds.py`` checks the table against pint.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Optional

from stdkb.lang import LANG_DIR


@lru_cache(maxsize=1)
def table() -> dict:
    """The canonical unit table ``{symbol: {"quantity", "si", "factor"}}`` (cached, read-only)."""
    with (LANG_DIR / "units_si.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    return {k: v for k, v in data.items() if not k.startswith("_")}


@lru_cache(maxsize=None)
def surface_map(lang: str) -> dict:
    """Surface form -> canonical symbol for ``lang`` (``lang/<lang>/units.json``)."""
    from stdkb import lang as langdata

    return dict(langdata.load(lang, "units")["units"])


def canonical(surface: str, lang: str = "zh") -> Optional[str]:
    """Map a unit as written ("小时", "㎡", "公分", "minutes") to its canonical symbol, or None."""
    m = surface_map(lang)
    if surface in m:
        return m[surface]
    low = surface.lower()
    for k, v in m.items():
        if k.lower() == low:
            return v
    if "/" in surface:
        a, _, b = surface.partition("/")
        ca, cb = canonical(a.strip(), lang), canonical(b.strip(), lang)
        if ca and cb:
            return f"{ca}/{cb}"
    return None


def quantity(unit: Optional[str]) -> Optional[str]:
    """"time", "length", "area", "mass", "money", "count", "score", ... for a canonical unit (or rate)."""
    if not unit:
        return None
    t = table()
    if unit in t:
        return t[unit]["quantity"]
    if "/" in unit:
        a, _, b = unit.partition("/")
        qa, qb = t.get(a, {}).get("quantity"), t.get(b, {}).get("quantity")
        if qb == "time":
            return "speed" if qa == "length" else "rate"
        return "rate"
    return None


def to_si(value: Optional[float], unit: Optional[str]) -> tuple[Optional[float], Optional[str]]:
    """(value in SI / base unit, that unit): 4 h -> (14400, "s"); 50 char/min -> (0.8333, "char/s")."""
    if value is None or not unit:
        return None, None
    t = table()
    if unit in t:
        e = t[unit]
        return _clean(value * e["factor"]), e["si"]
    if "/" in unit:
        a, _, b = unit.partition("/")
        if a in t and b in t:
            ea, eb = t[a], t[b]
            return _clean(value * ea["factor"] / eb["factor"]), f"{ea['si']}/{eb['si']}"
    return None, None


def _clean(x: float) -> float:
    r = round(x, 9)
    return float(int(r)) if r == int(r) and abs(r) < 1e15 else r
