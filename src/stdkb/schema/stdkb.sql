-- stdkb knowledge base: the one source of truth for the SQLite schema.
-- store.py executes this file on every open(create=True); tests check that a built database matches it.
-- Ids: documents and clauses carry the pipeline's stable ids; extracted rows get "{clause_id}#o1",
-- "#t1", "#p1", "#r1" (1-based position inside the clause), a generated column: (clause, seq) is the key,
-- stored once in the (clause, seq) index instead of a second text key of ~25 bytes per row and its index.
-- Replacing a source deletes its documents; ON DELETE CASCADE removes clauses and extracted rows.

-- One row per input file that was built successfully; sha256 of the file's bytes drives incremental builds.
CREATE TABLE IF NOT EXISTS [sources] (
    [path] TEXT PRIMARY KEY,
    [sha256] TEXT NOT NULL,
    [size] INTEGER,
    [documents] INTEGER NOT NULL DEFAULT 0,
    [built_at] TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS [documents] (
    [id] TEXT PRIMARY KEY,
    [title] TEXT NOT NULL,
    [source] TEXT NOT NULL REFERENCES [sources]([path]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [doc_index] INTEGER NOT NULL DEFAULT 0,
    [lang] TEXT,
    [duplicate_of] TEXT, -- a document id; no FK: the original may live in another source rebuilt later
    [sha256] TEXT,
    [source_sha256] TEXT,
    [clause_count] INTEGER NOT NULL DEFAULT 0,
    [chars] INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS [idx_documents_source] ON [documents]([source]);
CREATE INDEX IF NOT EXISTS [idx_documents_title] ON [documents]([title]);

CREATE TABLE IF NOT EXISTS [clauses] (
    [id] TEXT PRIMARY KEY,
    [n] INTEGER NOT NULL UNIQUE, -- integer key = rowid of clauses_fts; negative in near-duplicate documents
    [document] TEXT NOT NULL REFERENCES [documents]([id]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [seq] INTEGER NOT NULL, -- position inside the document
    [label] TEXT,
    [raw_label] TEXT,
    [path] TEXT NOT NULL, -- JSON list of labels from the root, e.g. ["2", "2.2", "2.2.3"]
    [path_text] TEXT, -- the same, readable: "2 > 2.2 > 2.2.3"
    [kind] TEXT NOT NULL,
    [level] INTEGER NOT NULL,
    [parent] TEXT REFERENCES [clauses]([id]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [title] TEXT,
    [scheme] TEXT,
    [text] TEXT NOT NULL,
    [line] INTEGER,
    [page] INTEGER
);
CREATE INDEX IF NOT EXISTS [idx_clauses_document] ON [clauses]([document], [seq]);
CREATE INDEX IF NOT EXISTS [idx_clauses_parent] ON [clauses]([parent]);

CREATE TABLE IF NOT EXISTS [obligations] (
    [id] TEXT GENERATED ALWAYS AS ([clause] || '#o' || [seq]) VIRTUAL, -- computed, not stored
    [clause] TEXT NOT NULL REFERENCES [clauses]([id]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [document] TEXT NOT NULL REFERENCES [documents]([id]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [seq] INTEGER NOT NULL,
    [modality] TEXT NOT NULL,
    [text] TEXT NOT NULL,
    [actor] TEXT,
    -- the action is nearly always a substring of [text]: stored as a span into it (see [action_span])
    [action] TEXT GENERATED ALWAYS AS (CASE WHEN typeof([action_span]) = 'integer'
        THEN substr([text], ([action_span] >> 16) + 1, [action_span] & 65535) ELSE [action_span] END) VIRTUAL,
    [condition] TEXT,
    [exception] TEXT,
    [strength] TEXT,
    [confidence] REAL NOT NULL DEFAULT 1.0,
    [rule] TEXT,
    [action_span] -- no type (keeps integers and text apart): start << 16 | length of [action] in [text], or the action itself
);
CREATE UNIQUE INDEX IF NOT EXISTS [idx_obligations_clause] ON [obligations]([clause], [seq]); -- also the row's key
CREATE INDEX IF NOT EXISTS [idx_obligations_document] ON [obligations]([document], [modality]);
CREATE INDEX IF NOT EXISTS [idx_obligations_modality] ON [obligations]([modality]);

CREATE TABLE IF NOT EXISTS [thresholds] (
    [id] TEXT GENERATED ALWAYS AS ([clause] || '#t' || [seq]) VIRTUAL, -- computed, not stored
    [clause] TEXT NOT NULL REFERENCES [clauses]([id]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [document] TEXT NOT NULL REFERENCES [documents]([id]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [seq] INTEGER NOT NULL,
    [value] REAL,
    [max] REAL,
    [unit] TEXT,
    [comparator] TEXT NOT NULL,
    [quantity] TEXT,
    [per] TEXT,
    [si_value] REAL,
    [si_max] REAL,
    [si_unit] TEXT,
    [text] TEXT NOT NULL,
    [confidence] REAL NOT NULL DEFAULT 1.0,
    [rule] TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS [idx_thresholds_clause] ON [thresholds]([clause], [seq]); -- also the row's key
CREATE INDEX IF NOT EXISTS [idx_thresholds_document] ON [thresholds]([document]);
CREATE INDEX IF NOT EXISTS [idx_thresholds_unit] ON [thresholds]([unit]);
CREATE INDEX IF NOT EXISTS [idx_thresholds_si_unit] ON [thresholds]([si_unit], [si_value]);
CREATE INDEX IF NOT EXISTS [idx_thresholds_comparator] ON [thresholds]([comparator]);

CREATE TABLE IF NOT EXISTS [phrases] (
    [id] TEXT GENERATED ALWAYS AS ([clause] || '#p' || [seq]) VIRTUAL, -- computed, not stored
    [clause] TEXT NOT NULL REFERENCES [clauses]([id]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [document] TEXT NOT NULL REFERENCES [documents]([id]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [seq] INTEGER NOT NULL,
    [kind] TEXT NOT NULL,
    [text] TEXT NOT NULL,
    [confidence] REAL NOT NULL DEFAULT 1.0,
    [rule] TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS [idx_phrases_clause] ON [phrases]([clause], [seq]); -- also the row's key
CREATE INDEX IF NOT EXISTS [idx_phrases_document] ON [phrases]([document]);
CREATE INDEX IF NOT EXISTS [idx_phrases_kind] ON [phrases]([kind]);

CREATE TABLE IF NOT EXISTS [references] (
    [id] TEXT GENERATED ALWAYS AS ([clause] || '#r' || [seq]) VIRTUAL, -- computed, not stored
    [clause] TEXT NOT NULL REFERENCES [clauses]([id]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [document] TEXT NOT NULL REFERENCES [documents]([id]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [seq] INTEGER NOT NULL,
    [kind] TEXT NOT NULL,
    [target] TEXT NOT NULL,
    [text] TEXT NOT NULL,
    [resolved] TEXT, -- a clause id inside the same document, when the extractor found it
    [confidence] REAL NOT NULL DEFAULT 1.0,
    [rule] TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS [idx_references_clause] ON [references]([clause], [seq]); -- also the row's key
CREATE INDEX IF NOT EXISTS [idx_references_document] ON [references]([document]);
CREATE INDEX IF NOT EXISTS [idx_references_kind] ON [references]([kind]);

-- Near-duplicate fingerprints (the bottom-k sketch of stdkb.documents.DuplicateIndex, 4-byte hashes), so an
-- incremental build seeds duplicate detection from here instead of re-reading every stored clause.
CREATE TABLE IF NOT EXISTS [doc_sketches] (
    [document] TEXT PRIMARY KEY REFERENCES [documents]([id]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [sketch] BLOB NOT NULL
);

-- Files that could not be built in the latest build that saw them (cleared when the file builds).
CREATE TABLE IF NOT EXISTS [ingest_errors] (
    [path] TEXT PRIMARY KEY,
    [sha256] TEXT,
    [error] TEXT NOT NULL,
    [at] TEXT NOT NULL
);

-- Full-text index over clauses (see stdkb.search): contentless FTS5, rowid = clauses.n, one column:
--   tok: every Latin/digit word, lower-cased, and for every CJK character the pair it starts with the next
--        character of its run (the character alone at the end of a run), in text order
-- A gap token (stdkb.search.GAP) separates runs split by punctuation, so that a phrase never matches across it.
CREATE VIRTUAL TABLE IF NOT EXISTS [clauses_fts] USING fts5(
    [tok], content='', tokenize='unicode61 remove_diacritics 2'
);

-- Key/value facts about the database (schema and tokenizer versions).
CREATE TABLE IF NOT EXISTS [kb_meta] (
    [key] TEXT PRIMARY KEY,
    [value] TEXT
);
