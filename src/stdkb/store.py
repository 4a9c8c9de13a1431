"""The SQLite knowledge base (sqlite-utils): schema, incremental builds, read API, search, statistics.

Read API (used by the graph, diff and checklist modules; signatures are stable):

    open_db(path, create=False) -> sqlite_utils.Database
    iter_documents(db_or_path, doc=None) -> Iterator[Document]      full model objects, clauses in order
    find_document(db, title_or_id) -> dict                          a ``documents`` row
    get_clause(db, clause_id) -> dict                               a ``clauses`` row + document title
    write_documents(db, documents) -> WriteResult                   one transaction per source
    build(db_path, paths, ...) -> BuildResult                       incremental build from files
    search(db, query, doc=None, modality=None, limit=20) -> list[dict]
    stats(db) -> dict

The DDL is ``schema/stdkb.sql`` (package data). Every source (input file) is written all or nothing (its own
transaction, or a savepoint inside a build's group transaction of ~GROUP_CLAUSES clauses) that first deletes
the source's previous rows, so an interrupted build never leaves half a document and a rebuild never
duplicates one. The database runs in WAL mode so datasette can read while a build writes.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from .errors import InputError, StdkbError
from .model import Clause, Document, Obligation, Phrase, Reference, Threshold

DEFAULT_DB = "stdkb.db"
SCHEMA_VERSION = "2"  # 2: generated ids of extracted rows, obligations.action_span, one-column FTS
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

    conn.execute("DROP TABLE IF EXISTS clauses_fts")  # its columns may have changed too
    conn.executescript(schema_sql())
    conn.execute("BEGIN IMMEDIATE")
    try:
        rows = conn.execute("SELECT n, text FROM clauses ORDER BY n").fetchall()
        conn.executemany("INSERT INTO clauses_fts(rowid, tok) VALUES (?, ?)", ((n, tokens(t)) for n, t in rows))
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
    """``part`` as an integer span (start << 16 | length) into ``text`` when it is a substring of it (the
    obligations.action generated column reads it back), else ``part`` itself."""
    if part and text:
        i = text.find(part)
        if i >= 0 and len(part) < 65536 and i < (1 << 40):
            return (i << 16) | len(part)
    return part


#: first key (clauses.n) of near-duplicate documents' clauses; original documents count up from 1
DUP_KEY_BASE = -(1 << 31)  # 4-byte integers in records; room for 2 billion clauses


def _doc_rows(doc: Document, source: str, next_n: int):
    """Rows for one document: (doc_row, clause_rows, fts_rows, obligations, thresholds, phrases, refs)."""
    from .search import tokens

    clause_rows, fts_rows, obl, thr, phr, ref = [], [], [], [], [], []
    chars = 0
    for seq, c in enumerate(doc.clauses):
        # ascending inside a document (FTS5 flushes its pending terms whenever a rowid is not larger than the
        # previous one: descending keys cost a tiny segment per clause)
        n = next_n + seq
        path = [str(x) for x in (c.path or [])]
        clause_rows.append((c.id, n, doc.id, seq, c.label, c.raw_label, json.dumps(path, ensure_ascii=False),
                            " > ".join(path) if path else None, c.kind, c.level, c.parent, c.title, c.scheme,
                            c.text or "", c.line, c.page))
        chars += len(c.text or "")
        fts_rows.append((n, tokens(c.text or "")))
        for i, o in enumerate(c.obligations, 1):
            obl.append((c.id, doc.id, i, o.modality, o.text, o.actor, _span(o.text, o.action), o.condition,
                        o.exception, o.strength, o.confidence, o.rule))
        for i, t in enumerate(c.thresholds, 1):
            thr.append((c.id, doc.id, i, t.value, t.max, t.unit, t.comparator, t.quantity, t.per,
                        t.si_value, t.si_max, t.si_unit, t.text, t.confidence, t.rule))
        for i, p in enumerate(c.phrases, 1):
            phr.append((c.id, doc.id, i, p.kind, p.text, p.confidence, p.rule))
        for i, r in enumerate(c.references, 1):
            ref.append((c.id, doc.id, i, r.kind, r.target, r.text, r.resolved, r.confidence, r.rule))
    doc_row = (doc.id, doc.title or "", source, doc.index or 0, doc.lang, doc.duplicate_of, doc.sha256,
               doc.source_sha256, len(doc.clauses), chars)
    return doc_row, clause_rows, fts_rows, obl, thr, phr, ref


def _delete_source(conn, source: str):
    """Delete a source and everything built from it (clauses_fts first: it is contentless, so its rows are
    deleted by giving the indexed values again, recomputed from the stored clause text)."""
    from .search import tokens

    if conn.execute("SELECT 1 FROM documents WHERE source = ? LIMIT 1", (source,)).fetchone():
        rows = conn.execute("SELECT c.n, c.text FROM clauses c JOIN documents d ON d.id = c.document "
                            "WHERE d.source = ? ORDER BY c.n", (source,)).fetchall()
        if rows:
            conn.executemany("INSERT INTO clauses_fts(clauses_fts, rowid, tok) VALUES ('delete', ?, ?)",
                             ((n, tokens(t)) for n, t in rows))
        # explicit deletes, children first: writes run with foreign keys off (see _write_source), and a new
        # source (the common case of a fresh build) skips these statements altogether
        docs = "SELECT id FROM documents WHERE source = ?"
        for t in ("obligations", "thresholds", "phrases", "references", "doc_sketches", "clauses"):
            conn.execute(f"DELETE FROM [{t}] WHERE document IN ({docs})", (source,))
        conn.execute("DELETE FROM documents WHERE source = ?", (source,))
    conn.execute("DELETE FROM sources WHERE path = ?", (source,))


#: columns written for extracted rows (their ``id`` is a generated column: clause id + "#o" + seq, ...)
_EXTRACTED_COLS = {
    "obligations": "clause, document, seq, modality, text, actor, action_span, condition, exception, strength, "
                   "confidence, rule",
    "thresholds": "clause, document, seq, value, max, unit, comparator, quantity, per, si_value, si_max, si_unit, "
                  "text, confidence, rule",
    "phrases": "clause, document, seq, kind, text, confidence, rule",
    "references": "clause, document, seq, kind, target, text, resolved, confidence, rule",
}
_INSERT = {t: f"INSERT INTO [{t}] ({c}) VALUES ({','.join('?' * (c.count(',') + 1))})"
           for t, c in _EXTRACTED_COLS.items()}


def _insert_doc(conn, doc: Document, source: str, fts_rows: list) -> int:
    """Insert one document's rows; its full-text rows are appended to ``fts_rows`` (inserted per source in
    rowid order, see _write_source_tx)."""
    # clauses.n (= the FTS rowid) is positive for original documents and negative for near-duplicates, so that
    # search leaves duplicates out with a rowid range inside FTS5 (no join); a document's keys are consecutive.
    # Both ranges grow upwards (near-duplicates from DUP_KEY_BASE): keys appended at the right end of every
    # B-tree keyed by them fill their pages, where keys growing downwards left pages half empty.
    if doc.duplicate_of:
        top = conn.execute("SELECT max(n) FROM clauses WHERE n < 0").fetchone()[0]
        next_n = DUP_KEY_BASE if top is None else top + 1
    else:
        next_n = max(conn.execute("SELECT max(n) FROM clauses").fetchone()[0] or 0, 0) + 1
    doc_row, clauses, fts, obl, thr, phr, ref = _doc_rows(doc, source, next_n)
    conn.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)", doc_row)
    conn.executemany("INSERT INTO clauses VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", clauses)
    fts_rows.extend(fts)
    for table, rows in (("obligations", obl), ("thresholds", thr), ("phrases", phr), ("references", ref)):
        if rows:
            conn.executemany(_INSERT[table], rows)
    return len(clauses)


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
                  sketches: Optional[dict] = None) -> int:
    """Replace one source's rows by ``docs`` in one transaction. Returns the number of clauses written.
    ``sketches``: document id -> near-duplicate sketch (DuplicateIndex.fingerprint), stored with the rows."""
    # the rows written here are consistent by construction (children of the documents inserted in the same
    # transaction, deletes done explicitly): checking every foreign key of every row costs ~20 % of a build
    # (inside a build's group transaction, _Group turned them off already)
    fk = not conn.in_transaction and conn.execute("PRAGMA foreign_keys").fetchone()[0]
    if fk:
        conn.execute("PRAGMA foreign_keys = OFF")
    try:
        return _write_source_tx(conn, source, docs, sha, size, hook, sketches)
    finally:
        if fk:
            conn.execute("PRAGMA foreign_keys = ON")


def _write_source_tx(conn, source, docs, sha, size, hook=None, sketches=None) -> int:
    """One source, all or nothing: its own transaction, or a savepoint inside a build's group transaction."""
    n_clauses = 0
    nested = conn.in_transaction
    conn.execute("SAVEPOINT stdkb_source" if nested else "BEGIN IMMEDIATE")
    try:
        _delete_source(conn, source)
        conn.execute("INSERT INTO sources VALUES (?,?,?,?,?)", (source, sha or "", size, len(docs), _now()))
        fts_rows: list = []
        for d in docs:
            n_clauses += _insert_doc(conn, d, source, fts_rows)
            if hook:
                hook.doc_written()
        fts_rows.sort(key=lambda r: r[0])
        conn.executemany("INSERT INTO clauses_fts(rowid, tok) VALUES (?, ?)", fts_rows)
        if sketches:
            conn.executemany("INSERT INTO doc_sketches VALUES (?, ?)",
                             [(d.id, _pack_sketch(sketches[d.id])) for d in docs if sketches.get(d.id) is not None])
        conn.execute("DELETE FROM ingest_errors WHERE path = ?", (source,))
        conn.execute("RELEASE stdkb_source" if nested else "COMMIT")
    except BaseException:
        if nested:
            conn.execute("ROLLBACK TO stdkb_source")
            conn.execute("RELEASE stdkb_source")
        else:
            conn.execute("ROLLBACK")
        raise
    return n_clauses


class _Group:
    """Several sources per transaction during a build (each still all-or-nothing in its own savepoint): a
    commit flushes FTS5's pending terms into a new segment and syncs the WAL, which per source of ~150
    clauses was a third of the write time. Committed every GROUP_CLAUSES clauses and at the end; a killed
    build loses the open group (whole sources only), which the next build redoes."""

    def __init__(self, conn):
        self.conn = conn
        self.fk = False
        self.clauses = 0
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
            self.conn.execute("COMMIT")
        if self.fk:
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.fk = False


#: clauses written per build transaction (see _Group); environment STDKB_BUILD_GROUP_CLAUSES overrides it
#: (1 = one transaction per source)
GROUP_CLAUSES = 5000


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
    try:
        _build_files(conn, todo, res, files, done, hook, dedupe, on_error, progress, max_bytes, password)
    finally:
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
                n = _write_source(conn, key, docs, sha, size, hook, sketches)
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
    rows = conn.execute("SELECT d.id, d.source, d.duplicate_of, s.sketch FROM documents d "
                        "LEFT JOIN doc_sketches s ON s.document = d.id ORDER BY d.source, d.doc_index").fetchall()
    for did, source, dup, blob in rows:
        if source in rebuilding:
            continue
        if blob is not None:
            dedupe.add(did, _unpack_sketch(blob), dup)
            continue
        texts = [t for (t,) in conn.execute("SELECT text FROM clauses WHERE document = ? ORDER BY seq", (did,))]
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


def get_clause(db, clause_id: str) -> dict:
    """A ``clauses`` row (``path`` decoded to a list) plus ``document_title``; unknown -> StdkbError."""
    conn = _conn(_db(db))
    rows = list(_rows(conn, "SELECT c.*, d.title AS document_title FROM clauses c "
                            "JOIN documents d ON d.id = c.document WHERE c.id = ?", (clause_id,)))
    if not rows:
        raise StdkbError(f"unknown clause {clause_id!r}")
    row = rows[0]
    row["path"] = json.loads(row["path"])
    return row


def clause_ancestors(db, clause_id: str) -> list:
    """The chain of ``clauses`` rows from the root down to the parent of ``clause_id``."""
    conn = _conn(_db(db))
    out = []
    cur = get_clause(conn, clause_id)["parent"]
    seen = set()
    while cur and cur not in seen:
        seen.add(cur)
        rows = list(_rows(conn, "SELECT * FROM clauses WHERE id = ?", (cur,)))
        if not rows:
            break
        out.append(rows[0])
        cur = rows[0]["parent"]
    return out[::-1]


def _extracted(conn, table: str, where: str, key) -> dict:
    out: dict = {}
    for r in _rows(conn, f"SELECT * FROM [{table}] WHERE {where} ORDER BY clause, seq", (key,)):
        out.setdefault(r["clause"], []).append(r)
    return out


def _to_obligation(r):
    return Obligation(modality=r["modality"], text=r["text"], actor=r["actor"], action=r["action"],
                      condition=r["condition"], exception=r["exception"], strength=r["strength"],
                      confidence=r["confidence"], rule=r["rule"])


def _to_threshold(r):
    return Threshold(value=r["value"], unit=r["unit"], comparator=r["comparator"], text=r["text"], max=r["max"],
                     quantity=r["quantity"], per=r["per"], si_value=r["si_value"], si_unit=r["si_unit"],
                     si_max=r["si_max"], confidence=r["confidence"], rule=r["rule"])


def _to_phrase(r):
    return Phrase(kind=r["kind"], text=r["text"], confidence=r["confidence"], rule=r["rule"])


def _to_reference(r):
    return Reference(kind=r["kind"], target=r["target"], text=r["text"], resolved=r["resolved"],
                     confidence=r["confidence"], rule=r["rule"])


def document_from_row(db, row: dict) -> Document:
    """Rebuild a full :class:`Document` (clauses with their extracted rules) from a ``documents`` row."""
    conn = _conn(_db(db))
    did = row["id"]
    obl = _extracted(conn, "obligations", "document = ?", did)
    thr = _extracted(conn, "thresholds", "document = ?", did)
    phr = _extracted(conn, "phrases", "document = ?", did)
    ref = _extracted(conn, "references", "document = ?", did)
    clauses = []
    for c in _rows(conn, "SELECT * FROM clauses WHERE document = ? ORDER BY seq", (did,)):
        cid = c["id"]
        clauses.append(Clause(
            id=cid, label=c["label"], path=json.loads(c["path"]), kind=c["kind"], level=c["level"],
            parent=c["parent"], text=c["text"], raw_label=c["raw_label"], scheme=c["scheme"], title=c["title"],
            line=c["line"], page=c["page"],
            obligations=[_to_obligation(r) for r in obl.get(cid, ())],
            thresholds=[_to_threshold(r) for r in thr.get(cid, ())],
            phrases=[_to_phrase(r) for r in phr.get(cid, ())],
            references=[_to_reference(r) for r in ref.get(cid, ())],
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

#: Ranking costs ~1-2 µs per matching clause (bm25 is computed for every match). A query matching more clauses
#: than this (a single common character in a large knowledge base) returns its hits in document order instead,
#: flagged ``ranked: False``, so that search stays fast; narrowing it (more characters, --doc) brings ranking back.
RANK_MAX = 20000


def search(db, query: str, *, doc: Optional[str] = None, modality: Optional[str] = None, limit: int = 20,
           offset: int = 0, snippet_width: int = 80, duplicates: bool = False) -> list:
    """Hits for ``query`` (see :mod:`stdkb.search` for the query language), best first (bm25). Each hit:
    clause_id, document, document_title, label, path (list), path_text, kind, text, snippet (matches wrapped
    in <mark>...</mark>), score (bm25, lower = better; None when unranked), modalities (of the clause's
    obligations), ranked (False when more than RANK_MAX clauses match: document order).
    Clauses of documents marked as near-duplicates of another are left out unless ``duplicates`` (or ``doc``
    names such a document)."""
    from .search import compile_query, highlight

    db = _db(db)
    conn = _conn(db)
    expr = compile_query(query)
    fts_where = ["clauses_fts MATCH ?"]
    fts_params: list = [expr]
    where, params = [], []
    if doc:
        did = find_document(db, doc)["id"]
        lo, hi = conn.execute("SELECT min(n), max(n) FROM clauses WHERE document = ?", (did,)).fetchone()
        if lo is None:
            return []
        fts_where.append("f.rowid BETWEEN ? AND ?")  # a document's clauses have consecutive keys
        fts_params += [lo, hi]
        where.append("c.document = ?")
        params.append(did)
    elif not duplicates:
        fts_where.append("f.rowid > 0")  # clauses of near-duplicate documents have negative keys
    if modality:
        if modality not in MODALITIES:
            raise StdkbError(f"unknown modality {modality!r} (one of: {', '.join(MODALITIES)})")
        where.append("EXISTS (SELECT 1 FROM obligations o WHERE o.clause = c.id AND o.modality = ?)")
        params.append(modality)
    cols = ("c.id AS clause_id, c.document, d.title AS document_title, c.label, c.path, c.path_text, c.kind, "
            "c.text")
    fts_sql = " AND ".join(fts_where)
    try:
        # the first RANK_MAX + 1 matches, in rowid order (FTS5's own order). A 1-character query is a prefix
        # query, which FTS5 answers by merging the doclists of every pair the character starts: kept here so
        # that the unfiltered document-order case does not run it a second time
        first = [r[0] for r in conn.execute(f"SELECT f.rowid FROM clauses_fts f WHERE {fts_sql} LIMIT ?",
                                            (*fts_params, RANK_MAX + 1))]
        n = len(first)
        ranked = n <= RANK_MAX
        if not ranked and not where and int(offset) + int(limit) <= n:
            keys = sorted(first)[int(offset):int(offset) + int(limit)]
            hits = list(_rows(conn, f"SELECT {cols}, NULL AS score FROM clauses c JOIN documents d ON "
                                    f"d.id = c.document WHERE c.n IN (SELECT value FROM json_each(?)) ORDER BY c.n",
                              (json.dumps(keys),)))
        elif not ranked:  # document order: FTS5 yields rowids in order, the LIMIT stops the scan early
            sql = (f"SELECT {cols}, NULL AS score FROM clauses_fts f JOIN clauses c ON c.n = f.rowid "
                   f"JOIN documents d ON d.id = c.document WHERE {' AND '.join(fts_where + where)} "
                   f"ORDER BY f.rowid LIMIT ? OFFSET ?")
            hits = list(_rows(conn, sql, (*fts_params, *params, int(limit), int(offset))))
        else:
            # rank inside FTS5 alone (joining every match before sorting costs 3x), then join and filter the
            # best k; fetch more when the filters rejected too many
            need = int(offset) + int(limit)
            k = min(max(need * 4, 64), n)
            one = _ONE_CHAR.fullmatch(expr)
            py_top = None
            if one and n <= 3000:  # one character: a prefix query, ranked here when few match (_rank_one_char)
                py_top = _rank_one_char(conn.execute("SELECT n, text FROM clauses WHERE n IN (SELECT value FROM "
                                                     "json_each(?))", (json.dumps(first),)).fetchall(), one.group(1))
            while True:
                if py_top is not None:
                    top = py_top[:k]
                else:
                    top = conn.execute(f"SELECT f.rowid, f.rank FROM clauses_fts f WHERE {fts_sql} ORDER BY f.rank "
                                       f"LIMIT ?", (*fts_params, k)).fetchall()
                cond = " AND ".join(["c.n IN (SELECT value FROM json_each(?))"] + where)
                found = {r["n"]: r for r in _rows(
                    conn, f"SELECT c.n AS n, {cols} FROM clauses c JOIN documents d ON d.id = c.document "
                          f"WHERE {cond}", (json.dumps([t[0] for t in top]), *params))}
                hits = []
                for rowid, rank in top:
                    r = found.get(rowid)
                    if r is not None:
                        r.pop("n")
                        r["score"] = rank
                        hits.append(r)
                if len(hits) >= need or len(top) < k or k >= n:
                    break
                # the filters kept len(hits) of k: ask for enough to keep `need`, with margin
                k = min(n, max(k * 8, int(k * need / max(len(hits), 1) * 2)))
            hits = hits[int(offset):need]
    except sqlite3.OperationalError as e:
        raise StdkbError(f"bad search query {query!r}: {e}") from None
    for h in hits:
        h["path"] = json.loads(h["path"])
        h["snippet"] = highlight(h["text"], query, width=snippet_width)
        h["modalities"] = [r[0] for r in conn.execute(
            "SELECT DISTINCT modality FROM obligations WHERE clause = ? ORDER BY modality", (h["clause_id"],))]
        h["ranked"] = ranked
    return hits


_ONE_CHAR = re.compile(r'tok : "(.)" \*')


def _rank_one_char(rows, ch: str) -> list:
    """(n, score) of clauses matching a one-character query, best first: the bm25 formula of FTS5 (k1 = 1.2,
    b = 0.75; its IDF factor is the same for every row of a one-term query, so it is left out), term frequency
    = occurrences of ``ch``, length in characters. FTS5's own bm25 on a prefix query merges the doclists of every
    pair the character starts twice more (once for the IDF); with a common character in a large knowledge base
    that alone is ~80 ms, while the matching rows are already known; reading their text costs ~3 µs a row,
    so this is used up to 3,000 matches (the common case: few originals among many near-duplicates)."""
    from .search import _norm

    k1, b = 1.2, 0.75
    docs = [(n, _norm(t or "")) for n, t in rows]
    avg = (sum(len(s) for _, s in docs) / len(docs)) if docs else 1.0
    out = []
    for n, s in docs:
        tf = s.count(ch)
        out.append((n, -tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(s) / (avg or 1.0)))))
    out.sort(key=lambda x: (x[1], x[0]))
    return out


def count_matches(db, query: str) -> int:
    from .search import compile_query

    conn = _conn(_db(db))
    return conn.execute("SELECT count(*) FROM clauses_fts WHERE clauses_fts MATCH ?",
                        (compile_query(query),)).fetchone()[0]


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
          (SELECT count(*) FROM obligations o WHERE o.document = d.id) AS obligations,
          (SELECT count(*) FROM thresholds t WHERE t.document = d.id) AS thresholds,
          (SELECT count(*) FROM phrases p WHERE p.document = d.id) AS phrases,
          (SELECT count(*) FROM [references] r WHERE r.document = d.id) AS [references]
        FROM documents d ORDER BY d.source, d.doc_index"""))
    out["errors"] = list(_rows(conn, "SELECT path, error, at FROM ingest_errors ORDER BY path"))
    return out
