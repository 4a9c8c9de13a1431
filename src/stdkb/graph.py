"""The knowledge graph: documents, clauses and extracted rules as a networkx ``MultiDiGraph``.

    build_graph(documents)            graph of model Documents (library use, tests)
    graph_from_db(db_path)            graph of every document in a stdkb SQLite database
    export_graph(G, path, fmt)        GraphML / GEXF / node-link JSON
    graph_summary(G)                  node and edge counts by type

Queries (plain functions over the graph):

    obligations_of_actor(G, actor)    obligations naming an actor (exact, else substring match)
    document_references(G, doc)       everything a document's clauses reference
    clauses_near(G, clause, hops)     clauses within N undirected hops through hierarchy/reference edges
    shared_thresholds(G)              documents having thresholds on the same quantity and unit

Nodes (attribute ``type``):

    document            doc_id, title, source, lang, duplicate_of, sha256, index
    clause              clause_id, doc_id, clause_label, kind, level, text, title, path, scheme, line, page
    obligation          modality, text, actor, action, condition, exception, strength, confidence, rule
    threshold           value, max, unit, comparator, quantity, per, si_value, si_max, si_unit, text, ...
    phrase              kind (prohibited | required), text -- one node per distinct phrase, shared by documents
    actor               name -- one node per distinct actor string
    external_document   target, kind (document | law | clause) -- a referenced document not in the graph

Edges (attribute ``rel``, never ``type``: GEXF reserves that name for the edge direction):

    document -contains-> top clause, clause -contains-> child clause
    clause -states-> obligation, clause -limits-> threshold, clause -lists-> phrase
    clause -references-> document | external_document | clause
    document -duplicate_of-> document
    actor -actor-> obligation

Every attribute is a scalar (str, int, float, bool) and ``None`` is never stored, so the graph exports to
GraphML and GEXF as it is. A clause's ``path`` is joined with `` / ``.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict, deque
from dataclasses import asdict
from typing import Iterable, Optional

from .errors import StdkbError

FORMATS = ("graphml", "gexf", "json")

#: edge relations walked by :func:`clauses_near`
STRUCTURAL_RELS = frozenset({"contains", "references"})


class GraphQueryError(StdkbError):
    """A query named a node (document, clause, actor) that is not in the graph."""


# --------------------------------------------------------------------------------------------- helpers

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_safe(s: str) -> str:
    """Characters XML 1.0 cannot hold (form feeds from PDFs, stray control bytes) become spaces."""
    return _XML_BAD.sub(" ", s) if _XML_BAD.search(s) else s


def _scalar_attrs(d: dict) -> dict:
    """Attributes GraphML/GEXF can store: drop None, join lists, keep numbers as float/int consistently,
    strings XML-safe."""
    out = {}
    for k, v in d.items():
        if v is None:
            continue
        if isinstance(v, bool):
            out[k] = v
        elif isinstance(v, int):
            out[k] = int(v)
        elif isinstance(v, float):
            out[k] = float(v)
        elif isinstance(v, (list, tuple)):
            out[k] = _xml_safe(" / ".join(str(x) for x in v if x is not None))
        else:
            out[k] = _xml_safe(str(v))
    return out


_FLOAT_KEYS = {"value", "max", "si_value", "si_max", "confidence"}


def _floats(d: dict) -> dict:
    for k in _FLOAT_KEYS:
        if k in d and d[k] is not None and not isinstance(d[k], bool):
            d[k] = float(d[k])
    return d


def norm_title(s: str) -> str:
    """Normalised form of a document title or reference target used to match one to the other."""
    s = unicodedata.normalize("NFKC", s or "")
    s = s.strip().strip("《》<>\"'“”「」『』")
    s = re.sub(r"\s+", "", s)
    return s.lower()


_VERSION_SUFFIX = re.compile(r"[(\[（【](试行|暂行|草案|修订|修订版|征求意见稿|送审稿|报批稿|\d{4}[^)\]）】]*)[)\]）】]$")
_STD_CODE = re.compile(r"\b((?:GB|GB/T|GB/Z|JGJ|JGJ/T|CJJ|CJJ/T|DB\d*|DB\d*/T|AQ|AQ/T|SY|SY/T|HG|HG/T|ISO|IEC|EN|"
                       r"ISO/IEC|ANSI|BS|DIN|NFPA|QB|QB/T|YY|YY/T)\s*/?\s*T?\s*\d+(?:\.\d+)*)", re.I)


def _title_keys(title: str) -> set:
    """Keys under which a document can be found by a reference: full title, title without a version suffix,
    standard codes it contains (without year)."""
    t = norm_title(title)
    keys = {t} if t else set()
    stripped = _VERSION_SUFFIX.sub("", t)
    if stripped and stripped != t:
        keys.add(stripped)
    for m in _STD_CODE.finditer(unicodedata.normalize("NFKC", title or "")):
        keys.add("code:" + re.sub(r"\s+", "", m.group(1)).upper())
    return keys


def _short(text: str, n: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def doc_node(doc_id: str) -> str:
    return f"doc:{doc_id}"


def clause_node(doc_id: str, clause_id: str) -> str:
    """``clause:<clause id>`` when the id already starts with its document's id (as the segmenter makes
    them), else ``clause:<doc id>:<clause id>``, so node ids are unique across documents either way."""
    if clause_id.startswith(f"{doc_id}:"):
        return f"clause:{clause_id}"
    return f"clause:{doc_id}:{clause_id}"


# --------------------------------------------------------------------------------------------- building

def build_graph(documents: Iterable):
    """Build the knowledge graph of ``documents`` (an iterable of :class:`stdkb.model.Document`).

    References are resolved after every document is added, so a clause may point at a document that comes
    later in the iterable. Returns a ``networkx.MultiDiGraph``.
    """
    import networkx as nx

    G = nx.MultiDiGraph(name="stdkb")
    title_index: dict[str, list] = defaultdict(list)  # title key -> document nodes
    pending_refs = []  # (clause node, Reference, doc id)
    docs_seen = {}
    labels_by_doc: dict[str, dict] = {}

    for doc in documents:
        dn = doc_node(doc.id)
        docs_seen[doc.id] = doc
        G.add_node(dn, **_scalar_attrs({
            "type": "document", "label": doc.title or doc.id, "doc_id": doc.id, "title": doc.title,
            "source": doc.source, "lang": doc.lang, "duplicate_of": doc.duplicate_of, "sha256": doc.sha256,
            "index": int(doc.index or 0), "clauses": len(doc.clauses),
        }))
        for key in _title_keys(doc.title):
            title_index[key].append(dn)

        ids = {c.id for c in doc.clauses}
        by_label: dict[str, str] = {}
        for c in doc.clauses:
            cn = clause_node(doc.id, c.id)
            G.add_node(cn, **_scalar_attrs({
                "type": "clause",
                "label": " ".join(x for x in (c.label, c.title or _short(c.text, 30)) if x),
                "clause_id": c.id, "doc_id": doc.id, "clause_label": c.label, "kind": c.kind,
                "level": int(c.level) if c.level is not None else None, "text": c.text, "title": c.title,
                "path": list(c.path or []), "scheme": c.scheme, "line": c.line, "page": c.page,
            }))
            if c.label and c.label not in by_label:
                by_label[c.label] = cn
            parent = c.parent if c.parent in ids else None
            if parent is None:
                G.add_edge(dn, cn, rel="contains")
            else:
                G.add_edge(clause_node(doc.id, parent), cn, rel="contains")

            for i, o in enumerate(c.obligations):
                on = f"{cn}#o{i}"
                G.add_node(on, **_scalar_attrs(_floats({
                    "type": "obligation", **asdict(o),
                    "label": f"{o.modality}: {_short(o.action or o.text, 30)}", "doc_id": doc.id,
                })))
                G.add_edge(cn, on, rel="states")
                actor = _xml_safe(" ".join((o.actor or "").split()))
                if actor:
                    an = f"actor:{actor}"
                    if an not in G:
                        G.add_node(an, type="actor", label=actor, name=actor)
                    G.add_edge(an, on, rel="actor")
            for i, t in enumerate(c.thresholds):
                tn = f"{cn}#t{i}"
                G.add_node(tn, **_scalar_attrs(_floats({
                    "type": "threshold", **asdict(t), "label": t.text, "doc_id": doc.id,
                })))
                G.add_edge(cn, tn, rel="limits")
            for p in c.phrases:
                ptext = _xml_safe(" ".join((p.text or "").split()))
                if not ptext:
                    continue
                pn = f"phrase:{p.kind}:{ptext}"
                if pn not in G:
                    G.add_node(pn, type="phrase", label=ptext, kind=p.kind, text=ptext)
                G.add_edge(cn, pn, **_scalar_attrs({"rel": "lists", "confidence": float(p.confidence),
                                                    "rule": p.rule}))
            for r in c.references:
                pending_refs.append((cn, r, doc.id))
        labels_by_doc[doc.id] = by_label  # for clause references the extractor left unresolved

    for dn_id, doc in docs_seen.items():
        if doc.duplicate_of and doc.duplicate_of in docs_seen and doc.duplicate_of != dn_id:
            G.add_edge(doc_node(dn_id), doc_node(doc.duplicate_of), rel="duplicate_of")

    for cn, r, doc_id in pending_refs:
        target = _resolve_reference(G, r, doc_id, title_index, labels_by_doc.get(doc_id, {}))
        if target is None:
            continue
        G.add_edge(cn, target, **_scalar_attrs({"rel": "references", "kind": r.kind, "text": r.text,
                                                "target": r.target, "confidence": float(r.confidence)}))
    return G


def _resolve_reference(G, r, doc_id: str, title_index, labels: dict) -> Optional[str]:
    if r.resolved:
        cn = clause_node(doc_id, r.resolved)
        if cn in G:
            return cn
    if r.kind == "clause":
        t = unicodedata.normalize("NFKC", r.target or "").strip()
        t = re.sub(r"^(第|条款|clause|section)\s*", "", t, flags=re.I)
        t = re.sub(r"(条|款|项|节)$", "", t).strip()
        if t in labels:
            return labels[t]
        # an unresolved clause reference names nothing we can point at
        return None
    # document or law: match a document of the graph by title, else an external node
    keys = _title_keys(r.target)
    for key in sorted(keys, key=lambda k: (k.startswith("code:"), -len(k))):
        cands = list(title_index.get(key, ()))
        if cands:
            # another document before the citing one itself ("本手册" naming its own title), originals before
            # their duplicates
            own = doc_node(doc_id)
            own_dup = G.nodes[own].get("duplicate_of")
            same = {doc_id, own_dup} - {None}  # the citing document and what it duplicates
            own_group = {d for d in cands if G.nodes[d]["doc_id"] in same or G.nodes[d].get("duplicate_of") in same}
            others = [d for d in cands if d not in own_group]
            if not others:
                return own
            others.sort(key=lambda d: ("duplicate_of" in G.nodes[d], G.nodes[d].get("index", 0)))
            return others[0]
    name = norm_title(r.target)
    if not name:
        return None
    en = f"ext:{name}"
    if en not in G:
        t = _xml_safe(r.target.strip().strip("《》"))
        G.add_node(en, type="external_document", label=t, target=t, kind=r.kind)
    return en


def graph_from_db(db_path, doc=None):
    """Graph of the documents stored in a stdkb database (``doc``: restrict to one document id/title)."""
    from . import store

    return build_graph(store.iter_documents(db_path, doc=doc))


# --------------------------------------------------------------------------------------------- export

def export_graph(G, path, fmt: Optional[str] = None) -> str:
    """Write ``G`` to ``path`` as GraphML, GEXF or node-link JSON (``fmt`` defaults from the suffix)."""
    import json

    import networkx as nx

    path = str(path)
    if fmt is None:
        suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        fmt = {"graphml": "graphml", "xml": "graphml", "gexf": "gexf", "json": "json"}.get(suffix)
        if fmt is None:
            raise ValueError(f"cannot tell the graph format from {path!r}; use one of {', '.join(FORMATS)}")
    if fmt == "graphml":
        nx.write_graphml(G, path, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(G, path, encoding="utf-8")
    elif fmt == "json":
        data = nx.node_link_data(G, edges="edges")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
    else:
        raise ValueError(f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


def read_graph_json(path):
    """Read a node-link JSON file written by :func:`export_graph`."""
    import json

    import networkx as nx

    with open(path, encoding="utf-8") as fh:
        return nx.node_link_graph(json.load(fh), edges="edges")


def graph_summary(G) -> dict:
    """``{"nodes": N, "edges": M, "node_types": {type: n}, "edge_types": {rel: n}}``."""
    nt = Counter(d.get("type", "?") for _, d in G.nodes(data=True))
    et = Counter(d.get("rel", "?") for _, _, d in G.edges(data=True))
    return {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "node_types": dict(sorted(nt.items())), "edge_types": dict(sorted(et.items()))}


# --------------------------------------------------------------------------------------------- lookups

def find_document_node(G, doc: str) -> str:
    """The node of a document given its id, node id or title (exact, then normalised, then substring)."""
    if doc in G and G.nodes[doc].get("type") == "document":
        return doc
    if doc_node(doc) in G:
        return doc_node(doc)
    docs = [(n, d) for n, d in G.nodes(data=True) if d.get("type") == "document"]
    for pred in (lambda d: d.get("title") == doc,
                 lambda d: norm_title(d.get("title", "")) == norm_title(doc),
                 lambda d: norm_title(doc) and norm_title(doc) in norm_title(d.get("title", ""))):
        hits = [n for n, d in docs if pred(d)]
        if hits:
            originals = [n for n in hits if "duplicate_of" not in G.nodes[n]]
            if len(originals) > 1 and len({G.nodes[n].get("title") for n in originals}) > 1:
                titles = "; ".join(sorted({G.nodes[n].get("title", "") for n in originals}))
                raise GraphQueryError(f"{doc!r} matches several documents: {titles}")
            return (originals or hits)[0]
    raise GraphQueryError(f"unknown document: {doc!r}")


def find_clause_node(G, clause: str) -> str:
    """The node of a clause given its node id, its clause id, ``DOC_ID:LABEL``, or a label that only one
    (non-duplicate) document has."""
    if clause in G and G.nodes[clause].get("type") == "clause":
        return clause
    hits = [n for n, d in G.nodes(data=True) if d.get("type") == "clause" and d.get("clause_id") == clause]
    if not hits and ":" in clause:
        doc, label = clause.rsplit(":", 1)
        hits = [n for n, d in G.nodes(data=True) if d.get("type") == "clause" and d.get("clause_label") == label
                and (d.get("doc_id") == doc or d.get("doc_id") == doc.removeprefix("doc:"))]
    if not hits:
        # a bare label ("2.2.3"): fine when one original document has it
        hits = [n for n, d in G.nodes(data=True) if d.get("type") == "clause" and d.get("clause_label") == clause
                and "duplicate_of" not in G.nodes.get(doc_node(d.get("doc_id", "")), {})]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        opts = "; ".join(f"{G.nodes[h].get('clause_id')} ({_short(G.nodes[doc_node(G.nodes[h].get('doc_id'))].get('title', ''), 20)})"
                         for h in hits[:3])
        raise GraphQueryError(f"clause {clause!r} is ambiguous ({len(hits)} clauses): {opts}"
                              + ("; ..." if len(hits) > 3 else "") + "; give a clause id")
    raise GraphQueryError(f"unknown clause: {clause!r}")


def _owner(G, n: str) -> tuple[Optional[str], Optional[str]]:
    """(clause node, document node) owning an obligation/threshold node."""
    for u, _, d in G.in_edges(n, data=True):
        if G.nodes[u].get("type") == "clause":
            doc_id = G.nodes[u].get("doc_id")
            return u, doc_node(doc_id) if doc_id is not None else None
    return None, None


def _clause_info(G, cn: Optional[str]) -> dict:
    if cn is None:
        return {}
    d = G.nodes[cn]
    dn = doc_node(d.get("doc_id"))
    return {"clause": cn, "clause_id": d.get("clause_id"), "clause_label": d.get("clause_label"),
            "document": dn, "document_title": G.nodes[dn].get("title") if dn in G else None}


# --------------------------------------------------------------------------------------------- queries

def obligations_of_actor(G, actor: str, *, exact: bool = False) -> list[dict]:
    """Obligations whose actor is ``actor``; when no actor is named exactly so, actors containing it
    (``客服`` finds ``客服人员``) unless ``exact``. Each result: the obligation's attributes plus its clause
    and document."""
    actor = actor.strip()
    actors = [n for n, d in G.nodes(data=True) if d.get("type") == "actor" and d.get("name") == actor]
    if not actors and not exact:
        actors = [n for n, d in G.nodes(data=True) if d.get("type") == "actor" and actor in d.get("name", "")]
    out = []
    for an in sorted(actors):
        for _, on, d in G.out_edges(an, data=True):
            if d.get("rel") != "actor":
                continue
            cn, _ = _owner(G, on)
            out.append({"node": on, **G.nodes[on], **_clause_info(G, cn)})
    out.sort(key=lambda r: (r.get("document_title") or "", r.get("node")))
    return out


def document_references(G, doc: str) -> list[dict]:
    """Everything ``doc``'s clauses reference: one row per reference edge with the citing clause, the
    target node and its type (document, external_document or clause)."""
    dn = find_document_node(G, doc)
    doc_id = G.nodes[dn]["doc_id"]
    out = []
    for cn, d in G.nodes(data=True):
        if d.get("type") != "clause" or d.get("doc_id") != doc_id:
            continue
        for _, tn, ed in G.out_edges(cn, data=True):
            if ed.get("rel") != "references":
                continue
            td = G.nodes[tn]
            out.append({"clause": cn, "clause_label": d.get("clause_label"), "target": tn,
                        "target_type": td.get("type"), "target_label": td.get("label"),
                        "kind": ed.get("kind"), "text": ed.get("text")})
    return out


def clauses_near(G, clause: str, hops: int = 1) -> list[dict]:
    """Clauses within ``hops`` undirected hops of ``clause`` through ``contains`` and ``references`` edges
    (document nodes are walked through but not returned). Sorted by distance; the clause itself excluded."""
    if hops < 0:
        raise ValueError("hops must be >= 0")
    start = find_clause_node(G, clause)
    dist = {start: 0}
    queue = deque([start])
    while queue:
        n = queue.popleft()
        if dist[n] >= hops:
            continue
        nbrs = [v for _, v, d in G.out_edges(n, data=True) if d.get("rel") in STRUCTURAL_RELS]
        nbrs += [u for u, _, d in G.in_edges(n, data=True) if d.get("rel") in STRUCTURAL_RELS]
        for m in nbrs:
            if m not in dist and G.nodes[m].get("type") in ("clause", "document", "external_document"):
                dist[m] = dist[n] + 1
                queue.append(m)
    out = []
    for n, k in dist.items():
        if n == start or G.nodes[n].get("type") != "clause":
            continue
        d = G.nodes[n]
        out.append({"clause": n, "distance": k, "clause_label": d.get("clause_label"), "label": d.get("label"),
                    "doc_id": d.get("doc_id"), "text": d.get("text")})
    out.sort(key=lambda r: (r["distance"], r["clause"]))
    return out


def _dimension(unit: Optional[str]) -> Optional[str]:
    try:
        from .extract.units import quantity
    except ImportError:  # pragma: no cover - extraction not installed
        return None
    try:
        return quantity(unit)
    except Exception:  # noqa: BLE001 - a unit table problem must not break a graph query
        return None


def shared_thresholds(G, *, by: str = "quantity", min_documents: int = 2, include_counts: bool = False) -> list[dict]:
    """Groups of thresholds on the same quantity and unit found in at least ``min_documents`` distinct
    (non-duplicate) documents.

    The unit is the normalised ``si_unit`` when the extractor set one (hours and minutes are both seconds),
    else the unit as written. ``by="quantity"`` also requires the same ``quantity`` (the extractor's name for
    what is limited, e.g. ``修复时间``, or the unit's dimension such as ``time`` when no name was found);
    ``by="unit"`` groups on the unit alone (every time limit together).

    Bare counts ("3个", "两次") with no named quantity compare nothing and are left out unless
    ``include_counts``. Groups on a named quantity come first, then the groups spanning most documents."""
    if by not in ("quantity", "unit"):
        raise ValueError(f"by must be 'quantity' or 'unit', not {by!r}")
    groups: dict[tuple, list] = defaultdict(list)
    for n, d in G.nodes(data=True):
        if d.get("type") != "threshold":
            continue
        unit = d.get("si_unit") or d.get("unit")
        if not unit:
            continue
        dim = _dimension(d.get("unit")) or _dimension(unit)
        generic = not d.get("quantity") or d.get("quantity") == dim
        if generic and dim == "count" and not include_counts:
            continue
        cn, dn = _owner(G, n)
        if dn is None or "duplicate_of" in G.nodes.get(dn, {}):
            continue
        groups[(d.get("quantity", "") if by == "quantity" else "", unit)].append((dn, cn, n))
    out = []
    for (quantity, unit), items in groups.items():
        docs = sorted({dn for dn, _, _ in items})
        if len(docs) < min_documents:
            continue
        rows = []
        for dn, cn, n in sorted(items):
            d = G.nodes[n]
            rows.append({"document": dn, "document_title": G.nodes[dn].get("title"), "clause": cn,
                         "clause_label": G.nodes[cn].get("clause_label") if cn else None,
                         "quantity": d.get("quantity"),
                         "comparator": d.get("comparator"), "value": d.get("value"), "max": d.get("max"),
                         "unit": d.get("unit"), "si_value": d.get("si_value"), "text": d.get("text")})
        named = bool(quantity) and quantity != (_dimension(unit) or "")
        out.append({"quantity": quantity, "unit": unit, "named": named, "documents": docs, "thresholds": rows})
    out.sort(key=lambda g: (not g["named"], -len(g["documents"]), g["quantity"], g["unit"]))
    return out
