import { describeWithServer } from '@as2-partners/kernel-testing';
import type { FindQuery, ReadModelCollection, ReadModelStore } from '@as2-partners/kernel';
import {
  PARTNER_VIEW_INDEXES,
  PARTNER_VIEW_SEARCH,
  partnerListQuery,
  PartnerRegistryCollections,
  type PartnerViewDocument,
} from '@as2-partners/partner-registry-service';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { MongoReadModelStore } from '@as2-partners/read-model-mongo';
import { planParts, scratchMongoDatabase } from './scratch-mongo-database.spec-support';

/**
 * One test per declared partner-view index: the query that needs it is answered through it, on the embedded store
 * (SQLite's EXPLAIN QUERY PLAN) and on the MongoDB-wire server (`explain()`).
 */
const account = 'acme';
const tenant = 'hub';

function view(owner: string | null, i: number): PartnerViewDocument {
  const partnerId = `prt_${String(i).padStart(5, '0')}`;
  return {
    _id: `${account}|${owner ?? 'master'}|${partnerId}`,
    account,
    tenant: owner,
    partnerId,
    type: 'tenant',
    typeOrder: 0,
    masterPartnerId: null,
    as2Id: `AS2-${(owner ?? 'master').toUpperCase()}-${i}`,
    settings: { name: `Partner ${i} of ${owner}`, active: i % 5 !== 0, stationId: i % 3 === 0 ? `stn_${i % 2}` : null } as PartnerViewDocument['settings'],
    overrides: null,
    hasOverrides: false,
    createdAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    updatedAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
  };
}

// the account's master partners (tenant null) share the shape and the indexes: the account admin's list
const seed = [
  ...Array.from({ length: 300 }, (_, i) => view(tenant, i)),
  ...Array.from({ length: 100 }, (_, i) => view('other', i)),
  ...Array.from({ length: 50 }, (_, i) => view(null, i)),
  // the hub's view of 40 of the account's master partners
  ...Array.from({ length: 40 }, (_, i) => ({ ...view(tenant, 1000 + i), type: 'inherited' as const, typeOrder: 1 as const, masterPartnerId: `prt_${1000 + i}` })),
];

interface IndexCase {
  readonly label: string;
  readonly index: readonly string[];
  readonly query: FindQuery;
  /** The query's answer comes in the index's order (no sort after the scan). */
  readonly ordered: boolean;
}

const searchIndex = [...PARTNER_VIEW_SEARCH.scope, '__searchTrigrams'];
const cases: IndexCase[] = [
  { label: 'a page of a tenant', index: PARTNER_VIEW_INDEXES[0], query: partnerListQuery({ account, tenant, page: 3, perPage: 20 }), ordered: true },
  { label: 'a page of inactive partners', index: PARTNER_VIEW_INDEXES[1], query: partnerListQuery({ account, tenant, active: false, page: 1, perPage: 20 }), ordered: true },
  { label: 'a partner by id across tenants', index: PARTNER_VIEW_INDEXES[2], query: { filter: { account, partnerId: 'prt_00042' } }, ordered: false },
  // PartnerQueries.findForTenantByAs2Id: every gateway message's resolve and record
  { label: "a tenant's partners of one AS2 id", index: PARTNER_VIEW_INDEXES[3], query: { filter: { account, tenant, as2Id: 'AS2-HUB-42' }, sort: { typeOrder: 1 }, limit: 2 }, ordered: true },
  { label: "a page of a station's partners", index: PARTNER_VIEW_INDEXES[4], query: partnerListQuery({ account, tenant, stationId: 'stn_1', page: 1, perPage: 20 }), ordered: true },
  { label: 'a search', index: searchIndex, query: partnerListQuery({ account, tenant, search: 'as2-hub-123', page: 1, perPage: 20 }), ordered: false },
  { label: 'a deep page of a tenant', index: PARTNER_VIEW_INDEXES[0], query: partnerListQuery({ account, tenant, page: 14, perPage: 20 }), ordered: true },
  { label: 'the last page of inactive partners', index: PARTNER_VIEW_INDEXES[1], query: partnerListQuery({ account, tenant, active: false, page: 3, perPage: 20 }), ordered: true },
  { label: 'a page of master partners', index: PARTNER_VIEW_INDEXES[0], query: partnerListQuery({ account, tenant: null, page: 2, perPage: 20 }), ordered: true },
  { label: 'a page of inactive master partners', index: PARTNER_VIEW_INDEXES[1], query: partnerListQuery({ account, tenant: null, active: false, page: 1, perPage: 5 }), ordered: true },
  { label: "a page of a tenant's own partners (type=tenant)", index: PARTNER_VIEW_INDEXES[0], query: partnerListQuery({ account, tenant, type: 'tenant', page: 2, perPage: 20 }), ordered: true },
  { label: 'a page of inherited partners (type=inherited)', index: PARTNER_VIEW_INDEXES[0], query: partnerListQuery({ account, tenant, type: 'inherited', page: 1, perPage: 20 }), ordered: true },
  { label: 'a page of active inherited partners', index: PARTNER_VIEW_INDEXES[1], query: partnerListQuery({ account, tenant, type: 'inherited', active: true, page: 1, perPage: 20 }), ordered: true },
];

it('covers every declared partner-view index', () => {
  expect(cases.slice(0, PARTNER_VIEW_INDEXES.length).map((c) => c.index)).toEqual(PARTNER_VIEW_INDEXES);
});

function viewsOf(store: ReadModelStore): ReadModelCollection<PartnerViewDocument> {
  return store.collection<PartnerViewDocument>(PartnerRegistryCollections.partnerViews, PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH);
}

describe('partner-view query plans: embedded store', () => {
  let store: EmbeddedReadModelStore;
  let views: ReadModelCollection<PartnerViewDocument> & { explain(query: FindQuery): string[] };

  beforeAll(async () => {
    store = await EmbeddedReadModelStore.open(':memory:');
    views = viewsOf(store) as typeof views;
    await views.putMany(seed);
  });
  afterAll(() => store?.close());

  it.each(cases)('$label ($index)', async ({ index, query, ordered }) => {
    const plan = views.explain(query).join('\n');
    expect(plan).not.toMatch(/SCAN read_model_docs\b/);
    if (index === searchIndex) {
      expect(plan).toMatch(/read_model_search VIRTUAL TABLE/);
      expect(plan).toMatch(/USING INTEGER PRIMARY KEY/);
    } else {
      const equalities = Object.keys(query.filter).length === 1 && '$and' in query.filter ? (query.filter['$and'] as unknown[]).length : Object.keys(query.filter).length;
      expect(plan).toMatch(new RegExp(`USING INDEX read_model_index_\\w+ \\(${Array(equalities).fill('<expr>=\\?').join(' AND ')}\\)`));
    }
    if (ordered) expect(plan).not.toMatch(/TEMP B-TREE/);
    expect((await views.find(query)).items.length).toBeGreaterThan(0);
  });
});

describeWithServer('MONGO_URL', 'partner-view query plans: MongoDB wire', (url) => {
  const scratch = scratchMongoDatabase(url, 'query_plans');
  let store: MongoReadModelStore;
  let views: ReadModelCollection<PartnerViewDocument> & { explain(query: FindQuery): Promise<Record<string, unknown>> };

  beforeAll(async () => {
    store = await MongoReadModelStore.connect(url, { dbName: scratch.dbName });
    views = viewsOf(store) as typeof views;
    await views.putMany(seed);
  });

  afterAll(async () => {
    await store?.close();
    await scratch.drop();
  });

  it.each(cases)('$label ($index)', async ({ index, query, ordered }) => {
    const explained = await views.explain(query);
    expect(await scratch.indexKeys(PartnerRegistryCollections.partnerViews)).toContainEqual(Object.fromEntries(index.map((field) => [field, 1])));
    const serverInfo = explained['serverInfo'] as Record<string, unknown> | undefined;
    if (serverInfo?.['ferretdbVersion']) {
      // FerretDB 1.x (SQLite backend) explains with its SQLite plan and pushdown flags, and never reports an index
      // for these filters ("SCAN <table>", filterPushdown false): the index exists and the query sent is the indexed one.
      expect(explained['ok']).toBe(1);
      expect((explained['command'] as { filter: unknown }).filter).toEqual(index === searchIndex ? { $and: [query.filter, { __searchTrigrams: { $all: expect.arrayContaining(['as2', '123']) } }] } : query.filter);
    } else {
      const { stages, indexes } = planParts((explained['queryPlanner'] as Record<string, unknown>)['winningPlan']);
      expect(stages).toContain('IXSCAN');
      expect(stages).not.toContain('COLLSCAN');
      if (index !== searchIndex) expect(indexes).toContain(index.map((field) => `${field}_1`).join('_'));
      if (ordered) expect(stages).not.toContain('SORT');
    }
    expect((await views.find(query)).items.length).toBeGreaterThan(0);
  });
});
