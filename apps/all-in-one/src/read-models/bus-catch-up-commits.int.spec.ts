import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BusFollowedProjection, InProcessEventBus, OutboxRelay, type NewEvent, type ReadModelDocument, type RecordedEvent } from '@as2-partners/kernel';
import { SqliteEventStore } from '@as2-partners/event-store-sqlite';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';

const TOPIC = 'as2.things.events';
const EVENTS = 2000;

interface ThingDocument extends ReadModelDocument {
  readonly name: string;
  readonly position: number;
}

/** A bus consumer as the services write them: one document per event of interest, written idempotently. */
class ThingsConsumer extends BusFollowedProjection {
  readonly name = 'test.things';
  protected readonly topics = [TOPIC];
  readonly docs = this.followed.readModels.collection<ThingDocument>('test_things');

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'thing.created.v1';
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    const data = event.data as { thingId: string; name: string };
    await this.docs.put({ _id: data.thingId, name: data.name, position: event.position });
  }

  protected async clear(): Promise<void> {
    await this.docs.clear();
  }

  protected async isEmpty(): Promise<boolean> {
    return (await this.docs.count({})) === 0;
  }
}

/** The events a consumer's copy holds: one per copy document, or a delivered batch's in one. */
async function copiedEvents(readModels: EmbeddedReadModelStore): Promise<number> {
  const { items } = await readModels.collection<ReadModelDocument & { bodies?: string }>('consumed_events.test.things').find({ filter: { topic: TOPIC } });
  return items.reduce((sum, copy) => sum + (copy.bodies === undefined ? 1 : (JSON.parse(copy.bodies) as unknown[]).length), 0);
}

function thing(i: number): NewEvent {
  return {
    id: randomUUID(),
    type: i % 2 === 0 ? 'thing.created.v1' : 'thing.noted.v1',
    schemaVersion: 1,
    data: { thingId: `thing-${i}`, name: `Thing ${i}` },
    metadata: { account: 'acc', tenant: 't1', correlationId: randomUUID(), causationId: null, actor: { type: 'system', id: 'test' }, occurredAt: new Date().toISOString() },
  };
}

/**
 * The embedded pipeline's catch-up (event store → outbox relay → in-process bus → a bus consumer writing into the read
 * store) commits per batch, not per event: counted in transactions, so a return to one commit per event fails here.
 */
describe('a bus consumer catching up through the outbox relay (embedded)', () => {
  let dir: string;
  let events: SqliteEventStore;
  let readModels: EmbeddedReadModelStore;
  let bus: InProcessEventBus;
  let relay: OutboxRelay;
  let consumer: ThingsConsumer;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bus-catch-up-'));
    events = await SqliteEventStore.open(join(dir, 'events.sqlite'));
    readModels = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    bus = new InProcessEventBus();
    consumer = new ThingsConsumer({ bus, readModels, parked: readModels.parkedEventStore() });
    relay = new OutboxRelay({ name: 'outbox:test', store: events, checkpoints: events.checkpointStore(), bus, topicFor: () => TOPIC });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await relay.stop();
    await consumer.stop();
    await bus.close();
    await readModels.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands a backlog over in batches: a few read-store commits for thousands of events, every effect and copy written, positions at the head', async () => {
    for (let i = 0; i < EVENTS; i += 500) await events.append(`things-${i}`, Array.from({ length: 500 }, (_, j) => thing(i + j)), 'no_stream');
    const head = (await events.lastPosition()) as number;
    const commits: string[] = [];
    const exec = Database.prototype.exec;
    jest.spyOn(Database.prototype, 'exec').mockImplementation(function (this: Database.Database, sql: string) {
      if (sql === 'COMMIT') commits.push(sql);
      return exec.call(this, sql);
    });

    await consumer.start();
    await relay.start();
    await relay.waitFor(head, 60_000);
    await consumer.waitFor(head, 60_000);
    await new Promise((resolve) => setImmediate(resolve));

    expect(await consumer.docs.count({})).toBe(EVENTS / 2);
    expect(await consumer.docs.get('thing-1998')).toMatchObject({ name: 'Thing 1998' });
    expect(await copiedEvents(readModels)).toBe(EVENTS / 2);
    // a batch's events in one copy document (of at most 32)
    expect(await readModels.collection('consumed_events.test.things').count({ topic: TOPIC })).toBeLessThanOrEqual(EVENTS / 2 / 32 + EVENTS / 500);
    expect((await consumer.lag()).position).toBe(head);
    expect((await relay.lag()).eventsBehind).toBe(0);
    // Batches of the relay (500) and of the store's subscription (256): a handful of turns, far from one per event.
    expect(commits.length).toBeGreaterThan(0);
    expect(commits.length).toBeLessThanOrEqual(EVENTS / 100);
  }, 120_000);

  it('still delivers a single live event promptly once caught up, and a redelivered batch changes nothing', async () => {
    await consumer.start();
    await relay.start();
    const { position } = await events.append('things-live', [thing(0)], 'no_stream');
    await consumer.waitFor(position, 10_000);
    expect(await consumer.docs.get('thing-0')).toMatchObject({ name: 'Thing 0', position });

    const [stored] = await events.readAll({ after: position - 1, maxCount: 1 });
    await bus.publish(TOPIC, [stored, stored]);
    expect(await consumer.docs.count({})).toBe(1);
    expect(await copiedEvents(readModels)).toBe(1);
  }, 60_000);
});
