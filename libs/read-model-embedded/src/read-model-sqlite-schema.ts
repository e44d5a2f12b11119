import type { Database } from 'better-sqlite3';

/**
 * One table holds every collection's documents as JSON text; the store keeps a parsed copy in memory and
 * reads from it, so SQLite only serves writes and the load at open.
 * synchronous=NORMAL: a read model can be rebuilt from the event store, so losing the last commits on
 * power loss is acceptable, and writes stay cheap.
 */
export function configureReadModelConnection(db: Database): void {
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
}

export function createReadModelSchema(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS read_model_documents (
      collection TEXT NOT NULL,
      id         TEXT NOT NULL,
      body       TEXT NOT NULL,
      PRIMARY KEY (collection, id)
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
  `);
}
