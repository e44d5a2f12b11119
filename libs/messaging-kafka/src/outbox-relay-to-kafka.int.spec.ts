import { randomUUID } from 'node:crypto';
import { OutboxRelay, type BusSubscription, type NewEvent, type RecordedEvent } from '@as2-partners/kernel';
import { InMemoryCheckpointStore, InMemoryEventStore, describeWithServer, uniqueTopic } from '@as2-partners/kernel-testing';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
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
  /** Records the broker acknowledged, a duplicate counted twice. */
  let acknowledgedRecords = 0;
  let store: InMemoryEventStore;
  let checkpoints: WatchedCheckpoints;
  const subscriptions: BusSubscription[] = [];
  const silent = { warn: () => undefined, error: () => undefined };
  const warnings: string[] = [];
  const noting = { warn: (message: string) => void warnings.push(message), error: () => undefined };

  beforeEach(async () => {
    bus = await KafkaEventBus.connect({ brokers: brokers.split(','), clientId: 'as2-relay-test', topicPartitions: 3 });
    acknowledged = new Set();
    acknowledgedRecords = 0;
    const publish = bus.publish.bind(bus);
    // What the broker acknowledged: publish resolves only after acks from every in-sync replica.
    bus.publish = async (topic, events) => {
      await publish(topic, events);
      for (const e of events) acknowledged.add(e.id);
      acknowledgedRecords += events.length;
    };
    store = new InMemoryEventStore();
    checkpoints = new WatchedCheckpoints(store, acknowledged);
    warnings.splice(0);
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

  it('relays every stored event; a relay that died before saving its checkpoint is restarted from the old one and the topic holds each event exactly once', async () => {
    const topic = uniqueTopic();
    const relay = () => new OutboxRelay({ name: 'outbox', store, checkpoints, bus, topicFor: () => topic, batchSize: 100, logger: noting });
    await appendEvents(store, 1000, 40);

    const first = relay();
    await first.start();
    await first.waitFor(300, 30_000);
    // The process dies: what the broker acknowledges from here on is never checkpointed.
    checkpoints.frozen = true;
    await first.waitFor(700, 30_000);
    await first.stop();
    const savedCheckpoint = (await checkpoints.load('outbox'))!;
    expect(savedCheckpoint).toBeGreaterThanOrEqual(300);
    expect(savedCheckpoint).toBeLessThan(700);
    expect(acknowledged.size).toBeGreaterThanOrEqual(700);

    checkpoints.frozen = false;
    await appendEvents(store, 500, 40);
    const second = relay();
    await second.start();
    await second.waitFor(1500, 30_000);
    await second.stop();
    expect(await checkpoints.load('outbox')).toBe(1500);
    expect(warnings.some((w) => w.includes('skips events already on'))).toBe(true);
    expect(warnings.filter((w) => w.includes('could not read') || w.includes('does not hold'))).toEqual([]);

    const stored = await store.readAll();
    const received = await consumeAll(topic, (r) => new Set(r.map((e) => e.id)).size >= stored.length);
    // Everything is consumed: give a duplicate behind the last new id the time to arrive too.
    await new Promise((r) => setTimeout(r, 1000));
    const byId = new Map(stored.map((e) => [e.id, e]));
    expect(received.map((e) => e.id).sort()).toEqual([...byId.keys()].sort());
    for (const event of received) expect(event).toEqual(byId.get(event.id));
    // The second run published only what the broker had not acknowledged: the events after the crash, and the new ones.
    expect(acknowledgedRecords).toBe(stored.length);

    for (let s = 0; s < 40; s += 1) {
      const revisions = received.filter((e) => e.stream === `partner-prt_${s}`).map((e) => e.revision);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    }
  }, 120_000);

  it('tells per partition the highest position of its own service’s events, as the producer partitions them, without joining a consumer group', async () => {
    const topic = uniqueTopic();
    await appendEvents(store, 300, 30);
    const stored = await store.readAll();
    await bus.publish(topic, stored);
    // Another producer's records at the end of the partitions: a foreign source, and a value that is no envelope.
    const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'as2-relay-test-foreign', logLevel: logLevel.NOTHING });
    const foreign = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await foreign.connect();
    const forged = { ...stored[0], id: randomUUID(), position: 1_000_000 };
    await foreign.send({
      topic,
      messages: Array.from({ length: 30 }, (_, n) => [
        { key: `prt_${n}`, value: JSON.stringify(forged), headers: { ce_source: '/as2-partners/someone-else' } },
        { key: `prt_${n}`, value: 'not an envelope', headers: { ce_source: `/as2-partners/${topic.split('.')[1]}` } },
      ]).flat(),
    });
    await foreign.disconnect();

    // Read from each partition's leader: no consumer, so no group join waiting out the broker's rebalance delay.
    const consumers = jest.spyOn(Kafka.prototype, 'consumer');
    try {
      const published = await bus.publishedPositions(topic);
      expect(consumers).not.toHaveBeenCalled();
      const expected = new Map<number, { id: string; position: number }>();
      for (const event of stored) expected.set(published.partitionOf(event), { id: event.id, position: event.position });
      expect(expected.size).toBe(3);
      expect(published.latest).toEqual(expected);
    } finally {
      consumers.mockRestore();
    }
  }, 60_000);

  it('tells nothing of a topic that does not exist, and does not create it', async () => {
    const topic = uniqueTopic();
    const published = await bus.publishedPositions(topic);
    expect(published.latest.size).toBe(0);
    const admin = new Kafka({ brokers: brokers.split(','), clientId: 'as2-relay-test-admin', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).not.toContain(topic);
  }, 30_000);

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
