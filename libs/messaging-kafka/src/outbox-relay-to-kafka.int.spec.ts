import { randomUUID } from 'node:crypto';
import { OutboxRelay, type BusSubscription, type NewEvent, type RecordedEvent } from '@as2-partners/kernel';
import { InMemoryCheckpointStore, InMemoryEventStore, describeWithServer, uniqueTopic } from '@as2-partners/kernel-testing';
import { KafkaEventBus } from './kafka-event-bus';

function newEvent(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'partner.updated.v1',
    schemaVersion: 1,
    data: { n, name: `Partner ${n}`, as2Id: `PARTNER-${n}` },
    metadata: {
      account: 'acct_relay',
      tenant: 'ten_relay',
      correlationId: randomUUID(),
      causationId: null,
      actor: { type: 'user', id: 'usr_relay' },
      occurredAt: '2026-11-23T10:00:00.000Z',
    },
  };
}

async function appendEvents(store: InMemoryEventStore, count: number, streams: number): Promise<void> {
  for (let n = 0; n < count; n += 1) await store.append(`partner-prt_${n % streams}`, [newEvent(n)], 'any');
}

/** Checkpoints that note every save made before the broker acknowledged all events up to it, and can stop saving (a crash). */
class WatchedCheckpoints extends InMemoryCheckpointStore {
  readonly aheadOfTheBroker: number[] = [];
  frozen = false;
  constructor(
    private readonly store: InMemoryEventStore,
    private readonly acknowledged: Set<string>,
  ) {
    super();
  }
  override async save(name: string, position: number): Promise<void> {
    if (this.frozen) throw new Error('the process died before saving');
    const owed = await this.store.readAll({ maxCount: position });
    if (owed.some((e) => !this.acknowledged.has(e.id))) this.aheadOfTheBroker.push(position);
    await super.save(name, position);
  }
}

describeWithServer('KAFKA_BROKERS', 'OutboxRelay to Kafka', (brokers) => {
  let bus: KafkaEventBus;
  let acknowledged: Set<string>;
  let store: InMemoryEventStore;
  let checkpoints: WatchedCheckpoints;
  const subscriptions: BusSubscription[] = [];
  const silent = { warn: () => undefined, error: () => undefined };

  beforeEach(async () => {
    bus = await KafkaEventBus.connect({ brokers: brokers.split(','), clientId: 'as2-relay-test', topicPartitions: 3 });
    acknowledged = new Set();
    const publish = bus.publish.bind(bus);
    // What the broker acknowledged: publish resolves only after acks from every in-sync replica.
    bus.publish = async (topic, events) => {
      await publish(topic, events);
      for (const e of events) acknowledged.add(e.id);
    };
    store = new InMemoryEventStore();
    checkpoints = new WatchedCheckpoints(store, acknowledged);
  }, 30_000);

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
    await bus.close();
    await store.close();
    expect(checkpoints.aheadOfTheBroker).toEqual([]);
  }, 30_000);

  async function consumeAll(topic: string, until: (received: RecordedEvent[]) => boolean): Promise<RecordedEvent[]> {
    const received: RecordedEvent[] = [];
    subscriptions.push(await bus.subscribe({ groupId: `verify-${randomUUID()}`, topics: [topic], handler: async (e) => void received.push(e) }));
    const deadline = Date.now() + 60_000;
    while (!until(received)) {
      if (Date.now() > deadline) throw new Error(`only ${received.length} events consumed from ${topic}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return received;
  }

  it('relays every stored event; a relay stopped mid-way and restarted loses none and duplicates only past its checkpoint', async () => {
    const topic = uniqueTopic();
    const relay = () => new OutboxRelay({ name: 'outbox', store, checkpoints, bus, topicFor: () => topic, batchSize: 100, logger: silent });
    await appendEvents(store, 1000, 40);

    const first = relay();
    await first.start();
    await first.waitFor(300, 30_000);
    checkpoints.frozen = true;
    await first.waitFor(700, 30_000);
    await first.stop();
    const savedCheckpoint = (await checkpoints.load('outbox'))!;
    expect(savedCheckpoint).toBeGreaterThanOrEqual(300);
    expect(savedCheckpoint).toBeLessThan(700);

    checkpoints.frozen = false;
    await appendEvents(store, 500, 40);
    const second = relay();
    await second.start();
    await second.waitFor(1500, 30_000);
    await second.stop();
    expect(await checkpoints.load('outbox')).toBe(1500);

    const stored = await store.readAll();
    const received = await consumeAll(topic, (r) => new Set(r.map((e) => e.id)).size >= stored.length);
    const byId = new Map(stored.map((e) => [e.id, e]));
    expect(new Set(received.map((e) => e.id))).toEqual(new Set(byId.keys()));
    for (const event of received) expect(event).toEqual(byId.get(event.id));

    const seen = new Set<string>();
    const duplicates = received.filter((e) => (seen.has(e.id) ? true : (seen.add(e.id), false)));
    expect(duplicates.length).toBeGreaterThan(0);
    expect(duplicates.every((e) => e.position > savedCheckpoint)).toBe(true);

    const firstSeen = [...new Map(received.map((e) => [e.id, e])).values()];
    for (let s = 0; s < 40; s += 1) {
      const revisions = firstSeen.filter((e) => e.stream === `partner-prt_${s}`).map((e) => e.revision);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    }
  }, 120_000);

  it('measures the relay throughput to Kafka', async () => {
    const topic = uniqueTopic();
    const count = 20_000;
    await appendEvents(store, count, 200);
    const relay = new OutboxRelay({ name: 'outbox-bench', store, checkpoints, bus, topicFor: () => topic, batchSize: 500, logger: silent });
    const started = process.hrtime.bigint();
    await relay.start();
    await relay.waitFor(count, 60_000);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await relay.stop();
    console.log(`[outbox relay] ${count} events to Kafka in ${seconds.toFixed(2)} s: ${Math.round(count / seconds)} events/s`);
    expect(await checkpoints.load('outbox-bench')).toBe(count);
    expect(acknowledged.size).toBe(count);
  }, 120_000);
});
