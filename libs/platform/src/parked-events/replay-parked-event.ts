import { DomainError, UNREADABLE_RECORD_TYPE, type ParkedEvent, type ParkedEventStore, type ProjectionRegistry } from '@as2-partners/kernel';

export const PARKED_EVENT_ERROR_STATUSES = {
  PARKED_EVENT_NOT_FOUND: 404,
  PARKED_EVENT_CONSUMER_NOT_HERE: 409,
  PARKED_EVENT_REPLAY_FAILED: 409,
} as const;

/**
 * Applies one parked event again through the follower that parked it (after its handler was fixed) and forgets
 * it once applied. A replay that fails leaves the entry parked, its error and attempts brought up to date.
 */
export async function replayParkedEvent(registry: ProjectionRegistry, parked: ParkedEventStore, id: string, now: () => Date = () => new Date()): Promise<ParkedEvent> {
  const entry = await parked.get(id);
  if (!entry) throw new DomainError('PARKED_EVENT_NOT_FOUND', `No parked event has the id ${id}.`);
  // A record that is no event reached no handler: applying "it" would do nothing and forget it, as if it were fixed.
  if (entry.event.type === UNREADABLE_RECORD_TYPE) {
    throw new DomainError('PARKED_EVENT_REPLAY_FAILED', 'The parked record is no event (its raw value is kept in the entry): no follower can apply it; it stays parked.');
  }
  const replayer = registry.replayerOf(entry.consumer);
  if (!replayer) {
    throw new DomainError('PARKED_EVENT_CONSUMER_NOT_HERE', `The follower ${entry.consumer} that parked this event does not run in this service.`);
  }
  try {
    await replayer.replayParked(entry);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await parked.park({ ...entry, error: message, attempts: entry.attempts + 1, parkedAt: now().toISOString() });
    throw new DomainError('PARKED_EVENT_REPLAY_FAILED', 'The event could not be applied; it stays parked with the new error.');
  }
  return entry;
}
