import type { Database } from 'better-sqlite3';

/**
 * synchronous=NORMAL: a read model can be rebuilt from the event store, so losing the last commits on
 * power loss is acceptable, and writes stay cheap. A 32 MiB page cache (SQLite's default is 2 MiB) keeps the
 * index pages a deep page walks in memory once a million documents no longer fit the default. temp_store=MEMORY: a
 * write of several documents runs in a savepoint of the turn's transaction, whose journal of the pages it changes
 * SQLite spills to a temporary file past 64 KiB (with creates under load: 16 writes and 40 KiB a create into that
 * file, strace); in memory it is freed at the savepoint's release.
 */
export function configureReadModelConnection(db: Database): void {
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -32768');
  db.pragma('temp_store = MEMORY');
}

/**
 * Documents live in SQLite only (JSON text, one table for every collection); declared indexes are partial
 * expression indexes on it, substring search a trigram FTS5 index keyed by the document's `seq`.
 */
export function createReadModelSchema(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS read_model_docs (
      seq        INTEGER PRIMARY KEY,
      collection TEXT NOT NULL,
      id         TEXT NOT NULL,
      body       TEXT NOT NULL,
      UNIQUE (collection, id)
    );
    CREATE VIRTUAL TABLE IF NOT EXISTS read_model_search USING fts5(text, content = '', contentless_delete = 1, tokenize = 'trigram');
    CREATE TABLE IF NOT EXISTS read_model_indexes (
      collection TEXT NOT NULL,
      kind       TEXT NOT NULL,
      fields     TEXT NOT NULL,
      PRIMARY KEY (collection, kind, fields)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS read_model_irregular_paths (
      collection TEXT NOT NULL,
      path       TEXT NOT NULL,
      PRIMARY KEY (collection, path)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS read_model_checkpoints (
      name     TEXT    PRIMARY KEY,
      position INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS parked_events (
      id        TEXT PRIMARY KEY,
      consumer  TEXT NOT NULL,
      parked_at TEXT NOT NULL,
      body      TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS parked_events_by_consumer ON parked_events (consumer, parked_at, id);
    CREATE INDEX IF NOT EXISTS parked_events_by_age ON parked_events (parked_at, id);
    CREATE TABLE IF NOT EXISTS read_model_kept_queries (
      collection TEXT PRIMARY KEY,
      session    TEXT NOT NULL,
      state      TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS read_model_meta (
      name  TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) WITHOUT ROWID;
  `);
  mergeSearchSegmentsInPairs(db);
  migrateDocumentsTable(db);
}

/** Segments of a level the search index merges at once (FTS5's default is 4). */
const SEARCH_AUTOMERGE = 2;

/**
 * A phrase query seeks every segment of the trigram index (14 segments: ~80 µs for a rare 5-character term, one: ~32 µs):
 * merging a level's segments in pairs keeps about half as many (100,000 one-document commits: 5 segments instead of
 * 9, the phrase ~45 instead of ~63 µs) for no measurable write cost. Stored in the index's own configuration.
 */
function mergeSearchSegmentsInPairs(db: Database): void {
  const current = db.prepare<[], number | string>("SELECT v FROM read_model_search_config WHERE k = 'automerge'").pluck().get();
  if (current !== SEARCH_AUTOMERGE) db.exec(`INSERT INTO read_model_search (read_model_search, rank) VALUES ('automerge', ${SEARCH_AUTOMERGE})`);
}

/** Files written before documents got a `seq` keep them in `read_model_documents`: moved once, in one transaction. */
function migrateDocumentsTable(db: Database): void {
  const old = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'read_model_documents'").get();
  if (!old) return;
  db.transaction(() => {
    db.exec('INSERT OR REPLACE INTO read_model_docs (collection, id, body) SELECT collection, id, body FROM read_model_documents');
    db.exec('DROP TABLE read_model_documents');
  })();
}

/**
 * Gives the file a new session id (durably, before any write of this run) and answers the one it had: texts kept beside
 * the file by the run that wrote that id, stopped cleanly, agree with its documents; any other run's write changed the id.
 */
export function startReadModelSession(db: Database, session: string): string | null {
  const previous = db.prepare<[], string>("SELECT value FROM read_model_meta WHERE name = 'session'").pluck().get() ?? null;
  db.pragma('synchronous = FULL');
  try {
    db.prepare("INSERT INTO read_model_meta (name, value) VALUES ('session', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value").run(session);
  } finally {
    db.pragma('synchronous = NORMAL');
  }
  return previous;
}
