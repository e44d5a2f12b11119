import type { RecordedEvent } from './event-envelope';

/** An event a follower gave up on after its retries, kept with the error so an operator can fix and replay it. */
export interface ParkedEvent {
  /** `<consumer>:<event id>`: parking the same event twice (a crash after parking) keeps one entry. */
  readonly id: string;
  /** The follower that parked it: a projection, reactor or bus consumer group. */
  readonly consumer: string;
  /** Where a bus consumer received it; null for a follower of the event store. */
  readonly topic: string | null;
  readonly event: RecordedEvent;
  /** The handler's last error message (never a stack: messages are what an operator reads). */
  readonly error: string;
  readonly attempts: number;
  /** ISO-8601. */
  readonly parkedAt: string;
}

export interface ParkedEventQuery {
  readonly consumer?: string;
  /** Most entries returned; default 100. */
  readonly limit?: number;
}

/**
 * Where followers park the events their handler keeps failing on, so the events behind one move on.
 * Entries hold any tenant's data: only operators may list or replay them.
 */
export interface ParkedEventStore {
  /** Stores the entry, replacing one with the same id. */
  park(entry: ParkedEvent): Promise<void>;
  /** Oldest parked first (then by id). */
  list(query?: ParkedEventQuery): Promise<ParkedEvent[]>;
  get(id: string): Promise<ParkedEvent | null>;
  /** Forgets an entry (after a successful replay); no error if it is gone already. */
  remove(id: string): Promise<void>;
  /** Forgets every entry of one consumer (its read model is being rebuilt, which parks anew what still fails). */
  removeAll(consumer: string): Promise<void>;
  count(consumer: string): Promise<number>;
}

export const PARKED_EVENT_STORE = Symbol('ParkedEventStore');

/**
 * The type of a parked entry that holds a bus record which is no event at all (not JSON, no envelope): its raw value is
 * kept for the operator to read; no handler can apply it, so it is never replayed.
 */
export const UNREADABLE_RECORD_TYPE = 'kafka.unreadable_record';

export function parkedEventIdOf(consumer: string, eventId: string): string {
  return `${consumer}:${eventId}`;
}
