// Lag and stall reporting of the kernel's followers; the kernel may not import kernel-testing, so the tests live here.
import { randomUUID } from 'node:crypto';
import { CheckpointedFollower, OutboxRelay, ProjectionRegistry, storeLag, type EventBus, type NewEvent } from '@as2-partners/kernel';
import { InMemoryCheckpointStore } from './in-memory-checkpoint-store';
import { InMemoryEventStore } from './in-memory-event-store';
import { InMemoryParkedEventStore } from './in-memory-parked-event-store';

const T0 = new Date('2026-11-23T10:00:00.000Z');

function newEvent(occurredAt = T0.toISOString()): NewEvent {
  return {
    id: randomUUID(),
    type: 'thing.happened.v1',
    schemaVersion: 1,
    data: {},
    metadata: { account: 'acct_1', tenant: 'ten_1', correlationId: randomUUID(), causationId: null, actor: { type: 'system', id: 'test' }, occurredAt },
  };
}

/** A clock the test moves. */
function movableClock(start: Date) {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('follower lag', () => {
  it('counts the events behind through the store\'s countAfter where it has one, reading only the oldest of them', async () => {
    const store = new InMemoryEventStore();
    await store.append('thing-a', [newEvent('2026-11-23T09:59:00.000Z'), newEvent(), newEvent()], 'any');
    const [first] = await store.readAll();
    const reads: (number | undefined)[] = [];
    const counting = Object.assign(Object.create(store) as InMemoryEventStore, {
      readAll: (options?: { after?: number | null; maxCount?: number }) => (reads.push(options?.maxCount), store.readAll(options)),
      countAfter: async (after: number | null, cap: number) => Math.min(cap, (await store.readAll({ after })).length),
    });
    expect(await storeLag(counting, null, T0)).toMatchObject({ caughtUp: false, eventsBehind: 3, secondsBehind: 60 });
    expect(await storeLag(counting, first.position, T0)).toMatchObject({ caughtUp: false, eventsBehind: 2, secondsBehind: 0 });
    expect(reads).toEqual([1, 1]);
    expect(await storeLag(store, null, T0)).toMatchObject({ eventsBehind: 3, secondsBehind: 60 });
  });

  it('a follower held on one event reports how long (stalledSeconds) and how many events wait behind it', async () => {
    const store = new InMemoryEventStore();
    const clock = movableClock(T0);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    const follower = new CheckpointedFollower({
      name: 'things',
      store,
      checkpoints: new InMemoryCheckpointStore(),
      parked: new InMemoryParkedEventStore(),
      clock,
      handle: async (event) => {
        if (event.revision === 0 && handled.length === 0) await held;
        handled.push(event.position);
      },
    });
    await store.append('thing-a', [newEvent(), newEvent(), newEvent()], 'any');
    await follower.start();
    await until(async () => (await follower.lag()).eventsBehind === 3);
    clock.advance(90);
    expect(await follower.lag()).toMatchObject({ caughtUp: false, eventsBehind: 3, stalledSeconds: 90, secondsBehind: 90 });

    release();
    await until(() => handled.length === 3);
    expect(await follower.lag()).toMatchObject({ caughtUp: true, eventsBehind: 0, stalledSeconds: 0 });
    await follower.stop();
  });

  it('an outbox relay reports the bus behind the store and how long publishing has been failing', async () => {
    const store = new InMemoryEventStore();
    const clock = movableClock(T0);
    let failing = true;
    const bus: EventBus = {
      publish: async () => {
        if (failing) throw new Error('broker unavailable');
      },
      subscribe: () => Promise.reject(new Error('not used')),
      close: async () => undefined,
    };
    const relay = new OutboxRelay({ name: 'outbox:things', store, checkpoints: new InMemoryCheckpointStore(), bus, topicFor: () => 'as2.things.events', clock, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    const registry = new ProjectionRegistry();
    registry.registerRelay(relay);
    await store.append('thing-a', [newEvent(), newEvent()], 'any');
    await relay.start();
    await until(async () => (await relay.lag()).lastError !== null);
    clock.advance(30);
    const [monitored] = registry.monitored();
    expect(monitored).toMatchObject({ name: 'outbox:things', kind: 'relay' });
    expect(await monitored.lag()).toMatchObject({ caughtUp: false, eventsBehind: 2, stalledSeconds: 30, lastError: 'broker unavailable', parked: 0 });

    failing = false;
    await until(async () => (await relay.lag()).caughtUp === true);
    expect(await relay.lag()).toMatchObject({ eventsBehind: 0, stalledSeconds: 0, lastError: null, position: 2 });
    await relay.stop();
  });

  it('the registry lists projections, reactors and relays that report a lag', async () => {
    const registry = new ProjectionRegistry();
    const lag = async () => null;
    registry.register({ name: 'view', start: async () => undefined, stop: async () => undefined, rebuild: async () => undefined, waitFor: async () => undefined, lag: lag as never });
    registry.register({ name: 'no-lag', start: async () => undefined, stop: async () => undefined, rebuild: async () => undefined, waitFor: async () => undefined });
    registry.registerReplayer({ name: 'reactor', replayParked: async () => undefined, lag });
    expect(registry.monitored().map((f) => [f.name, f.kind])).toEqual([
      ['view', 'projection'],
      ['reactor', 'reactor'],
    ]);
  });
});
