import type { EventMetadata, NewEvent } from './event-envelope';
import { timeOrderedUuid } from './time-ordered-ids';

/** What a decider emits: a stable versioned type (`certificate.uploaded.v1`) and its data. */
export interface DecidedEvent {
  readonly type: string;
  readonly data: unknown;
}

/** The schema version a type names in its `.vN` suffix. */
export function schemaVersionOf(type: string): number {
  const match = /\.v(\d+)$/.exec(type);
  if (!match) throw new Error(`Event type ${type} has no version suffix`);
  return Number(match[1]);
}

/** Wraps decider output into appendable events with fresh ids (time-ordered: see timeOrderedUuid) and the request's metadata. */
export function toNewEvents(events: readonly DecidedEvent[], metadata: EventMetadata): NewEvent[] {
  return events.map((event) => ({
    id: timeOrderedUuid(),
    type: event.type,
    schemaVersion: schemaVersionOf(event.type),
    data: event.data,
    metadata,
  }));
}
