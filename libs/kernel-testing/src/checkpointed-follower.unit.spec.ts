// The follower lives in the kernel, whose layer may not import kernel-testing; its tests live here, beside the in-memory doubles.
import { randomUUID } from 'node:crypto';
import {
  backoffDelayMs,
  CheckpointedFollower,
  FollowedProjection,
  type CatchUpSubscriptionOptions,
  type NewEvent,
  type ParkedEvent,
  type ParkedEventStore,
  type RecordedEvent,
  type Subscription,
  UnreadableEventError,
} from '@as2-partners/kernel';
import { InMemoryCheckpointStore } from './in-memory-checkpoint-store';
import { InMemoryEventStore } from './in-memory-event-store';
import { InMemoryParkedEventStore } from './in-memory-parked-event-store';

/** The test events carry flat records. */
function dataOf(event: RecordedEvent): Record<string, unknown> {
  return event.data as Record<string, unknown>;
}

const policy = { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 25 };

function newEvent(data: Record<string, unknown>): NewEvent {
  return {
    id: randomUUID(),
    type: 'thing.happened.v1',
    schemaVersion: 1,
    data,
    metadata: { account: 'acct_1', tenant: 'ten_1', correlationId: randomUUID(), causationId: null, actor: { type: 'system', id: 'test' }, occurredAt: '2026-11-23T10:00:00.000Z' },
  };
}

/** A sleeper that never waits on real time and remembers what it was asked. */
function recordingSleeper(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms) => void sleeps.push(ms) };
}

/** A checkpoint store that remembers every position saved; `joined`: its saves join the read-model writes. */
function recordingCheckpoints(joined: boolean): { readonly recording: InMemoryCheckpointStore; readonly saved: number[] } {
  const saved: number[] = [];
  const recording = Object.assign(new InMemoryCheckpointStore(), { savesWithReadModelWrites: joined });
  const save = recording.save.bind(recording);
  recording.save = async (name, position) => {
    saved.push(position);
    await save(name, position);
  };
  return { recording, saved };
}

/** The store handing its events one at a time (`onEvent`), as a store that does not read in pages does. */
function oneByOne(store: InMemoryEventStore): InMemoryEventStore {
  const delivering = Object.create(store) as InMemoryEventStore;
  delivering.subscribeToAll = ({ onBatch: _onBatch, ...options }) => store.subscribeToAll(options);
  return delivering;
}

/** Fails the first `failures` subscriptions after each delivered one event. */
class FlakySubscriptionStore extends InMemoryEventStore {
  opened = 0;

  constructor(private failures: number) {
    super();
  }

  override subscribeToAll(options: CatchUpSubscriptionOptions): Subscription {
    this.opened += 1;
    if (this.failures <= 0) return super.subscribeToAll(options);
    this.failures -= 1;
    let delivered = 0;
    // Events one at a time, as a store that does not read in pages delivers them; the connection drops at the second.
    const { onBatch: _onBatch, ...oneByOne } = options;
    return super.subscribeToAll({
      ...oneByOne,
      onEvent: async (event) => {
        if (delivered >= 1) throw new Error('connection reset');
        delivered += 1;
        await options.onEvent(event);
      },
    });
  }
}

describe('CheckpointedFollower', () => {
  let store: InMemoryEventStore;
  let checkpoints: InMemoryCheckpointStore;
  let parked: InMemoryParkedEventStore;
  let follower: CheckpointedFollower | null;

  beforeEach(() => {
    store = new InMemoryEventStore();
    checkpoints = new InMemoryCheckpointStore();
    parked = new InMemoryParkedEventStore();
    follower = null;
  });

  afterEach(async () => {
    await follower?.stop();
  });

  it('parks a poison event with its error after the bounded retries, and applies the events behind it', async () => {
    const applied: unknown[] = [];
    const { sleeps, sleep } = recordingSleeper();
    follower = new CheckpointedFollower({
      name: 'things',
      store,
      checkpoints,
      parked,
      retry: policy,
      sleep,
      random: () => 1,
      handle: async (event) => {
        if (dataOf(event)['poison']) throw new Error(`cannot apply ${String(dataOf(event)['n'])}`);
        applied.push(dataOf(event)['n']);
      },
    });
    await store.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2, poison: true }), newEvent({ n: 3 })], 'no_stream');
    await follower.start();
    await follower.waitFor(3, 10_000);

    expect(applied).toEqual([1, 3]);
    const [entry] = await parked.list({ consumer: 'things' });
    expect(entry).toMatchObject({ consumer: 'things', topic: null, error: 'cannot apply 2', attempts: 3 });
    expect(entry.event).toMatchObject({ position: 2, data: { n: 2, poison: true } });
    // Two pauses between three attempts, doubling (jitter pinned to its top).
    expect(sleeps).toEqual([10, 20]);
    const lag = await follower.lag();
    expect(lag).toMatchObject({ name: 'things', running: true, position: 3, headPosition: 3, caughtUp: true, secondsBehind: 0, parked: 1 });
    await follower.stop();
    expect(await checkpoints.load('things')).toBe(3);
  });

  it('parks an event its handler cannot read (UnreadableEventError) at once, without retries', async () => {
    const applied: unknown[] = [];
    const { sleeps, sleep } = recordingSleeper();
    let calls = 0;
    follower = new CheckpointedFollower({
      name: 'things',
      store,
      checkpoints,
      parked,
      retry: policy,
      sleep,
      handle: async (event) => {
        calls += 1;
        if (dataOf(event)['garbled']) throw new UnreadableEventError(`thing ${String(dataOf(event)['n'])} has no shape`);
        applied.push(dataOf(event)['n']);
      },
    });
    await store.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2, garbled: true }), newEvent({ n: 3 })], 'no_stream');
    await follower.start();
    await follower.waitFor(3, 10_000);

    expect(applied).toEqual([1, 3]);
    expect(calls).toBe(3);
    expect(sleeps).toEqual([]);
    expect((await parked.list({ consumer: 'things' }))[0]).toMatchObject({ error: 'thing 2 has no shape', attempts: 1 });
  });

  it('parks an event whose data is no object (null, a list, a text) at once, before its handler reads it, whatever the handler would do', async () => {
    const applied: unknown[] = [];
    const { sleeps, sleep } = recordingSleeper();
    follower = new CheckpointedFollower({ name: 'things', store, checkpoints, parked, retry: policy, sleep, handle: async (event) => void applied.push(dataOf(event)['n']) });
    const shapeless = (data: unknown): NewEvent => ({ ...newEvent({}), data });
    await store.append('things-1', [newEvent({ n: 1 }), shapeless(null), shapeless([1]), shapeless('text'), newEvent({ n: 5 })], 'no_stream');
    await follower.start();
    await follower.waitFor(5, 10_000);

    expect(applied).toEqual([1, 5]);
    expect(sleeps).toEqual([]);
    const entries = await parked.list({ consumer: 'things' });
    expect(entries.map((entry) => [entry.attempts, entry.error.endsWith('cannot be read: its data is not an object')])).toEqual([[1, true], [1, true], [1, true]]);
  });

  it('drops at its start the entries it parked past its checkpoint (delivered again from there), and keeps those it had passed', async () => {
    await store.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2 }), newEvent({ n: 3 })], 'no_stream');
    const [first, , third] = await store.readAll();
    const entry = (event: RecordedEvent): ParkedEvent => ({ id: `things:${event.id}`, consumer: 'things', topic: null, event, error: 'disk full', attempts: 3, parkedAt: '2026-12-05T10:00:00.000Z' });
    await parked.park(entry(first as RecordedEvent));
    await parked.park(entry(third as RecordedEvent));
    await parked.park({ ...entry(third as RecordedEvent), id: `others:${(third as RecordedEvent).id}`, consumer: 'others' });
    // The move past 3 was lost: the checkpoint says 2.
    await checkpoints.save('things', 2);
    const applied: unknown[] = [];
    follower = new CheckpointedFollower({ name: 'things', store, checkpoints, parked, handle: async (event) => void applied.push(dataOf(event)['n']) });
    await follower.start();
    await follower.waitFor(3, 10_000);
    expect(applied).toEqual([3]);
    expect((await parked.list({ consumer: 'things' })).map((e) => e.event.position)).toEqual([1]);
    expect(await parked.count('others')).toBe(1);
  });

  it('saves its position after every read of the store when saves join the read-model writes, every 100 events otherwise', async () => {
    const savedBy = async (joined: boolean): Promise<number[]> => {
      const { recording, saved } = recordingCheckpoints(joined);
      const own = new InMemoryEventStore();
      await own.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2 }), newEvent({ n: 3 })], 'no_stream');
      const running = new CheckpointedFollower({ name: 'things', store: own, checkpoints: recording, parked, handle: async () => undefined });
      await running.start();
      await running.waitFor(3, 10_000);
      const beforeStop = [...saved];
      await running.stop();
      return beforeStop;
    };
    // The three events are one read (the store had them all when the follower started).
    expect(await savedBy(true)).toEqual([3]);
    expect(await savedBy(false)).toEqual([]);
  });

  it('takes each read of the store at once: one call for the events it does not accept, the checkpoint once per read', async () => {
    const { recording, saved } = recordingCheckpoints(true);
    let accepting = 0;
    follower = new CheckpointedFollower({
      name: 'things',
      store,
      checkpoints: recording,
      parked,
      accepts: (event) => {
        accepting += 1;
        return dataOf(event)['n'] === 2;
      },
      handle: async () => undefined,
    });
    await follower.start();
    await store.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2 }), newEvent({ n: 3 }), newEvent({ n: 4 })], 'no_stream');
    await follower.waitFor(4, 10_000);
    expect(accepting).toBe(4);
    expect(saved).toEqual([4]);
  });

  it('gives the event loop way between the events of a long read: handlers that answer at once held it for the whole read', async () => {
    let turn = 0;
    let counting = true;
    const next = () => {
      turn += 1;
      if (counting) setImmediate(next);
    };
    const handledIn: number[] = [];
    follower = new CheckpointedFollower({
      name: 'things',
      store,
      checkpoints,
      parked,
      handle: async () => {
        // ~5 ms of work that never waits (an embedded store's reads and writes)
        const until = performance.now() + 5;
        while (performance.now() < until);
        handledIn.push(turn);
      },
    });
    await follower.start();
    await store.append('things-1', Array.from({ length: 12 }, (_, n) => newEvent({ n })), 'no_stream');
    next();
    try {
      await follower.waitFor(12, 10_000);
    } finally {
      counting = false;
    }
    expect(handledIn).toHaveLength(12);
    // at most ~20 ms of them in one turn: the 60 ms read spans three turns at least
    expect(new Set(handledIn).size).toBeGreaterThanOrEqual(3);
    const perTurn = [...new Set(handledIn)].map((t) => handledIn.filter((x) => x === t).length);
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(6);
  });

  it('saves after a read it handled events of, and after one it handled none of only when idle or at stop', async () => {
    const { recording, saved } = recordingCheckpoints(true);
    follower = new CheckpointedFollower({
      name: 'things',
      store,
      checkpoints: recording,
      parked,
      accepts: (event) => dataOf(event)['n'] === 1,
      handle: async () => undefined,
    });
    await follower.start();
    await store.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2 })], 'no_stream');
    await follower.waitFor(2, 10_000);
    expect(saved).toEqual([2]);
    // A read of events it does not accept: passed, its position saved at stop (or once idle), not with the read.
    await store.append('things-1', [newEvent({ n: 3 }), newEvent({ n: 4 })], 1);
    await follower.waitFor(4, 10_000);
    expect(follower.position).toBe(4);
    expect(saved).toEqual([2]);
    await follower.stop();
    follower = null;
    expect(saved).toEqual([2, 4]);
  });

  it('answers a wait for an event of a read before a slower event after it in the same read is handled', async () => {
    let releaseSlow: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    follower = new CheckpointedFollower({
      name: 'things',
      store,
      checkpoints,
      parked,
      accepts: (event) => dataOf(event)['n'] !== 2,
      handle: async (event) => {
        if (dataOf(event)['n'] === 4) await slow;
      },
    });
    await store.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2 }), newEvent({ n: 3 }), newEvent({ n: 4 }), newEvent({ n: 5 })], 'no_stream');
    await follower.start();
    try {
      // 2 is not accepted and 3 is handled at once: both are passed while 4 is still being handled.
      await follower.waitFor(3, 1_000);
      expect(follower.position).toBe(3);
      let passedFive = false;
      const five = follower.waitFor(5, 10_000).then(() => (passedFive = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(passedFive).toBe(false);
      releaseSlow();
      await five;
      expect(follower.position).toBe(5);
    } finally {
      releaseSlow();
    }
  });

  it('hands the accepted events of one read to handleBatch at once, and moves past the ones it does not accept', async () => {
    const batches: unknown[][] = [];
    follower = new CheckpointedFollower({
      name: 'things',
      store,
      checkpoints,
      parked,
      retry: policy,
      sleep: recordingSleeper().sleep,
      accepts: (event) => dataOf(event)['skip'] !== true,
      handle: async () => {
        throw new Error('one by one is not expected here');
      },
      handleBatch: async (events) => void batches.push(events.map((event) => dataOf(event)['n'])),
    });
    await store.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2, skip: true }), newEvent({ n: 3 })], 'no_stream');
    await follower.start();
    await follower.waitFor(3, 10_000);
    expect(batches).toEqual([[1, 3]]);
    await follower.stop();
    expect(await checkpoints.load('things')).toBe(3);
  });

  // The same events from a store that reads in pages (one read of four) and from one that delivers one by one (four
  // reads of one: saved after each it handled or parked, not after the one it passed over).
  it.each([
    ['reads in pages', (reading: InMemoryEventStore) => reading, [4]],
    ['delivers one by one', oneByOne, [1, 3, 4]],
  ] as const)('from a store that %s: hands the accepted events to handle one by one, parks what keeps failing, saves the position once per read', async (_, storeOf, saves) => {
    const handled: unknown[] = [];
    const { recording, saved } = recordingCheckpoints(true);
    follower = new CheckpointedFollower({
      name: 'things',
      store: storeOf(store),
      checkpoints: recording,
      parked,
      retry: policy,
      sleep: recordingSleeper().sleep,
      accepts: (event) => dataOf(event)['skip'] !== true,
      handle: async (event) => {
        if (dataOf(event)['poison']) throw new Error('cannot apply');
        handled.push(dataOf(event)['n']);
      },
    });
    await store.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2, skip: true }), newEvent({ n: 3, poison: true }), newEvent({ n: 4 })], 'no_stream');
    await follower.start();
    await follower.waitFor(4, 10_000);
    expect(handled).toEqual([1, 4]);
    expect((await parked.list({ consumer: 'things' })).map((entry) => entry.event.position)).toEqual([3]);
    expect(saved).toEqual(saves);
    expect((await follower.lag()).position).toBe(4);
  });

  it('handles a failed batch one event at a time, parking only the event that keeps failing', async () => {
    const applied: unknown[] = [];
    follower = new CheckpointedFollower({
      name: 'things',
      store,
      checkpoints,
      parked,
      retry: policy,
      sleep: recordingSleeper().sleep,
      random: () => 1,
      handle: async (event) => {
        if (dataOf(event)['poison']) throw new Error(`cannot apply ${String(dataOf(event)['n'])}`);
        applied.push(dataOf(event)['n']);
      },
      handleBatch: async (events) => {
        if (events.some((event) => dataOf(event)['poison'])) throw new Error('a poison event in the batch');
        applied.push(...events.map((event) => dataOf(event)['n']));
      },
    });
    await store.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2, poison: true }), newEvent({ n: 3 })], 'no_stream');
    await follower.start();
    await follower.waitFor(3, 10_000);
    expect(applied).toEqual([1, 3]);
    const [entry] = await parked.list({ consumer: 'things' });
    expect(entry).toMatchObject({ consumer: 'things', error: 'cannot apply 2', event: { position: 2 } });
    await store.append('things-1', [newEvent({ n: 4 }), newEvent({ n: 5 })], 2);
    await follower.waitFor(5, 10_000);
    expect(applied).toEqual([1, 3, 4, 5]);
  });

  it('does not park an event whose handler succeeds within the retries', async () => {
    let failuresLeft = 2;
    const applied: unknown[] = [];
    follower = new CheckpointedFollower({
      name: 'things',
      store,
      checkpoints,
      parked,
      retry: policy,
      sleep: recordingSleeper().sleep,
      handle: async (event) => {
        if (failuresLeft-- > 0) throw new Error('store blip');
        applied.push(dataOf(event)['n']);
      },
    });
    await store.append('things-1', [newEvent({ n: 1 })], 'no_stream');
    await follower.start();
    await follower.waitFor(1, 10_000);
    expect(applied).toEqual([1]);
    expect(await parked.count('things')).toBe(0);
    expect((await follower.lag()).lastError).toBeNull();
  });

  it('follows again from its position after the subscription failed', async () => {
    const flaky = new FlakySubscriptionStore(2);
    const applied: unknown[] = [];
    const { sleeps, sleep } = recordingSleeper();
    follower = new CheckpointedFollower({
      name: 'things',
      store: flaky,
      checkpoints,
      parked,
      retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 25 },
      sleep,
      random: () => 1,
      accepts: () => true,
      handle: async (event) => void applied.push(dataOf(event)['n']),
    });
    await flaky.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2 }), newEvent({ n: 3 })], 'no_stream');
    await follower.start();
    await follower.waitFor(3, 10_000);
    // The failing subscriptions delivered one event each; nothing was skipped, parked or applied twice.
    expect(applied).toEqual([1, 2, 3]);
    expect(flaky.opened).toBe(3);
    expect(await parked.count('things')).toBe(0);
    expect(sleeps.length).toBeGreaterThanOrEqual(2);
    await flaky.append('things-1', [newEvent({ n: 4 })], 2);
    await follower.waitFor(4, 10_000);
    expect(applied).toEqual([1, 2, 3, 4]);
  });

  it('keeps its position on a poison event while parking fails, and parks it once the parked store answers', async () => {
    const inner = new InMemoryParkedEventStore();
    let parkingDown = true;
    const flakyParked: ParkedEventStore = {
      park: async (entry) => {
        if (parkingDown) throw new Error('parked store unavailable');
        await inner.park(entry);
      },
      list: (query) => inner.list(query),
      get: (id) => inner.get(id),
      remove: (id) => inner.remove(id),
      removeAll: (consumer) => inner.removeAll(consumer),
      count: (consumer) => inner.count(consumer),
    };
    const applied: unknown[] = [];
    let resubscriptions = 0;
    follower = new CheckpointedFollower({
      name: 'things',
      store,
      checkpoints,
      parked: flakyParked,
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      sleep: async () => {
        resubscriptions += 1;
        // The parked store comes back after a few rounds of following again.
        if (resubscriptions >= 3) parkingDown = false;
      },
      handle: async (event) => {
        if (dataOf(event)['poison']) throw new Error('poison');
        applied.push(dataOf(event)['n']);
      },
    });
    await store.append('things-1', [newEvent({ n: 1, poison: true }), newEvent({ n: 2 })], 'no_stream');
    await follower.start();
    await follower.waitFor(2, 10_000);
    expect(resubscriptions).toBeGreaterThanOrEqual(3);
    expect(applied).toEqual([2]);
    expect((await inner.list()).map((e) => e.event.data)).toEqual([{ n: 1, poison: true }]);
  });

  it('spreads its backoff with jitter and caps it', () => {
    expect(backoffDelayMs(policy, 1, () => 0)).toBe(5);
    expect(backoffDelayMs(policy, 1, () => 1)).toBe(10);
    expect(backoffDelayMs(policy, 2, () => 0.5)).toBe(15);
    expect(backoffDelayMs(policy, 10, () => 1)).toBe(25);
  });
});

/** A projection whose handler refuses events marked poison until it is "fixed". */
class ThingsProjection extends FollowedProjection {
  readonly name = 'things-view';
  readonly applied = new Map<string, unknown>();
  fixed = false;

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'thing.happened.v1';
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    if (dataOf(event)['poison'] && !this.fixed) throw new Error('unknown thing');
    this.applied.set(event.id, dataOf(event)['n']);
  }

  protected async clear(): Promise<void> {
    this.applied.clear();
  }
}

describe('FollowedProjection', () => {
  let store: InMemoryEventStore;
  let parked: InMemoryParkedEventStore;
  let projection: ThingsProjection;

  beforeEach(async () => {
    store = new InMemoryEventStore();
    parked = new InMemoryParkedEventStore();
    projection = new ThingsProjection({ store, checkpoints: new InMemoryCheckpointStore(), parked, retry: policy, sleep: recordingSleeper().sleep });
    await store.append('things-1', [newEvent({ n: 1 }), newEvent({ n: 2, poison: true }), newEvent({ n: 3 })], 'no_stream');
    await projection.start();
    await projection.waitFor(3, 10_000);
  });

  afterEach(async () => {
    await projection.stop();
  });

  it('replays a parked event once the handler is fixed, and forgets it', async () => {
    const [entry] = await parked.list({ consumer: 'things-view' });
    await expect(projection.replayParked(entry)).rejects.toThrow('unknown thing');
    expect(await parked.count('things-view')).toBe(1);
    projection.fixed = true;
    await projection.replayParked(entry);
    expect([...projection.applied.values()]).toEqual([1, 3, 2]);
    expect(await parked.count('things-view')).toBe(0);
  });

  it('refuses to replay another consumer’s parked event', async () => {
    const [entry] = await parked.list();
    const foreign: ParkedEvent = { ...entry, id: `other:${entry.event.id}`, consumer: 'other' };
    await expect(projection.replayParked(foreign)).rejects.toThrow(/parked by other/);
  });

  it('a rebuild forgets its parked events and parks anew what still fails', async () => {
    await parked.park({ ...(await parked.list())[0], id: 'other:x', consumer: 'other' });
    projection.fixed = true;
    // it passed the store's 3 events from the start (the ones it handled before the rebuild count again)
    await expect(projection.rebuild()).resolves.toEqual({ events: 3 });
    await projection.waitFor(3, 10_000);
    expect([...projection.applied.values()]).toEqual([1, 2, 3]);
    expect(await parked.count('things-view')).toBe(0);
    expect(await parked.count('other')).toBe(1);
  });

  it('reports its lag, stopped or running', async () => {
    expect(await projection.lag()).toMatchObject({ position: 3, headPosition: 3, caughtUp: true, parked: 1, lastError: null });
    await projection.stop();
    expect(await projection.lag()).toMatchObject({ running: false, parked: 1 });
  });
});
