import type { NewEvent, RecordedEvent } from './event-envelope';
import type { SnapshotStore } from './snapshot-store.port';

/**
 * What the writer believes about the stream before appending:
 * `no_stream` (must not exist), `stream_exists`, `any`, or the revision of its last event.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly nextExpectedRevision: number;
  /** Global position of the last event appended (or already present, on an idempotent retry). */
  readonly position: number;
}

/** An append answered at commit: its result, and when it is durable (rejects if it could not be made so). */
export interface CommittedAppend extends AppendResult {
  readonly durable: Promise<void>;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive start revision; default: start (forwards) or end (backwards). */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events with a position greater than this. null/undefined reads from the beginning. */
  readonly after?: number | null;
  readonly maxCount?: number;
}

export interface CatchUpSubscriptionOptions {
  /** Exclusive checkpoint: delivery starts after this position; null/undefined from the beginning. */
  readonly after?: number | null;
  /** Called once per event, in position order; the next event waits for the returned promise. */
  readonly onEvent: (event: RecordedEvent) => Promise<void>;
  /**
   * Optional: a store that reads in pages may hand each page's events here at once (in position order, instead of
   * `onEvent`), so a follower can handle them in one write; stores that deliver one by one call `onEvent`.
   */
  readonly onBatch?: (events: readonly RecordedEvent[]) => Promise<void>;
  /** Called when the subscription stops because of an error (after onEvent rejected, or the store failed). */
  readonly onError?: (error: unknown) => void;
}

export interface Subscription {
  /** Stops delivery; resolves once no onEvent call is running. */
  stop(): Promise<void>;
}

/** The event store port: an append-only log of streams with optimistic concurrency. */
export interface EventStore {
  /**
   * Appends events atomically. Throws WrongExpectedRevisionError when `expectedRevision` does not hold,
   * unless every event id is already stored in this stream in the same order (an idempotent retry).
   */
  append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /**
   * Optional: appends as `append` does, but answers once the events are committed (this store's later reads and
   * appends see them), with `durable` resolving once they are on disk, for a command that appends again on what it
   * wrote. Only a store whose log is synced in order offers it: an append made durable makes every earlier one durable.
   */
  appendCommitted?(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<CommittedAppend>;
  /** Events of one stream; an empty array for a stream that does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events of all streams in position order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Delivers every stored event after the checkpoint, then new ones as they are appended. */
  subscribeToAll(options: CatchUpSubscriptionOptions): Subscription;
  /** Position of the last stored event, or null for an empty store. */
  lastPosition(): Promise<number | null>;
  /** Optional: how many events `readAll({ after })` would return, counted up to `cap` without reading them (lag reports). */
  countAfter?(after: number | null, cap: number): Promise<number>;
  close(): Promise<void>;
  /** Where a write model keeps snapshots of long streams; a store without one folds them from the first event. */
  readonly snapshots?: SnapshotStore;
}

export const EVENT_STORE = Symbol('EventStore');
