// The projection lives in the kernel, whose layer may not import kernel-testing; its tests live here, beside the in-memory doubles.
import { randomUUID } from 'node:crypto';
import {
  BusFollowedProjection,
  InProcessEventBus,
  OutboxRelay,
  StagedDocuments,
  StagedRun,
  type BusFollowedProjectionDependencies,
  type BusSubscriptionOptions,
  type DocumentAccess,
  type EventBus,
  type NewEvent,
  type ReadModelCollection,
  type ReadModelDocument,
  type ReadModelStore,
  type RecordedEvent,
} from '@as2-partners/kernel';
import { InMemoryCheckpointStore } from './in-memory-checkpoint-store';
import { InMemoryEventStore } from './in-memory-event-store';
import { InMemoryParkedEventStore } from './in-memory-parked-event-store';
import { InMemoryReadModelStore } from './in-memory-read-model-store';

const TOPIC = 'as2.things.events';

interface ThingDocument extends ReadModelDocument {
  readonly name: string;
  readonly deleted: boolean;
}

interface ThingData {
  readonly thingId: string;
  readonly name?: string;
  readonly poison?: boolean;
}

/**
 * A bus consumer written as the services write theirs: idempotent appliers over a document access, the collection on
 * the one-by-one path and a StagedRun's view in `applyBatch`; `thing.linked.v1` has an effect elsewhere and goes alone.
 */
class ThingsConsumer extends BusFollowedProjection {
  readonly name: string = 'test.things';
  protected readonly topics = [TOPIC];
  readonly things: ReadModelCollection<ThingDocument>;
  /** What each path was handed: `one <n>` per `apply`, `batch <n,n,…>` per `applyBatch`, by the events' names. */
  readonly calls: string[] = [];
  readonly links: string[] = [];

  constructor(followed: BusFollowedProjectionDependencies) {
    super(followed);
    this.things = followed.readModels.collection<ThingDocument>('test_things');
  }

  protected accepts(event: RecordedEvent): boolean {
    return event.type !== 'thing.noted.v1';
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    this.calls.push(`one ${label(event)}`);
    if (event.type === 'thing.linked.v1') return this.link(event);
    await this.applyTo(event, this.things);
  }

  protected override async applyBatch(events: readonly RecordedEvent[], topic: string): Promise<void> {
    this.calls.push(`batch ${events.map(label).join(',')}`);
    const run = new StagedRun();
    const things = run.stage(this.things);
    for (const event of events) {
      if (event.type === 'thing.linked.v1') await this.applyAlone(event, topic);
      else await this.applyTo(event, things);
    }
    await run.flush();
  }

  private async link(event: RecordedEvent): Promise<void> {
    if ((event.data as ThingData).poison) throw new Error(`cannot link ${label(event)}`);
    this.links.push(label(event));
  }

  private async applyTo(event: RecordedEvent, things: DocumentAccess<ThingDocument>): Promise<void> {
    const d = event.data as ThingData;
    if (d.poison) throw new Error(`cannot apply ${label(event)}`);
    const existing = await things.get(d.thingId);
    if (event.type === 'thing.created.v1') {
      if (existing?.deleted) return;
      await things.put({ _id: d.thingId, name: d.name ?? '', deleted: false });
    } else if (event.type === 'thing.renamed.v1') {
      if (existing && !existing.deleted) await things.put({ ...existing, name: d.name ?? existing.name });
    } else if (event.type === 'thing.deleted.v1') {
      await things.put({ _id: d.thingId, name: existing?.name ?? '', deleted: true });
    }
  }

  protected async clear(): Promise<void> {
    await this.things.clear();
  }

  protected async isEmpty(): Promise<boolean> {
    return (await this.things.count({})) === 0;
  }

  copiedUpTo(): Promise<number | null> {
    return this.lastCopiedPosition(TOPIC);
  }
}

function label(event: RecordedEvent): string {
  return (event.data as ThingData).name ?? (event.data as ThingData).thingId;
}

function newEvent(type: string, data: ThingData): NewEvent {
  return {
    id: randomUUID(),
    type,
    schemaVersion: 1,
    data,
    metadata: { account: 'acct_1', tenant: 'ten_1', correlationId: randomUUID(), causationId: null, actor: { type: 'system', id: 'test' }, occurredAt: '2026-12-01T03:00:00.000Z' },
  };
}

let position = 0;
function recorded(type: string, data: ThingData): RecordedEvent {
  position += 1;
  return { ...newEvent(type, data), stream: `thing-${data.thingId}`, revision: 0, position };
}

/** A read-model store that counts the writes of each collection (a batch should write each collection once). */
class CountingReadModelStore implements ReadModelStore {
  readonly writes: string[] = [];
  private readonly inner = new InMemoryReadModelStore();

  collection<T extends ReadModelDocument>(name: string): ReadModelCollection<T> {
    const collection = this.inner.collection<T>(name);
    return {
      ...collection,
      put: async (doc) => {
        this.writes.push(`${name} put`);
        await collection.put(doc);
      },
      putMany: async (docs) => {
        this.writes.push(`${name} putMany ${docs.length}`);
        await collection.putMany(docs);
      },
    };
  }

  async close(): Promise<void> {
    await this.inner.close();
  }
}

const policy = { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 25 };

/** A consumer that reads its source's store (embedded mode's history), the relays having carried it up to `through()`. */
function consumerWithHistory(
  Kind: typeof ThingsConsumer,
  store: InMemoryEventStore,
  readModels: ReadModelStore,
  bus: InProcessEventBus,
  through: () => Promise<number | null>,
  consumedPositions?: InMemoryCheckpointStore,
): ThingsConsumer {
  return new Kind({
    ...(consumedPositions ? { consumedPositions } : {}),
    bus,
    readModels,
    parked: new InMemoryParkedEventStore(),
    retry: policy,
    sleep: async () => undefined,
    random: () => 1,
    history: { store, carried: async () => ({ topicOf: () => TOPIC, through: await through() }) },
  });
}

/** How far a new consumer over the same stores reads its predecessor got (a restart's start, then stopped). */
async function copiedUpToOnRestart(restarted: ThingsConsumer): Promise<number | null> {
  await restarted.start();
  try {
    return await restarted.copiedUpTo();
  } finally {
    await restarted.stop();
  }
}

describe('BusFollowedProjection in batches', () => {
  let bus: InProcessEventBus;
  let readModels: CountingReadModelStore;
  let parked: InMemoryParkedEventStore;
  let consumer: ThingsConsumer;
  const dependencies = (): BusFollowedProjectionDependencies => ({ bus, readModels, parked, retry: policy, sleep: async () => undefined, random: () => 1 });

  beforeEach(async () => {
    bus = new InProcessEventBus();
    readModels = new CountingReadModelStore();
    parked = new InMemoryParkedEventStore();
    consumer = new ThingsConsumer(dependencies());
    await consumer.start();
  });

  afterEach(async () => {
    await consumer.stop();
    await bus.close();
  });

  it('applies a delivered batch at once: the accepted events in order, each collection written once, the copy kept, waiters released at the last', async () => {
    const batch = [
      recorded('thing.created.v1', { thingId: 'a', name: 'a1' }),
      recorded('thing.noted.v1', { thingId: 'a', name: 'note' }),
      recorded('thing.renamed.v1', { thingId: 'a', name: 'a2' }),
      recorded('thing.created.v1', { thingId: 'b', name: 'b1' }),
    ];
    readModels.writes.length = 0;
    const waited = consumer.waitFor(batch[3].position, 1000);
    await bus.publish(TOPIC, batch);
    await waited;

    expect(consumer.calls).toEqual(['batch a1,a2,b1']);
    expect(readModels.writes).toEqual(['consumed_events.test.things putMany 1', 'test_things putMany 2']);
    expect(await consumer.things.get('a')).toEqual({ _id: 'a', name: 'a2', deleted: false });
    expect(await consumer.things.get('b')).toEqual({ _id: 'b', name: 'b1', deleted: false });
    expect(await consumer.copiedUpTo()).toBe(batch[3].position);
    expect((await consumer.lag()).position).toBe(batch[3].position);
    // the batch's accepted events in one copy, keyed by its first event so that copies sort as their positions do
    const { items } = await readModels.collection<ReadModelDocument & { position: number; last: number; bodies: string }>('consumed_events.test.things').find({ filter: { topic: TOPIC } });
    expect(items.map((copy) => [copy._id, copy.position, copy.last])).toEqual([[`${String(batch[0].position).padStart(16, '0')}.${batch[0].id}`, batch[0].position, batch[3].position]]);
    expect(JSON.parse(items[0].bodies)).toEqual([batch[0], batch[2], batch[3]]);
  });

  it('copies a batch in documents of at most 32 events, a lone event as before, and leaves out events copied before', async () => {
    const batch = Array.from({ length: 70 }, (_, i) => recorded('thing.created.v1', { thingId: `t${i}`, name: `t${i}` }));
    const lone = recorded('thing.renamed.v1', { thingId: 't0', name: 't0b' });
    await bus.publish(TOPIC, batch);
    await bus.publish(TOPIC, [lone]);
    // the relay retries a batch a group failed: the others see it again, and a later one may overlap the last
    await bus.publish(TOPIC, batch.slice(60));
    await bus.publish(TOPIC, [lone]);
    const copies = await readModels.collection<ReadModelDocument & { position: number; last?: number; body?: string }>('consumed_events.test.things').find({ filter: { topic: TOPIC }, sort: { position: 1 } });
    expect(copies.items.map((copy) => [copy.position, copy.last ?? null])).toEqual([
      [batch[0].position, batch[31].position],
      [batch[32].position, batch[63].position],
      [batch[64].position, batch[69].position],
      [lone.position, null],
    ]);
    expect(JSON.parse(copies.items[3].body as string)).toEqual(lone);
    expect(await consumer.copiedUpTo()).toBe(lone.position);

    consumer.calls.length = 0;
    await consumer.rebuild();
    // replayed once each, in order: 71 events from 4 copies (a first page of 16 documents holds them all)
    expect(consumer.calls).toEqual([`batch ${[...batch, lone].map(label).join(',')}`]);
    expect(await consumer.things.get('t0')).toEqual({ _id: 't0', name: 't0b', deleted: false });
    expect(await consumer.things.count({})).toBe(70);
  });

  it('reads the copy without totals (a counted copy would have its count kept up, each copy parsed again, on every write)', async () => {
    await bus.publish(TOPIC, [recorded('thing.created.v1', { thingId: 'a', name: 'a1' }), recorded('thing.created.v1', { thingId: 'b', name: 'b1' })]);
    const copy = readModels.collection('consumed_events.test.things');
    const finds = jest.spyOn(copy, 'find');
    jest.spyOn(readModels, 'collection').mockImplementation((name) => (name === 'consumed_events.test.things' ? copy : new InMemoryReadModelStore().collection(name)));
    await consumer.copiedUpTo();
    await consumer.stop();
    await consumer.start();
    jest.restoreAllMocks();
    expect(finds.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(finds.mock.calls.map(([query]) => query.withoutTotal)).toEqual(finds.mock.calls.map(() => true));
  });

  it('a rebuild replays copies kept one per event before, beside batch copies, in position order, across pages', async () => {
    const copy = readModels.collection<ReadModelDocument & { topic: string; position: number; body: string }>('consumed_events.test.things');
    const older = Array.from({ length: 1200 }, (_, i) => recorded('thing.created.v1', { thingId: `o${i}`, name: `o${i}` }));
    // as an earlier release kept them: one document per event, some under the bare event id
    await copy.putMany(older.map((event, i) => ({ _id: i % 2 === 0 ? event.id : `${String(event.position).padStart(16, '0')}.${event.id}`, topic: TOPIC, position: event.position, body: JSON.stringify(event) })));
    await consumer.stop();
    await consumer.start();
    expect(await consumer.copiedUpTo()).toBe(older[1199].position);
    const renames = older.slice(0, 40).map((event) => recorded('thing.renamed.v1', { thingId: (event.data as ThingData).thingId, name: `${label(event)}-renamed` }));
    await bus.publish(TOPIC, [...older.slice(1190), ...renames]);
    consumer.calls.length = 0;

    await consumer.rebuild();
    const replayed = consumer.calls.flatMap((call) => call.split(' ')[1].split(','));
    expect(replayed).toEqual([...older, ...renames].map(label));
    expect(await consumer.things.get('o39')).toMatchObject({ name: 'o39-renamed' });
    expect(await consumer.things.count({})).toBe(1200);
  });

  it('a failing event in a batch parks only itself: the batch is applied one by one, the events around it are', async () => {
    const batch = [
      recorded('thing.created.v1', { thingId: 'a', name: 'a1' }),
      recorded('thing.created.v1', { thingId: 'p', name: 'p1', poison: true }),
      recorded('thing.created.v1', { thingId: 'b', name: 'b1' }),
    ];
    await bus.publish(TOPIC, batch);

    expect(consumer.calls).toEqual(['batch a1,p1,b1', 'one a1', 'one p1', 'one p1', 'one p1', 'one b1']);
    expect(await consumer.things.get('a')).toMatchObject({ name: 'a1' });
    expect(await consumer.things.get('b')).toMatchObject({ name: 'b1' });
    expect(await consumer.things.get('p')).toBeNull();
    const entries = await parked.list({ consumer: 'test.things' });
    expect(entries.map((entry) => [entry.event.position, entry.error, entry.attempts])).toEqual([[batch[1].position, 'cannot apply p1', 3]]);
    expect((await consumer.lag()).position).toBe(batch[2].position);
  });

  it('an event the batch hands alone keeps its own retries and parking, and the batch goes on', async () => {
    const batch = [
      recorded('thing.created.v1', { thingId: 'a', name: 'a1' }),
      recorded('thing.linked.v1', { thingId: 'a', name: 'link-ok' }),
      recorded('thing.linked.v1', { thingId: 'a', name: 'link-bad', poison: true }),
      recorded('thing.renamed.v1', { thingId: 'a', name: 'a2' }),
    ];
    await bus.publish(TOPIC, batch);

    expect(consumer.calls).toEqual(['batch a1,link-ok,link-bad,a2', 'one link-ok', 'one link-bad', 'one link-bad', 'one link-bad']);
    expect(consumer.links).toEqual(['link-ok']);
    expect(await consumer.things.get('a')).toMatchObject({ name: 'a2' });
    expect((await parked.list({ consumer: 'test.things' })).map((entry) => entry.event.position)).toEqual([batch[2].position]);
  });

  it('a redelivered batch changes nothing, and a deletion in it is not undone by the creation before it', async () => {
    const batch = [
      recorded('thing.created.v1', { thingId: 'a', name: 'a1' }),
      recorded('thing.deleted.v1', { thingId: 'a' }),
      recorded('thing.created.v1', { thingId: 'b', name: 'b1' }),
      recorded('thing.renamed.v1', { thingId: 'b', name: 'b2' }),
    ];
    await bus.publish(TOPIC, batch);
    await bus.publish(TOPIC, batch);

    expect(await consumer.things.get('a')).toEqual({ _id: 'a', name: 'a1', deleted: true });
    expect(await consumer.things.get('b')).toEqual({ _id: 'b', name: 'b2', deleted: false });
    expect(await readModels.collection('consumed_events.test.things').count({ topic: TOPIC })).toBe(1);
  });

  it('a rebuild replays the copy in batches and leaves the documents the deliveries left', async () => {
    await bus.publish(TOPIC, [recorded('thing.created.v1', { thingId: 'a', name: 'a1' }), recorded('thing.created.v1', { thingId: 'b', name: 'b1' })]);
    await bus.publish(TOPIC, [recorded('thing.renamed.v1', { thingId: 'a', name: 'a2' })]);
    await bus.publish(TOPIC, [recorded('thing.deleted.v1', { thingId: 'b' }), recorded('thing.created.v1', { thingId: 'b', name: 'b3' })]);
    const before = [await consumer.things.get('a'), await consumer.things.get('b')];
    consumer.calls.length = 0;

    await consumer.rebuild();

    expect(consumer.calls).toEqual(['batch a1,b1,a2,b,b3']);
    expect([await consumer.things.get('a'), await consumer.things.get('b')]).toEqual(before);
    expect(before).toEqual([{ _id: 'a', name: 'a2', deleted: false }, { _id: 'b', name: 'b1', deleted: true }]);
  });
});

describe('BusFollowedProjection behind an outbox relay, restarted', () => {
  it('resumes after the relay checkpoint: each event applied once, in batches, the poison one parked alone', async () => {
    const store = new InMemoryEventStore();
    const checkpoints = new InMemoryCheckpointStore();
    const readModels = new InMemoryReadModelStore();
    const parked = new InMemoryParkedEventStore();
    const run = async (): Promise<ThingsConsumer> => {
      const bus = new InProcessEventBus();
      const consumer = new ThingsConsumer({ bus, readModels, parked, retry: policy, sleep: async () => undefined });
      const relay = new OutboxRelay({ name: 'outbox:things', store, checkpoints, bus, topicFor: () => TOPIC, batchSize: 3 });
      await consumer.start();
      await relay.start();
      await relay.waitFor((await store.lastPosition()) as number, 5000);
      await relay.stop();
      await consumer.stop();
      await bus.close();
      return consumer;
    };
    const created = (thingId: string, name: string, poison = false) => newEvent('thing.created.v1', { thingId, name, ...(poison ? { poison } : {}) });

    await store.append('things-1', [created('a', 'a1'), created('b', 'b1'), created('c', 'c1'), created('d', 'd1')], 'no_stream');
    const first = await run();
    // the relay hands over at most 3 at once: a batch, then what is left
    expect(first.calls[0]).toBe('batch a1,b1,c1');
    expect(first.calls.flatMap((call) => call.split(' ')[1].split(','))).toEqual(['a1', 'b1', 'c1', 'd1']);
    expect(await checkpoints.load('outbox:things')).toBe(4);

    await store.append('things-2', [created('e', 'e1'), created('p', 'p1', true), created('f', 'f1')], 'no_stream');
    const second = await run();
    expect(second.calls).toEqual(['batch e1,p1,f1', 'one e1', 'one p1', 'one p1', 'one p1', 'one f1']);
    expect(await second.copiedUpTo()).toBe(7);
    expect(await checkpoints.load('outbox:things')).toBe(7);
    expect((await parked.list({ consumer: 'test.things' })).map((entry) => entry.event.position)).toEqual([6]);
    expect(await readModels.collection('test_things').count({})).toBe(6);
  });
});

describe('StagedDocuments', () => {
  it('reads a document once, sees its own writes and deletions, and writes the last version of each at flush', async () => {
    const store = new CountingReadModelStore();
    const collection = store.collection<ThingDocument>('things');
    await collection.put({ _id: 'a', name: 'a1', deleted: false });
    await collection.put({ _id: 'gone', name: 'g', deleted: false });
    const gets = jest.spyOn(collection, 'get');
    const deletes = jest.spyOn(collection, 'delete');
    store.writes.length = 0;
    const staged = new StagedDocuments(collection);

    expect(await staged.get('a')).toMatchObject({ name: 'a1' });
    await staged.put({ _id: 'a', name: 'a2', deleted: false });
    expect(await staged.get('a')).toMatchObject({ name: 'a2' });
    await staged.put({ _id: 'a', name: 'a3', deleted: false });
    expect(await staged.get('missing')).toBeNull();
    expect(await staged.get('missing')).toBeNull();
    await staged.delete('gone');
    expect(await staged.get('gone')).toBeNull();
    expect(gets.mock.calls.map(([id]) => id)).toEqual(['a', 'missing']);
    expect(await collection.get('a')).toMatchObject({ name: 'a1' });

    await staged.flush();
    expect(store.writes).toEqual(['things putMany 1']);
    expect(deletes).toHaveBeenCalledTimes(1);
    expect(await collection.get('a')).toMatchObject({ name: 'a3' });
    expect(await collection.get('gone')).toBeNull();
    await staged.flush();
    expect(store.writes).toEqual(['things putMany 1']);
  });
});

describe('BusFollowedProjection: a first start catches up on what the relays published before it', () => {
  it('applies from the store only the events its relay had published; the bus brings the others (effects and all)', async () => {
    const bus = new InProcessEventBus();
    const store = new InMemoryEventStore();
    await store.append('thing-t1', [newEvent('thing.created.v1', { thingId: 't1', name: 'one' })], 'no_stream');
    await store.append('thing-t2', [newEvent('thing.created.v1', { thingId: 't2', name: 'two' })], 'no_stream');
    await store.append('thing-t3', [newEvent('thing.created.v1', { thingId: 't3', name: 'three' })], 'no_stream');
    await store.append('thing-t1', [newEvent('thing.linked.v1', { thingId: 't1', name: 'link' })], 0);
    const all = await store.readAll();
    const publishedThrough = all[1].position;
    const consumer = new ThingsConsumer({
      bus,
      readModels: new InMemoryReadModelStore(),
      parked: new InMemoryParkedEventStore(),
      retry: policy,
      sleep: async () => undefined,
      random: () => 1,
      history: { store, topicOf: () => TOPIC, carried: async () => ({ topicOf: (event) => (event.position <= publishedThrough ? TOPIC : null), through: publishedThrough }) },
    });
    try {
      await consumer.start();
      expect((await consumer.things.find({ filter: {} })).items.map((thing) => thing.name).sort()).toEqual(['one', 'two']);
      expect(consumer.links).toEqual([]);
      // what the relay publishes after the start, as it does from its checkpoint
      await bus.publish(TOPIC, all.slice(2));
      await consumer.waitFor(all[3].position, 1000);
      expect((await consumer.things.find({ filter: {} })).items.map((thing) => thing.name).sort()).toEqual(['one', 'three', 'two']);
      expect(consumer.links).toEqual(['link']);
    } finally {
      await consumer.stop();
      await bus.close();
    }
  });
});

/** A second group over the same topic. */
class OtherThingsConsumer extends ThingsConsumer {
  override readonly name = 'test.other-things';
}

/** A read-model store that says when a bulk load runs, as the embedded store's does. */
class BulkLoadingReadModelStore extends InMemoryReadModelStore {
  readonly loads: string[] = [];

  async bulkLoad<T>(work: () => Promise<T>): Promise<T> {
    this.loads.push('begin');
    try {
      return await work();
    } finally {
      this.loads.push('end');
    }
  }
}

describe('BusFollowedProjection: first starts of several groups on one store', () => {
  const EVENTS = 1200;

  async function storeOf(count: number): Promise<InMemoryEventStore> {
    const store = new InMemoryEventStore();
    for (let i = 0; i < count; i += 1) await store.append(`thing-t${i}`, [newEvent('thing.created.v1', { thingId: `t${i}`, name: `n${i}` })], 'no_stream');
    return store;
  }

  function consumerOf(Kind: typeof ThingsConsumer, store: InMemoryEventStore, readModels: InMemoryReadModelStore, bus = new InProcessEventBus()): ThingsConsumer {
    return consumerWithHistory(Kind, store, readModels, bus, () => store.lastPosition());
  }

  it('read the store once between them, every group gets every event, their writes in one bulk load', async () => {
    const store = await storeOf(EVENTS);
    const readAll = jest.spyOn(store, 'readAll');
    const readModels = new BulkLoadingReadModelStore();
    const bus = new InProcessEventBus();
    const groups = [consumerOf(ThingsConsumer, store, readModels, bus), consumerOf(OtherThingsConsumer, store, readModels, bus)];
    try {
      await BusFollowedProjection.startTogether(groups);
      for (const group of groups) expect(await group.things.count({})).toBe(EVENTS);
      // pages of 500: 500, 500, 200, for both groups at once (each alone read all three)
      expect(readAll).toHaveBeenCalledTimes(3);
      expect(readModels.loads).toEqual(['begin', 'end']);
      // the store holds the events: no copy of them is kept, only how far each group got
      for (const group of groups) expect(await group.copiedUpTo()).toBe(await store.lastPosition());
      expect(await readModels.collection('consumed_events.test.things').count({ topic: TOPIC })).toBe(0);
    } finally {
      for (const group of groups) await group.stop();
      await bus.close();
    }
  });

  it('a first start stopped after marking its copy, before its catch-up, catches up at the next start', async () => {
    const store = await storeOf(3);
    const readModels = new InMemoryReadModelStore();
    const failing = new ThingsConsumer({
      bus: new InProcessEventBus(),
      readModels,
      parked: new InMemoryParkedEventStore(),
      retry: policy,
      history: {
        store,
        carried: async () => {
          throw new Error('the process ends here');
        },
      },
    });
    await expect(failing.start()).rejects.toThrow('the process ends here');
    await failing.stop();

    const restarted = consumerOf(ThingsConsumer, store, readModels);
    try {
      await restarted.start();
      expect((await restarted.things.find({ filter: {} })).items.map((thing) => thing.name).sort()).toEqual(['n0', 'n1', 'n2']);
    } finally {
      await restarted.stop();
    }
  });
});

describe('BusFollowedProjection: with the source store readable, no copy of consumed events', () => {
  const copyOf = (readModels: ReadModelStore) => readModels.collection<ReadModelDocument & { topic?: string; complete?: boolean; kept?: boolean; since?: string }>('consumed_events.test.things');

  async function storeOf(names: readonly string[]): Promise<InMemoryEventStore> {
    const store = new InMemoryEventStore();
    for (const name of names) await store.append(`thing-${name}`, [newEvent('thing.created.v1', { thingId: name, name })], 'no_stream');
    return store;
  }

  const withHistory = (store: InMemoryEventStore, readModels: ReadModelStore, bus: InProcessEventBus, through: () => Promise<number | null>): ThingsConsumer =>
    consumerWithHistory(ThingsConsumer, store, readModels, bus, through);

  it('keeps none of the events it consumes, and its marker says so', async () => {
    const store = await storeOf(['a']);
    const readModels = new InMemoryReadModelStore();
    const bus = new InProcessEventBus();
    const consumer = withHistory(store, readModels, bus, () => store.lastPosition());
    try {
      await consumer.start();
      await store.append('thing-b', [newEvent('thing.created.v1', { thingId: 'b', name: 'b' })], 'no_stream');
      const [, b] = await store.readAll();
      await bus.publish(TOPIC, [b]);
      await consumer.waitFor(b.position, 1000);
      expect((await consumer.things.find({ filter: {} })).items.map((thing) => thing.name).sort()).toEqual(['a', 'b']);
      expect(await copyOf(readModels).count({ topic: TOPIC })).toBe(0);
      expect(await copyOf(readModels).get('~copy')).toMatchObject({ complete: false, kept: false });
      // how far it got, for a restart (e.g. the traffic directory's as_of before the bus delivers anything)
      expect(await consumer.copiedUpTo()).toBe(b.position);
      await consumer.stop();
      expect(await copiedUpToOnRestart(withHistory(store, readModels, bus, () => store.lastPosition()))).toBe(b.position);
    } finally {
      await consumer.stop();
      await bus.close();
    }
  });

  it('records how far it got in its consumed positions when given, not in the copy; what an earlier version wrote in the copy is read until then', async () => {
    const store = await storeOf(['a']);
    const readModels = new InMemoryReadModelStore();
    const bus = new InProcessEventBus();
    const positions = new InMemoryCheckpointStore();
    const [a] = await store.readAll();
    // how far it got, as an earlier version recorded it
    await readModels.collection<ReadModelDocument & { position: number }>('consumed_events.test.things').put({ _id: `~consumed ${TOPIC}`, position: a.position });
    const consumer = consumerWithHistory(ThingsConsumer, store, readModels, bus, () => store.lastPosition(), positions);
    try {
      await consumer.start();
      expect(await consumer.copiedUpTo()).toBe(a.position);
      await store.append('thing-b', [newEvent('thing.created.v1', { thingId: 'b', name: 'b' })], 'no_stream');
      const [, b] = await store.readAll();
      await bus.publish(TOPIC, [b]);
      await consumer.waitFor(b.position, 1000);

      expect(await positions.load(`test.things~consumed ${TOPIC}`)).toBe(b.position);
      expect(await copyOf(readModels).get(`~consumed ${TOPIC}`)).toEqual({ _id: `~consumed ${TOPIC}`, position: a.position });
      expect(await consumer.copiedUpTo()).toBe(b.position);
      // a delivery of what it consumed before moves nothing back
      await bus.publish(TOPIC, [a]);
      await consumer.waitFor(b.position, 1000);
      expect(await positions.load(`test.things~consumed ${TOPIC}`)).toBe(b.position);
      await consumer.stop();
      expect(await copiedUpToOnRestart(consumerWithHistory(ThingsConsumer, store, readModels, bus, () => store.lastPosition(), positions))).toBe(b.position);
    } finally {
      await consumer.stop();
      await bus.close();
    }
  });

  it('a rebuild replays the source store up to what the relays carried, each event once, in batches', async () => {
    const store = await storeOf(['a', 'b']);
    const readModels = new InMemoryReadModelStore();
    const bus = new InProcessEventBus();
    let carriedThrough = (await store.lastPosition()) as number;
    const consumer = withHistory(store, readModels, bus, async () => carriedThrough);
    try {
      await consumer.start();
      await store.append('thing-a', [newEvent('thing.renamed.v1', { thingId: 'a', name: 'a2' })], 0);
      await store.append('thing-c', [newEvent('thing.created.v1', { thingId: 'c', name: 'c' })], 'no_stream');
      const all = await store.readAll();
      // the relay published the rename; the creation of c is not published yet
      await bus.publish(TOPIC, [all[2]]);
      await consumer.waitFor(all[2].position, 1000);
      carriedThrough = all[2].position;
      await consumer.things.put({ _id: 'stray', name: 'not from any event', deleted: false });
      consumer.calls.length = 0;
      const readAll = jest.spyOn(store, 'readAll');

      await consumer.rebuild();

      expect(readAll).toHaveBeenCalled();
      expect(await copyOf(readModels).count({ topic: TOPIC })).toBe(0);
      expect(consumer.calls).toEqual(['batch a,b,a2']);
      expect((await consumer.things.find({ filter: {}, sort: { _id: 1 } })).items).toEqual([
        { _id: 'a', name: 'a2', deleted: false },
        { _id: 'b', name: 'b', deleted: false },
      ]);
      // the bus brings the rest once the relay publishes it
      await bus.publish(TOPIC, [all[3]]);
      await consumer.waitFor(all[3].position, 1000);
      expect(await consumer.things.get('c')).toEqual({ _id: 'c', name: 'c', deleted: false });
    } finally {
      await consumer.stop();
      await bus.close();
    }
  });

  it('a copy an earlier start kept is marked not kept and deleted after the start; a rebuild without the store refuses it', async () => {
    const readModels = new InMemoryReadModelStore();
    const bus = new InProcessEventBus();
    const store = await storeOf([]);
    // an earlier release, without the source's store: every consumed event copied
    const before = new ThingsConsumer({ bus, readModels, parked: new InMemoryParkedEventStore(), retry: policy, sleep: async () => undefined, random: () => 1 });
    await before.start();
    for (let i = 0; i < 5; i += 1) await bus.publish(TOPIC, Array.from({ length: 40 }, (_, k) => recorded('thing.created.v1', { thingId: `t${i}-${k}`, name: `t${i}-${k}` })));
    await before.stop();
    // 40 events a batch: two copy documents each, 10 in all
    expect(await copyOf(readModels).count({ topic: TOPIC })).toBe(10);

    const after = withHistory(store, readModels, bus, async () => null);
    try {
      await after.start();
      for (let wait = 0; wait < 100 && (await copyOf(readModels).count({ topic: TOPIC })) > 0; wait += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await copyOf(readModels).count({ topic: TOPIC })).toBe(0);
      expect(await copyOf(readModels).get('~copy')).toMatchObject({ complete: false, kept: false });
      expect(await after.things.count({})).toBe(200);
    } finally {
      await after.stop();
    }

    const withoutStore = new ThingsConsumer({ bus, readModels, parked: new InMemoryParkedEventStore(), retry: policy, sleep: async () => undefined, random: () => 1 });
    await expect(withoutStore.rebuild()).rejects.toThrow(/copy of consumed events was not kept since/);
    expect(await withoutStore.things.count({})).toBe(200);
    await bus.close();
  });
});

describe('BusFollowedProjection retrying an event the bus delivered', () => {
  it("waits between attempts with the delivery's pause (Kafka heartbeats), not a plain sleep the session would time out in, and parks the event", async () => {
    const subscribed: { handler?: BusSubscriptionOptions['handler'] } = {};
    const bus: EventBus = {
      publish: async () => undefined,
      subscribe: async (options) => {
        subscribed.handler = options.handler;
        return { stop: async () => undefined };
      },
      close: async () => undefined,
    };
    const plainSleeps: number[] = [];
    const beatingPauses: number[] = [];
    const parked = new InMemoryParkedEventStore();
    const consumer = new ThingsConsumer({ bus, readModels: new InMemoryReadModelStore(), parked, retry: policy, sleep: async (ms) => void plainSleeps.push(ms), random: () => 1 });
    await consumer.start();
    try {
      const poison = recorded('thing.created.v1', { thingId: 'p', name: 'p1', poison: true });
      await subscribed.handler?.(poison, TOPIC, { pause: async (ms) => void beatingPauses.push(ms) });
      expect(consumer.calls).toEqual(['one p1', 'one p1', 'one p1']);
      expect([beatingPauses.length, plainSleeps.length]).toEqual([policy.maxAttempts - 1, 0]);
      expect((await parked.list({ consumer: 'test.things' })).map((entry) => entry.event.id)).toEqual([poison.id]);
    } finally {
      await consumer.stop();
    }
  });
});
