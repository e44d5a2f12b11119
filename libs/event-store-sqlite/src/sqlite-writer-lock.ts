import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Connection } from 'better-sqlite3';
import { CannotStartError } from '@as2-partners/kernel';

/** A second process asked to write an event store another process already writes. */
export class EventStoreLockedError extends CannotStartError {
  constructor(readonly file: string) {
    super(
      `The event store ${file} is in use by another process. EVENT_STORE=sqlite has one writer: a second one would publish every event twice. ` +
        'Stop the other process, or give this one its own DATA_DIR.',
    );
    this.name = 'EventStoreLockedError';
  }
}

interface HeldLock {
  readonly connection: Connection;
  holders: number;
}

/** Locks held by this process, by event-store file: one process may open its own store more than once (several apps in one process, tests). */
const held = new Map<string, HeldLock>();

/**
 * The single-writer lock of an event-store file: an exclusive SQLite lock on `<file>.lock`, held by an open connection.
 * The operating system drops it when the process ends, however it ends (kill -9 included), so no lock is ever stale.
 */
export class SqliteWriterLock {
  private released = false;

  private constructor(private readonly file: string) {}

  /** Takes the lock, or throws EventStoreLockedError when another process holds it (after waiting up to waitMs for it to go). */
  static acquire(eventStoreFile: string, waitMs = 2000): SqliteWriterLock {
    const file = resolve(eventStoreFile);
    const mine = held.get(file);
    if (mine) {
      mine.holders += 1;
      return new SqliteWriterLock(file);
    }
    const connection = new Database(`${file}.lock`, { timeout: waitMs });
    try {
      connection.pragma('locking_mode = EXCLUSIVE');
      // The first write takes the exclusive lock; locking_mode EXCLUSIVE keeps it until the connection closes.
      connection.exec('BEGIN EXCLUSIVE');
      connection.exec('CREATE TABLE IF NOT EXISTS writer (pid INTEGER)');
      connection.exec('COMMIT');
    } catch (error) {
      connection.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new EventStoreLockedError(file);
      throw error;
    }
    held.set(file, { connection, holders: 1 });
    return new SqliteWriterLock(file);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const lock = held.get(this.file);
    if (!lock) return;
    lock.holders -= 1;
    if (lock.holders > 0) return;
    held.delete(this.file);
    lock.connection.close();
  }
}
