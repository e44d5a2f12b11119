import { describeWithServer } from '@as2-partners/kernel-testing';
import type { FindQuery, ReadModelCollection, ReadModelStore } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { MongoReadModelStore } from '@as2-partners/read-model-mongo';
import { PartnerRegistryCollections, TENANT_LIST_INDEX, tenantListQuery, type TenantDocument } from '@as2-partners/partner-registry-service';
import { expectIndexedPlan, scratchMongoDatabase } from './scratch-mongo-database.spec-support';

/**
 * The account's tenant list (GET /v1/accounts/{account}/tenants) goes through the declared list index, on the embedded
 * store (SQLite's EXPLAIN QUERY PLAN) and on the MongoDB-wire server (`explain()`): a page is one index range in creation
 * and id order, never a sort of the account's every tenant (~3 µs a tenant on every page, the empty ones past the end too).
 */
const account = 'acme';

// registered tenants of the account, tenants only seen in events, another account's; creation against id order, ties
const seed: TenantDocument[] = Array.from({ length: 400 }, (_, i) => ({
  _id: `${i % 50 === 49 ? 'other' : account}|t${String(i).padStart(4, '0')}`,
  account: i % 50 === 49 ? 'other' : account,
  tenantId: `t${String(i).padStart(4, '0')}`,
  registered: i % 7 !== 3,
  name: `Tenant ${i}`,
  plan: 'free',
  createdAt: i % 7 === 3 ? null : new Date(Date.UTC(2026, 0, 1) + Math.floor((400 - i) / 2) * 60_000).toISOString(),
  updatedAt: null,
}));

const PER_PAGE = 10;
const pages = [1, 2, 17, 36, 1_000];

/** The page the route promises: the account's registered tenants, by creation then id. */
function expectedPage(page: number): { ids: string[]; total: number } {
  const all = seed
    .filter((doc) => doc.account === account && doc.registered)
    .sort((a, b) => (a.createdAt as string).localeCompare(b.createdAt as string) || a.tenantId.localeCompare(b.tenantId));
  return { ids: all.slice((page - 1) * PER_PAGE, page * PER_PAGE).map((doc) => doc._id), total: all.length };
}

/** The tenants collection as the projection and the queries declare it. */
const tenantsOf = (store: ReadModelStore): ReadModelCollection<TenantDocument> => store.collection<TenantDocument>(PartnerRegistryCollections.tenants, [TENANT_LIST_INDEX]);

describe('tenant list: embedded store', () => {
  let store: EmbeddedReadModelStore;
  let tenants: ReadModelCollection<TenantDocument> & { explain(query: FindQuery): string[] };

  beforeAll(async () => {
    store = await EmbeddedReadModelStore.open(':memory:');
    // a file of an earlier release: the tenants indexed by account and registration only, the list index built at start
    await store.collection<TenantDocument>(PartnerRegistryCollections.tenants, [['account', 'registered']]).putMany(seed);
    tenants = tenantsOf(store) as typeof tenants;
  });
  afterAll(() => store?.close());

  it.each(pages)('page %d', async (page) => {
    const query = tenantListQuery(account, page, PER_PAGE);
    const plan = tenants.explain(query);
    // one range of the list index, narrowed by account and registration, in its order: no sort of the account's tenants
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatch(/^SEARCH read_model_docs USING INDEX read_model_index_\w+ \(<expr>=\? AND <expr>=\?\)$/);
    const parse = jest.spyOn(JSON, 'parse');
    const found = await tenants.find(query);
    const parsed = parse.mock.calls.length;
    parse.mockRestore();
    expect(parsed).toBeLessThanOrEqual(PER_PAGE);
    const expected = expectedPage(page);
    expect(found.items.map((doc) => doc._id)).toEqual(expected.ids);
    expect(found.total).toBe(expected.total);
  });
});

describeWithServer('MONGO_URL', 'tenant list: MongoDB wire', (url) => {
  const scratch = scratchMongoDatabase(url, 'tenant_list_plans');
  let store: MongoReadModelStore;
  let tenants: ReadModelCollection<TenantDocument> & { explain(query: FindQuery): Promise<Record<string, unknown>> };

  beforeAll(async () => {
    store = await MongoReadModelStore.connect(url, { dbName: scratch.dbName });
    tenants = tenantsOf(store) as typeof tenants;
    await tenants.putMany(seed);
  });

  afterAll(async () => {
    await store?.close();
    await scratch.drop();
  });

  it.each(pages)('page %d', async (page) => {
    const query = tenantListQuery(account, page, PER_PAGE);
    const explained = await tenants.explain(query);
    expect(await scratch.indexKeys(PartnerRegistryCollections.tenants)).toContainEqual(Object.fromEntries(TENANT_LIST_INDEX.map((field) => [field, 1])));
    expectIndexedPlan(explained, query.filter, TENANT_LIST_INDEX);
    const found = await tenants.find(query);
    const expected = expectedPage(page);
    expect(found.items.map((doc) => doc._id)).toEqual(expected.ids);
    expect(found.total).toBe(expected.total);
  });
});
