// The relay lives in the kernel, whose layer may not import kernel-testing; its tests live here, beside the in-memory store.
import { randomUUID } from 'node:crypto';
import { OutboxRelay, type EventBus, type NewEvent, type PublishedPositions, type RecordedEvent, type OutboxRelayOptions } from '@as2-partners/kernel';
import { eventually } from './eventually';
import { InMemoryCheckpointStore } from './in-memory-checkpoint-store';
import { InMemoryEventStore } from './in-memory-event-store';

function newEvent(type = 'partner.created.v1'): NewEvent {
  return {
    id: randomUUID(),
    type,
    schemaVersion: 1,
    data: {},
    metadata: {
      account: 'acct_1',
      tenant: 'ten_1',
      correlationId: randomUUID(),
      causationId: null,
      actor: { type: 'system', id: 'test' },
      occurredAt: '2026-11-23T10:00:00.000Z',
    },
  };
}

/** A bus that records what it acknowledged, and can be told to fail. */
class RecordingBus implements EventBus {
  readonly published: { topic: string; events: readonly RecordedEvent[] }[] = [];
  /** Highest position of an event whose publish resolved. */
  acknowledgedUpTo = 0;
  failuresLeft = 0;
  failing = false;
  calls = 0;

  async publish(topic: string, events: readonly RecordedEvent[]): Promise<void> {
    this.calls += 1;
    await new Promise((r) => setTimeout(r, 1));
    if (this.failing || this.failuresLeft > 0) {
      this.failuresLeft = Math.max(0, this.failuresLeft - 1);
      throw new Error('broker unavailable');
    }
    this.published.push({ topic, events });
    this.acknowledgedUpTo = Math.max(this.acknowledgedUpTo, ...events.map((e) => e.position));
  }

  ids(): string[] {
    return this.published.flatMap((p) => p.events.map((e) => e.id));
  }

  /** Events acknowledged by a run that crashed before saving its checkpoint. */
  preload(topic: string, events: readonly RecordedEvent[]): void {
    this.published.push({ topic, events });
  }

  async subscribe(): Promise<never> {
    throw new Error('not used');
  }

  async close(): Promise<void> {
    return undefined;
  }
}

/** Two partitions, chosen by the stream's number as a producer keyed by aggregate id would: prt_0, prt_2, … on 0. */
const partitionOf = (event: RecordedEvent): number => Number(event.stream.split('_')[1]) % 2;

/** A bus that also tells what each partition of a topic holds: the highest position published to it, as Kafka's tail does. */
class PartitionedBus extends RecordingBus {
  asked: string[] = [];
  /** Replaces the answer: e.g. a failing or hanging topic read. */
  answer: ((topic: string) => Promise<PublishedPositions>) | null = null;

  async publishedPositions(topic: string): Promise<PublishedPositions> {
    this.asked.push(topic);
    if (this.answer) return this.answer(topic);
    const latest = new Map<number, { id: string; position: number }>();
    for (const event of this.published.filter((p) => p.topic === topic).flatMap((p) => p.events)) {
      const partition = partitionOf(event);
      if ((latest.get(partition)?.position ?? -1) < event.position) latest.set(partition, { id: event.id, position: event.position });
    }
    return { partitionOf, latest };
  }
}

/** Records every save, and every save made before the bus acknowledged all events up to it. */
class GuardedCheckpoints extends InMemoryCheckpointStore {
  readonly saves: number[] = [];
  readonly aheadOfTheBus: number[] = [];
  private startedAfter = 0;
  constructor(
    private readonly store: InMemoryEventStore,
    private readonly bus: RecordingBus,
  ) {
    super();
  }
  override async save(name: string, position: number): Promise<void> {
    const acknowledged = new Set(this.bus.ids());
    const owed = (await this.store.readAll({ after: this.startedAfter })).filter((e) => e.position <= position && topicFor(e) !== null);
    if (owed.some((e) => !acknowledged.has(e.id))) this.aheadOfTheBus.push(position);
    this.saves.push(position);
    await super.save(name, position);
  }
  /** A checkpoint left by an earlier run. */
  async seed(name: string, position: number): Promise<void> {
    this.startedAfter = position;
    await super.save(name, position);
  }
}

const topicFor = (e: RecordedEvent) => (e.type.startsWith('internal.') ? null : 'as2.partner-registry.events');

/** Waits until `condition` holds, failing (naming `what`) once `deadline` (Date.now()) has passed. */
function until(what: string, condition: () => boolean, deadline: number): Promise<true> {
  return eventually(what, async () => (condition() ? true : undefined), { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 1 });
}

async function appendMany(store: InMemoryEventStore, count: number, streams = 5): Promise<void> {
  for (let n = 0; n < count; n += 1) await store.append(`partner-prt_${n % streams}`, [newEvent()], 'any');
}

/** The bus, its publishes held until `release` is called. */
function heldBus(bus: PartitionedBus): { readonly slowBus: PartitionedBus; readonly release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slowBus = Object.assign(bus, {
    publish: async (topic: string, events: readonly RecordedEvent[]) => {
      await gate;
      bus.published.push({ topic, events });
      bus.acknowledgedUpTo = Math.max(bus.acknowledgedUpTo, ...events.map((e) => e.position));
    },
  });
  return { slowBus, release };
}

describe('OutboxRelay', () => {
  let store: InMemoryEventStore;
  let bus: PartitionedBus;
  let checkpoints: GuardedCheckpoints;
  const relays: OutboxRelay[] = [];

  function relay(overrides: Partial<OutboxRelayOptions> = {}): OutboxRelay {
    const created = new OutboxRelay({ name: 'outbox', store, checkpoints, bus, topicFor, retryInitialDelayMs: 5, retryMaxDelayMs: 20, ...overrides });
    relays.push(created);
    return created;
  }

  beforeEach(() => {
    store = new InMemoryEventStore();
    bus = new PartitionedBus();
    checkpoints = new GuardedCheckpoints(store, bus);
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await store.close();
    expect(checkpoints.aheadOfTheBus).toEqual([]);
  });

  it('publishes stored events in batches, in position order, then saves the checkpoint', async () => {
    await appendMany(store, 1200);
    const outbox = relay({ batchSize: 500 });
    await outbox.start();
    await outbox.waitFor(1200);

    const all = await store.readAll();
    expect(bus.ids()).toEqual(all.map((e) => e.id));
    expect(bus.published.every((p) => p.topic === 'as2.partner-registry.events' && p.events.length <= 500)).toBe(true);
    expect(bus.calls).toBeLessThanOrEqual(6);
    await outbox.stop();
    expect(await checkpoints.load('outbox')).toBe(1200);
  });

  it('publishes the next batch while a checkpoint save is still committing, and saves positions in order', async () => {
    const held: (() => void)[] = [];
    const save = checkpoints.save.bind(checkpoints);
    checkpoints.save = async (name, position) => {
      // A save is a commit: held here as an fsync would hold it.
      await new Promise<void>((release) => held.push(release));
      await save(name, position);
    };
    await appendMany(store, 3);
    const outbox = relay();
    await outbox.start();
    await outbox.waitFor(3);
    const deadline = Date.now() + 5000;
    await until('a held checkpoint save', () => held.length > 0, deadline);
    expect(held).toHaveLength(1);
    // The first save is still held, yet later events reach the bus.
    await store.append('partner-prt_live', [newEvent(), newEvent()], 'no_stream');
    await outbox.waitFor(5);
    expect(bus.ids()).toEqual((await store.readAll()).map((e) => e.id));
    expect(held).toHaveLength(1);
    held.shift()?.();
    await until('a held checkpoint save', () => held.length > 0, deadline);
    held.shift()?.();
    await until('two checkpoint saves', () => checkpoints.saves.length >= 2, deadline);
    expect(checkpoints.saves).toEqual([3, 5]);
    expect(await checkpoints.load('outbox')).toBe(5);
  });

  it('saves a checkpoint only once what the subscribers wrote for it is durable (durable), and publishes on meanwhile', async () => {
    const durability: (() => void)[] = [];
    await appendMany(store, 3);
    const outbox = relay({ durable: () => new Promise<void>((resolve) => durability.push(resolve)) });
    await outbox.start();
    await outbox.waitFor(3);
    const deadline = Date.now() + 5000;
    await until('a durability wait', () => durability.length > 0, deadline);
    // acknowledged by the bus, not yet durable: no checkpoint, and later events still reach the bus
    await store.append('partner-prt_live', [newEvent()], 'no_stream');
    await outbox.waitFor(4);
    expect(checkpoints.saves).toEqual([]);
    durability.shift()?.();
    await until('a checkpoint save', () => checkpoints.saves.length > 0, deadline);
    expect(checkpoints.saves[0]).toBe(3);
    // the later position waits for its own durability
    await until('a durability wait', () => durability.length > 0, deadline);
    expect(checkpoints.saves).toEqual([3]);
    durability.shift()?.();
    await until('two checkpoint saves', () => checkpoints.saves.length >= 2, deadline);
    expect(await checkpoints.load('outbox')).toBe(4);
  });

  it('follows live appends after catching up', async () => {
    await appendMany(store, 3);
    const outbox = relay();
    await outbox.start();
    await outbox.waitFor(3);
    await store.append('partner-prt_live', [newEvent(), newEvent()], 'no_stream');
    await outbox.waitFor(5);
    expect(bus.ids()).toEqual((await store.readAll()).map((e) => e.id));
  });

  it('starts after its stored checkpoint', async () => {
    await appendMany(store, 10);
    await checkpoints.seed('outbox', 7);
    const outbox = relay();
    await outbox.start();
    await outbox.waitFor(10);
    expect(bus.ids()).toEqual((await store.readAll({ after: 7 })).map((e) => e.id));
  });

  it('passes over events without a topic and still advances its position', async () => {
    await store.append('partner-prt_1', [newEvent(), newEvent('internal.audit.v1'), newEvent()], 'no_stream');
    await store.append('partner-prt_2', [newEvent('internal.audit.v1')], 'no_stream');
    const outbox = relay();
    await outbox.start();
    await outbox.waitFor(4);
    expect(bus.published.flatMap((p) => p.events.map((e) => e.position))).toEqual([1, 3]);
    await outbox.stop();
    expect(await checkpoints.load('outbox')).toBe(4);
  });

  it('retries a failing publish with backoff, never skips, and never saves a checkpoint ahead of the bus', async () => {
    await appendMany(store, 50);
    bus.failuresLeft = 4;
    const outbox = relay({ batchSize: 10 });
    await outbox.start();
    await outbox.waitFor(50);
    expect(bus.calls - bus.published.length).toBe(4);
    expect(bus.ids()).toEqual((await store.readAll()).map((e) => e.id));
    expect(checkpoints.saves.length).toBeGreaterThan(0);
  });

  it('stopped while the bus fails, it keeps the checkpoint at the last acknowledged event; a restart loses nothing', async () => {
    await appendMany(store, 30);
    const first = relay({ batchSize: 10 });
    await first.start();
    await first.waitFor(10);
    bus.failing = true;
    await appendMany(store, 30);
    await new Promise((r) => setTimeout(r, 100));
    await first.stop();
    const checkpoint = await checkpoints.load('outbox');
    expect(checkpoint).toBe(bus.acknowledgedUpTo);
    expect(checkpoint).toBeGreaterThanOrEqual(10);
    expect(checkpoint).toBeLessThan(60);

    bus.failing = false;
    const second = relay({ batchSize: 10 });
    await second.start();
    await second.waitFor(60);
    const stored = (await store.readAll()).map((e) => e.id);
    const published = bus.ids();
    expect(new Set(published)).toEqual(new Set(stored));
    expect(published).toHaveLength(stored.length);
  });

  it('keeps the store waiting while two batches are buffered (backpressure)', async () => {
    await appendMany(store, 100);
    const { slowBus, release } = heldBus(bus);
    const seen: number[] = [];
    const countingStore = Object.create(store) as InMemoryEventStore;
    countingStore.subscribeToAll = (options) => {
      const onBatch = options.onBatch;
      return store.subscribeToAll({
        ...options,
        onEvent: async (e) => (seen.push(e.position), options.onEvent(e)),
        ...(onBatch ? { onBatch: async (events: readonly RecordedEvent[]) => (seen.push(...events.map((e) => e.position)), onBatch(events)) } : {}),
      });
    };
    const outbox = relay({ store: countingStore, bus: slowBus, batchSize: 10 });
    await outbox.start();
    await new Promise((r) => setTimeout(r, 50));
    // The store's first read (all 100, handed over whole) fills more than two batches while one is with the bus: the
    // store is held, and what is appended meanwhile is not read.
    expect(seen).toHaveLength(100);
    await appendMany(store, 20);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(100);
    release();
    await outbox.waitFor(120);
    expect(seen).toHaveLength(120);
  });

  it('holds a store that hands events one by one on the event after two buffered batches (backpressure)', async () => {
    await appendMany(store, 100);
    const { slowBus, release } = heldBus(bus);
    const seen: number[] = [];
    const oneByOne = Object.create(store) as InMemoryEventStore;
    oneByOne.subscribeToAll = ({ onBatch: _onBatch, ...options }) =>
      store.subscribeToAll({ ...options, onEvent: async (e) => (seen.push(e.position), options.onEvent(e)) });
    const outbox = relay({ store: oneByOne, bus: slowBus, batchSize: 10 });
    await outbox.start();
    await new Promise((r) => setTimeout(r, 50));
    // One batch is with the bus and two wait in the buffer; the store is held on the next event.
    expect(seen.length).toBeLessThanOrEqual(31);
    release();
    await outbox.waitFor(100);
    expect(seen).toHaveLength(100);
  });

  it('follows again after the store subscription fails', async () => {
    await appendMany(store, 5);
    let subscriptions = 0;
    const flakyStore = Object.create(store) as InMemoryEventStore;
    flakyStore.subscribeToAll = (options) => {
      subscriptions += 1;
      if (subscriptions === 1) {
        setTimeout(() => options.onError?.(new Error('connection reset')), 0);
        return { stop: async () => undefined };
      }
      return store.subscribeToAll(options);
    };
    const errors: string[] = [];
    const outbox = relay({ store: flakyStore, logger: { warn: () => undefined, error: (m) => void errors.push(m) } });
    await outbox.start();
    await outbox.waitFor(5);
    expect(subscriptions).toBe(2);
    expect(errors).toEqual(['outbox relay outbox lost its store subscription']);
    expect(bus.ids()).toEqual((await store.readAll()).map((e) => e.id));
  });

  describe('after a crash between the bus acknowledging and the checkpoint being saved', () => {
    const topic = 'as2.partner-registry.events';
    const warnings: string[] = [];
    const logger = { warn: (message: string) => void warnings.push(message), error: () => undefined };

    beforeEach(() => void warnings.splice(0));

    function expectEachStoredEventOnceAfter(checkpoint: number, stored: readonly RecordedEvent[]): void {
      const published = bus.ids();
      expect(published).toHaveLength(new Set(published).size);
      expect(new Set(published)).toEqual(new Set(stored.filter((e) => e.position > checkpoint).map((e) => e.id)));
    }

    it('skips the events the topic already holds past its checkpoint and publishes the others, in order', async () => {
      await appendMany(store, 40, 4);
      await checkpoints.seed('outbox', 10);
      const stored = await store.readAll();
      // The crashed run had the bus acknowledge 11..20 (and nothing later) but saved no checkpoint past 10.
      bus.preload(topic, stored.filter((e) => e.position > 10 && e.position <= 20));
      const outbox = relay({ batchSize: 7, logger });
      await outbox.start();
      await outbox.waitFor(40);
      expectEachStoredEventOnceAfter(10, stored);
      expect(bus.published.slice(1).flatMap((p) => p.events.map((e) => e.position))).toEqual(stored.filter((e) => e.position > 20).map((e) => e.position));
      expect(bus.asked).toEqual([topic]);
      expect(warnings.filter((w) => w.includes('skips events already on'))).not.toHaveLength(0);
      await outbox.stop();
      expect(await checkpoints.load('outbox')).toBe(40);
    });

    it('compares each event with its own partition: one the crashed run did not get onto its partition is published', async () => {
      await appendMany(store, 30, 4);
      await checkpoints.seed('outbox', 10);
      const stored = await store.readAll();
      // The last batch (11..20) reached partition 0 whole, but partition 1 only up to 14: its 15..20 are not on the topic.
      const onTopic = stored.filter((e) => e.position > 10 && e.position <= 20 && (partitionOf(e) === 0 || e.position <= 14));
      bus.preload(topic, onTopic);
      const outbox = relay({ batchSize: 5 });
      await outbox.start();
      await outbox.waitFor(30);
      expectEachStoredEventOnceAfter(10, stored);
      const republished = bus.published.slice(1).flatMap((p) => p.events);
      const missingBefore = stored.filter((e) => e.position > 14 && e.position <= 20 && partitionOf(e) === 1);
      expect(missingBefore.length).toBeGreaterThan(0);
      expect(republished.filter((e) => e.position <= 20)).toEqual(missingBefore);
    });

    it('publishes a partition from its checkpoint when the event found on it is not its store’s at that position', async () => {
      await appendMany(store, 20, 4);
      await checkpoints.seed('outbox', 10);
      const stored = await store.readAll();
      const foreign = { ...stored[17], id: randomUUID() };
      bus.preload(topic, [foreign]);
      const outbox = relay({ logger });
      await outbox.start();
      await outbox.waitFor(20);
      const published = bus.published.slice(1).flatMap((p) => p.events.map((e) => e.id));
      expect(published).toEqual(stored.filter((e) => e.position > 10).map((e) => e.id));
      expect(warnings).toEqual([expect.stringContaining('an event its store does not hold at that position')]);
    });

    it('ignores what the topic holds up to its checkpoint', async () => {
      await appendMany(store, 20, 4);
      await checkpoints.seed('outbox', 10);
      const stored = await store.readAll();
      bus.preload(topic, stored.filter((e) => e.position <= 10));
      const outbox = relay({ logger });
      await outbox.start();
      await outbox.waitFor(20);
      expect(bus.published.slice(1).flatMap((p) => p.events.map((e) => e.id))).toEqual(stored.filter((e) => e.position > 10).map((e) => e.id));
      expect(warnings).toEqual([]);
    });

    it('falls back to at-least-once, saying so, when the topic cannot be read or does not answer in time', async () => {
      for (const answer of [async () => Promise.reject(new Error('not authorized to read')), () => new Promise<never>(() => undefined)]) {
        warnings.splice(0);
        store = new InMemoryEventStore();
        bus = new PartitionedBus();
        checkpoints = new GuardedCheckpoints(store, bus);
        await appendMany(store, 20, 4);
        await checkpoints.seed('outbox', 10);
        const stored = await store.readAll();
        bus.preload(topic, stored.filter((e) => e.position > 10 && e.position <= 15));
        bus.answer = answer;
        const outbox = relay({ logger, publishedPositionsTimeoutMs: 50 });
        await outbox.start();
        await outbox.waitFor(20, 5000);
        expect(bus.published.slice(1).flatMap((p) => p.events.map((e) => e.id))).toEqual(stored.filter((e) => e.position > 10).map((e) => e.id));
        expect(warnings).toEqual([expect.stringMatching(/could not read what .* already holds.*at-least-once/)]);
        await outbox.stop();
      }
    });

    it('asks the bus once per start, not for later batches', async () => {
      await appendMany(store, 30, 4);
      const outbox = relay({ batchSize: 5 });
      await outbox.start();
      await outbox.waitFor(30);
      await store.append('partner-prt_live', [newEvent()], 'no_stream');
      await outbox.waitFor(31);
      expect(bus.asked).toEqual([topic]);
      await outbox.stop();
      await outbox.start();
      await store.append('partner-prt_live', [newEvent()], 'stream_exists');
      await outbox.waitFor(32);
      expect(bus.asked).toEqual([topic, topic]);
      expect(bus.ids()).toEqual((await store.readAll()).map((e) => e.id));
    });
  });

  it('waitFor rejects when the position is not reached in time', async () => {
    const outbox = relay();
    await outbox.start();
    await expect(outbox.waitFor(1, 50)).rejects.toThrow('did not reach position 1 within 50 ms');
  });
});
