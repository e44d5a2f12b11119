import { randomUUID } from 'node:crypto';
import type { BusSubscription, EventBus, RecordedEvent } from '@as2-partners/kernel';

/**
 * Where adapters legitimately differ. Kafka keeps a topic's events, so a group that was stopped gets what
 * was published meanwhile; the in-process bus keeps nothing (embedded mode subscribes before the relay
 * starts, and the relay's checkpoint makes delivery durable), so a stopped group misses those events.
 */
export interface EventBusSemantics {
  readonly retainsEventsWhileGroupStopped: boolean;
  /** Per-test timeout; a Kafka consumer group needs a few seconds to join. */
  readonly timeoutMs?: number;
}

/** A topic name no other test or earlier run uses, in the `as2.<service>.events` form. */
export function uniqueTopic(): string {
  return `as2.contract-${randomUUID().slice(0, 8)}.events`;
}

/** A recorded event with every envelope field set, so round-trip assertions cover them all. */
export function busEvent(stream: string, revision: number, position: number, overrides: Partial<RecordedEvent> = {}): RecordedEvent {
  return {
    id: randomUUID(),
    type: 'contract.happened.v1',
    schemaVersion: 1,
    stream,
    revision,
    position,
    data: { revision, name: 'ACME Corp — Zürich ✓', nested: { list: [1, 'two', null, { three: 3.5 }] } },
    metadata: {
      account: 'acct_contract',
      tenant: 'ten_contract',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { type: 'user', id: 'usr_contract', roles: ['admin', 'operator'] },
      occurredAt: '2026-11-23T10:00:00.000Z',
    },
    ...overrides,
  };
}

interface Received {
  readonly event: RecordedEvent;
  readonly topic: string;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes as the OutboxRelay does: a rejected publish is retried until the bus acknowledges it. */
async function publishUntilAcknowledged(bus: EventBus, topic: string, events: readonly RecordedEvent[]): Promise<number> {
  for (let attempt = 1; attempt <= 20; attempt += 1) {
    try {
      await bus.publish(topic, events);
      return attempt;
    } catch {
      await pause(20);
    }
  }
  throw new Error(`${topic}: the bus did not acknowledge the events after 20 attempts`);
}

/**
 * The behaviour every EventBus adapter must show, run against each with a factory (one bus per suite).
 * Every test uses its own topics and groups, so a broker shared with other suites is fine.
 */
export function eventBusContract(adapterName: string, factory: () => Promise<EventBus>, semantics: EventBusSemantics): void {
  const timeout = semantics.timeoutMs ?? 5000;

  describe(`EventBus contract: ${adapterName}`, () => {
    let bus: EventBus;
    const subscriptions: BusSubscription[] = [];

    beforeAll(async () => {
      bus = await factory();
    }, timeout);

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
    }, timeout);

    afterAll(async () => {
      await bus?.close();
    }, timeout);

    async function collect(groupId: string, topics: string[], onEvent?: (event: RecordedEvent) => Promise<void>) {
      const received: Received[] = [];
      const subscription = await bus.subscribe({
        groupId,
        topics,
        handler: async (event, topic) => {
          await onEvent?.(event);
          received.push({ event, topic });
        },
      });
      subscriptions.push(subscription);
      return { received, subscription };
    }

    const group = () => `contract-${randomUUID()}`;

    it(
      'delivers the same RecordedEvent, every envelope field, with its topic',
      async () => {
        const topic = uniqueTopic();
        const { received } = await collect(group(), [topic]);
        const full = busEvent('partner-prt_01CONTRACT', 0, 41);
        const accountLevel = busEvent('partner-prt_01CONTRACT', 1, 42, {
          type: 'partner.renamed.v2',
          schemaVersion: 2,
          data: ['an', 'array'],
          metadata: {
            account: 'acct_2',
            tenant: null,
            correlationId: randomUUID(),
            causationId: null,
            actor: { type: 'system', id: 'scheduler' },
            occurredAt: '2026-01-02T03:04:05.678Z',
          },
        });
        await bus.publish(topic, [full, accountLevel]);
        await waitUntil(() => received.length >= 2, 'two events', timeout);
        expect(received).toEqual([
          { event: full, topic },
          { event: accountLevel, topic },
        ]);
        expect(received[1].event.metadata.actor).not.toHaveProperty('roles');
      },
      timeout,
    );

    it(
      'keeps the order of each stream across publishes',
      async () => {
        const topic = uniqueTopic();
        const { received } = await collect(group(), [topic]);
        const streams = ['partner-prt_A', 'partner-prt_B', 'certificate-cert_C'];
        const published: RecordedEvent[] = [];
        for (let revision = 0; revision < 10; revision += 1) {
          for (const stream of streams) published.push(busEvent(stream, revision, published.length + 1));
        }
        for (let start = 0; start < published.length; start += 7) await bus.publish(topic, published.slice(start, start + 7));
        await waitUntil(() => received.length >= published.length, `${published.length} events`, timeout);
        for (const stream of streams) {
          const revisions = received.filter((r) => r.event.stream === stream).map((r) => r.event.revision);
          expect(revisions).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        }
      },
      timeout,
    );

    it(
      'hands every event to each group',
      async () => {
        const topic = uniqueTopic();
        const first = await collect(group(), [topic]);
        const second = await collect(group(), [topic]);
        const events = [busEvent('partner-prt_G', 0, 1), busEvent('partner-prt_G', 1, 2)];
        await bus.publish(topic, events);
        await waitUntil(() => first.received.length >= 2 && second.received.length >= 2, 'both groups', timeout);
        expect(first.received.map((r) => r.event.id)).toEqual(events.map((e) => e.id));
        expect(second.received.map((r) => r.event.id)).toEqual(events.map((e) => e.id));
      },
      timeout,
    );

    it(
      'delivers only the topics a subscription names',
      async () => {
        const [wanted, other] = [uniqueTopic(), uniqueTopic()];
        const { received } = await collect(group(), [wanted]);
        const elsewhere = busEvent('partner-prt_T', 0, 1);
        const here = busEvent('partner-prt_T', 1, 2);
        await bus.publish(other, [elsewhere]);
        await bus.publish(wanted, [here]);
        await waitUntil(() => received.length >= 1, 'the event of the subscribed topic', timeout);
        await pause(300);
        expect(received).toEqual([{ event: here, topic: wanted }]);
      },
      timeout,
    );

    it(
      'a failing handler loses nothing: the event comes again until handled, and order holds',
      async () => {
        const topic = uniqueTopic();
        const events = [0, 1, 2].map((revision) => busEvent('partner-prt_F', revision, revision + 1));
        let failuresLeft = 2;
        const attempts: string[] = [];
        const { received } = await collect(group(), [topic], async (event) => {
          attempts.push(event.id);
          if (event.id === events[1].id && failuresLeft > 0) {
            failuresLeft -= 1;
            throw new Error('handler failed');
          }
        });
        await publishUntilAcknowledged(bus, topic, events);
        await waitUntil(() => new Set(received.map((r) => r.event.id)).size === 3, 'every event handled', timeout);
        expect(attempts.filter((id) => id === events[1].id).length).toBeGreaterThanOrEqual(3);
        const firstHandled = [...new Set(received.map((r) => r.event.id))];
        expect(firstHandled).toEqual(events.map((e) => e.id));
      },
      timeout,
    );

    it(
      semantics.retainsEventsWhileGroupStopped
        ? 'a group resumes after what it acknowledged and gets what was published while it was stopped'
        : 'a group resumes after what it acknowledged; what was published while it was stopped is not kept',
      async () => {
        const topic = uniqueTopic();
        const groupId = group();
        const stream = 'partner-prt_R';
        const [before, whileStopped, after] = [0, 1, 2].map((revision) => busEvent(stream, revision, revision + 1));

        const first = await collect(groupId, [topic]);
        await bus.publish(topic, [before]);
        await waitUntil(() => first.received.length >= 1, 'the first event', timeout);
        await first.subscription.stop();

        await bus.publish(topic, [whileStopped]);
        const second = await collect(groupId, [topic]);
        await bus.publish(topic, [after]);
        await waitUntil(() => second.received.some((r) => r.event.id === after.id), 'the event after resubscribing', timeout);

        const expected = semantics.retainsEventsWhileGroupStopped ? [whileStopped, after] : [after];
        expect(second.received.map((r) => r.event.id)).toEqual(expected.map((e) => e.id));
        expect(first.received.map((r) => r.event.id)).toEqual([before.id]);
      },
      timeout,
    );
  });
}
