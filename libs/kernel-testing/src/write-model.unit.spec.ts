import { FOLD_CHUNK, WrongExpectedRevisionError, WriteModel, type Decider, type EventMetadata, type EventStore } from '@as2-partners/kernel';
import { InMemoryEventStore } from './in-memory-event-store';
import { InMemorySnapshotStore } from './in-memory-snapshot-store';

type CounterEvent = { readonly type: 'counter.added.v1'; readonly data: { readonly by: number } };
type CounterCommand = { readonly type: 'add'; readonly by: number; readonly max?: number };

const counter: Decider<CounterCommand, number, CounterEvent> = {
  initialState: () => 0,
  decide: (command, total) => {
    if (command.max !== undefined && total + command.by > command.max) throw new Error('over the maximum');
    return command.by === 0 ? [] : [{ type: 'counter.added.v1', data: { by: command.by } }];
  },
  evolve: (total, event) => total + event.data.by,
};

const metadata: EventMetadata = {
  account: 'acc',
  tenant: 't',
  correlationId: 'c',
  causationId: null,
  actor: { type: 'user', id: 'u' },
  occurredAt: '2026-01-01T00:00:00.000Z',
};

/** Counts the events each readStream returns, to see what a load re-reads. */
function countingReads(store: EventStore): { store: EventStore; read: () => number } {
  let read = 0;
  const counting = Object.create(store) as EventStore;
  counting.readStream = async (stream, options) => {
    const events = await store.readStream(stream, options);
    read += events.length;
    return events;
  };
  return { store: counting, read: () => read };
}

describe('WriteModel', () => {
  it('decides, appends with the loaded revision and answers with the new state and its position', async () => {
    const writeModel = new WriteModel(new InMemoryEventStore());
    await writeModel.decide('counter-1', counter, { type: 'add', by: 2 }, metadata);
    const decision = await writeModel.decide('counter-1', counter, (total): CounterCommand => ({ type: 'add', by: total + 1 }), metadata);
    expect(decision.state).toBe(5);
    expect(decision.position).toBe(2);
    expect(decision.events).toEqual([{ type: 'counter.added.v1', data: { by: 3 } }]);
    expect(await writeModel.decide('counter-1', counter, { type: 'add', by: 0 }, metadata)).toEqual({ state: 5, events: [], position: null });
  });

  it('stores no decision while its refusal gives an error (one command or a batch), and stores again once it gives none', async () => {
    const store = new InMemoryEventStore();
    let refusal: Error | null = new Error('the read side cannot follow');
    const writeModel = new WriteModel(store, { refusal: () => refusal });
    await expect(writeModel.decide('counter-r', counter, { type: 'add', by: 1 }, metadata)).rejects.toBe(refusal);
    const batched = await writeModel.decideBatch('counter-r', counter, [{ command: { type: 'add', by: 1 }, metadata }]);
    expect(batched).toEqual([{ ok: false, error: refusal }]);
    expect(await store.readStream('counter-r')).toEqual([]);
    refusal = null;
    expect((await writeModel.decide('counter-r', counter, { type: 'add', by: 1 }, metadata)).state).toBe(1);
  });

  it('decides again on fresh state after a concurrent append, and gives up after the attempts allowed', async () => {
    const store = new InMemoryEventStore();
    const [one, other] = [new WriteModel(store), new WriteModel(store)];
    await one.decide('counter-2', counter, { type: 'add', by: 1 }, metadata);
    // While `one` decides on state 1, another process appends: the append is refused, the retry sees 2.
    const seen: number[] = [];
    const racing = async (total: number): Promise<CounterCommand> => {
      seen.push(total);
      if (seen.length === 1) await other.decide('counter-2', counter, { type: 'add', by: 1 }, metadata);
      return { type: 'add', by: 1, max: 3 };
    };
    const retried = await one.decide('counter-2', counter, racing, metadata);
    expect(seen).toEqual([1, 2]);
    expect(retried.state).toBe(3);

    const alwaysRaced = async (): Promise<CounterCommand> => {
      await other.decide('counter-2', counter, { type: 'add', by: 1 }, metadata);
      return { type: 'add', by: 1 };
    };
    await expect(one.decide('counter-2', counter, alwaysRaced, metadata, { attempts: 2 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  });

  it('decides a new stream (newStream) on the initial state without reading it; one there after all is a concurrent append', async () => {
    const store = new InMemoryEventStore();
    const reads: string[] = [];
    const counting = Object.create(store) as EventStore;
    counting.readStream = async (stream, options) => {
      reads.push(stream);
      return store.readStream(stream, options);
    };
    const writeModel = new WriteModel(counting);
    const created = await writeModel.decide('counter-new', counter, { type: 'add', by: 2 }, metadata, { newStream: true });
    expect(reads).toEqual([]);
    expect(created).toEqual({ state: 2, events: [{ type: 'counter.added.v1', data: { by: 2 } }], position: 1 });
    // its state kept: the next command on it reads only what came after
    expect((await writeModel.decide('counter-new', counter, { type: 'add', by: 1 }, metadata)).state).toBe(3);

    // the stream existed: refused once (attempts 1), read and decided on its state with a second attempt
    await new WriteModel(store).decide('counter-there', counter, { type: 'add', by: 5 }, metadata);
    reads.length = 0;
    await expect(writeModel.decide('counter-there', counter, { type: 'add', by: 1 }, metadata, { newStream: true, attempts: 1 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(reads).toEqual([]);
    const again = await writeModel.decide('counter-there', counter, { type: 'add', by: 1 }, metadata, { newStream: true, attempts: 2 });
    expect(again.state).toBe(6);
    expect(reads).toEqual(['counter-there']);

    // with a command id the stream is read (a retry finds its first outcome there)
    reads.length = 0;
    await writeModel.decide('counter-keyed', counter, { type: 'add', by: 1 }, metadata, { newStream: true, commandId: 'cmd-1' });
    expect(reads).toEqual(['counter-keyed']);
  });

  it('stamps the metadata from the command decided, so both carry the same instant', async () => {
    const store = new InMemoryEventStore();
    let attempt = 0;
    await new WriteModel(store).decide(
      'counter-3',
      counter,
      (): CounterCommand => ({ type: 'add', by: ++attempt }),
      metadata,
      { metadataOf: (command) => ({ ...metadata, occurredAt: `2026-01-01T00:00:0${command.by}.000Z` }) },
    );
    expect((await store.readStream('counter-3'))[0]!.metadata.occurredAt).toBe('2026-01-01T00:00:01.000Z');
  });

  it('returns the first outcome when a command id is decided again, without appending twice', async () => {
    const store = new InMemoryEventStore();
    const writeModel = new WriteModel(store);
    await writeModel.decide('counter-4', counter, { type: 'add', by: 5 }, metadata);
    const first = await writeModel.decide('counter-4', counter, { type: 'add', by: 2 }, metadata, { commandId: 'cmd-1' });
    await writeModel.decide('counter-4', counter, { type: 'add', by: 1 }, metadata);
    // Another process (a fresh write model) retrying the same command after a lost answer.
    const again = await new WriteModel(store).decide('counter-4', counter, { type: 'add', by: 2 }, metadata, { commandId: 'cmd-1' });
    expect(again.events).toEqual(first.events);
    expect(again.position).toBe(first.position);
    expect(again.state).toBe(8);
    expect((await store.readStream('counter-4')).map((e) => e.data)).toEqual([{ by: 5 }, { by: 2 }, { by: 1 }]);
  });

  it('answers the first outcome when a command id races with itself on a new stream (attempts 1), not a conflict', async () => {
    const store = new InMemoryEventStore();
    const [a, b] = await Promise.all([new WriteModel(store), new WriteModel(store)].map((w) => w.decide('counter-5', counter, { type: 'add', by: 3 }, metadata, { attempts: 1, commandId: 'cmd-5' })));
    expect(a!.position).toBe(b!.position);
    expect((await store.readStream('counter-5')).map((e) => e.data)).toEqual([{ by: 3 }]);
    // Another command losing the same race is still a conflict.
    const raced = Object.create(store) as InMemoryEventStore;
    raced.append = async (...args) => {
      await new WriteModel(store).decide('counter-5', counter, { type: 'add', by: 1 }, metadata);
      return store.append(...args);
    };
    await expect(new WriteModel(raced).decide('counter-5', counter, { type: 'add', by: 1 }, metadata, { attempts: 1, commandId: 'cmd-6' })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  });

  it('folds only the events appended since its last load, and keeps its cache to itself', async () => {
    const inner = new InMemoryEventStore();
    const { store, read } = countingReads(inner);
    const writeModel = new WriteModel(store);
    for (let i = 0; i < 5; i++) await new WriteModel(inner).decide('counter-5', counter, { type: 'add', by: 1 }, metadata);
    expect((await writeModel.load('counter-5', counter)).state).toBe(5);
    expect(read()).toBe(5);
    await new WriteModel(inner).decide('counter-5', counter, { type: 'add', by: 1 }, metadata);
    expect(await writeModel.load('counter-5', counter)).toEqual({ state: 6, revision: 5 });
    expect(read()).toBe(6);
    // A second write model in the same process starts from nothing: caches are never shared.
    const { store: otherStore, read: otherRead } = countingReads(inner);
    await new WriteModel(otherStore).load('counter-5', counter);
    expect(otherRead()).toBe(6);
  });

  it('keeps at most maxCachedStreams folds, evicting the least recently used', async () => {
    const inner = new InMemoryEventStore();
    for (const stream of ['a-1', 'a-2', 'a-3']) await new WriteModel(inner).decide(stream, counter, { type: 'add', by: 1 }, metadata);
    const { store, read } = countingReads(inner);
    const writeModel = new WriteModel(store, { maxCachedStreams: 2 });
    await writeModel.load('a-1', counter);
    await writeModel.load('a-2', counter);
    await writeModel.load('a-1', counter);
    await writeModel.load('a-3', counter); // evicts a-2, the least recently used
    expect(read()).toBe(3);
    await writeModel.load('a-1', counter);
    expect(read()).toBe(3);
    await writeModel.load('a-2', counter);
    expect(read()).toBe(4);
  });

  describe('snapshots and long streams', () => {
    const snapshotting: Decider<CounterCommand, number, CounterEvent> = {
      ...counter,
      snapshot: { name: 'counter.v1', toJson: (total) => ({ total }), fromJson: (json) => (json as { total: number }).total },
    };

    /** A store with snapshots, and `events` events of 1 each already in `stream`. */
    async function storeWith(stream: string, events: number, snapshots: InMemorySnapshotStore | undefined): Promise<InMemoryEventStore> {
      const store = new InMemoryEventStore();
      if (snapshots) Object.defineProperty(store, 'snapshots', { value: snapshots });
      const one = Array.from({ length: 500 }, () => ({ type: 'counter.added.v1', data: { by: 1 } }) as CounterEvent);
      for (let i = 0; i < events; i += 500) {
        const batch = one.slice(0, Math.min(500, events - i)).map((e, j) => ({ id: `${stream}-${i + j}`, type: e.type, schemaVersion: 1, data: e.data, metadata }));
        await store.append(stream, batch, i === 0 ? 'no_stream' : i - 1);
      }
      return store;
    }

    it('snapshots every snapshotEvery events, and a new write model starts from the snapshot: the same state as a full fold', async () => {
      const snapshots = new InMemorySnapshotStore();
      const store = await storeWith('counter-s', 0, snapshots);
      const writer = new WriteModel(store, { snapshotEvery: 10 });
      for (let i = 1; i <= 25; i++) await writer.decide('counter-s', snapshotting, { type: 'add', by: i }, metadata);
      expect(snapshots.saves).toBe(2);
      expect(await snapshots.load('counter-s', 'counter.v1')).toEqual({ revision: 19, state: { total: 210 } });

      const { store: counting, read } = countingReads(store);
      const restarted = new WriteModel(counting, { snapshotEvery: 10 });
      const loaded = await restarted.load('counter-s', snapshotting);
      const fullFold = (await store.readStream('counter-s')).reduce((t, e) => t + (e.data as { by: number }).by, 0);
      expect(loaded).toEqual({ state: fullFold, revision: 24 });
      expect(read()).toBe(5);
    });

    it('starts from a snapshot through the codec\'s restore when it has one, handing it turns of the event loop', async () => {
      const snapshots = new InMemorySnapshotStore();
      const store = await storeWith('counter-r', 0, snapshots);
      const writer = new WriteModel(store, { snapshotEvery: 1_000 });
      for (let i = 1; i <= 12; i++) await writer.decide('counter-r', snapshotting, { type: 'add', by: i }, metadata);
      await snapshots.save('counter-r', 'counter.v1', { revision: 11, state: { total: 78 } });
      let turnsTaken = 0;
      const restoring: Decider<CounterCommand, number, CounterEvent> = {
        ...snapshotting,
        snapshot: {
          ...(snapshotting.snapshot as NonNullable<typeof snapshotting.snapshot>),
          restore: async (json, nextTurn) => {
            await nextTurn();
            turnsTaken += 1;
            return (json as { total: number }).total;
          },
        },
      };
      const loaded = await new WriteModel(store, { snapshotEvery: 1_000 }).load('counter-r', restoring);
      expect(loaded).toEqual({ state: 78, revision: 11 });
      expect(turnsTaken).toBe(1);
    });

    it('restores from the previous codec\'s snapshot when the current one has none, warms it, and saves the current form at once', async () => {
      const snapshots = new InMemorySnapshotStore();
      const store = await storeWith('counter-p', 0, snapshots);
      const writer = new WriteModel(store, { snapshotEvery: 10 });
      for (let i = 1; i <= 25; i++) await writer.decide('counter-p', snapshotting, { type: 'add', by: 1 }, metadata);
      // counter.v2 wraps the total in an array; counter.v1 (the old form) is only read
      const v2: Decider<CounterCommand, number, CounterEvent> = {
        ...counter,
        snapshot: { name: 'counter.v2', toJson: (total) => [total], fromJson: (json) => (json as number[])[0] as number, previous: snapshotting.snapshot },
      };
      const { store: counting, read } = countingReads(store);
      const restarted = new WriteModel(counting, { snapshotEvery: 10 });
      expect(await restarted.warm(v2, 1)).toEqual(['counter-p']);
      // the old snapshot (revision 19) and the 5 events after it, in one read
      expect(read()).toBe(5);
      expect(await restarted.load('counter-p', v2)).toEqual({ state: 25, revision: 24 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(await snapshots.load('counter-p', 'counter.v2')).toEqual({ revision: 24, state: [25] });
      // the next restart reads the new form
      expect(await new WriteModel(store, { snapshotEvery: 10 }).load('counter-p', v2)).toEqual({ state: 25, revision: 24 });
    });

    it('saves one snapshot of a stream at a time: one due while another is serialising waits for a later event; snapshotsSaved awaits them', async () => {
      const snapshots = new InMemorySnapshotStore();
      const store = await storeWith('counter-one', 0, snapshots);
      let letGo: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (letGo = resolve));
      let started = 0;
      const slow: Decider<CounterCommand, number, CounterEvent> = {
        ...counter,
        snapshot: {
          ...(snapshotting.snapshot as NonNullable<typeof snapshotting.snapshot>),
          every: 5,
          toJsonInSlices: async (total) => {
            started += 1;
            await gate;
            return { total };
          },
        },
      };
      const writer = new WriteModel(store, { snapshotEvery: 10 });
      for (let i = 1; i <= 12; i++) await writer.decide('counter-one', slow, { type: 'add', by: 1 }, metadata);
      // due at 5 and 10 events: the second waits for the first, still held
      expect(started).toBe(1);
      letGo();
      await writer.snapshotsSaved();
      expect(await snapshots.load('counter-one', 'counter.v1')).toEqual({ revision: 4, state: { total: 5 } });
      await writer.decide('counter-one', slow, { type: 'add', by: 1 }, metadata);
      await writer.snapshotsSaved();
      expect(started).toBe(2);
      expect(await snapshots.load('counter-one', 'counter.v1')).toEqual({ revision: 12, state: { total: 13 } });
    });

    it('snapshots at least every `every` events of a codec that sets it, even where a tenth of the stream is longer', async () => {
      const snapshots = new InMemorySnapshotStore();
      const store = await storeWith('counter-every', 300, snapshots);
      const often: Decider<CounterCommand, number, CounterEvent> = { ...counter, snapshot: { ...(snapshotting.snapshot as NonNullable<typeof snapshotting.snapshot>), every: 5 } };
      const writer = new WriteModel(store, { snapshotEvery: 10 });
      await writer.load('counter-every', often);
      const savesAfterLoad = snapshots.saves;
      for (let i = 1; i <= 10; i++) await writer.decide('counter-every', often, { type: 'add', by: 1 }, metadata);
      // a tenth of 300 events would be 30; every 5 saves twice in 10 events
      expect(snapshots.saves - savesAfterLoad).toBe(2);
      expect(await snapshots.load('counter-every', 'counter.v1')).toEqual({ revision: 309, state: { total: 310 } });
    });

    it('warms the longest snapshotted streams, so their first command reads no snapshot and no event', async () => {
      const snapshots = new InMemorySnapshotStore();
      const store = await storeWith('counter-long', 0, snapshots);
      const writer = new WriteModel(store, { snapshotEvery: 10 });
      for (let i = 1; i <= 30; i++) await writer.decide('counter-long', snapshotting, { type: 'add', by: 1 }, metadata);
      for (let i = 1; i <= 12; i++) await writer.decide('counter-short', snapshotting, { type: 'add', by: 1 }, metadata);

      const { store: counting, read } = countingReads(store);
      const restarted = new WriteModel(counting, { snapshotEvery: 10 });
      expect(await restarted.warm(snapshotting, 1)).toEqual(['counter-long']);
      const afterWarm = read();
      const loadsBefore = snapshots.loads;
      expect(await restarted.load('counter-long', snapshotting)).toEqual({ state: 30, revision: 29 });
      expect(read()).toBe(afterWarm);
      expect(snapshots.loads).toBe(loadsBefore);
      // the shorter one was not warmed: its first load reads its snapshot
      expect(await restarted.load('counter-short', snapshotting)).toEqual({ state: 12, revision: 11 });
      expect(snapshots.loads).toBe(loadsBefore + 1);
    });

    it('saves on stop the snapshots of folds that moved since their last one, most behind first, so the next start folds nothing', async () => {
      const snapshots = new InMemorySnapshotStore();
      const store = await storeWith('counter-stop', 0, snapshots);
      const writer = new WriteModel(store, { snapshotEvery: 10 });
      for (let i = 1; i <= 14; i++) await writer.decide('counter-stop', snapshotting, { type: 'add', by: 1 }, metadata);
      for (let i = 1; i <= 3; i++) await writer.decide('counter-few', snapshotting, { type: 'add', by: 1 }, metadata);
      await writer.decide('counter-plain', counter, { type: 'add', by: 1 }, metadata);
      await writer.snapshotsSaved();
      // the last snapshot of counter-stop is at revision 9: four events behind; counter-few has none; counter-plain has no codec
      expect(await snapshots.load('counter-stop', 'counter.v1')).toEqual({ revision: 9, state: { total: 10 } });

      expect(await writer.saveSnapshots()).toEqual(['counter-stop', 'counter-few']);
      expect(await snapshots.load('counter-stop', 'counter.v1')).toEqual({ revision: 13, state: { total: 14 } });
      expect(await snapshots.load('counter-few', 'counter.v1')).toEqual({ revision: 2, state: { total: 3 } });
      // nothing moved since: nothing to save
      expect(await writer.saveSnapshots()).toEqual([]);

      const { store: counting, read } = countingReads(store);
      const restarted = new WriteModel(counting, { snapshotEvery: 10 });
      expect(await restarted.load('counter-stop', snapshotting)).toEqual({ state: 14, revision: 13 });
      expect(read()).toBe(0);
      // none begun after the deadline
      await restarted.decide('counter-stop', snapshotting, { type: 'add', by: 1 }, metadata);
      expect(await restarted.saveSnapshots(Date.now() - 1)).toEqual([]);
    });

    it('restores a snapshot once for the loads that start while it is being restored (a command during the warm-up waits for it)', async () => {
      const snapshots = new InMemorySnapshotStore();
      const store = await storeWith('counter-w', 0, snapshots);
      const writer = new WriteModel(store, { snapshotEvery: 10 });
      for (let i = 1; i <= 25; i++) await writer.decide('counter-w', snapshotting, { type: 'add', by: 1 }, metadata);
      const restarted = new WriteModel(store, { snapshotEvery: 10 });
      const loadsBefore = snapshots.loads;
      const [warming, first] = await Promise.all([restarted.warm(snapshotting, 1), restarted.decide('counter-w', snapshotting, { type: 'add', by: 1 }, metadata)]);
      expect(warming).toEqual(['counter-w']);
      expect(first.state).toBe(26);
      expect(snapshots.loads).toBe(loadsBefore + 1);
      // once restored, a later first load of another write model reads the snapshot again (nothing kept in flight)
      expect(await new WriteModel(store).load('counter-w', snapshotting)).toEqual({ state: 26, revision: 25 });
      expect(snapshots.loads).toBe(loadsBefore + 2);
    });

    it('snapshots a long stream every tenth of its length, not every snapshotEvery events', async () => {
      const snapshots = new InMemorySnapshotStore();
      const store = await storeWith('counter-tenth', 0, snapshots);
      const writer = new WriteModel(store, { snapshotEvery: 10 });
      for (let i = 0; i < 300; i++) await writer.decide('counter-tenth', snapshotting, { type: 'add', by: 1 }, metadata);
      // Every 10 events would be 30 snapshots; every 10 up to revision ~110, then every tenth of the length, is fewer.
      expect(snapshots.saves).toBeGreaterThan(11);
      expect(snapshots.saves).toBeLessThan(25);
      const last = await snapshots.load('counter-tenth', 'counter.v1');
      expect(last?.revision).toBeGreaterThan(250);
      expect(last?.state).toEqual({ total: (last?.revision ?? 0) + 1 });
    });

    it('ignores a snapshot another codec wrote, and folds a stream that has none (data from before snapshots) in full', async () => {
      const snapshots = new InMemorySnapshotStore();
      const store = await storeWith('counter-old', 30, snapshots);
      await snapshots.save('counter-old', 'counter.v0', { revision: 29, state: { total: -1 } });
      const loaded = await new WriteModel(store, { snapshotEvery: 1_000 }).load('counter-old', snapshotting);
      expect(loaded).toEqual({ state: 30, revision: 29 });
    });

    it('folds a long stream in chunks, giving the event loop turns in between', async () => {
      const store = await storeWith('counter-long', FOLD_CHUNK * 3 + 1, undefined);
      let turns = 0;
      let ticking = true;
      const tick = (): void => {
        turns++;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const loaded = await new WriteModel(store).load('counter-long', counter);
      ticking = false;
      expect(loaded.state).toBe(FOLD_CHUNK * 3 + 1);
      expect(turns).toBeGreaterThanOrEqual(3);
    });

    it('saves no snapshot for a decider without a codec', async () => {
      const snapshots = new InMemorySnapshotStore();
      const store = await storeWith('counter-plain', 0, snapshots);
      const writer = new WriteModel(store, { snapshotEvery: 2 });
      for (let i = 0; i < 5; i++) await writer.decide('counter-plain', counter, { type: 'add', by: 1 }, metadata);
      expect(snapshots.saves).toBe(0);
    });
  });

  describe('decideBatch', () => {
    it('decides each command on the state the ones before it left, leaves a refused one out, and appends once', async () => {
      const store = new InMemoryEventStore();
      const { store: counting } = countingReads(store);
      let appends = 0;
      counting.append = (...args) => {
        appends++;
        return store.append(...args);
      };
      const writer = new WriteModel(counting);
      const seen: number[] = [];
      const outcomes = await writer.decideBatch('counter-b', counter, [
        { command: { type: 'add', by: 2 }, metadata },
        { command: (total: number): CounterCommand => (seen.push(total), { type: 'add', by: 1, max: 2 }), metadata },
        { command: (total: number): CounterCommand => (seen.push(total), { type: 'add', by: total }), metadata: { ...metadata, correlationId: 'third' } },
      ]);
      expect(seen).toEqual([2, 2]);
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
      expect(outcomes[1]).toMatchObject({ ok: false, error: new Error('over the maximum') });
      expect(outcomes[2]).toMatchObject({ ok: true, decision: { state: 4, position: 2, events: [{ type: 'counter.added.v1', data: { by: 2 } }] } });
      expect(appends).toBe(1);
      expect((await store.readStream('counter-b')).map((e) => e.metadata.correlationId)).toEqual(['c', 'third']);
    });

    it('decides the whole batch again on fresh state after a concurrent append', async () => {
      const store = new InMemoryEventStore();
      const [one, other] = [new WriteModel(store), new WriteModel(store)];
      await one.load('counter-r', counter);
      let raced = false;
      const outcomes = await one.decideBatch('counter-r', counter, [
        {
          command: async (total: number): Promise<CounterCommand> => {
            if (!raced) {
              raced = true;
              await other.decide('counter-r', counter, { type: 'add', by: 10 }, metadata);
            }
            return { type: 'add', by: total + 1 };
          },
          metadata,
        },
      ]);
      expect(outcomes).toMatchObject([{ ok: true, decision: { state: 21 } }]);
      expect((await store.readStream('counter-r')).map((e) => (e.data as { by: number }).by)).toEqual([10, 11]);
    });
  });
});

