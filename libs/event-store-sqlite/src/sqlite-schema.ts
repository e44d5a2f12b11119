import type { Database } from 'better-sqlite3';
import { WalSync, type WalSyncFunction } from './wal-sync';

/** How long a writer waits for another connection's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * WAL lets readers (subscriptions, other processes) run beside the single writer; synchronous=FULL
 * fsyncs the WAL on every commit, so an append that returned survives a crash or power loss.
 */
export function configureConnection(db: Database): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
}

/**
 * For the event store's own connection: the same durability as synchronous=FULL (the WAL is synced before a writer is
 * answered), with the sync moved off the event loop (WalSync) so requests go on while the disk works. Null when the
 * connection has no WAL file (in memory): its commits stay as configured.
 */
export function syncWalOffTheEventLoop(db: Database, sync?: WalSyncFunction): WalSync | null {
  if (db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal') return null;
  db.pragma('synchronous = NORMAL');
  return new WalSync(`${db.name}-wal`, sync);
}

/**
 * Writes the WAL's header now, durably, with a commit that changes no data (page 1 rewritten with what it holds:
 * `user_version` set to its own value). SQLite writes the header with the first commit into a WAL it just created (a
 * clean stop removes the file) and syncs it, and the directory holding the new file, inside that COMMIT: on the event
 * loop, whatever the connection's `synchronous`. Done at open, before the app is ready, so the first append after a
 * restart (a create) does not wait for those syncs. A store in memory has no WAL: nothing to do.
 */
export function writeWalHeader(db: Database): void {
  if (db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal') return;
  db.transaction(() => {
    const version = Number(db.pragma('user_version', { simple: true }));
    db.pragma(`user_version = ${version}`);
  }).immediate();
}

export function createSchema(db: Database): void {
  // Snapshots are a cache of what the events say: a table from before they were stored in parts is dropped, not migrated.
  const snapshotColumns = db.prepare("SELECT name FROM pragma_table_info('snapshots')").pluck().all() as string[];
  if (snapshotColumns.length > 0 && !snapshotColumns.includes('part')) db.exec('DROP TABLE snapshots');
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      position       INTEGER PRIMARY KEY AUTOINCREMENT,
      id             TEXT    NOT NULL UNIQUE,
      stream         TEXT    NOT NULL,
      revision       INTEGER NOT NULL CHECK (revision >= 0),
      type           TEXT    NOT NULL,
      schema_version INTEGER NOT NULL,
      data           TEXT    NOT NULL,
      metadata       TEXT    NOT NULL,
      UNIQUE (stream, revision)
    );
    CREATE TABLE IF NOT EXISTS checkpoints (
      name     TEXT    PRIMARY KEY,
      position INTEGER NOT NULL
    );
    -- One row the readiness check rewrites while writes fail, to learn whether a write of a batch's size goes through.
    CREATE TABLE IF NOT EXISTS write_probe (
      id   INTEGER PRIMARY KEY,
      data BLOB    NOT NULL
    );
    CREATE TABLE IF NOT EXISTS snapshots (
      stream   TEXT    NOT NULL,
      name     TEXT    NOT NULL,
      part     INTEGER NOT NULL,
      revision INTEGER NOT NULL,
      state    TEXT    NOT NULL,
      PRIMARY KEY (stream, name, part)
    );
  `);
}
