"""Language data: JSON files under ``src/stdkb/lang/<lang>/<name>.json``.

Algorithms never hard-code words; they ask this loader::

    from stdkb import lang
    modals = lang.load("zh", "modals")      # -> dict parsed from lang/zh/modals.json

Results are cached (treat them as read-only). A missing file raises ``FileNotFoundError`` naming the
path; :func:`available` lists what a language ships. Adding a language means adding a folder of JSON
files with the same names; adding a word means editing a JSON file, no code change.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

LANG_DIR = Path(__file__).resolve().parent

__all__ = ["load", "load_optional", "available", "languages", "LANG_DIR"]


@lru_cache(maxsize=None)
def load(lang: str, name: str) -> dict:
    """Return the parsed ``lang/<lang>/<name>.json`` (cached; do not mutate the result)."""
    lang = (lang or "zh").lower()
    if name.endswith(".json"):
        name = name[:-5]
    path = LANG_DIR / lang / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no language data {name!r} for {lang!r}: {path}")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def load_optional(lang: str, name: str, default=None):
    """Like :func:`load` but return ``default`` (``{}`` if None) when the file does not exist."""
    try:
        return load(lang, name)
    except FileNotFoundError:
        return {} if default is None else default


def available(lang: str) -> list[str]:
    """Names of the data files shipped for ``lang``."""
    d = LANG_DIR / lang
    return sorted(p.stem for p in d.glob("*.json")) if d.is_dir() else []


def languages() -> list[str]:
    """Languages with at least one data file."""
    return sorted(p.name for p in LANG_DIR.iterdir() if p.is_dir() and any(p.glob("*.json")))
