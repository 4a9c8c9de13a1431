-- stdkb knowledge base: the one source of truth for the SQLite schema (version 3).
-- store.py executes this file on every open(create=True); tests check that a built database matches it.
--
-- Layout (why it looks like this: the database must stay under 3x the size of the text it holds)
--   * Integer keys. documents.n and clauses.n are small integers; every other table refers to them, so a
--     reference costs 1-4 bytes instead of a 12-25 byte text id repeated in every row and every index.
--     The stable text ids of the pipeline stay: documents.id, and a clause's id is documents.key_prefix || key
--     (documents.id || ':' || key for the pipeline's ids; view clause_ids). A document's clauses have consecutive keys, in document order.
--   * Extracted rows (obligations, thresholds, phrases, references) are WITHOUT ROWID tables whose primary key
--     starts with the document: "the rules of a document" is a range of the table itself, no second index.
--   * An obligation's sentence and action are spans into the clause text (start << 16 | length), not copies;
--     views obligation_texts and clause_ids give them back as text for SQL and datasette users.
--   * Columns a person reads but that can be computed (path, path_text, label, parent, title, confidence) are
--     VIRTUAL generated columns: they behave like columns in SELECT, WHERE, facets and foreign keys, and
--     take no space.
-- Replacing a source deletes its rows explicitly (children first); foreign keys cascade for other writers.

-- One row per input file that was built successfully; sha256 of the file's bytes drives incremental builds.
CREATE TABLE IF NOT EXISTS [sources] (
    [path] TEXT PRIMARY KEY,
    [sha256] TEXT NOT NULL,
    [size] INTEGER,
    [documents] INTEGER NOT NULL DEFAULT 0,
    [built_at] TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS [documents] (
    [n] INTEGER PRIMARY KEY, -- integer key used by every other table
    [id] TEXT NOT NULL UNIQUE, -- stable id from the pipeline
    [key_prefix] TEXT NOT NULL DEFAULT '', -- a clause id is key_prefix || clauses.key: id || ':' from the pipeline
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
    -- = rowid in clauses_fts (original documents) or clauses_dup_fts (near-duplicates); counts up, so every
    -- table keyed by it is appended to at its end and its pages stay full
    [n] INTEGER PRIMARY KEY,
    [document] INTEGER NOT NULL REFERENCES [documents]([n]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [seq] INTEGER NOT NULL, -- position inside the document
    [key] TEXT NOT NULL, -- the clause id inside its document ("2/2.2/2.2.3"; "_" for text before clause 1)
    [path_json] TEXT, -- stored only when the key does not spell the path (a label holding / ~ " or \)
    [path] TEXT GENERATED ALWAYS AS (coalesce([path_json], CASE
        WHEN [key] = '_' OR [key] LIKE '\_~%' ESCAPE '\' THEN '[]'
        ELSE '["' || replace(CASE WHEN instr([key], '~') > 0 THEN substr([key], 1, instr([key], '~') - 1)
                                  ELSE [key] END, '/', '","') || '"]' END)) VIRTUAL, -- JSON list of labels
    [path_text] TEXT GENERATED ALWAYS AS (CASE WHEN [path] = '[]' THEN NULL
        ELSE replace(substr([path], 3, length([path]) - 4), '","', ' > ') END) VIRTUAL, -- "2 > 2.2 > 2.2.3"
    [label] TEXT GENERATED ALWAYS AS ([path] ->> '$[#-1]') VIRTUAL, -- "2.2.3"
    [raw_label] TEXT,
    [kind] TEXT NOT NULL,
    [level] INTEGER NOT NULL,
    [parent_offset] INTEGER, -- n - parent's n
    [parent] INTEGER GENERATED ALWAYS AS ([n] - [parent_offset]) VIRTUAL
        REFERENCES [clauses]([n]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [title_span], -- the heading: its length when it starts the text (the common case), else the heading itself
    [title] TEXT GENERATED ALWAYS AS (CASE WHEN typeof([title_span]) = 'integer'
        THEN substr([text], 1, [title_span]) ELSE [title_span] END) VIRTUAL,
    [scheme] TEXT,
    [text] TEXT NOT NULL,
    [line] INTEGER,
    [page] INTEGER
);
CREATE INDEX IF NOT EXISTS [idx_clauses_document] ON [clauses]([document]);

CREATE TABLE IF NOT EXISTS [obligations] (
    [document] INTEGER NOT NULL REFERENCES [documents]([n]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [modality] TEXT NOT NULL,
    [clause] INTEGER NOT NULL REFERENCES [clauses]([n]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [seq] INTEGER NOT NULL, -- position inside the clause
    [text_span] NOT NULL, -- the sentence: start << 16 | length in the clause text, or the sentence itself
    [actor] TEXT,
    [action_span], -- the action: start << 16 | length in the sentence, or the action itself (NULL: none)
    [condition] TEXT,
    [exception] TEXT,
    [strength] TEXT,
    [confidence_milli] INTEGER NOT NULL DEFAULT 1000, -- confidence × 1000 (3 decimals)
    [confidence] REAL GENERATED ALWAYS AS ([confidence_milli] / 1000.0) VIRTUAL,
    [rule] TEXT,
    PRIMARY KEY ([document], [modality], [clause], [seq])
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS [thresholds] (
    [document] INTEGER NOT NULL REFERENCES [documents]([n]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [clause] INTEGER NOT NULL REFERENCES [clauses]([n]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
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
    [confidence_milli] INTEGER NOT NULL DEFAULT 1000, -- confidence × 1000 (3 decimals)
    [confidence] REAL GENERATED ALWAYS AS ([confidence_milli] / 1000.0) VIRTUAL,
    [rule] TEXT,
    PRIMARY KEY ([document], [clause], [seq])
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS [idx_thresholds_unit] ON [thresholds]([unit]);
CREATE INDEX IF NOT EXISTS [idx_thresholds_si_unit] ON [thresholds]([si_unit], [si_value]);
CREATE INDEX IF NOT EXISTS [idx_thresholds_comparator] ON [thresholds]([comparator]);

CREATE TABLE IF NOT EXISTS [phrases] (
    [document] INTEGER NOT NULL REFERENCES [documents]([n]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [kind] TEXT NOT NULL,
    [clause] INTEGER NOT NULL REFERENCES [clauses]([n]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [seq] INTEGER NOT NULL,
    [text] TEXT NOT NULL,
    [confidence_milli] INTEGER NOT NULL DEFAULT 1000, -- confidence × 1000 (3 decimals)
    [confidence] REAL GENERATED ALWAYS AS ([confidence_milli] / 1000.0) VIRTUAL,
    [rule] TEXT,
    PRIMARY KEY ([document], [kind], [clause], [seq])
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS [references] (
    [document] INTEGER NOT NULL REFERENCES [documents]([n]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [clause] INTEGER NOT NULL REFERENCES [clauses]([n]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [seq] INTEGER NOT NULL,
    [kind] TEXT NOT NULL,
    [target] TEXT NOT NULL,
    [text] TEXT NOT NULL,
    [resolved] INTEGER REFERENCES [clauses]([n]) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED, -- the target clause, same document
    [confidence_milli] INTEGER NOT NULL DEFAULT 1000, -- confidence × 1000 (3 decimals)
    [confidence] REAL GENERATED ALWAYS AS ([confidence_milli] / 1000.0) VIRTUAL,
    [rule] TEXT,
    PRIMARY KEY ([document], [clause], [seq])
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS [idx_references_kind] ON [references]([kind]);
CREATE INDEX IF NOT EXISTS [idx_references_target] ON [references]([target]);

-- Near-duplicate fingerprints (the bottom-k sketch of stdkb.documents.DuplicateIndex, 4-byte hashes), so an
-- incremental build seeds duplicate detection from here instead of re-reading every stored clause.
CREATE TABLE IF NOT EXISTS [doc_sketches] (
    [document] INTEGER PRIMARY KEY REFERENCES [documents]([n]) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    [sketch] BLOB NOT NULL
);

-- Files that could not be built in the latest build that saw them (cleared when the file builds).
CREATE TABLE IF NOT EXISTS [ingest_errors] (
    [path] TEXT PRIMARY KEY,
    [sha256] TEXT,
    [error] TEXT NOT NULL,
    [at] TEXT NOT NULL
);

-- Full-text index over clauses (see stdkb.search): contentless FTS5 without positions, rowid = clauses.n;
-- clauses of near-duplicate documents are in clauses_dup_fts (search leaves them out unless asked). One column:
--   tok: every Latin/digit word, lower-cased, and for every CJK character the pair it starts with the next
--        character of its run (the character alone at the end of a run), each distinct token once
-- A 1- or 2-character Chinese query or a single word is answered by the index alone; a longer one by the
-- rows holding all its pairs, checked against the clause text.
CREATE VIRTUAL TABLE IF NOT EXISTS [clauses_fts] USING fts5(
    [tok], content='', detail=none, columnsize=0, tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS [clauses_dup_fts] USING fts5(
    [tok], content='', detail=none, columnsize=0, tokenize='unicode61 remove_diacritics 2'
);

-- Key/value facts about the database (schema and tokenizer versions).
CREATE TABLE IF NOT EXISTS [kb_meta] (
    [key] TEXT PRIMARY KEY,
    [value] TEXT
);

-- Stable clause ids (documents.key_prefix || clauses.key) for SQL users.
CREATE VIEW IF NOT EXISTS [clause_ids] AS
    SELECT c.[n], d.[key_prefix] || c.[key] AS [id], d.[id] AS [document_id]
    FROM [clauses] c JOIN [documents] d ON d.[n] = c.[document];

-- Obligations with their sentence, action and clause as text (the obligations table keeps spans).
CREATE VIEW IF NOT EXISTS [obligation_texts] AS
    SELECT [document_title], [clause_path], [modality], [text], [actor],
        CASE WHEN typeof([action_span]) = 'integer'
            THEN substr([text], ([action_span] >> 16) + 1, [action_span] & 65535) ELSE [action_span] END AS [action],
        [condition], [exception], [strength], [confidence], [rule], [clause_id], [clause], [seq], [document],
        [clause_text]
    FROM (SELECT o.*, d.[title] AS [document_title], c.[path_text] AS [clause_path],
            CASE WHEN typeof(o.[text_span]) = 'integer'
                THEN substr(c.[text], (o.[text_span] >> 16) + 1, o.[text_span] & 65535) ELSE o.[text_span] END AS [text],
            d.[key_prefix] || c.[key] AS [clause_id], c.[text] AS [clause_text]
        FROM [obligations] o JOIN [clauses] c ON c.[n] = o.[clause] JOIN [documents] d ON d.[n] = o.[document]);
