"""Checklist export formats, one module per format.

    export(checklists, fmt, path=None) -> str | bytes

``checklists`` is a :class:`stdkb.checklist.Checklist` or a list of them (a multi-document source).
Formats: ``md`` (printable Markdown with checkboxes), ``csv`` (UTF-8 with BOM so Excel opens Chinese),
``json`` (``schema/checklist.schema.json``), ``xlsx`` (openpyxl workbook with a score sheet), ``oscal``
(an OSCAL 1.x catalog in JSON). Text formats return ``str``, XLSX returns ``bytes``; with ``path`` the
result is also written there.
"""
from __future__ import annotations

import importlib
from pathlib import Path

FORMATS = {"md": "markdown", "markdown": "markdown", "csv": "csvfmt", "json": "jsonfmt", "xlsx": "xlsx",
           "oscal": "oscal"}
EXTENSIONS = {"md": ".md", "csv": ".csv", "json": ".json", "xlsx": ".xlsx", "oscal": ".oscal.json"}


def export(checklists, fmt: str, path=None):
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown checklist format {fmt!r} (choose from {', '.join(sorted(EXTENSIONS))})")
    if not isinstance(checklists, (list, tuple)):
        checklists = [checklists]
    mod = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
    out = mod.render(list(checklists))
    if path is not None:
        p = Path(path)
        if isinstance(out, bytes):
            p.write_bytes(out)
        else:
            # CSV gets its BOM from the renderer; write text as UTF-8
            p.write_text(out, encoding="utf-8", newline="")
    return out
