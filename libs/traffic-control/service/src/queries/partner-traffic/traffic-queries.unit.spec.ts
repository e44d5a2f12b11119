import type { ReadModelCollection } from '@as2-partners/kernel';
import { InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { TrafficControlStreams, type DirectionPause, type PartnerFacts, type TrafficScope } from '@as2-partners/traffic-control-domain';
import { LiveTrafficDirectory } from '../../directory/live-traffic-directory';
import type { TrafficTarget } from '../../partner-access/traffic-target';
import { TRAFFIC_TIMELINE_INDEX, type PartnerTrafficDocument, type TrafficTimelineDocument } from './partner-traffic.document';
import type { PartnerTrafficProjection } from './partner-traffic.projection';
import { TrafficQueries } from './traffic-queries';

const NOW = Date.parse('2030-01-07T08:00:00.000Z');
const pause = (reason: string, response: DirectionPause['response'] = null): DirectionPause => ({
  response,
  reason,
  since: new Date(NOW - 60_000).toISOString(),
  until: null,
  retryAfterSeconds: null,
  pausedBy: 'someone',
});

describe('traffic queries: the paused list of a tenant', () => {
  let live: LiveTrafficDirectory;
  let views: { traffic: ReturnType<InMemoryReadModelStore['collection']> };
  let queries: TrafficQueries;
  let minute = 0;

  beforeEach(() => {
    live = new LiveTrafficDirectory();
    views = { traffic: new InMemoryReadModelStore().collection<PartnerTrafficDocument>('traffic_control_partner_traffic') };
    queries = new TrafficQueries(views as unknown as PartnerTrafficProjection, live, { now: () => new Date(NOW) });
  });

  function partner(partnerId: string, tenant: string | null, deleted = false): void {
    const facts: PartnerFacts = { partnerId, account: 'acc', tenant, as2Id: partnerId.toUpperCase(), name: partnerId, active: true, deleted, stationId: null };
    live.directory.putPartner(facts);
  }

  /** A traffic view document as the projection writes it, the later ones changed later. */
  async function paused(partnerId: string, scope: TrafficScope, pauses: Partial<PartnerTrafficDocument['pauses']>): Promise<void> {
    minute += 1;
    const tenant = scope === 'tenant' ? 'ten' : null;
    const full = { incoming: null, outgoing: null, ...pauses };
    const doc: PartnerTrafficDocument = {
      _id: scope === 'tenant' ? TrafficControlStreams.tenantPartnerTraffic('acc', 'ten', partnerId) : TrafficControlStreams.accountPartnerTraffic('acc', partnerId),
      partnerId,
      account: 'acc',
      tenant,
      scope,
      pauses: full,
      windows: [],
      activeWindows: { incoming: null, outgoing: null },
      paused: Boolean(full.incoming || full.outgoing),
      nextChangeAt: null,
      revision: 0,
      updatedAt: new Date(NOW - 3_600_000 + minute * 60_000).toISOString(),
    };
    await views.traffic.put(doc);
  }

  it("lists the paused partners while the directory is refilled after a restart, each from its partner's document (a deleted one left out)", async () => {
    const documents = new Map<string, PartnerFacts>([
      ['prt_live', { partnerId: 'prt_live', account: 'acc', tenant: 'ten', as2Id: 'LIVE', name: 'live', active: true, deleted: false, stationId: null }],
      ['prt_master', { partnerId: 'prt_master', account: 'acc', tenant: null, as2Id: 'MASTER', name: 'master', active: true, deleted: false, stationId: null }],
      ['prt_gone', { partnerId: 'prt_gone', account: 'acc', tenant: 'ten', as2Id: 'GONE', name: 'gone', active: true, deleted: true, stationId: null }],
    ]);
    const read: string[] = [];
    // a refill that never ends within the test, its partners' documents read by id
    live.filling(new Promise<void>(() => undefined), {
      othersIn: Promise.resolve(),
      partnersOf: async () => undefined,
      partnerById: async (partnerId) => (read.push(partnerId), documents.get(partnerId) ?? null),
    });
    await paused('prt_live', 'tenant', { outgoing: pause('audit') });
    await paused('prt_master', 'account', { incoming: pause('account-wide') });
    await paused('prt_gone', 'tenant', { incoming: pause('old') });
    await paused('prt_unknown', 'tenant', { incoming: pause('never known') });

    const list = await queries.pausedOf('acc', 'ten', 1, 20);
    expect(live.filled).toBe(false);
    expect(list.items.map((item) => [item.partner_id, item.level])).toEqual([
      ['prt_master', 'account'],
      ['prt_live', 'tenant'],
    ]);
    expect(list.total).toBe(2);
    expect(read.sort()).toEqual(['prt_gone', 'prt_live', 'prt_master', 'prt_unknown']);
  });

  it("asks for the paused partners' documents together while the directory is refilled, not one after another", async () => {
    const ids = ['prt_a', 'prt_b', 'prt_c'];
    const waiting: (() => void)[] = [];
    let together = false;
    // each read answers once all three were asked (asked one after another, each 100 ms later, alone)
    const answerAll = () => waiting.splice(0).forEach((answer) => answer());
    const apart = setInterval(answerAll, 100);
    live.filling(new Promise<void>(() => undefined), {
      othersIn: Promise.resolve(),
      partnersOf: async () => undefined,
      partnerById: (partnerId) =>
        new Promise((resolve) => {
          waiting.push(() => resolve({ partnerId, account: 'acc', tenant: 'ten', as2Id: partnerId.toUpperCase(), name: partnerId, active: true, deleted: false, stationId: null }));
          if (waiting.length === ids.length) {
            together = true;
            answerAll();
          }
        }),
    });
    for (const partnerId of ids) await paused(partnerId, 'tenant', { outgoing: pause('audit') });

    const list = await queries.pausedOf('acc', 'ten', 1, 20);
    clearInterval(apart);
    expect(together).toBe(true);
    expect(list.items.map((item) => item.partner_id)).toEqual(['prt_c', 'prt_b', 'prt_a']);
  });

  it('leaves out a partner deleted while paused (every traffic route answers 404 for it, so it could never be resumed)', async () => {
    partner('prt_live', 'ten');
    partner('prt_gone', 'ten', true);
    partner('prt_gone_master', null, true);
    await paused('prt_live', 'tenant', { outgoing: pause('audit') });
    await paused('prt_gone', 'tenant', { incoming: pause('old', 'http_422') });
    await paused('prt_gone_master', 'account', { outgoing: pause('old master') });

    const list = await queries.pausedOf('acc', 'ten', 1, 20);
    expect(list.items.map((item) => item.partner_id)).toEqual(['prt_live']);
    expect(list.total).toBe(1);
  });

  it('names an inherited partner paused by both the tenant and the account once, with both pauses combined', async () => {
    partner('prt_master', null);
    await paused('prt_master', 'tenant', { outgoing: pause('tenant only') });
    await paused('prt_master', 'account', { incoming: pause('account-wide', 'error_mdn') });

    const list = await queries.pausedOf('acc', 'ten', 1, 20);
    expect(list.total).toBe(1);
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      partner_id: 'prt_master',
      level: 'account',
      incoming: { paused: true, paused_by_level: 'account', reason: 'account-wide' },
      outgoing: { paused: true, paused_by_level: 'tenant', reason: 'tenant only' },
    });
  });

  it('pages over partners, latest change first, the total counting each partner once', async () => {
    for (const id of ['prt_a', 'prt_b', 'prt_c']) partner(id, 'ten');
    partner('prt_m', null);
    await paused('prt_a', 'tenant', { outgoing: pause('a') });
    await paused('prt_m', 'account', { outgoing: pause('m') });
    await paused('prt_b', 'tenant', { outgoing: pause('b') });
    await paused('prt_m', 'tenant', { incoming: pause('m tenant', 'http_422') });
    await paused('prt_c', 'tenant', { outgoing: pause('c') });

    const first = await queries.pausedOf('acc', 'ten', 1, 2);
    const second = await queries.pausedOf('acc', 'ten', 2, 2);
    expect(first.total).toBe(4);
    expect(second.total).toBe(4);
    expect([...first.items, ...second.items].map((item) => [item.partner_id, item.level])).toEqual([
      ['prt_c', 'tenant'],
      ['prt_m', 'account'],
      ['prt_b', 'tenant'],
      ['prt_a', 'tenant'],
    ]);
  });
});

describe("traffic queries: a partner's timeline", () => {
  let timeline: ReadModelCollection<TrafficTimelineDocument>;
  let queries: TrafficQueries;

  beforeEach(async () => {
    timeline = new InMemoryReadModelStore().collection<TrafficTimelineDocument>('traffic_control_timeline');
    queries = new TrafficQueries({ timeline } as unknown as PartnerTrafficProjection, new LiveTrafficDirectory(), { now: () => new Date(NOW) });
    // prt_1's events in its tenant, another tenant, the account; another partner's and another account's
    const levels: [string, string, string | null][] = [['acc', 'prt_1', 'ten'], ['acc', 'prt_1', 'other'], ['acc', 'prt_1', null], ['acc', 'prt_2', 'ten'], ['acc2', 'prt_1', 'ten']];
    for (let i = 0; i < 25; i += 1) {
      const [account, partnerId, tenant] = levels[i % levels.length];
      await timeline.put({ _id: `evt_${i}`, partnerId, account, tenant, type: 'x', data: {}, actor: { type: 'user', id: 'usr' }, occurredAt: new Date(NOW + i).toISOString(), position: i + 1 });
    }
  });

  const target = (scope: 'tenant' | 'account', owner: string | null): TrafficTarget => ({
    stream: 'stream',
    ref: { partnerId: 'prt_1', account: 'acc', tenant: scope === 'tenant' ? 'ten' : null, scope },
    partner: { partnerId: 'prt_1', account: 'acc', tenant: owner, as2Id: 'P1', name: 'p1', active: true, deleted: false, stationId: null },
  });

  it.each<{ label: string; scope: 'tenant' | 'account'; owner: string | null; tenants: (string | null)[] }>([
    { label: "a tenant's own partner: its tenant's events", scope: 'tenant', owner: 'ten', tenants: ['ten'] },
    { label: "an inherited partner: the tenant's and the account's", scope: 'tenant', owner: null, tenants: ['ten', null] },
    { label: "the account's partner: the account's", scope: 'account', owner: null, tenants: [null] },
  ])('$label, newest first, through the timeline index (one equality a level, no other tenant)', async ({ scope, owner, tenants }) => {
    const find = jest.spyOn(timeline, 'find');
    const page = await queries.timelineOf(target(scope, owner), 1, 3);
    const all = [...Array(25).keys()].filter((i) => i % 5 < 3 && tenants.includes(['ten', 'other', null][i % 5] as string | null)).reverse();
    expect(page.items.map((doc) => doc._id)).toEqual(all.slice(0, 3).map((i) => `evt_${i}`));
    expect(page.total).toBe(all.length);
    // every filter field is in the index (equalities, or an $or of equalities on `tenant`), the sort its tail
    const { filter, sort } = find.mock.calls[0][0];
    expect(Object.keys(filter).every((field) => field === '$or' || (TRAFFIC_TIMELINE_INDEX as readonly string[]).includes(field))).toBe(true);
    expect(tenants.length === 1 ? filter['tenant'] : filter['$or']).toEqual(tenants.length === 1 ? tenants[0] : tenants.map((tenant) => ({ tenant })));
    expect(Object.keys(sort ?? {})).toEqual(TRAFFIC_TIMELINE_INDEX.slice(-2));
  });
});
