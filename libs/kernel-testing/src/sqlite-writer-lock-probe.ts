import Database from 'better-sqlite3';

/**
 * Whether another writer could take an embedded event store's writer lock (`<file>.lock`) now: false while a store
 * holds it open, in this process or another (SQLite's locks hold between connections of one process too).
 */
export function sqliteWriterLockFree(eventStoreFile: string): boolean {
  const lock = new Database(`${eventStoreFile}.lock`, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    lock.exec('COMMIT');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
    throw error;
  } finally {
    lock.close();
  }
}
