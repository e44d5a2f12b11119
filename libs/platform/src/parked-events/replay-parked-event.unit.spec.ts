import { DomainError, parkedEventIdOf, ProjectionRegistry, UNREADABLE_RECORD_TYPE, type ParkedEvent, type ParkedEventStore, type RecordedEvent } from '@as2-partners/kernel';
import { InMemoryParkedEventStore } from '@as2-partners/kernel-testing';
import { replayParkedEvent } from './replay-parked-event';

function parkedBy(consumer: string): ParkedEvent {
  const event: RecordedEvent = {
    id: 'evt-1',
    type: 'tenant.deleted.v1',
    schemaVersion: 1,
    data: {},
    metadata: { account: 'acc', tenant: null, correlationId: 'c', causationId: null, actor: { type: 'system', id: 't' }, occurredAt: '2026-11-23T10:00:00.000Z' },
    stream: 'tenant-acc.t1',
    revision: 1,
    position: 9,
  };
  return { id: parkedEventIdOf(consumer, event.id), consumer, topic: null, event, error: 'down', attempts: 6, parkedAt: '2026-11-23T10:00:00.000Z' };
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  const error = await work.then(() => null, (e: unknown) => e);
  return error instanceof DomainError ? error.code : `not a DomainError: ${String(error)}`;
}

describe('replayParkedEvent', () => {
  const now = () => new Date('2026-11-24T08:00:00.000Z');
  // the kernel's double: every adapter passes the same parked-event contract, and the platform reaches no adapter
  let store: { parkedEventStore(): ParkedEventStore };

  beforeEach(() => {
    const parked = new InMemoryParkedEventStore();
    store = { parkedEventStore: () => parked };
  });

  it('hands the entry to the follower that parked it, a reactor as well as a projection', async () => {
    const parked = store.parkedEventStore();
    const registry = new ProjectionRegistry();
    const replayed: string[] = [];
    registry.registerReplayer({ name: 'reactor', replayParked: async (entry) => void replayed.push(entry.id) });
    const entry = parkedBy('reactor');
    await parked.park(entry);
    await expect(replayParkedEvent(registry, parked, entry.id, now)).resolves.toEqual(entry);
    expect(replayed).toEqual([entry.id]);
  });

  it('keeps a failing replay parked with its new error, and refuses unknown ids and followers this process does not run', async () => {
    const parked = store.parkedEventStore();
    const registry = new ProjectionRegistry();
    registry.registerReplayer({ name: 'reactor', replayParked: async () => Promise.reject(new Error('still down')) });
    const entry = parkedBy('reactor');
    await parked.park(entry);
    expect(await codeOf(replayParkedEvent(registry, parked, entry.id, now))).toBe('PARKED_EVENT_REPLAY_FAILED');
    expect(await parked.get(entry.id)).toMatchObject({ error: 'still down', attempts: 7, parkedAt: '2026-11-24T08:00:00.000Z' });

    expect(await codeOf(replayParkedEvent(registry, parked, 'nobody:evt', now))).toBe('PARKED_EVENT_NOT_FOUND');
    const elsewhere = parkedBy('other-service.views');
    await parked.park(elsewhere);
    expect(await codeOf(replayParkedEvent(registry, parked, elsewhere.id, now))).toBe('PARKED_EVENT_CONSUMER_NOT_HERE');
  });

  it('refuses to replay a parked record that is no event (its raw value kept): nothing could apply it, and it stays parked as it was', async () => {
    const parked = store.parkedEventStore();
    const registry = new ProjectionRegistry();
    const replayed: string[] = [];
    registry.registerReplayer({ name: 'consumer', replayParked: async (entry) => void replayed.push(entry.id) });
    const base = parkedBy('consumer');
    const unreadable: ParkedEvent = { ...base, id: 'consumer:kafka-topic-2-0', event: { ...base.event, id: 'kafka-topic-2-0', type: UNREADABLE_RECORD_TYPE, data: { value: 'not json' } } };
    await parked.park(unreadable);
    expect(await codeOf(replayParkedEvent(registry, parked, unreadable.id, now))).toBe('PARKED_EVENT_REPLAY_FAILED');
    expect([replayed, await parked.get(unreadable.id)]).toEqual([[], unreadable]);
  });
});
