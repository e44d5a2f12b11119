import { parkedEventIdOf, type ParkedEvent, type ParkedEventStore, type RecordedEvent } from '@as2-partners/kernel';

/** What an adapter's contract spec hands the suite: a fresh, empty store per test, released after it. */
export interface ParkedEventStoreFixture {
  readonly parked: ParkedEventStore;
  dispose(): Promise<void>;
}

function recorded(id: string, position: number): RecordedEvent {
  return {
    id,
    type: 'partner.created.v1',
    schemaVersion: 1,
    data: { partnerId: `p-${id}`, nested: { list: [1, 'two', null], flag: true } },
    metadata: {
      account: 'acct_1',
      tenant: 'ten_1',
      correlationId: `corr-${id}`,
      causationId: null,
      actor: { type: 'user', id: 'u1' },
      occurredAt: '2026-11-23T10:00:00.000Z',
    },
    stream: `partner-${id}`,
    revision: 0,
    position,
  };
}

function entry(consumer: string, eventId: string, parkedAt: string, overrides: Partial<ParkedEvent> = {}): ParkedEvent {
  return {
    id: parkedEventIdOf(consumer, eventId),
    consumer,
    topic: null,
    event: recorded(eventId, 7),
    error: 'boom',
    attempts: 3,
    parkedAt,
    ...overrides,
  };
}

/** The behaviour every ParkedEventStore adapter shares. */
export function parkedEventStoreContract(name: string, factory: () => Promise<ParkedEventStoreFixture>): void {
  describe(`ParkedEventStore contract: ${name}`, () => {
    let fixture: ParkedEventStoreFixture;
    let parked: ParkedEventStore;

    beforeEach(async () => {
      fixture = await factory();
      parked = fixture.parked;
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    it('keeps an entry whole, event and error included', async () => {
      const stored = entry('views', 'e1', '2026-11-23T10:00:01.000Z', { topic: 'as2.partner-registry.events' });
      await parked.park(stored);
      expect(await parked.get(stored.id)).toEqual(stored);
      expect(await parked.get('views:unknown')).toBeNull();
    });

    it('parking the same event again replaces the entry', async () => {
      await parked.park(entry('views', 'e1', '2026-11-23T10:00:01.000Z'));
      await parked.park(entry('views', 'e1', '2026-11-23T10:00:05.000Z', { error: 'still broken', attempts: 6 }));
      const listed = await parked.list();
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ error: 'still broken', attempts: 6 });
      expect(await parked.count('views')).toBe(1);
    });

    it('lists the oldest first, by consumer, up to a limit', async () => {
      await parked.park(entry('views', 'e3', '2026-11-23T10:00:03.000Z'));
      await parked.park(entry('views', 'e1', '2026-11-23T10:00:01.000Z'));
      await parked.park(entry('other', 'e2', '2026-11-23T10:00:02.000Z'));
      expect((await parked.list()).map((e) => e.id)).toEqual(['views:e1', 'other:e2', 'views:e3']);
      expect((await parked.list({ consumer: 'views' })).map((e) => e.id)).toEqual(['views:e1', 'views:e3']);
      expect((await parked.list({ limit: 1 })).map((e) => e.id)).toEqual(['views:e1']);
      expect(await parked.count('views')).toBe(2);
      expect(await parked.count('nobody')).toBe(0);
    });

    it('removes one entry, or every entry of a consumer', async () => {
      await parked.park(entry('views', 'e1', '2026-11-23T10:00:01.000Z'));
      await parked.park(entry('views', 'e2', '2026-11-23T10:00:02.000Z'));
      await parked.park(entry('other', 'e3', '2026-11-23T10:00:03.000Z'));
      await parked.remove('views:e1');
      await parked.remove('views:e1');
      expect((await parked.list()).map((e) => e.id)).toEqual(['views:e2', 'other:e3']);
      await parked.removeAll('views');
      expect((await parked.list()).map((e) => e.id)).toEqual(['other:e3']);
    });
  });
}
