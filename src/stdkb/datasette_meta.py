"""datasette configuration for a stdkb knowledge base.

``write_metadata(db_path, out_dir)`` writes
  * ``metadata.yaml``  read by datasette 0.65 (the pinned version): titles, descriptions, facets, FTS,
    label columns, canned queries, hidden helper tables;
  * ``datasette.yaml`` the configuration file of datasette >= 1.0, which moved table settings, canned
    queries and plugins out of metadata (same content split the new way).
``datasette_command(db_path, out_dir)`` is the command line that serves it with the bundled plugin
(:mod:`stdkb.datasette_plugins.stdkb_search`), which makes the clauses search box work for Chinese.
"""
from __future__ import annotations

import sys
from pathlib import Path

TABLE_DOCS = {
    "sources": ("Input files", "One row per input file built into the knowledge base, with the sha256 of its "
                               "content (unchanged files are skipped on rebuild).", {
        "path": "Absolute path of the file", "sha256": "sha256 of the file's bytes", "size": "Size in bytes",
        "documents": "Documents found in the file", "built_at": "When the file was last built (UTC)"}),
    "documents": ("Documents", "Standards found in the input files (a file may hold several).", {
        "n": "Integer key (other tables refer to it)", "id": "Stable document id", "title": "Document title",
        "source": "Input file", "doc_index": "Position of the document inside its file", "lang": "Language (zh, en)",
        "duplicate_of": "Id of the document this one nearly duplicates", "sha256": "Hash of the document text",
        "source_sha256": "Hash of the input file", "clause_count": "Number of clauses",
        "chars": "Characters of clause text"}),
    "clauses": ("Clauses", "Numbered clauses and headings, in document order, with their place in the tree. "
                           "A clause's stable id is the document id + ':' + key (view clause_ids). The search box "
                           "leaves near-duplicate documents out (the search_clauses query includes them).", {
        "n": "Integer key (rowid of the full-text index)",
        "document": "Document", "seq": "Position in the document",
        "key": "Clause id inside the document (numbers from the root joined by /)",
        "path_json": "The path, stored only when the key does not spell it",
        "path": "Numbers from the root, JSON list", "path_text": "Numbers from the root",
        "label": "Normalised number (2.2.3)", "raw_label": "Number as written (（一）, 1、)",
        "kind": "heading, clause or text", "level": "Depth (1 = top)",
        "parent_offset": "How many clauses back the parent is", "parent": "Parent clause", "title": "Heading text",
        "scheme": "Numbering scheme", "text": "Clause text", "line": "Line in the source",
        "page": "Page in the source"}),
    "obligations": ("Obligations", "Duties, prohibitions, recommendations and permissions found in clauses. The "
                                   "sentences are stored as spans of the clause text: view obligation_texts "
                                   "shows them as text.", {
        "document": "Document", "modality": "obligation / prohibition / recommendation / permission",
        "clause": "Clause", "seq": "Position in the clause",
        "text_span": "The sentence: start × 65536 + length in the clause text (the sentence itself when it is "
                     "not part of it)",
        "actor": "Who must act",
        "action_span": "What must be done: start × 65536 + length in the sentence (or the action itself)",
        "condition": "When it applies", "exception": "Stated exception", "strength": "Modal strength",
        "confidence_milli": "Confidence × 1000", "confidence": "Extractor confidence 0-1",
        "rule": "Extraction rule that fired"}),
    "thresholds": ("Thresholds", "Numeric limits (time, counts, money, sizes), normalised to SI base units.", {
        "document": "Document", "clause": "Clause", "seq": "Position in the clause",
        "value": "Value as written", "max": "Upper bound of a range", "unit": "Unit as written",
        "comparator": "<=, >=, <, >, = or range", "quantity": "Measured quantity (time, length...)",
        "per": "Rate denominator (per year...)", "si_value": "Value in SI base unit", "si_max": "Range maximum in SI",
        "si_unit": "SI base unit (s for time)", "text": "The words the threshold was read from",
        "confidence_milli": "Confidence × 1000", "confidence": "Extractor confidence 0-1",
        "rule": "Extraction rule that fired"}),
    "phrases": ("Phrases", "Prohibited and required wording (e.g. forbidden service phrases).", {
        "document": "Document", "kind": "prohibited or required", "clause": "Clause", "seq": "Position in the clause",
        "text": "The phrase", "confidence_milli": "Confidence × 1000", "confidence": "Extractor confidence 0-1",
        "rule": "Extraction rule that fired"}),
    "references": ("References", "References from clauses to other documents, laws and clauses.", {
        "document": "Document", "clause": "Clause", "seq": "Position in the clause",
        "kind": "document, clause or law", "target": "What is referenced", "text": "Words of the reference",
        "resolved": "The target clause inside the same document", "confidence_milli": "Confidence × 1000",
        "confidence": "Extractor confidence 0-1", "rule": "Extraction rule that fired"}),
    "obligation_texts": ("Obligations as text", "Every obligation with its sentence, action, document title and "
                                                "clause path as text.", {
        "document_title": "Document", "clause_path": "Numbers from the root", "modality": "Modality",
        "text": "The sentence", "actor": "Who must act", "action": "What must be done",
        "condition": "When it applies", "exception": "Stated exception", "strength": "Modal strength",
        "confidence": "Extractor confidence 0-1", "rule": "Extraction rule that fired",
        "clause_id": "Stable clause id", "clause": "Clause key", "seq": "Position in the clause",
        "document": "Document key", "clause_text": "Clause text"}),
    "clause_ids": ("Clause ids", "The stable id of every clause (document id + ':' + key).", {
        "n": "Clause key", "id": "Stable clause id", "document_id": "Stable document id"}),
    "ingest_errors": ("Ingest errors", "Files that could not be built in the latest build that saw them.", {
        "path": "Input file", "sha256": "Hash of the failing content", "error": "One-line reason",
        "at": "When (UTC)"}),
}

LABELS = {"documents": "title", "clauses": "label", "sources": "path"}

FACETS = {
    "obligation_texts": ["modality", "document_title"],
    "documents": ["lang", "source"],
    "clauses": ["document", "kind", "level"],
    "obligations": ["modality", "document", "actor"],
    "thresholds": ["unit", "comparator", "quantity", "document"],
    "phrases": ["kind", "document"],
    "references": ["kind", "document"],
}

#: default sort per table; none for the extracted tables: their primary key order is document order already
SORT: dict = {}

QUERIES = {
    "search_clauses": {
        "title": "Search clauses (Chinese and English)",
        "description": "Full-text search over clause text, near-duplicate documents included. Chinese queries "
                       "of any length (诉, 投诉, 禁忌用语) and English words; several terms are ANDed, "
                       "\"quoted text\" is a phrase. Best hits first.",
        "sql": """select d.key_prefix || c.key as clause, d.title as document, c.path_text as path,
  stdkb_snippet(c.text, :q) as snippet, round(stdkb_score(c.text, :q), 3) as score,
  d.duplicate_of is not null as near_duplicate
from (select rowid from clauses_fts where clauses_fts match stdkb_match(:q)
      union all
      select rowid from clauses_dup_fts where clauses_dup_fts match stdkb_match(:q)) f
join clauses c on c.n = f.rowid
join documents d on d.n = c.document
where stdkb_contains(c.text, :q)
order by score, c.n
limit 200""",
    },
    "prohibitions_of_document": {
        "title": "All prohibitions of a document",
        "description": "Prohibitions (严禁, 不得, must not...) of one document: give its id or part of its title.",
        "sql": """select o.document_title as document, o.clause_path, o.actor, o.text as prohibition,
  o.condition, o.exception, o.clause_text, o.confidence, o.clause_id as clause
from documents d
join obligation_texts o on o.document = d.n and o.modality = 'prohibition'
where d.id = :doc or d.title like '%' || :doc || '%'
order by d.source, d.doc_index, o.clause, o.seq""",
    },
    "time_limits_in_hours": {
        "title": "Thresholds on time limits, normalised to hours",
        "description": "Every time limit (response, repair, answer times...) converted to hours, shortest first.",
        "sql": """select d.title as document, c.path_text as clause_path, t.comparator,
  round(t.si_value / 3600.0, 4) as hours, round(t.si_max / 3600.0, 4) as max_hours,
  t.value, t.unit, t.text, c.text as clause_text, d.key_prefix || c.key as clause
from thresholds t
join clauses c on c.n = t.clause
join documents d on d.n = t.document
where t.si_unit = 's' and t.si_value is not null
order by hours, d.title""",
    },
    "forbidden_phrases": {
        "title": "Forbidden phrases",
        "description": "Phrases staff must not use, with how many clauses and which documents list them.",
        "sql": """select p.text as phrase, count(*) as clauses, group_concat(distinct d.title) as documents,
  min(p.confidence) as min_confidence
from phrases p
join documents d on d.n = p.document
where p.kind = 'prohibited'
group by p.text
order by clauses desc, phrase""",
    },
    "clauses_referencing": {
        "title": "Clauses referencing a given document",
        "description": "Clauses whose references name the target (a standard number like GB 50028, a law, "
                       "or part of a title).",
        "sql": """select r.target, r.kind, r.text as reference, d.title as document, c.path_text as clause_path,
  c.text as clause_text, d.key_prefix || c.key as clause
from [references] r
join clauses c on c.n = r.clause
join documents d on d.n = r.document
where r.target like '%' || :target || '%' or r.text like '%' || :target || '%'
order by r.target, d.title, r.clause""",
    },
    "extractions_to_review": {
        "title": "Extractions to review (lowest confidence first)",
        "description": "Obligations, thresholds, phrases and references the extractors were least sure of.",
        "sql": """select x.what, x.confidence, x.kind, x.text, x.rule, d.title as document,
  d.key_prefix || c.key as clause, x.seq
from (
  select 'obligation' as what, confidence, modality as kind, text, rule, clause, seq from obligation_texts
    where confidence < 1.0
  union all
  select 'threshold', confidence, comparator, text, rule, clause, seq from thresholds where confidence < 1.0
  union all
  select 'phrase', confidence, kind, text, rule, clause, seq from phrases where confidence < 1.0
  union all
  select 'reference', confidence, kind, text, rule, clause, seq from [references] where confidence < 1.0
) x
join clauses c on c.n = x.clause
join documents d on d.n = c.document
order by x.confidence, x.what, x.clause, x.seq
limit 1000""",
    },
}


def db_name(db_path) -> str:
    """datasette's name for a database file (its stem)."""
    return Path(db_path).stem


def _table_config(name: str) -> dict:
    title, desc, cols = TABLE_DOCS[name]
    cfg: dict = {"title": title, "description": desc, "columns": dict(cols)}
    if name in FACETS:
        cfg["facets"] = list(FACETS[name])
    if name in LABELS:
        cfg["label_column"] = LABELS[name]
    if name in SORT:
        cfg["sort"] = SORT[name]
    if name == "clauses":
        cfg.update({"fts_table": "clauses_fts", "fts_pk": "n", "searchmode": "raw"})
    return cfg


def build_metadata(db_path) -> dict:
    """The metadata.yaml content (datasette 0.65 layout: everything in metadata)."""
    tables = {name: _table_config(name) for name in TABLE_DOCS}
    for hidden in ("clauses_fts", "clauses_dup_fts", "kb_meta", "doc_sketches"):
        tables[hidden] = {"hidden": True}
    return {
        "title": "stdkb knowledge base",
        "description": "Clauses, obligations, thresholds, phrases and references extracted from standards by "
                       "stdkb. Search clauses in Chinese or English (the clauses table's search box, or the "
                       "search_clauses query).",
        "about": "stdkb",
        "databases": {db_name(db_path): {
            "title": "Standards knowledge base",
            "description": "Built by `stdkb build`; one row per clause, with extracted rules.",
            "tables": tables,
            "queries": {k: dict(v) for k, v in QUERIES.items()},
        }},
    }


_CONFIG_TABLE_KEYS = {"facets", "label_column", "sort", "fts_table", "fts_pk", "searchmode", "hidden", "size",
                      "sortable_columns", "facet_size"}


def build_config(db_path) -> dict:
    """The datasette.yaml content for datasette >= 1.0 (table settings, canned queries, plugins)."""
    meta = build_metadata(db_path)
    db = meta["databases"][db_name(db_path)]
    tables = {}
    for name, cfg in db["tables"].items():
        t = {k: v for k, v in cfg.items() if k in _CONFIG_TABLE_KEYS}
        if t:
            tables[name] = t
    return {
        "settings": {"facet_time_limit_ms": 1000, "sql_time_limit_ms": 3000},
        "databases": {db_name(db_path): {"tables": tables, "queries": db["queries"]}},
    }


def build_metadata_v1(db_path) -> dict:
    """Metadata in the datasette >= 1.0 split: descriptive fields only."""
    meta = build_metadata(db_path)
    db = meta["databases"][db_name(db_path)]
    tables = {}
    for name, cfg in db["tables"].items():
        t = {k: v for k, v in cfg.items() if k not in _CONFIG_TABLE_KEYS}
        if t:
            tables[name] = t
    return {k: v for k, v in meta.items() if k != "databases"} | {
        "databases": {db_name(db_path): {"title": db["title"], "description": db["description"], "tables": tables}}}


def _dump(data, path: Path):
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper, s):
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)

    _Dumper.add_representer(str, _str)
    path.write_text(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120),
                    encoding="utf-8")


def write_metadata(db_path, out_dir) -> dict:
    """Write metadata.yaml (datasette 0.65) and datasette.yaml (datasette >= 1.0) into ``out_dir``.
    Returns {"metadata": path, "config": path}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta_path = out / "metadata.yaml"
    cfg_path = out / "datasette.yaml"
    _dump(build_metadata(db_path), meta_path)
    _dump(build_config(db_path), cfg_path)
    return {"metadata": meta_path, "config": cfg_path}


def plugins_dir() -> Path:
    from . import datasette_plugins

    return Path(datasette_plugins.__file__).parent


def datasette_major() -> int:
    from importlib.metadata import version

    try:
        return int(version("datasette").split(".")[0])
    except Exception:
        return 0


def datasette_command(db_path, out_dir, *, host: str = "127.0.0.1", port: int = 8001) -> list:
    """The argv that serves ``db_path`` with the generated files and the bundled plugin."""
    out = Path(out_dir)
    cmd = [sys.executable, "-m", "datasette", "serve", str(db_path), "--host", host, "--port", str(port),
           "--plugins-dir", str(plugins_dir()), "--setting", "sql_time_limit_ms", "3000"]
    cmd += ["--metadata", str(out / "metadata.yaml")]
    if datasette_major() >= 1:  # datasette 1.x reads table settings, queries and plugins from datasette.yaml
        cmd += ["--config", str(out / "datasette.yaml")]
    return cmd
