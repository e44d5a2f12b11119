import { randomUUID } from 'node:crypto';
import {
  WrongExpectedRevisionError,
  type CheckpointStore,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
} from '@as2-partners/kernel';

export interface EventStoreUnderTest {
  readonly store: EventStore;
  cleanup(): Promise<void>;
}

export interface CheckpointStoreUnderTest {
  readonly checkpoints: CheckpointStore;
  cleanup(): Promise<void>;
}

const SLOW = 20_000;

/** A stream name no other test (or earlier run against a shared server) uses. */
export function uniqueStream(category = 'contract'): string {
  return `${category}-${randomUUID()}`;
}

/** A complete envelope; every field is set so that round-trip assertions cover them all. */
export function contractEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'contract.happened.v1',
    schemaVersion: 1,
    data: { n: 1 },
    metadata: {
      account: 'acct_contract',
      tenant: 'ten_contract',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { type: 'user', id: 'usr_contract', roles: ['admin'] },
      occurredAt: '2026-11-23T10:00:00.000Z',
    },
    ...overrides,
  };
}

function events(count: number): NewEvent[] {
  return Array.from({ length: count }, (_, n) => contractEvent({ data: { n } }));
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The element at `index`, failing the test when there is none. */
function nth<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`expected an element at index ${index} of ${list.length}`);
  return item;
}

function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`);
  return value;
}

async function wrongRevision(promise: Promise<unknown>): Promise<WrongExpectedRevisionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    return error as WrongExpectedRevisionError;
  }
  throw new Error('expected the append to fail with WrongExpectedRevisionError, but it succeeded');
}

/**
 * The behaviour every EventStore adapter must show, run against each of them with a factory.
 * Tests only look at their own (uniquely named) streams, so a server shared with other suites is fine.
 */
export function eventStoreContract(adapterName: string, factory: () => Promise<EventStoreUnderTest>): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    const subscriptions: Subscription[] = [];

    beforeEach(async () => {
      const underTest = await factory();
      store = underTest.store;
      cleanup = () => underTest.cleanup();
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
      await cleanup();
    });

    /** Our streams' events after `after`, in position order (other writers' events left out). */
    async function ourEventsAfter(after: number | null, streams: readonly string[]): Promise<RecordedEvent[]> {
      const all = await store.readAll({ after });
      return all.filter((e) => streams.includes(e.stream));
    }

    describe('append with an expected revision', () => {
      it('no_stream creates the stream; revisions start at 0', async () => {
        const stream = uniqueStream();
        const result = await store.append(stream, events(2), 'no_stream');
        expect(result.nextExpectedRevision).toBe(1);
        const stored = await store.readStream(stream);
        expect(stored.map((e) => e.revision)).toEqual([0, 1]);
        expect(result.position).toBe(nth(stored, 1).position);
      });

      it('no_stream on an existing stream fails with the actual revision and writes nothing', async () => {
        const stream = uniqueStream();
        await store.append(stream, events(2), 'no_stream');
        const error = await wrongRevision(store.append(stream, events(1), 'no_stream'));
        expect(error).toMatchObject({ stream, expected: 'no_stream', actual: 1 });
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('stream_exists fails on a missing stream (actual no_stream) and appends to an existing one', async () => {
        const stream = uniqueStream();
        const error = await wrongRevision(store.append(stream, events(1), 'stream_exists'));
        expect(error).toMatchObject({ stream, expected: 'stream_exists', actual: 'no_stream' });
        expect(await store.readStream(stream)).toEqual([]);

        await store.append(stream, events(1), 'no_stream');
        const result = await store.append(stream, events(2), 'stream_exists');
        expect(result.nextExpectedRevision).toBe(2);
      });

      it('any appends to a missing stream and to an existing one', async () => {
        const stream = uniqueStream();
        expect((await store.append(stream, events(1), 'any')).nextExpectedRevision).toBe(0);
        expect((await store.append(stream, events(2), 'any')).nextExpectedRevision).toBe(2);
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('an exact revision appends when it is the revision of the last event', async () => {
        const stream = uniqueStream();
        await store.append(stream, events(1), 'no_stream');
        expect((await store.append(stream, events(1), 0)).nextExpectedRevision).toBe(1);
        expect((await store.append(stream, events(3), 1)).nextExpectedRevision).toBe(4);
      });

      it('a stale revision fails with stream, expected and actual, and writes nothing', async () => {
        const stream = uniqueStream();
        await store.append(stream, events(3), 'no_stream');
        const attempted = events(2);
        const error = await wrongRevision(store.append(stream, attempted, 0));
        expect(error).toMatchObject({ stream, expected: 0, actual: 2 });
        const stored = await store.readStream(stream);
        expect(stored).toHaveLength(3);
        expect(stored.map((e) => e.id)).not.toContain(nth(attempted, 0).id);
        const everywhere = await store.readAll({ after: null });
        expect(everywhere.map((e) => e.id)).not.toContain(nth(attempted, 0).id);
      });

      it('a revision ahead of the stream fails, as does an exact revision on a missing stream', async () => {
        const stream = uniqueStream();
        expect(await wrongRevision(store.append(stream, events(1), 0))).toMatchObject({ stream, expected: 0, actual: 'no_stream' });
        await store.append(stream, events(1), 'no_stream');
        expect(await wrongRevision(store.append(stream, events(1), 5))).toMatchObject({ stream, expected: 5, actual: 0 });
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('idempotent retries (same event ids)', () => {
      it.each<[string, ExpectedRevision]>([
        ['no_stream', 'no_stream'],
        ['any', 'any'],
      ])('retrying with %s returns the same result and stores nothing twice', async (_name, expected) => {
        const stream = uniqueStream();
        const batch = events(2);
        const first = await store.append(stream, batch, expected);
        const retry = await store.append(stream, batch, expected);
        expect(retry).toEqual(first);
        expect((await store.readStream(stream)).map((e) => e.id)).toEqual(batch.map((e) => e.id));
      });

      it('retrying with the original exact revision after success returns the same result', async () => {
        const stream = uniqueStream();
        await store.append(stream, events(1), 'no_stream');
        const batch = events(2);
        const first = await store.append(stream, batch, 0);
        const retry = await store.append(stream, batch, 0);
        expect(retry).toEqual({ nextExpectedRevision: 2, position: first.position });
        expect(retry).toEqual(first);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('a retry is still recognised after the stream moved on', async () => {
        const stream = uniqueStream();
        const batch = events(2);
        const first = await store.append(stream, batch, 'no_stream');
        await store.append(stream, events(1), 1);
        expect(await store.append(stream, batch, 'no_stream')).toEqual(first);
        expect(await store.readStream(stream)).toHaveLength(3);
      });
    });

    describe('the envelope', () => {
      it('round-trips data and every metadata field exactly, through readStream and readAll', async () => {
        const stream = uniqueStream('partner');
        const before = await store.lastPosition();
        const full = contractEvent({
          type: 'partner.created.v2',
          schemaVersion: 2,
          // The optional trace context too (W3C traceparent and tracestate).
          metadata: { ...contractEvent().metadata, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=1' },
          data: {
            name: 'ACME Corp — Zürich ✓',
            as2Id: 'ACME "CORP"',
            count: 42,
            ratio: 0.125,
            enabled: false,
            nothing: null,
            tags: ['a', 'b'],
            nested: { deep: [{ x: 1 }, { y: 'z' }] },
          },
        });
        const accountLevel = contractEvent({
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
        await store.append(stream, [full, accountLevel], 'no_stream');

        const [first, second] = await store.readStream(stream);
        expect(first).toEqual({ ...full, stream, revision: 0, position: expect.any(Number) });
        expect(second).toEqual({ ...accountLevel, stream, revision: 1, position: expect.any(Number) });
        expect(present(second, 'a second event').metadata.actor).not.toHaveProperty('roles');
        expect(await ourEventsAfter(before, [stream])).toEqual([first, second]);
      });
    });

    describe('positions', () => {
      it('strictly increase across streams in append order, and the result gives the last one', async () => {
        const a = uniqueStream();
        const b = uniqueStream();
        const before = await store.lastPosition();
        const results = [
          await store.append(a, events(1), 'no_stream'),
          await store.append(b, events(2), 'no_stream'),
          await store.append(a, events(1), 0),
          await store.append(b, events(3), 1),
        ];
        const ours = await ourEventsAfter(before, [a, b]);
        expect(ours).toHaveLength(7);
        const positions = ours.map((e) => e.position);
        for (let i = 1; i < positions.length; i += 1) expect(nth(positions, i)).toBeGreaterThan(nth(positions, i - 1));
        expect(results.map((r) => r.position)).toEqual([positions[0], positions[2], positions[3], positions[6]]);
        expect(ours.map((e) => `${e.stream === a ? 'a' : 'b'}${e.revision}`)).toEqual(['a0', 'b0', 'b1', 'a1', 'b2', 'b3', 'b4']);
      });
    });

    describe('readStream', () => {
      let stream: string;
      beforeEach(async () => {
        stream = uniqueStream();
        await store.append(stream, events(5), 'no_stream');
      });
      const revisions = (list: RecordedEvent[]) => list.map((e) => e.revision);

      it('reads forwards by default', async () => {
        expect(revisions(await store.readStream(stream))).toEqual([0, 1, 2, 3, 4]);
        expect((await store.readStream(stream)).map((e) => e.data)).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
      });
      it('reads backwards from the end', async () => {
        expect(revisions(await store.readStream(stream, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
      });
      it('starts at fromRevision, inclusive, in either direction', async () => {
        expect(revisions(await store.readStream(stream, { fromRevision: 2 }))).toEqual([2, 3, 4]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 2 }))).toEqual([2, 1, 0]);
      });
      it('stops after maxCount', async () => {
        expect(revisions(await store.readStream(stream, { maxCount: 2 }))).toEqual([0, 1]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))).toEqual([4]);
        expect(revisions(await store.readStream(stream, { fromRevision: 1, maxCount: 3 }))).toEqual([1, 2, 3]);
      });
      it('returns [] past the end and for a stream that does not exist', async () => {
        expect(await store.readStream(stream, { fromRevision: 5 })).toEqual([]);
        expect(await store.readStream(uniqueStream())).toEqual([]);
        expect(await store.readStream(uniqueStream(), { direction: 'backwards' })).toEqual([]);
      });
    });

    describe('readAll and lastPosition', () => {
      it('reads after a position (exclusive), in position order, up to maxCount', async () => {
        const a = uniqueStream();
        const b = uniqueStream();
        const before = await store.lastPosition();
        await store.append(a, events(2), 'no_stream');
        await store.append(b, events(2), 'no_stream');
        const ours = await ourEventsAfter(before, [a, b]);
        expect(ours).toHaveLength(4);

        const afterFirst = await ourEventsAfter(nth(ours, 0).position, [a, b]);
        expect(afterFirst).toEqual(ours.slice(1));

        const everythingAfter = await store.readAll({ after: nth(ours, 0).position });
        const limited = await store.readAll({ after: nth(ours, 0).position, maxCount: 2 });
        expect(limited).toEqual(everythingAfter.slice(0, 2));
        expect(limited[0]).toEqual(ours[1]);

        expect(await ourEventsAfter(nth(ours, 3).position, [a, b])).toEqual([]);
      });

      it('reads from the beginning when after is null or missing', async () => {
        const stream = uniqueStream();
        await store.append(stream, events(2), 'no_stream');
        const fromNull = (await store.readAll({ after: null })).filter((e) => e.stream === stream);
        const fromDefault = (await store.readAll()).filter((e) => e.stream === stream);
        expect(fromNull.map((e) => e.revision)).toEqual([0, 1]);
        expect(fromDefault).toEqual(fromNull);
        const [firstStored] = await store.readAll({ maxCount: 1 });
        expect(present(firstStored, 'a first stored event').position).toBeLessThanOrEqual(nth(fromNull, 0).position);
      });

      it('lastPosition is the position of the newest stored event', async () => {
        const stream = uniqueStream();
        const result = await store.append(stream, events(3), 'no_stream');
        const last = await store.lastPosition();
        const after = await store.readAll({ after: result.position - 1 });
        expect(present(last, 'a last position')).toBeGreaterThanOrEqual(result.position);
        expect(after.map((e) => e.position)).toContain(last);
      });
    });

    describe('subscribeToAll', () => {
      function collect(streams: string[], after: number | null, onOurEvent?: (e: RecordedEvent) => Promise<void>) {
        const received: RecordedEvent[] = [];
        const errors: unknown[] = [];
        const subscription = store.subscribeToAll({
          after,
          onEvent: async (event) => {
            if (!streams.includes(event.stream)) return;
            received.push(event);
            await onOurEvent?.(event);
          },
          onError: (error) => errors.push(error),
        });
        subscriptions.push(subscription);
        return { received, errors, subscription };
      }

      it(
        'catches up after a checkpoint (exclusive), then delivers later appends live, in order',
        async () => {
          const a = uniqueStream();
          const b = uniqueStream();
          await store.append(a, events(1), 'no_stream');
          await store.append(b, events(1), 'no_stream');
          await store.append(a, events(1), 0);
          const stored = await ourEventsAfter(null, [a, b]);

          const { received, errors } = collect([a, b], nth(stored, 0).position);
          await waitUntil(() => received.length === 2, 'the catch-up events');
          await store.append(b, events(2), 0);
          await store.append(a, events(1), 1);
          await waitUntil(() => received.length === 5, 'the live events');

          const all = await ourEventsAfter(null, [a, b]);
          expect(received).toEqual(all.slice(1));
          expect(errors).toEqual([]);
          await pause(300);
          expect(received).toHaveLength(5);
        },
        SLOW,
      );

      it(
        'starts from the beginning without a checkpoint',
        async () => {
          const stream = uniqueStream();
          await store.append(stream, events(2), 'no_stream');
          const { received } = collect([stream], null);
          await waitUntil(() => received.length === 2, 'both events');
          expect(received.map((e) => e.revision)).toEqual([0, 1]);
        },
        SLOW,
      );

      it(
        'waits for each onEvent before delivering the next',
        async () => {
          const stream = uniqueStream();
          let running = 0;
          let maxRunning = 0;
          const { received } = collect([stream], await store.lastPosition(), async () => {
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            await pause(30);
            running -= 1;
          });
          await store.append(stream, events(4), 'no_stream');
          await waitUntil(() => received.length === 4 && running === 0, 'four handled events');
          expect(maxRunning).toBe(1);
        },
        SLOW,
      );

      it(
        'stop() waits for the running onEvent and ends delivery',
        async () => {
          const stream = uniqueStream();
          let finished = 0;
          const { received, subscription } = collect([stream], await store.lastPosition(), async () => {
            await pause(200);
            finished += 1;
          });
          await store.append(stream, events(1), 'no_stream');
          await waitUntil(() => received.length === 1, 'the first event');
          await subscription.stop();
          expect(finished).toBe(1);

          await store.append(stream, events(2), 0);
          await pause(800);
          expect(received).toHaveLength(1);
        },
        SLOW,
      );

      it(
        'a rejecting onEvent stops the subscription and reports the error to onError',
        async () => {
          const stream = uniqueStream();
          const failure = new Error('handler failed');
          const { received, errors } = collect([stream], await store.lastPosition(), async (event) => {
            if (event.revision === 1) throw failure;
          });
          await store.append(stream, events(3), 'no_stream');
          await waitUntil(() => errors.length > 0, 'onError');
          expect(errors).toEqual([failure]);
          await store.append(stream, events(1), 2);
          await pause(800);
          expect(received.map((e) => e.revision)).toEqual([0, 1]);
        },
        SLOW,
      );
    });

    describe('concurrent writers', () => {
      it(
        'twenty concurrent no_stream appends: exactly one wins, the others get WrongExpectedRevisionError',
        async () => {
          const stream = uniqueStream();
          const attempts = Array.from({ length: 20 }, () => events(1));
          const outcomes = await Promise.allSettled(attempts.map((batch) => store.append(stream, batch, 'no_stream')));

          const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
          expect(winners).toHaveLength(1);
          for (const outcome of outcomes) {
            if (outcome.status === 'rejected') {
              expect(outcome.reason).toBeInstanceOf(WrongExpectedRevisionError);
              expect(outcome.reason).toMatchObject({ stream, expected: 'no_stream', actual: 0 });
            }
          }
          const stored = await store.readStream(stream);
          expect(stored.map((e) => e.id)).toEqual([nth(nth(attempts, nth(winners, 0)), 0).id]);
        },
        SLOW,
      );

      it(
        'twenty concurrent appends with any all land, with revisions 0..19 and no gaps',
        async () => {
          const stream = uniqueStream();
          const attempts = Array.from({ length: 20 }, () => events(1));
          const results = await Promise.all(attempts.map((batch) => store.append(stream, batch, 'any')));

          const range = Array.from({ length: 20 }, (_, n) => n);
          expect(results.map((r) => r.nextExpectedRevision).sort((x, y) => x - y)).toEqual(range);
          const stored = await store.readStream(stream);
          expect(stored.map((e) => e.revision)).toEqual(range);
          expect(new Set(stored.map((e) => e.id))).toEqual(new Set(attempts.map((batch) => nth(batch, 0).id)));
        },
        SLOW,
      );
    });
  });
}

/** The behaviour every CheckpointStore adapter must show. */
export function checkpointContract(adapterName: string, factory: () => Promise<CheckpointStoreUnderTest>): void {
  describe(`CheckpointStore contract: ${adapterName}`, () => {
    let checkpoints: CheckpointStore;
    let cleanup: () => Promise<void>;
    const name = () => `contract-${randomUUID()}`;

    beforeEach(async () => {
      const underTest = await factory();
      checkpoints = underTest.checkpoints;
      cleanup = () => underTest.cleanup();
    });
    afterEach(async () => cleanup());

    it('loads null for a checkpoint never saved', async () => {
      expect(await checkpoints.load(name())).toBeNull();
    });

    it('loads the last saved position, including 0 and large positions', async () => {
      const n = name();
      await checkpoints.save(n, 0);
      expect(await checkpoints.load(n)).toBe(0);
      await checkpoints.save(n, 17);
      await checkpoints.save(n, 2 ** 40 + 3);
      expect(await checkpoints.load(n)).toBe(2 ** 40 + 3);
    });

    it('keeps checkpoints apart by name', async () => {
      const [a, b] = [name(), name()];
      await checkpoints.save(a, 5);
      await checkpoints.save(b, 9);
      expect(await checkpoints.load(a)).toBe(5);
      expect(await checkpoints.load(b)).toBe(9);
    });

    it('forgets a deleted checkpoint and can save it again', async () => {
      const [a, b] = [name(), name()];
      await checkpoints.save(a, 5);
      await checkpoints.save(b, 6);
      await checkpoints.delete(a);
      expect(await checkpoints.load(a)).toBeNull();
      expect(await checkpoints.load(b)).toBe(6);
      await checkpoints.save(a, 7);
      expect(await checkpoints.load(a)).toBe(7);
      await checkpoints.delete(name());
    });
  });
}
