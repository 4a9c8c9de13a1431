"""OSCAL catalog (JSON): one control per checklist item, grouped by clause hierarchy.

OSCAL ids are tokens (``^(\\p{L}|_)(\\p{L}|\\p{N}|[.\\-_])*$``): clause numbers are prefixed ("c-4.5.1-1",
groups "g-4--4.5") and other characters replaced by "_". Titles are one line. The catalog uuid is a uuid5 of
the document ids, every control carries a ``stable-id`` property (the checklist item id) whose uuid is a
uuid5 of that id, so regenerating the catalog from the same documents gives the same uuids.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
import uuid

OSCAL_VERSION = "1.2.1"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/stdkb/stdkb/checklist")


def token(s: str) -> str:
    """Make ``s`` an OSCAL token body (letters, digits, ., -, _)."""
    out = []
    for ch in str(s):
        cat = unicodedata.category(ch)
        if cat.startswith("L") or cat == "Nd" or ch in ".-_":
            out.append(ch)
        elif cat.startswith("N"):  # ① Ⅳ ⑴: their numeric value
            v = unicodedata.numeric(ch, None)
            out.append(str(int(v)) if v is not None and float(v).is_integer() else "_")
        else:
            out.append("_")
    t = re.sub(r"_+", "_", "".join(out)).strip("_")
    return t or "x"


def one_line(s, limit: int = 120) -> str:
    s = " ".join(str(s or "").split())
    if len(s) > limit:
        s = s[:limit - 1].rstrip() + "…"
    return s or "-"


def _prop(name: str, value, uid: str | None = None) -> dict | None:
    v = one_line(value, 500) if value is not None and str(value).strip() else None
    if v is None:
        return None
    p = {"name": name, "value": v}
    if uid:
        p["uuid"] = uid
    return p


def _control(it, cid: str) -> dict:
    label = it.path[-1] if it.path else ""
    title = one_line(f"{label} {it.requirement}" if label else it.requirement)
    props = [_prop("label", label), _prop("stable-id", it.id, str(uuid.uuid5(NAMESPACE, it.id))),
             _prop("modality", it.modality), _prop("actor", it.actor), _prop("condition", it.condition),
             _prop("exception", it.exception), _prop("section", it.section),
             _prop("points", None if it.points is None else f"{it.points:g}"), _prop("deduction", it.deduction),
             _prop("guarantee", "true" if it.guarantee else None), _prop("veto", "true" if it.veto else None)]
    props = [p for p in props if p]
    parts = [{"id": f"{cid}_smt", "name": "statement", "prose": it.requirement or "-"}]
    if it.criteria:
        parts.append({"id": f"{cid}_obj", "name": "assessment-objective",
                      "prose": "\n".join(f"- {c}" for c in it.criteria)})
    if it.phrases:
        parts.append({"id": f"{cid}_phr", "name": "guidance", "title": "phrases",
                      "prose": "\n".join(f"- {p['kind']}: {p['text']}" for p in it.phrases)})
    if it.clause_text and it.clause_text != it.requirement:
        parts.append({"id": f"{cid}_gdn", "name": "guidance", "prose": it.clause_text})
    return {"id": cid, "class": "stdkb-checklist-item", "title": title, "props": props, "parts": parts}


def _catalog_groups(cl, prefix: str) -> tuple[list, list]:
    """(groups, loose controls) of one checklist."""
    root: dict = {"children": {}, "controls": [], "order": []}
    used: set = set()
    for it in cl.items:
        node = root
        levels = list(zip(it.path[:-1], (it.path_titles or [None] * len(it.path))[:len(it.path) - 1]))
        trail = []
        for label, title in levels:
            trail.append(str(label))
            key = tuple(trail)
            if key not in node["children"]:
                node["children"][key] = {"children": {}, "controls": [], "order": [],
                                         "id": f"{prefix}g-" + token("--".join(trail)),
                                         "title": one_line(f"{label} {title}" if title else label)}
                node["order"].append(key)
            node = node["children"][key]
        # "<doc>:<clause key>#<n>" -> "c-<clause key as a token>-<n>" (the clause key is unique in the document)
        key, _, num = it.id.partition(":")[2].rpartition("#")
        base = f"{prefix}c-" + token(key or it.path_str or it.clause_id or "item")
        n = int(num) if num.isdigit() else 1
        cid = f"{base}-{n}"
        k = 1
        while cid in used:
            k += 1
            cid = f"{base}-{n}_{k}"
        used.add(cid)
        ctl = _control(it, cid)
        label = it.path[-1] if it.path else ""
        own = (it.path_titles or [None])[-1] if it.path_titles else None
        ctl["_clause"] = (f"{prefix}g-" + token("--".join(str(x) for x in it.path) or it.clause_id),
                          one_line(f"{label} {own or it.requirement}"))
        node["controls"].append(ctl)

    gid_used: set = set()

    def emit(node) -> dict:
        gid = node["id"]
        k = 1
        while gid in gid_used:
            k += 1
            gid = f"{node['id']}_{k}"
        gid_used.add(gid)
        g = {"id": gid, "title": node["title"]}
        subs = [emit(node["children"][k]) for k in node["order"]]
        if subs and node["controls"]:
            # an OSCAL group holds either groups or controls: give the loose controls a group per clause
            loose: dict = {}
            for c in node["controls"]:
                loose.setdefault(c.pop("_clause"), []).append(c)
            wrapped = []
            for (cgid, ctitle), cs in loose.items():
                k = 1
                while cgid in gid_used:
                    k += 1
                    cgid = f"{cgid}_{k}"
                gid_used.add(cgid)
                wrapped.append({"id": cgid, "title": ctitle, "controls": cs})
            subs = wrapped + subs
        elif node["controls"]:
            for c in node["controls"]:
                c.pop("_clause", None)
            g["controls"] = node["controls"]
        if subs:
            g["groups"] = subs
        return g

    for c in root["controls"]:
        c.pop("_clause", None)
    return [emit(root["children"][k]) for k in root["order"]], root["controls"]


def to_obj(checklists) -> dict:
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    ids = sorted(cl.document_id for cl in checklists)
    cat_uuid = str(uuid.uuid5(NAMESPACE, "catalog:" + "|".join(ids)))
    title = one_line(" / ".join(cl.title for cl in checklists) or "checklist", 250)
    groups: list = []
    controls: list = []
    if len(checklists) == 1:
        groups, controls = _catalog_groups(checklists[0], "")
    else:
        for n, cl in enumerate(checklists, start=1):
            g, c = _catalog_groups(cl, f"d{n}-")
            doc = {"id": f"d{n}", "title": one_line(cl.title, 250),
                   "props": [{"name": "document-id", "value": cl.document_id}]}
            if c and g:  # a group holds either groups or controls: unnumbered text gets a group of its own
                g = [{"id": f"d{n}-g-text", "title": "-", "controls": c}] + g
            elif c:
                doc["controls"] = c
            if g:
                doc["groups"] = g
            groups.append(doc)
    catalog = {
        "uuid": cat_uuid,
        "metadata": {
            "title": title, "last-modified": now, "version": "1.0",
            "oscal-version": OSCAL_VERSION,
            "props": [{"name": "document-id", "value": i} for i in ids] or None,
            "remarks": "Generated by stdkb from: " + "; ".join(cl.source for cl in checklists),
        },
    }
    if not catalog["metadata"]["props"]:
        del catalog["metadata"]["props"]
    if controls:
        catalog["controls"] = controls
    if groups:
        catalog["groups"] = groups
    return {"catalog": catalog}


def render(checklists) -> str:
    return json.dumps(to_obj(checklists), ensure_ascii=False, indent=2) + "\n"
