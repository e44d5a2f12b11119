import type { RecordedEvent } from './event-envelope';

/**
 * An event whose payload cannot be what its type says (a store edited by hand, a record from a broken producer): no
 * retry can read it, so a follower parks it at once, with this message, and goes on with the events behind it.
 */
export class UnreadableEventError extends Error {
  override readonly name: string = 'UnreadableEventError';
}

/**
 * Every event of this system carries an object: one whose data is none (null, a list, a text: a store edited by hand, a
 * broken producer) is unreadable to every consumer, whatever its type. The problem, or null for an object.
 */
export function dataProblemOf(event: RecordedEvent): UnreadableEventError | null {
  const data = event.data as unknown;
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) return null;
  return new UnreadableEventError(`${event.type} ${event.id} cannot be read: its data is not an object`);
}
