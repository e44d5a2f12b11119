import { WriteModel, type EventMetadata, type ReadModelCollection } from '@as2-partners/kernel';
import { InMemoryEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { nextChangeAt, partnerTrafficDecider, TrafficControlStreams, type TrafficRef } from '@as2-partners/traffic-control-domain';
import type { PartnerTrafficDocument } from '../../queries/partner-traffic/partner-traffic.document';
import { TrafficScheduler } from './traffic-scheduler';

const ref: TrafficRef = { partnerId: 'prt_01JDTRAFFICSCHEDULERUNIT0001', account: 'acc', tenant: 'ten', scope: 'tenant' };
const stream = TrafficControlStreams.tenantPartnerTraffic('acc', 'ten', ref.partnerId);
const START = Date.parse('2030-01-07T08:00:00.000Z');
const at = (ms: number) => new Date(START + ms).toISOString();
const metadata: EventMetadata = { account: 'acc', tenant: 'ten', correlationId: 'c', causationId: null, actor: { type: 'user', id: 'setup' }, occurredAt: at(0) };

describe('traffic scheduler: queries only when something is due by what it knows', () => {
  let nowMs: number;
  let queries: number;
  let writeModel: WriteModel;
  let view: ReadModelCollection<PartnerTrafficDocument>;
  let scheduler: TrafficScheduler;
  let deleted: Set<string>;
  let deletedTenants: Set<string>;

  beforeEach(() => {
    nowMs = START;
    deleted = new Set();
    deletedTenants = new Set();
    queries = 0;
    const store = new InMemoryEventStore();
    writeModel = new WriteModel(store);
    const collection = new InMemoryReadModelStore().collection<PartnerTrafficDocument>('traffic_control_partner_traffic');
    // The due view, counting the scheduler's reads of it.
    view = Object.assign(Object.create(collection) as ReadModelCollection<PartnerTrafficDocument>, {
      find: (query: Parameters<typeof collection.find>[0]) => {
        queries++;
        return collection.find(query);
      },
    });
    scheduler = new TrafficScheduler({ writeModel, traffic: view, clock: { now: () => new Date(nowMs) }, intervalMs: 250, fallbackMs: 60_000, instanceId: 'replica-0', isPartnerDeleted: (id) => deleted.has(id), isTenantDeleted: async (account, tenant) => deletedTenants.has(`${account}/${tenant}`) });
  });

  /** Schedules a window as the API does and writes the view as the projection does. */
  async function scheduleWindow(startsAt: string, endsAt: string) {
    const decided = await writeModel.decide(stream, partnerTrafficDecider, { type: 'schedule_window', ref, windowId: 'w1', direction: 'incoming', startsAt, endsAt, response: 'http_422', reason: 'r', actor: 'a', now: at(0) }, metadata);
    await refreshView();
    return decided;
  }

  async function refreshView() {
    const { state, revision } = await writeModel.load(stream, partnerTrafficDecider);
    const doc = { _id: stream, partnerId: ref.partnerId, account: 'acc', tenant: 'ten', scope: 'tenant', nextChangeAt: nextChangeAt(state), revision } as unknown as PartnerTrafficDocument;
    await view.put(doc);
    return doc;
  }

  /** The window of scheduleWindow from 1 s to 5 s, and an outgoing pause until 2 s. */
  async function scheduleWindowAndTimedPause() {
    await scheduleWindow(at(1_000), at(5_000));
    await writeModel.decide(stream, partnerTrafficDecider, { type: 'pause', ref, direction: 'outgoing', response: null, reason: 'r', until: at(2_000), retryAfterSeconds: null, actor: 'a', now: at(0) }, metadata);
    await refreshView();
  }

  /** A tick at each instant (ms after START) appends nothing to the stream. */
  async function expectNothingAppliedAt(instants: readonly number[]) {
    const before = (await writeModel.load(stream, partnerTrafficDecider)).revision;
    for (const ms of instants) {
      nowMs = START + ms;
      expect(await scheduler.tick()).toBe(0);
    }
    expect((await writeModel.load(stream, partnerTrafficDecider)).revision).toBe(before);
  }

  /** The filters of the due queries from now on, as the view is asked them. */
  function filtersOfNextQueries(): unknown[] {
    const seen: unknown[] = [];
    const find = view.find;
    view.find = async (query) => {
      seen.push(query.filter);
      return find(query);
    };
    return seen;
  }

  const windowActive = async () => (await writeModel.load(stream, partnerTrafficDecider)).state.activeWindows.incoming !== null;

  it('an idle scheduler stops querying, and a window scheduled while it sleeps still starts and ends on time', async () => {
    expect(await scheduler.tick()).toBe(0);
    expect(queries).toBe(1);
    for (let i = 0; i < 20; i++) {
      nowMs += 250;
      expect(await scheduler.tick()).toBe(0);
    }
    expect(queries).toBe(1);

    await scheduleWindow(at(30_000), at(40_000));
    scheduler.changeScheduledAt(at(30_000));
    nowMs = START + 29_999;
    expect(await scheduler.tick()).toBe(0);
    expect(queries).toBe(1);

    nowMs = START + 30_000;
    expect(await scheduler.tick()).toBe(1);
    expect(await windowActive()).toBe(true);
    // The view moves to the window's end (as the projection does, telling the scheduler).
    scheduler.changeScheduledAt((await refreshView()).nextChangeAt);
    nowMs = START + 39_999;
    expect(await scheduler.tick()).toBe(0);
    const queriesBeforeEnd = queries;
    expect(await scheduler.tick()).toBe(0);
    expect(queries).toBe(queriesBeforeEnd);

    nowMs = START + 40_000;
    expect(await scheduler.tick()).toBe(1);
    expect(await windowActive()).toBe(false);
    await refreshView();
    nowMs += 250;
    expect(await scheduler.tick()).toBe(0);
    expect(await scheduler.tick()).toBe(0);
  });

  it('a change it was not told of (written by another replica) is found by the fallback query', async () => {
    expect(await scheduler.tick()).toBe(0);
    await scheduleWindow(at(1_000), at(120_000));
    nowMs = START + 1_000;
    expect(await scheduler.tick()).toBe(0);
    expect(queries).toBe(1);
    nowMs = START + 60_000;
    expect(await scheduler.tick()).toBe(1);
    expect(await windowActive()).toBe(true);
  });

  it('a tell that arrives while a query runs is kept for the next tick', async () => {
    const find = view.find;
    view.find = async (query) => {
      const found = await find(query);
      // Told during the read, after the view was read: the read did not see it.
      await scheduleWindow(at(5_000), at(10_000));
      scheduler.changeScheduledAt(at(5_000));
      view.find = find;
      return found;
    };
    expect(await scheduler.tick()).toBe(0);
    nowMs = START + 5_000;
    expect(await scheduler.tick()).toBe(1);
  });

  it("waits for a deletion answered later (the partner read from its document during a refill after a restart), then applies or skips by it", async () => {
    // What the directory answers while it is refilled: each due partner's deletion read from its document, later.
    const asked: string[] = [];
    let answer: (deleted: boolean) => void = () => undefined;
    scheduler = new TrafficScheduler({
      writeModel,
      traffic: view,
      clock: { now: () => new Date(nowMs) },
      intervalMs: 250,
      fallbackMs: 60_000,
      instanceId: 'replica-0',
      isPartnerDeleted: (id) => {
        asked.push(id);
        return new Promise<boolean>((resolve) => (answer = resolve));
      },
    });
    await scheduleWindow(at(1_000), at(5_000));
    nowMs = START + 1_000;
    const ticked = scheduler.tick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual([ref.partnerId]);
    expect(await windowActive()).toBe(false);
    answer(false);
    expect(await ticked).toBe(1);
    expect(await windowActive()).toBe(true);

    // Deleted, as its document says: the window's end is never applied, and its stream leaves the due query.
    nowMs = START + 5_000;
    const skipped = scheduler.tick();
    await new Promise((resolve) => setImmediate(resolve));
    answer(true);
    expect(await skipped).toBe(0);
    expect(await windowActive()).toBe(true);
    nowMs = START + 70_000;
    expect(await scheduler.tick()).toBe(0);
    expect(asked).toEqual([ref.partnerId, ref.partnerId]);
  });

  it("a deleted tenant's window and until are never applied, its partner alive (an inherited master partner), and its stream leaves the due query", async () => {
    await scheduleWindowAndTimedPause();
    deletedTenants.add('acc/ten');
    await expectNothingAppliedAt([1_000, 2_000, 5_000]);
    const seen = filtersOfNextQueries();
    nowMs = START + 70_000;
    await scheduler.tick();
    expect(seen).toEqual([{ nextChangeAt: { $ne: null }, _id: { $nin: [stream] } }]);
  });

  it("a deleted partner's window and until are never applied (no pause or resume for it), and its stream leaves the due query", async () => {
    await scheduleWindowAndTimedPause();
    deleted.add(ref.partnerId);
    await expectNothingAppliedAt([1_000, 2_000, 5_000, 70_000, 140_000]);

    // Another partner's change is still applied: the deleted partner's stream does not hold a batch's place.
    const other: TrafficRef = { ...ref, partnerId: 'prt_01JDTRAFFICSCHEDULERUNIT0002' };
    const otherStream = TrafficControlStreams.tenantPartnerTraffic('acc', 'ten', other.partnerId);
    await writeModel.decide(otherStream, partnerTrafficDecider, { type: 'schedule_window', ref: other, windowId: 'w2', direction: 'outgoing', startsAt: at(150_000), endsAt: at(160_000), response: null, reason: 'r', actor: 'a', now: at(140_000) }, metadata);
    const { state } = await writeModel.load(otherStream, partnerTrafficDecider);
    await view.put({ _id: otherStream, partnerId: other.partnerId, account: 'acc', tenant: 'ten', scope: 'tenant', nextChangeAt: nextChangeAt(state), revision: 0 } as unknown as PartnerTrafficDocument);
    scheduler.changeScheduledAt(at(150_000));
    const seen = filtersOfNextQueries();
    nowMs = START + 150_000;
    expect(await scheduler.tick()).toBe(1);
    expect(seen[0]).toMatchObject({ _id: { $nin: [stream] } });
  });
});
