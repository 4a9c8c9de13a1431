"""JSON: ``{"format": "stdkb-checklist", "version": 1, "checklists": [...]}``, described by
``schema/checklist.schema.json``."""
from __future__ import annotations

import json

FORMAT_VERSION = 1


def to_obj(checklists) -> dict:
    return {"format": "stdkb-checklist", "version": FORMAT_VERSION,
            "checklists": [cl.to_dict() for cl in checklists]}


def render(checklists) -> str:
    return json.dumps(to_obj(checklists), ensure_ascii=False, indent=2) + "\n"
