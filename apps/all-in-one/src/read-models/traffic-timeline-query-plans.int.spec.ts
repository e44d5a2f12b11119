import { describeWithServer } from '@as2-partners/kernel-testing';
import type { FindQuery, FollowedProjectionDependencies, ReadModelCollection, ReadModelStore } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { MongoReadModelStore } from '@as2-partners/read-model-mongo';
import {
  PartnerTrafficCollections,
  PartnerTrafficProjection,
  TRAFFIC_TIMELINE_INDEX,
  trafficTimelineQuery,
  type TrafficTimelineDocument,
} from '@as2-partners/traffic-control-service';
import { expectIndexedPlan, scratchMongoDatabase } from './scratch-mongo-database.spec-support';

/**
 * A partner's traffic timeline (GET /v1/partners/{id}/traffic/timeline and the account's) goes through the declared
 * timeline index, on the embedded store (SQLite's EXPLAIN QUERY PLAN) and on the MongoDB-wire server (`explain()`):
 * a page reads its own rows, in the index's order, never the partner's events of other tenants or of other levels
 * (a page cost ~6 µs a stored event of the partner before: 150 ms at 30,000).
 */
const account = 'acme';
const partnerId = 'prt_hot';

// the hot partner's events in its tenant, in another tenant and at the account level, and another partner's
const seed: TrafficTimelineDocument[] = Array.from({ length: 600 }, (_, i) => ({
  _id: `evt_${String(i).padStart(5, '0')}`,
  partnerId: i % 6 === 5 ? 'prt_other' : partnerId,
  account: i % 50 === 49 ? 'other' : account,
  tenant: i % 3 === 0 ? null : i % 3 === 1 ? 't1' : 't2',
  type: i % 2 === 0 ? 'traffic.paused.v1' : 'traffic.resumed.v1',
  data: { direction: 'incoming' },
  actor: { type: 'user', id: 'usr_1' },
  occurredAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
  position: i + 1,
}));

const cases: { label: string; tenants: (string | null)[]; page: number }[] = [
  { label: "a tenant's own partner, page 1", tenants: ['t1'], page: 1 },
  { label: "a tenant's own partner, a deep page", tenants: ['t1'], page: 4 },
  { label: 'an inherited partner (the tenant and the account), page 1', tenants: ['t1', null], page: 1 },
  { label: 'an inherited partner, a deep page', tenants: ['t1', null], page: 6 },
  { label: "the account's master partner, page 1", tenants: [null], page: 1 },
];
const PER_PAGE = 20;

/** The events the page shows, as the route promises them: the partner's at those levels in the account, newest first. */
function expectedPage(tenants: (string | null)[], page: number): { ids: string[]; total: number } {
  const all = seed.filter((doc) => doc.account === account && doc.partnerId === partnerId && tenants.includes(doc.tenant)).sort((a, b) => b.position - a.position);
  return { ids: all.slice((page - 1) * PER_PAGE, page * PER_PAGE).map((doc) => doc._id), total: all.length };
}

/** The timeline collection as the projection declares it. */
function timelineOf(store: ReadModelStore): ReadModelCollection<TrafficTimelineDocument> {
  return new PartnerTrafficProjection({} as FollowedProjectionDependencies, store).timeline;
}

describe('traffic timeline: embedded store', () => {
  let store: EmbeddedReadModelStore;
  let timeline: ReadModelCollection<TrafficTimelineDocument> & { explain(query: FindQuery): string[] };

  beforeAll(async () => {
    store = await EmbeddedReadModelStore.open(':memory:');
    // a file of an earlier release: the timeline indexed by partner and position only, the new index built at start
    await store.collection<TrafficTimelineDocument>(PartnerTrafficCollections.timeline, [['partnerId', 'position']]).putMany(seed);
    timeline = timelineOf(store) as typeof timeline;
  });
  afterAll(() => store?.close());

  it.each(cases)('$label', async ({ tenants, page }) => {
    const query = trafficTimelineQuery(account, partnerId, tenants, page, PER_PAGE);
    const plan = timeline.explain(query);
    // one index range per level, narrowed by account, partner and level: no other tenant's, level's or partner's event read
    expect(plan).toHaveLength(tenants.length);
    for (const step of plan) expect(step).toMatch(/^SEARCH read_model_docs USING INDEX read_model_index_\w+ \(<expr>=\? AND <expr>=\? AND <expr>=\?\)$/);
    // in the index's order: no sort of the partner's events
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    const found = await timeline.find(query);
    const expected = expectedPage(tenants, page);
    expect(found.items.map((doc) => doc._id)).toEqual(expected.ids);
    expect(found.total).toBe(expected.total);
  });
});

describeWithServer('MONGO_URL', 'traffic timeline: MongoDB wire', (url) => {
  const scratch = scratchMongoDatabase(url, 'traffic_timeline_plans');
  let store: MongoReadModelStore;
  let timeline: ReadModelCollection<TrafficTimelineDocument> & { explain(query: FindQuery): Promise<Record<string, unknown>> };

  beforeAll(async () => {
    store = await MongoReadModelStore.connect(url, { dbName: scratch.dbName });
    timeline = timelineOf(store) as typeof timeline;
    await timeline.putMany(seed);
  });

  afterAll(async () => {
    await store?.close();
    await scratch.drop();
  });

  it.each(cases)('$label', async ({ tenants, page }) => {
    const query = trafficTimelineQuery(account, partnerId, tenants, page, PER_PAGE);
    const explained = await timeline.explain(query);
    expect(await scratch.indexKeys(PartnerTrafficCollections.timeline)).toContainEqual(Object.fromEntries(TRAFFIC_TIMELINE_INDEX.map((field) => [field, 1])));
    expectIndexedPlan(explained, query.filter, TRAFFIC_TIMELINE_INDEX);
    const found = await timeline.find(query);
    const expected = expectedPage(tenants, page);
    expect(found.items.map((doc) => doc._id)).toEqual(expected.ids);
    expect(found.total).toBe(expected.total);
  });
});
