import type { ExpectedRevision } from './event-store.port';

/** Optimistic concurrency failure: someone else appended to the stream first. */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or 'no_stream'. */
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

/**
 * The event store could not take or confirm a write (its disk full, its file read-only, an I/O error, its lock held by
 * another process): not the request's fault, and it may pass. `maybeStored`: the write was committed but not confirmed
 * on disk, so a retry (with the same Idempotency-Key) may find it done.
 */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  constructor(
    message: string,
    readonly maybeStored: boolean,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}
