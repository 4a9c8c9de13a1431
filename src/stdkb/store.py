"""The SQLite knowledge base (sqlite-utils): schema, incremental builds, read API, search, statistics.

Read API (used by the graph, diff and checklist modules; signatures are stable):

    open_db(path, create=False) -> sqlite_utils.Database
    iter_documents(db_or_path, doc=None) -> Iterator[Document]      full model objects, clauses in order
    find_document(db, title_or_id) -> dict                          a ``documents`` row
    get_clause(db, clause_id) -> dict                               a clause (stable ids) + document title
    clause_n(db, clause_id) -> int | None                           the integer key of a stable clause id
    clause_rules(db, n) / clause_children(db, n)                    a clause's rules / sub-clauses, readable
    write_documents(db, documents) -> WriteResult                   one transaction per source
    build(db_path, paths, ...) -> BuildResult                       incremental build from files
    search(db, query, doc=None, modality=None, limit=20) -> list[dict]
    stats(db) -> dict

Inside the database rows refer to each other by integer keys (``documents.n``, ``clauses.n``); everything this
API takes and returns uses the pipeline's stable text ids (a clause id is ``documents.key_prefix || clauses.key``).

The DDL is ``schema/stdkb.sql`` (package data). Every source (input file) is written all or nothing (its own
transaction, or a savepoint inside a build's group transaction of ~GROUP_CLAUSES clauses) that first deletes
the source's previous rows, so an interrupted build never leaves half a document and a rebuild never
duplicates one. The database runs in WAL mode so datasette can read while a build writes.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import heapq
import json
import os
import sqlite3
from dataclasses import dataclass, field
from itertools import islice
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from .errors import InputError, StdkbError
from .model import Clause, Document, Obligation, Phrase, Reference, Threshold

DEFAULT_DB = "stdkb.db"
#: page size of a new knowledge base (SQLite's default is 4096): fewer, fuller pages for rows of ~100-200 bytes
PAGE_SIZE = int(os.environ.get("STDKB_PAGE_SIZE") or 8192)
SCHEMA_VERSION = "3"  # 3: integer keys, spans, WITHOUT ROWID rule tables, FTS without positions
TABLES = ("sources", "documents", "clauses", "obligations", "thresholds", "phrases", "references",
          "ingest_errors", "kb_meta")

#: test hook: kill the process (SIGKILL) after this many documents were written in the current build,
#: i.e. in the middle of a source's transaction (used by tests/test_store.py to prove crash safety)
_CRASH_ENV = "STDKB_TEST_CRASH_AFTER_DOCS"


def schema_sql() -> str:
    """The DDL, the one source of truth for the database layout."""
    return resources.files("stdkb").joinpath("schema/stdkb.sql").read_text(encoding="utf-8")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------------------------- open


def open_db(path=DEFAULT_DB, create: bool = False):
    """Open a knowledge base. ``create=True`` creates the file and applies the schema (idempotent).
    Without ``create`` a missing file or a file that is not a stdkb database raises :class:`InputError`."""
    import sqlite_utils

    if isinstance(path, sqlite_utils.Database):
        return path
    p = Path(path)
    if not create:
        if not p.exists():
            raise InputError(p, "no such knowledge base (build one with: stdkb build FILES --db "
                                f"{p})")
        if p.is_dir():
            raise InputError(p, "is a directory, not a knowledge base")
    elif p.parent and not p.parent.exists():
        raise InputError(p, "directory does not exist")
    existed = p.exists() and p.stat().st_size > 0
    try:
        conn = sqlite3.connect(str(p), isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        # a build inserts keys (hash-like ids) all over large indexes: a 2 MB page cache turns that into
        # random I/O once the database outgrows it; searches read through mmap
        conn.execute("PRAGMA cache_size = -131072")
        conn.execute("PRAGMA mmap_size = 268435456")
        if existed:
            _check_schema_version(conn, p)
        if create:
            if not existed:  # before the first table: only a new file can choose its page size
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.executescript(schema_sql())
            _check_meta(conn)
        else:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")}
            if not {"documents", "clauses"} <= names:
                conn.close()
                raise InputError(p, "not a stdkb knowledge base (no documents/clauses tables)")
    except sqlite3.DatabaseError as e:
        raise InputError(p, f"not a usable SQLite database ({e})") from None
    return sqlite_utils.Database(conn)


def _check_schema_version(conn, p):
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'kb_meta'").fetchone()
    if not has_meta:
        return
    row = conn.execute("SELECT value FROM kb_meta WHERE key = 'schema_version'").fetchone()
    if row and row[0] != SCHEMA_VERSION:
        conn.close()
        raise InputError(p, f"built by another stdkb version (schema {row[0]}, this one reads {SCHEMA_VERSION}); "
                            f"delete it and build again")


def _check_meta(conn):
    from .search import FTS_VERSION

    meta = dict(conn.execute("SELECT key, value FROM kb_meta").fetchall())
    if meta.get("fts_version") not in (None, FTS_VERSION):
        _rebuild_fts(conn)
    conn.execute("INSERT OR REPLACE INTO kb_meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
    conn.execute("INSERT OR REPLACE INTO kb_meta VALUES ('fts_version', ?)", (FTS_VERSION,))


def _rebuild_fts(conn):
    """Re-index every clause (the tokenisation changed)."""
    from .search import tokens

    for t in FTS_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS [{t}]")  # its columns may have changed too
    conn.executescript(schema_sql())
    conn.execute("BEGIN IMMEDIATE")
    try:
        for dup, table in enumerate(FTS_TABLES):
            rows = conn.execute("SELECT c.n, c.text FROM clauses c JOIN documents d ON d.n = c.document WHERE "
                                "(d.duplicate_of IS NOT NULL) = ? ORDER BY c.n", (dup,)).fetchall()
            conn.executemany(f"INSERT INTO [{table}](rowid, tok) VALUES (?, ?)", ((n, tokens(t)) for n, t in rows))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _conn(db) -> sqlite3.Connection:
    return db.conn if hasattr(db, "conn") else db


# --------------------------------------------------------------------------------------------- write


@dataclass
class WriteResult:
    sources: int = 0
    documents: int = 0
    clauses: int = 0


def _source_key(doc: Document) -> str:
    return doc.source or "<unknown>"


def _span(text, part):
    """``part`` as an integer span (start << 16 | length) into ``text`` when it is a substring of it (views and
    readers turn it back into text with substr), else ``part`` itself (None stays None)."""
    if part and text:
        i = text.find(part)
        if i >= 0 and len(part) < 65536:
            return (i << 16) | len(part)
    return part


def unspan(text, span):
    """The inverse of :func:`_span`: the part ``span`` stands for in ``text`` (text or None given back as is)."""
    if isinstance(span, int):
        i = span >> 16
        return text[i:i + (span & 65535)]
    return span


def _milli(conf) -> int:
    """Confidence 0..1 stored as an integer in thousandths (1-2 bytes instead of an 8-byte float)."""
    return 1000 if conf is None else int(round(float(conf) * 1000))


#: full-text indexes: clauses of original documents, clauses of near-duplicates
FTS_TABLES = ("clauses_fts", "clauses_dup_fts")


def derived_path(key: str) -> list:
    """The path a clause key spells (what the generated column clauses.path computes when path_json is NULL):
    "2/2.2/2.2.3" -> ["2", "2.2", "2.2.3"]; "_" (text before the first clause) -> []; "~N" numbers repeats."""
    base = key.split("~", 1)[0]
    return [] if base == "_" else base.split("/")


def _key_prefix(doc: Document) -> str:
    """What every clause id of ``doc`` starts with and the store leaves out of clauses.key: "<doc id>:" for the
    pipeline's ids, else nothing (the whole id is the key)."""
    prefix = f"{doc.id}:"
    return prefix if all(c.id.startswith(prefix) for c in doc.clauses) else ""


def _pk_obligation(r):
    return r[1], r[2], r[3]  # (document,) modality, clause, seq


def _pk_phrase(r):
    return r[1], r[2], r[3]  # (document,) kind, clause, seq


def _doc_rows(doc: Document, source: str, doc_n: int, next_n: int):
    """Rows for one document: (doc_row, clause_rows, fts_rows, obligations, thresholds, phrases, refs)."""
    from .search import tokens

    clause_rows, fts_rows, obl, thr, phr, ref = [], [], [], [], [], []
    chars = 0
    did = doc.id
    prefix = _key_prefix(doc)
    cut = len(prefix)
    key_n = {c.id: next_n + seq for seq, c in enumerate(doc.clauses)}
    if len(key_n) != len(doc.clauses):
        seen: set = set()
        dup = next(c.id for c in doc.clauses if c.id in seen or seen.add(c.id))
        raise StdkbError(f"document {did}: two clauses have the id {dup!r}")
    span, milli, add_clause, add_fts = _span, _milli, clause_rows.append, fts_rows.append  # hot loop
    for seq, c in enumerate(doc.clauses):
        # ascending inside a document (FTS5 flushes its pending terms whenever a rowid is not larger than the
        # previous one: descending keys cost a tiny segment per clause)
        n = next_n + seq
        text = c.text or ""
        key = c.id[cut:]
        path = c.path or []
        path_json = None
        # the generated column spells the path from the key: exact unless a label holds / or ~ (then the key does
        # not split back into the path) or a character JSON escapes
        if derived_path(key) != path or '"' in key or "\\" in key:
            path_json = json.dumps([str(x) for x in path], ensure_ascii=False, separators=(",", ":"))
        pn = key_n.get(c.parent) if c.parent else None
        title = c.title
        if title and text.startswith(title):
            title = len(title)  # clauses.title_span
        add_clause((n, doc_n, seq, key, path_json, c.raw_label, c.kind, c.level, None if pn is None else n - pn,
                    title, c.scheme, text, c.line, c.page))
        chars += len(text)
        add_fts((n, tokens(text)))
        if c.obligations:
            for i, o in enumerate(c.obligations, 1):
                obl.append((doc_n, o.modality, n, i, span(text, o.text), o.actor, span(o.text, o.action),
                            o.condition, o.exception, o.strength, milli(o.confidence), o.rule))
        if c.thresholds:
            for i, t in enumerate(c.thresholds, 1):
                thr.append((doc_n, n, i, t.value, t.max, t.unit, t.comparator, t.quantity, t.per,
                            t.si_value, t.si_max, t.si_unit, t.text, milli(t.confidence), t.rule))
        if c.phrases:
            for i, p in enumerate(c.phrases, 1):
                phr.append((doc_n, p.kind, n, i, p.text, milli(p.confidence), p.rule))
        if c.references:
            for i, r in enumerate(c.references, 1):
                ref.append((doc_n, n, i, r.kind, r.target, r.text, key_n.get(r.resolved) if r.resolved else None,
                            milli(r.confidence), r.rule))
    obl.sort(key=_pk_obligation)
    phr.sort(key=_pk_phrase)
    doc_row = (doc_n, did, prefix, doc.title or "", source, doc.index or 0, doc.lang, doc.duplicate_of, doc.sha256,
               doc.source_sha256, len(doc.clauses), chars)
    return doc_row, clause_rows, fts_rows, obl, thr, phr, ref


def _delete_source(conn, source: str):
    """Delete a source and everything built from it (clauses_fts first: it is contentless, so its rows are
    deleted by giving the indexed values again, recomputed from the stored clause text)."""
    from .search import tokens

    found = conn.execute("SELECT n, duplicate_of IS NOT NULL FROM documents WHERE source = ?", (source,)).fetchall()
    docs = [r[0] for r in found]
    if docs:
        marks = ",".join("?" * len(docs))
        for dup, table in enumerate(FTS_TABLES):
            some = [n for n, d in found if d == dup]
            if not some:
                continue
            rows = conn.execute(f"SELECT n, text FROM clauses WHERE document IN ({','.join('?' * len(some))}) "
                                f"ORDER BY n", some).fetchall()
            conn.executemany(f"INSERT INTO [{table}]([{table}], rowid, tok) VALUES ('delete', ?, ?)",
                             ((n, tokens(t)) for n, t in rows))
        # explicit deletes, children first: writes run with foreign keys off (see _write_source), and a new
        # source (the common case of a fresh build) skips these statements altogether. Every table below is
        # keyed (or indexed) by document first.
        for t in ("obligations", "thresholds", "phrases", "references", "doc_sketches", "clauses"):
            conn.execute(f"DELETE FROM [{t}] WHERE document IN ({marks})", docs)
        conn.execute(f"DELETE FROM documents WHERE n IN ({marks})", docs)
    conn.execute("DELETE FROM sources WHERE path = ?", (source,))


#: columns written for extracted rows, in the order of _doc_rows' tuples
_EXTRACTED_COLS = {
    "obligations": "document, modality, clause, seq, text_span, actor, action_span, condition, exception, strength, "
                   "confidence_milli, rule",
    "thresholds": "document, clause, seq, value, max, unit, comparator, quantity, per, si_value, si_max, si_unit, "
                  "text, confidence_milli, rule",
    "phrases": "document, kind, clause, seq, text, confidence_milli, rule",
    "references": "document, clause, seq, kind, target, text, resolved, confidence_milli, rule",
}
_INSERT = {t: f"INSERT INTO [{t}] ({c}) VALUES ({','.join('?' * (c.count(',') + 1))})"
           for t, c in _EXTRACTED_COLS.items()}
_CLAUSE_COLS = ("n, document, seq, key, path_json, raw_label, kind, level, parent_offset, title_span, scheme, text, "
                "line, page")
_INSERT_CLAUSE = f"INSERT INTO clauses ({_CLAUSE_COLS}) VALUES ({','.join('?' * (_CLAUSE_COLS.count(',') + 1))})"


def _insert_doc(conn, doc: Document, source: str, fts_rows: tuple) -> tuple:
    """Insert one document's rows; its full-text rows are appended to ``fts_rows[0]`` (original) or
    ``fts_rows[1]`` (near-duplicate), inserted per source in rowid order (see _write_source_tx).
    Returns (documents.n, number of clauses)."""
    # clauses.n (= the FTS rowid) counts up over all documents, a document's keys are consecutive: keys appended
    # at the right end of every B-tree keyed by them fill its pages (two interleaved ranges, as an earlier layout
    # had for near-duplicates, split pages in the middle and left them a third empty)
    next_n = (conn.execute("SELECT max(n) FROM clauses").fetchone()[0] or 0) + 1
    doc_n = (conn.execute("SELECT max(n) FROM documents").fetchone()[0] or 0) + 1
    doc_row, clauses, fts, obl, thr, phr, ref = _doc_rows(doc, source, doc_n, next_n)
    conn.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", doc_row)
    conn.executemany(_INSERT_CLAUSE, clauses)
    fts_rows[1 if doc.duplicate_of else 0].extend(fts)
    for table, rows in (("obligations", obl), ("thresholds", thr), ("phrases", phr), ("references", ref)):
        if rows:
            conn.executemany(_INSERT[table], rows)
    return doc_n, len(clauses)


class _CrashHook:
    def __init__(self):
        v = os.environ.get(_CRASH_ENV)
        self.after = int(v) if v else None
        self.count = 0

    def doc_written(self):
        if self.after is None:
            return
        self.count += 1
        if self.count >= self.after:
            import signal
            os.kill(os.getpid(), signal.SIGKILL)


def _write_source(conn, source: str, docs: list, sha: Optional[str], size: Optional[int], hook=None,
                  sketches: Optional[dict] = None, fts_out: Optional[tuple] = None) -> int:
    """Replace one source's rows by ``docs`` in one transaction. Returns the number of clauses written.
    ``sketches``: document id -> near-duplicate sketch (DuplicateIndex.fingerprint), stored with the rows of the
    documents that are not near-duplicates themselves (new documents are only compared with those).
    ``fts_out``: (original, near-duplicate) lists that receive the full-text rows instead of the index (a build
    group inserts them at its commit, see _Group)."""
    # the rows written here are consistent by construction (children of the documents inserted in the same
    # transaction, deletes done explicitly): checking every foreign key of every row costs ~20 % of a build
    # (inside a build's group transaction, _Group turned them off already)
    fk = not conn.in_transaction and conn.execute("PRAGMA foreign_keys").fetchone()[0]
    if fk:
        conn.execute("PRAGMA foreign_keys = OFF")
    try:
        return _write_source_tx(conn, source, docs, sha, size, hook, sketches, fts_out)
    finally:
        if fk:
            conn.execute("PRAGMA foreign_keys = ON")


def _write_source_tx(conn, source, docs, sha, size, hook=None, sketches=None, fts_out=None) -> int:
    """One source, all or nothing: its own transaction, or a savepoint inside a build's group transaction."""
    n_clauses = 0
    nested = conn.in_transaction
    conn.execute("SAVEPOINT stdkb_source" if nested else "BEGIN IMMEDIATE")
    try:
        _delete_source(conn, source)
        conn.execute("INSERT INTO sources VALUES (?,?,?,?,?)", (source, sha or "", size, len(docs), _now()))
        fts_rows: tuple = ([], [])
        doc_ns = {}
        for d in docs:
            doc_ns[d.id], k = _insert_doc(conn, d, source, fts_rows)
            n_clauses += k
            if hook:
                hook.doc_written()
        if fts_out is None:
            _insert_fts(conn, fts_rows)
        if sketches:
            conn.executemany("INSERT INTO doc_sketches VALUES (?, ?)",
                             [(doc_ns[d.id], _pack_sketch(sketches[d.id])) for d in docs
                              if sketches.get(d.id) is not None and not d.duplicate_of])
        conn.execute("DELETE FROM ingest_errors WHERE path = ?", (source,))
        conn.execute("RELEASE stdkb_source" if nested else "COMMIT")
        if fts_out is not None:  # only once the source is in
            fts_out[0].extend(fts_rows[0])
            fts_out[1].extend(fts_rows[1])
    except BaseException:
        if nested:
            conn.execute("ROLLBACK TO stdkb_source")
            conn.execute("RELEASE stdkb_source")
        else:
            conn.execute("ROLLBACK")
        raise
    return n_clauses


def _insert_fts(conn, fts_rows):
    for table, rows in zip(FTS_TABLES, fts_rows):
        if rows:
            rows.sort(key=lambda r: r[0])
            conn.executemany(f"INSERT INTO [{table}](rowid, tok) VALUES (?, ?)", rows)


class _Group:
    """Several sources per transaction during a build (each still all-or-nothing in its own savepoint): a
    commit flushes FTS5's pending terms into a new segment and syncs the WAL, which per source of ~150
    clauses was a third of the write time. Committed every GROUP_CLAUSES clauses and at the end; a killed
    build loses the open group (whole sources only), which the next build redoes.
    The full-text rows of the group's sources are inserted at its commit, outside every savepoint: FTS5 writes
    its pending terms out as a new segment at each SAVEPOINT/RELEASE, which per source was half the write time."""

    def __init__(self, conn):
        self.conn = conn
        self.fk = False
        self.clauses = 0
        self.fts: tuple = ([], [])
        self.limit = int(os.environ.get("STDKB_BUILD_GROUP_CLAUSES") or GROUP_CLAUSES)

    def begin(self):
        if not self.conn.in_transaction:
            self.fk = bool(self.conn.execute("PRAGMA foreign_keys").fetchone()[0])
            if self.fk:
                self.conn.execute("PRAGMA foreign_keys = OFF")
            self.conn.execute("BEGIN IMMEDIATE")
            self.clauses = 0

    def added(self, n: int):
        self.clauses += n
        if self.clauses >= self.limit:
            self.commit()

    def commit(self):
        if self.conn.in_transaction:
            _insert_fts(self.conn, self.fts)
            self.conn.execute("COMMIT")
        self.fts = ([], [])
        if self.fk:
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.fk = False


#: clauses written per build transaction (see _Group); environment STDKB_BUILD_GROUP_CLAUSES overrides it
#: (1 = one transaction per source)
GROUP_CLAUSES = 20000


def _docs_sha(docs) -> str:
    h = hashlib.sha256()
    for d in docs:
        h.update((d.sha256 or json.dumps(d.to_dict(), ensure_ascii=False, sort_keys=True)).encode("utf-8"))
    return h.hexdigest()


def write_documents(db, documents: Iterable[Document]) -> WriteResult:
    """Store documents, grouped by their ``source``: each source's previous rows are replaced by the new ones
    in one transaction. Documents must arrive grouped by source (as the pipeline streams them)."""
    conn = _conn(db)
    res = WriteResult()
    batch: list = []
    hook = _CrashHook()

    def flush():
        if not batch:
            return
        src = _source_key(batch[0])
        sha = batch[0].source_sha256 or _docs_sha(batch)
        res.clauses += _write_source(conn, src, batch, sha, None, hook)
        res.sources += 1
        res.documents += len(batch)
        batch.clear()

    for d in documents:
        if batch and _source_key(d) != _source_key(batch[0]):
            flush()
        batch.append(d)
    flush()
    return res


def record_error(db, path: str, error: str, sha: Optional[str] = None):
    conn = _conn(db)
    conn.execute("INSERT OR REPLACE INTO ingest_errors VALUES (?,?,?,?)", (str(path), sha, error, _now()))


# --------------------------------------------------------------------------------------------- build


@dataclass
class BuildResult:
    files: int = 0
    built: int = 0
    unchanged: int = 0
    failed: int = 0
    documents: int = 0
    clauses: int = 0
    bytes: int = 0
    removed: int = 0
    errors: list = field(default_factory=list)


def build(db_path, paths, *, on_error: Optional[Callable[[str], None]] = None,
          progress: Optional[Callable[[str, int, int], None]] = None, force: bool = False,
          max_bytes: Optional[int] = None, password: Optional[str] = None, prune: bool = False) -> BuildResult:
    """Build or update the knowledge base at ``db_path`` from files and directories.

    A file whose sha256 equals the stored one is skipped (unless ``force``); a changed file replaces exactly
    its own rows in one transaction; a file that fails is recorded in ``ingest_errors`` (its previous rows,
    if any, are kept), reported through ``on_error(message)`` and the build goes on.
    ``progress(path, done, total)`` is called after each file. ``prune`` removes the stored sources that lie
    under one of ``paths`` but were not found there any more (deleted files), each in its own transaction."""
    from .documents import DuplicateIndex
    from .pipeline import file_sha256
    from .readers import iter_input_files

    db = open_db(db_path, create=True)
    conn = db.conn
    res = BuildResult()
    files = list(iter_input_files(paths))
    res.files = len(files)
    known = dict(conn.execute("SELECT path, sha256 FROM sources").fetchall())
    hook = _CrashHook()
    todo = []  # (index, file, key, sha, size)
    done = 0
    for f in files:
        key = str(Path(f).resolve())
        try:
            sha = file_sha256(f)
            size = Path(f).stat().st_size
        except OSError as e:
            done += 1
            _fail(conn, res, key, f"{f}: cannot read: {e.strerror or e}", None, on_error)
            if progress:
                progress(str(f), done, len(files))
            continue
        if not force and known.get(key) == sha:
            res.unchanged += 1
            conn.execute("DELETE FROM ingest_errors WHERE path = ?", (key,))
            done += 1
            if progress:
                progress(str(f), done, len(files))
            continue
        todo.append((f, key, sha, size))
    dedupe = _seed_dedupe(conn, DuplicateIndex(), {t[1] for t in todo}) if todo else None
    bulk = (sum(t[3] for t in todo) >= BULK_MIN_BYTES
            and conn.execute("SELECT 1 FROM clauses LIMIT 1").fetchone() is None)
    if bulk:
        _drop_bulk_indexes(conn)
    import gc

    # as in pipeline.process_paths: a build allocates many small objects that live until their source is
    # written, so the young generation is collected less often (restored at the end)
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 20000), threshold[1], threshold[2])
    try:
        _build_files(conn, todo, res, files, done, hook, dedupe, on_error, progress, max_bytes, password)
    finally:
        gc.set_threshold(*threshold)
        if bulk:
            _finish_bulk(conn)
    if prune:
        res.removed = _prune(conn, paths, {str(Path(f).resolve()) for f in files})
    return res


#: a build into an empty knowledge base of at least this many bytes of input drops the secondary indexes of
#: the big tables first and creates them again at the end (sorting once beats inserting every key into a
#: B-tree in random order). A build killed half-way leaves them missing until the next open_db(create=True),
#: i.e. the next build, re-creates them from the DDL.
BULK_MIN_BYTES = 4_000_000
_BULK_TABLES = ("clauses", "obligations", "thresholds", "phrases", "references")


def _drop_bulk_indexes(conn):
    marks = ",".join("?" * len(_BULK_TABLES))
    for (name,) in conn.execute(f"SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                f"AND tbl_name IN ({marks})", _BULK_TABLES).fetchall():
        conn.execute(f"DROP INDEX [{name}]")


def _finish_bulk(conn):
    """After a bulk load: the indexes back, from the DDL."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.executescript(schema_sql())


def _build_files(conn, todo, res, files, done, hook, dedupe, on_error, progress, max_bytes, password):
    from .pipeline import process_path

    group = _Group(conn)
    try:
        for f, key, sha, size in todo:
            try:
                docs = list(process_path(f, dedupe=dedupe, max_bytes=max_bytes, password=password))
                for d in docs:
                    d.source = key
                group.begin()
                _check_ids(conn, f, key, docs)
                sketches = {d.id: dedupe.sketch(d.id) for d in docs} if dedupe is not None else None
                n = _write_source(conn, key, docs, sha, size, hook, sketches, group.fts)
                res.clauses += n
                res.built += 1
                res.documents += len(docs)
                res.bytes += size
                group.added(n)
            except (StdkbError, OSError, sqlite3.IntegrityError, ValueError, RecursionError, MemoryError) as e:
                msg = str(e) if isinstance(e, InputError) else \
                    f"{f}: {type(e).__name__}: {' '.join(str(e).split())}"
                _fail(conn, res, key, msg, sha, on_error, rollback=False)
            except Exception as e:  # a bug in a stage must not stop the batch; it is recorded like bad input
                _fail(conn, res, key, f"{f}: internal error {type(e).__name__}: {' '.join(str(e).split())}", sha,
                      on_error, rollback=False)
            finally:
                done += 1
                if progress:
                    progress(str(f), done, len(files))
    finally:
        group.commit()  # whole sources only: a failed one was rolled back to its savepoint


def _prune(conn, paths, present: set) -> int:
    roots = [str(Path(p).resolve()) for p in paths]
    removed = 0
    for (src,) in conn.execute("SELECT path FROM sources UNION SELECT path FROM ingest_errors").fetchall():
        under = any(src == r or src.startswith(r.rstrip(os.sep) + os.sep) for r in roots)
        if under and src not in present:
            conn.execute("BEGIN IMMEDIATE")
            try:
                _delete_source(conn, src)
                conn.execute("DELETE FROM ingest_errors WHERE path = ?", (src,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            removed += 1
    return removed


def _pack_sketch(sk) -> bytes:
    from array import array

    return array("I", sk).tobytes()


def _unpack_sketch(blob: bytes) -> tuple:
    from array import array

    a = array("I")
    a.frombytes(blob)
    return tuple(a)


def _seed_dedupe(conn, dedupe, rebuilding: set):
    """Teach the near-duplicate index the documents already stored from other sources, so a new file that
    repeats a stored standard is marked ``duplicate_of`` it even when the stored file is skipped. Documents
    read back from their stored sketch; only those stored without one (written through write_documents, or
    by an older stdkb) have their clause text re-read."""
    rows = conn.execute("SELECT d.n, d.id, d.source, d.duplicate_of, s.sketch FROM documents d "
                        "LEFT JOIN doc_sketches s ON s.document = d.n ORDER BY d.source, d.doc_index").fetchall()
    for dn, did, source, dup, blob in rows:
        if source in rebuilding:
            continue
        if blob is not None or dup is not None:  # a near-duplicate is never compared with: no sketch is kept
            dedupe.add(did, _unpack_sketch(blob) if blob is not None else (), dup)
            continue
        texts = [t for (t,) in conn.execute("SELECT text FROM clauses WHERE document = ? ORDER BY n", (dn,))]
        stub = Document(id=did, title="", source=source, duplicate_of=dup,
                        clauses=[Clause(id="", label=None, path=[], kind="clause", level=1, parent=None, text=t)
                                 for t in texts])
        dedupe.mark(stub)  # a stored duplicate keeps its mark, so it is not indexed (as in a fresh build)
    return dedupe


def _check_ids(conn, f, key, docs):
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise InputError(f, f"two documents get the same id {dup[0]} (same title at the same position)")
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        row = conn.execute(f"SELECT id, source FROM documents WHERE id IN ({','.join('?' * len(chunk))}) "
                           f"AND source != ? LIMIT 1", (*chunk, key)).fetchone()
        if row:
            raise InputError(f, f"document id {row[0]} is already stored from {row[1]} (same file name and "
                                f"title); rename one of the files")


def _fail(conn, res, key, msg, sha, on_error, rollback: bool = True):
    res.failed += 1
    res.errors.append(msg)
    if rollback and conn.in_transaction:
        conn.execute("ROLLBACK")
    record_error(conn, key, msg, sha)
    if on_error:
        on_error(msg)


# --------------------------------------------------------------------------------------------- read


def _db(db_or_path):
    import sqlite_utils

    if isinstance(db_or_path, sqlite_utils.Database):
        return db_or_path
    if isinstance(db_or_path, sqlite3.Connection):
        return sqlite_utils.Database(db_or_path)
    return open_db(db_or_path)


def _rows(conn, sql, params=()):
    cur = conn.execute(sql, params)
    cols = [d[0] for d in cur.description]
    for r in cur:
        yield dict(zip(cols, r))


def find_document(db, title_or_id: str) -> dict:
    """A ``documents`` row by exact id, exact title, then unique substring of the title (case-insensitive).
    Several documents with the same exact title resolve to the only one that is not a duplicate, if any.
    Unknown or ambiguous -> :class:`StdkbError` with a one-line message."""
    conn = _conn(_db(db))
    q = (title_or_id or "").strip()
    if not q:
        raise StdkbError("empty document name")
    rows = list(_rows(conn, "SELECT * FROM documents WHERE id = ?", (q,)))
    if rows:
        return rows[0]
    for sql in ("SELECT * FROM documents WHERE title = ? ORDER BY source, doc_index",
                "SELECT * FROM documents WHERE instr(lower(title), lower(?)) > 0 ORDER BY source, doc_index"):
        rows = list(_rows(conn, sql, (q,)))
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            originals = [r for r in rows if not r["duplicate_of"]]
            if len(originals) == 1:
                return originals[0]
            names = "; ".join(f"{r['id']} ({r['title']})" for r in rows[:5])
            more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
            raise StdkbError(f"document {q!r} is ambiguous: {len(rows)} match: {names}{more}; give a document id")
    raise StdkbError(f"unknown document {q!r} (see `stdkb stats` for the list)")


#: a clause as the read API returns it: the stable id, the document's id and the parent's id as text
_CLAUSE_SELECT = """SELECT c.n, d.key_prefix || c.key AS id, d.id AS document, c.seq, c.label, c.raw_label,
    c.path, c.path_text, c.kind, c.level, CASE WHEN p.n IS NULL THEN NULL ELSE d.key_prefix || p.key END AS parent,
    c.title, c.scheme, c.text, c.line, c.page, d.title AS document_title, c.document AS document_n
  FROM clauses c JOIN documents d ON d.n = c.document LEFT JOIN clauses p ON p.n = c.parent"""


def clause_n(db, clause_id: str) -> Optional[int]:
    """The integer key (clauses.n) of a stable clause id "<document id>:<key>", or None."""
    conn = _conn(_db(db))
    cid = clause_id or ""
    i = cid.find(":")
    while i > 0:  # a document id may itself hold ':'
        row = conn.execute("SELECT n FROM documents WHERE id = ? AND key_prefix = ?", (cid[:i], cid[:i + 1])).fetchone()
        if row:
            hit = conn.execute("SELECT n FROM clauses WHERE document = ? AND key = ?", (row[0], cid[i + 1:])).fetchone()
            if hit:
                return hit[0]
        i = cid.find(":", i + 1)
    # documents whose clause ids did not start with the document id (written through write_documents)
    hit = conn.execute("SELECT c.n FROM documents d JOIN clauses c ON c.document = d.n WHERE d.key_prefix = '' "
                       "AND c.key = ?", (cid,)).fetchone()
    return hit[0] if hit else None


def clause_row(db, n: int) -> Optional[dict]:
    """A clause by its integer key, as :func:`get_clause` returns it."""
    conn = _conn(_db(db))
    rows = list(_rows(conn, _CLAUSE_SELECT + " WHERE c.n = ?", (n,)))
    if not rows:
        return None
    row = rows[0]
    row["path"] = json.loads(row["path"])
    return row


def get_clause(db, clause_id: str) -> dict:
    """A clause (``path`` decoded to a list) with its ``document`` id and ``document_title``, by stable id;
    unknown -> StdkbError."""
    n = clause_n(db, clause_id)
    row = clause_row(db, n) if n is not None else None
    if row is None:
        raise StdkbError(f"unknown clause {clause_id!r}")
    return row


def clause_ancestors(db, clause_id: str) -> list:
    """The chain of clauses (as :func:`get_clause`) from the root down to the parent of ``clause_id``."""
    conn = _conn(_db(db))
    out = []
    cur = get_clause(conn, clause_id)
    seen = set()
    while cur is not None:
        parent = conn.execute("SELECT parent FROM clauses WHERE n = ?", (cur["n"],)).fetchone()[0]
        if parent is None or parent in seen:
            break
        seen.add(parent)
        cur = clause_row(conn, parent)
        if cur is not None:
            out.append(cur)
    return out[::-1]


#: storage-only columns left out of the rows :func:`clause_rules` returns
_STORAGE_COLS = ("text_span", "action_span", "confidence_milli")


def clause_rules(db, n: int) -> dict:
    """The extracted rules of clause ``n`` per table, in order, as readable dicts: ``clause`` and ``document``
    as stable ids, an obligation's ``text`` and ``action`` as text, ``resolved`` as a clause id."""
    conn = _conn(_db(db))
    doc, text, did, prefix, key = conn.execute("SELECT c.document, c.text, d.id, d.key_prefix, c.key FROM clauses c "
                                               "JOIN documents d ON d.n = c.document WHERE c.n = ?", (n,)).fetchone()
    out = {}
    for t in ("obligations", "thresholds", "phrases", "references"):
        rows = []
        for r in _rows(conn, f"SELECT * FROM [{t}] WHERE document = ? AND clause = ? ORDER BY seq", (doc, n)):
            if t == "obligations":
                r["text"] = unspan(text, r["text_span"])
                r["action"] = unspan(r["text"], r["action_span"])
            if t == "references" and r["resolved"] is not None:
                k = conn.execute("SELECT key FROM clauses WHERE n = ?", (r["resolved"],)).fetchone()
                r["resolved"] = prefix + k[0] if k else None
            r["clause"], r["document"] = prefix + key, did
            rows.append({k: v for k, v in r.items() if k not in _STORAGE_COLS})
        out[t] = rows
    return out


def clause_children(db, n: int) -> list:
    """Stable ids of the clauses whose parent is clause ``n``, in document order."""
    conn = _conn(_db(db))
    return [r[0] for r in conn.execute("SELECT d.key_prefix || c.key FROM clauses c JOIN documents d ON "
                                       "d.n = c.document WHERE c.document = (SELECT document FROM clauses WHERE "
                                       "n = ?) AND c.parent = ? ORDER BY c.n", (n, n))]


def _extracted(conn, table: str, doc_n: int) -> dict:
    out: dict = {}
    for r in _rows(conn, f"SELECT * FROM [{table}] WHERE document = ? ORDER BY clause, seq", (doc_n,)):
        out.setdefault(r["clause"], []).append(r)
    return out


def _to_obligation(r, text):
    sentence = unspan(text, r["text_span"])
    return Obligation(modality=r["modality"], text=sentence, actor=r["actor"],
                      action=unspan(sentence, r["action_span"]), condition=r["condition"], exception=r["exception"],
                      strength=r["strength"], confidence=r["confidence"], rule=r["rule"])


def _to_threshold(r):
    return Threshold(value=r["value"], unit=r["unit"], comparator=r["comparator"], text=r["text"], max=r["max"],
                     quantity=r["quantity"], per=r["per"], si_value=r["si_value"], si_unit=r["si_unit"],
                     si_max=r["si_max"], confidence=r["confidence"], rule=r["rule"])


def _to_phrase(r):
    return Phrase(kind=r["kind"], text=r["text"], confidence=r["confidence"], rule=r["rule"])


def _to_reference(r, ids):
    return Reference(kind=r["kind"], target=r["target"], text=r["text"], resolved=ids.get(r["resolved"]),
                     confidence=r["confidence"], rule=r["rule"])


def document_from_row(db, row: dict) -> Document:
    """Rebuild a full :class:`Document` (clauses with their extracted rules) from a ``documents`` row."""
    conn = _conn(_db(db))
    did, dn = row["id"], row["n"]
    obl = _extracted(conn, "obligations", dn)
    thr = _extracted(conn, "thresholds", dn)
    phr = _extracted(conn, "phrases", dn)
    ref = _extracted(conn, "references", dn)
    rows = list(_rows(conn, "SELECT n, key, label, path, kind, level, parent, text, raw_label, scheme, title, line, "
                            "page FROM clauses WHERE document = ? ORDER BY n", (dn,)))
    prefix = row["key_prefix"]
    ids = {c["n"]: prefix + c["key"] for c in rows}
    clauses = []
    for c in rows:
        n, text = c["n"], c["text"]
        clauses.append(Clause(
            id=ids[n], label=c["label"], path=json.loads(c["path"]), kind=c["kind"], level=c["level"],
            parent=ids.get(c["parent"]), text=text, raw_label=c["raw_label"], scheme=c["scheme"], title=c["title"],
            line=c["line"], page=c["page"],
            obligations=[_to_obligation(r, text) for r in obl.get(n, ())],
            thresholds=[_to_threshold(r) for r in thr.get(n, ())],
            phrases=[_to_phrase(r) for r in phr.get(n, ())],
            references=[_to_reference(r, ids) for r in ref.get(n, ())],
        ))
    return Document(id=did, title=row["title"], source=row["source"], lang=row["lang"] or "zh",
                    duplicate_of=row["duplicate_of"], clauses=clauses, sha256=row["sha256"],
                    source_sha256=row["source_sha256"], index=row["doc_index"] or 0)


def iter_documents(db_path_or_db, doc: Optional[str] = None) -> Iterator[Document]:
    """Every stored document (or only ``doc``, an id or title resolved by :func:`find_document`) as a full
    :class:`Document`, in build order (source, position in source)."""
    db = _db(db_path_or_db)
    conn = _conn(db)
    if doc is not None:
        yield document_from_row(db, find_document(db, doc))
        return
    rows = list(_rows(conn, "SELECT * FROM documents ORDER BY source, doc_index, id"))
    for r in rows:
        yield document_from_row(db, r)


# --------------------------------------------------------------------------------------------- search

MODALITIES = ("obligation", "prohibition", "recommendation", "permission")

#: Ranking reads every matching clause's text (~1.5 µs a clause in a large knowledge base, the BM25 term
#: frequencies are counted on it). A query matching more clauses than this (a single common character) returns
#: its hits in document order instead, flagged ``ranked: False``, so that search stays fast; narrowing it (more
#: characters, --doc) brings ranking back.
RANK_MAX = 10000


def search(db, query: str, *, doc: Optional[str] = None, modality: Optional[str] = None, limit: int = 20,
           offset: int = 0, snippet_width: int = 80, duplicates: bool = False) -> list:
    """Hits for ``query`` (see :mod:`stdkb.search` for the query language), best first. Each hit:
    clause_id, document, document_title, label, path (list), path_text, kind, text, snippet (matches wrapped
    in <mark>...</mark>), score (BM25, lower = better; None when unranked), modalities (of the clause's
    obligations), ranked (False when more than RANK_MAX clauses match: document order).
    Clauses of documents marked as near-duplicates of another are left out unless ``duplicates`` (or ``doc``
    names such a document)."""
    from .search import highlight, passes, plan_query

    db = _db(db)
    conn = _conn(db)
    terms = plan_query(query)
    checks = [t.regex for t in terms if not t.exact]
    expr = " AND ".join(t.expr for t in terms)
    where, params = [], []
    span: tuple = ()
    if doc:
        drow = find_document(db, doc)
        lo, hi = conn.execute("SELECT min(n), max(n) FROM clauses WHERE document = ?", (drow["n"],)).fetchone()
        if lo is None:
            return []
        tables = [FTS_TABLES[1 if drow["duplicate_of"] else 0]]
        span = (lo, hi)  # a document's clauses have consecutive keys
    else:
        tables = list(FTS_TABLES) if duplicates else [FTS_TABLES[0]]
    if modality:
        if modality not in MODALITIES:
            raise StdkbError(f"unknown modality {modality!r} (one of: {', '.join(MODALITIES)})")
        where.append("EXISTS (SELECT 1 FROM obligations o WHERE o.document = c.document AND o.modality = ? "
                     "AND o.clause = c.n)")
        params.append(modality)
    cond = " AND ".join(["c.n IN (SELECT value FROM json_each(?))"] + where)

    def matches():
        """Keys of the clauses the index returns, in key order (both indexes merged)."""
        cursors = [conn.execute(f"SELECT rowid FROM [{t}] WHERE [{t}] MATCH ?"
                                + (" AND rowid BETWEEN ? AND ?" if span else "") + " ORDER BY rowid", (expr, *span))
                   for t in tables]
        if len(cursors) == 1:
            return (r[0] for r in cursors[0])
        return heapq.merge(*((r[0] for r in c) for c in cursors))

    def candidates(keys):
        """(n, text) of ``keys`` that pass the filters and the text check, in key order."""
        rows = conn.execute(f"SELECT c.n, c.text FROM clauses c WHERE {cond} ORDER BY c.n",
                            (json.dumps(keys), *params)).fetchall()
        if checks:
            rows = [r for r in rows if passes(r[1], checks)]
        return rows

    need = int(offset) + int(limit)
    try:
        it = matches()
        first = list(islice(it, RANK_MAX + 1))
        ranked = len(first) <= RANK_MAX
        if ranked:
            scored = _bm25(conn, terms, candidates(first), tables)
            keys = [k for k, _ in scored[int(offset):need]]
            scores = dict(scored)
        elif not checks and not where:  # document order, and the index alone decides: the first keys are hits
            keys, scores = (first + list(islice(it, max(need - len(first), 0))))[int(offset):need], {}
        else:  # document order: check the keys in order, a chunk at a time, until the page is full
            keys, scores = [], {}
            chunk = max(need * 4, 256)
            pending = first
            while len(keys) < need and pending:
                for i in range(0, len(pending), chunk):
                    keys += [r[0] for r in candidates(pending[i:i + chunk])]
                    if len(keys) >= need:
                        break
                pending = list(islice(it, 8 * chunk))
            keys = keys[int(offset):need]
    except sqlite3.OperationalError as e:
        raise StdkbError(f"bad search query {query!r}: {e}") from None
    found = {r["n"]: r for r in _rows(
        conn, "SELECT c.n, d.key_prefix || c.key AS clause_id, d.id AS document, d.title AS document_title, "
              "c.label, c.path, c.path_text, c.kind, c.text, c.document AS document_n FROM clauses c "
              "JOIN documents d ON d.n = c.document WHERE c.n IN (SELECT value FROM json_each(?))",
        (json.dumps(keys),))}
    hits = []
    for k in keys:
        h = found[k]
        dn = h.pop("document_n")
        h.pop("n")
        h["score"] = scores.get(k)
        h["path"] = json.loads(h["path"])
        h["snippet"] = highlight(h["text"], query, width=snippet_width)
        h["modalities"] = [r[0] for r in conn.execute(
            "SELECT DISTINCT modality FROM obligations WHERE document = ? AND clause = ? ORDER BY modality", (dn, k))]
        h["ranked"] = ranked
        hits.append(h)
    return hits


def _bm25(conn, terms, rows, tables=FTS_TABLES) -> list:
    """[(n, score)] best first: the BM25 formula of FTS5 (k1 = 1.2, b = 0.75; lower = better) over the rows'
    text, term frequency = occurrences of the term, length in characters. The index keeps no positions (a third
    of the size), so the frequencies are counted here, on rows already fetched for the check; the IDF factor is
    left out for a one-term query (the same for every row)."""
    from math import log

    from .search import _CJK1, BM25_B, BM25_K1, _norm

    if not rows:
        return []
    k1, b = BM25_K1, BM25_B
    lens = [len(t) if t else 0 for _, t in rows]
    avg = (sum(lens) / len(lens)) or 1.0
    norm_b = k1 * b / avg
    base = k1 * (1 - b)
    counts = []  # per term: (idf, [tf per row])
    total = conn.execute("SELECT count(*) FROM clauses").fetchone()[0] if len(terms) > 1 else 0
    for t in terms:
        idf = 1.0
        if len(terms) > 1:
            df = sum(conn.execute(f"SELECT count(*) FROM [{x}] WHERE [{x}] MATCH ?", (t.expr,)).fetchone()[0]
                     for x in tables)
            idf = log(1 + (total - df + 0.5) / (df + 0.5))
        if all(_CJK1.match(ch) for ch in t.text):  # CJK only: count in the raw text (fold leaves it alone)
            p = t.text
            counts.append((idf, [txt.count(p) if txt else 0 for _, txt in rows]))
        else:
            rx = t.regex
            counts.append((idf, [sum(1 for _ in rx.finditer(_norm(txt or ""))) for _, txt in rows]))
    scores = [0.0] * len(rows)
    for idf, tfs in counts:
        w = idf * (k1 + 1)
        scores = [sc - w * tf / (tf + base + norm_b * ln) for sc, tf, ln in zip(scores, tfs, lens)]
    out = sorted(zip((n for n, _ in rows), scores), key=lambda x: (x[1], x[0]))
    return out


def count_matches(db, query: str, duplicates: bool = True) -> int:
    """How many clauses match ``query`` (all of them, near-duplicates included unless ``duplicates=False``)."""
    from .search import passes, plan_query

    conn = _conn(_db(db))
    terms = plan_query(query)
    expr = " AND ".join(t.expr for t in terms)
    checks = [t.regex for t in terms if not t.exact]
    n = 0
    for t in FTS_TABLES[:2 if duplicates else 1]:
        if not checks:
            n += conn.execute(f"SELECT count(*) FROM [{t}] WHERE [{t}] MATCH ?", (expr,)).fetchone()[0]
            continue
        for (text,) in conn.execute(f"SELECT c.text FROM [{t}] f JOIN clauses c ON c.n = f.rowid "
                                    f"WHERE [{t}] MATCH ?", (expr,)):
            n += passes(text, checks)
    return n


# --------------------------------------------------------------------------------------------- stats


def stats(db) -> dict:
    """Counts per table, per modality, per phrase kind, per document, and the failed files."""
    conn = _conn(_db(db))
    out: dict = {"tables": {}}
    for t in TABLES:
        if t == "kb_meta":
            continue
        out["tables"][t] = conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0]
    out["modalities"] = dict(conn.execute(
        "SELECT modality, count(*) FROM obligations GROUP BY modality ORDER BY count(*) DESC").fetchall())
    out["phrase_kinds"] = dict(conn.execute(
        "SELECT kind, count(*) FROM phrases GROUP BY kind ORDER BY count(*) DESC").fetchall())
    out["documents"] = list(_rows(conn, """
        SELECT d.id, d.title, d.source, d.duplicate_of, d.clause_count AS clauses,
          (SELECT count(*) FROM obligations o WHERE o.document = d.n) AS obligations,
          (SELECT count(*) FROM thresholds t WHERE t.document = d.n) AS thresholds,
          (SELECT count(*) FROM phrases p WHERE p.document = d.n) AS phrases,
          (SELECT count(*) FROM [references] r WHERE r.document = d.n) AS [references]
        FROM documents d ORDER BY d.source, d.doc_index"""))
    out["errors"] = list(_rows(conn, "SELECT path, error, at FROM ingest_errors ORDER BY path"))
    return out
