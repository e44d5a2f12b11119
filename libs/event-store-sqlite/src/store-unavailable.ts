import { EventStoreUnavailableError } from '@as2-partners/kernel';

/**
 * SQLite's result codes (the extended ones begin with these) that say the file cannot take a write now, whatever the
 * write: disk full, I/O error, read-only file or directory, a file that is not (or no longer) a database, a lock held
 * elsewhere past the busy timeout.
 */
const STORE_UNAVAILABLE_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|PERM|CORRUPT|NOTADB|BUSY|LOCKED|PROTOCOL)/;

/**
 * The store's failure as the kernel names it, or null for an error of the write itself (a wrong expected revision).
 * `store`: which file's, for the log (the secret store's file fails the same ways).
 */
export function storeUnavailableFrom(error: unknown, store = 'event store'): EventStoreUnavailableError | null {
  if (error instanceof EventStoreUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !STORE_UNAVAILABLE_CODES.test(code)) return null;
  return new EventStoreUnavailableError(`The ${store} cannot write now (${code})`, false, { cause: error });
}

/** A commit SQLite made whose WAL could not be synced: its rows are in the file, but not known to be on disk. */
export function notSyncedFrom(error: unknown): EventStoreUnavailableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new EventStoreUnavailableError(`The write was committed but could not be synced to disk (${reason}); it may be lost on a crash`, true, { cause: error });
}
