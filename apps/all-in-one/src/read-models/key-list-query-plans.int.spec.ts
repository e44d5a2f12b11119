import { describeWithServer } from '@as2-partners/kernel-testing';
import type { FindQuery, FollowedProjectionDependencies, ReadModelCollection, ReadModelStore } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { MongoReadModelStore } from '@as2-partners/read-model-mongo';
import { KEY_LIST_INDEX, KEY_VIEWS_COLLECTION, keyListQuery, KeyViewsProjection, type KeyListCriteria, type KeyViewDocument } from '@as2-partners/certificate-lifecycle-service';
import { expectIndexedPlan, scratchMongoDatabase } from './scratch-mongo-database.spec-support';

/**
 * Our keys' list (GET /v1/keys, /v1/accounts/{account}/keys) goes through the declared list index, on the embedded
 * store (SQLite's EXPLAIN QUERY PLAN) and on the MongoDB-wire server (`explain()`): each level (the tenant's, the
 * account's) one index range in alias and creation order, never another tenant's keys, never a sort of the tenant's
 * every key (page 1 cost 9.3 ms at 3,000 keys, 115 ms at 30,000 before).
 */
const account = 'acme';

// t1's keys, the account's, another tenant's and another account's; aliases repeat (a rollover's keys), creation against id order
const seed: KeyViewDocument[] = Array.from({ length: 480 }, (_, i) => ({
  _id: `key_${String(i).padStart(5, '0')}`,
  account: i % 40 === 39 ? 'other' : account,
  tenant: i % 4 === 0 ? null : i % 4 === 1 ? 't2' : 't1',
  alias: `alias-${String((i * 7) % 61).padStart(3, '0')}`,
  role: 'current',
  source: 'generated',
  certificate: {} as KeyViewDocument['certificate'],
  expiresAt: '2030-01-01T00:00:00.000Z',
  activateAt: null,
  overlapUntil: null,
  activatedAt: null,
  expiryNotice: null,
  createdAt: new Date(Date.UTC(2026, 0, 1) + (480 - i) * 60_000).toISOString(),
}));

const cases: { label: string; criteria: Omit<KeyListCriteria, 'perPage'> }[] = [
  { label: "a tenant's keys and the account's, page 1", criteria: { viewer: { account, tenant: 't1' }, page: 1 } },
  { label: "a tenant's keys and the account's, a deep page", criteria: { viewer: { account, tenant: 't1' }, page: 14 } },
  { label: "a tenant's keys of one alias", criteria: { viewer: { account, tenant: 't1' }, alias: 'alias-014', page: 1 } },
  { label: "the account's keys, page 1", criteria: { viewer: { account, tenant: null }, page: 1 } },
  { label: "the account's keys, a deep page", criteria: { viewer: { account, tenant: null }, page: 5 } },
];
const PER_PAGE = 10;

/** The keys the page shows, as the route promises them: the viewer's level and the account's, by alias, creation, id. */
function expectedPage({ viewer, alias, page }: Omit<KeyListCriteria, 'perPage'>): { ids: string[]; total: number } {
  const all = seed
    .filter((doc) => doc.account === account && (doc.tenant === viewer.tenant || doc.tenant === null) && (alias === undefined || doc.alias === alias))
    .sort((a, b) => a.alias.localeCompare(b.alias) || a.createdAt.localeCompare(b.createdAt) || a._id.localeCompare(b._id));
  return { ids: all.slice((page - 1) * PER_PAGE, page * PER_PAGE).map((doc) => doc._id), total: all.length };
}

/** The keys collection as the projection declares it. */
function keysOf(store: ReadModelStore): ReadModelCollection<KeyViewDocument> {
  return new KeyViewsProjection({} as FollowedProjectionDependencies, store).keys;
}

describe('key list: embedded store', () => {
  let store: EmbeddedReadModelStore;
  let keys: ReadModelCollection<KeyViewDocument> & { explain(query: FindQuery): string[] };

  beforeAll(async () => {
    store = await EmbeddedReadModelStore.open(':memory:');
    // a file of an earlier release: the keys indexed by account, tenant and alias only, the list index built at start
    await store.collection<KeyViewDocument>(KEY_VIEWS_COLLECTION, [['account', 'tenant', 'alias']]).putMany(seed);
    keys = keysOf(store) as typeof keys;
  });
  afterAll(() => store?.close());

  it.each(cases)('$label', async ({ criteria }) => {
    const query = keyListQuery({ ...criteria, perPage: PER_PAGE });
    const plan = keys.explain(query);
    // one range of the list index per level, narrowed by account and level (and alias): no other tenant's key read
    expect(plan).toHaveLength(criteria.viewer.tenant === null ? 1 : 2);
    const narrowed = criteria.alias === undefined ? '<expr>=\\? AND <expr>=\\?' : '<expr>=\\? AND <expr>=\\? AND <expr>=\\?';
    for (const step of plan) expect(step).toMatch(new RegExp(`^SEARCH read_model_docs USING INDEX read_model_index_\\w+ \\(${narrowed}\\)$`));
    // in the index's order: no sort of the level's keys, in SQLite or after it (a sort on a field no index holds is the
    // store's own, over every key of the level parsed)
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    const parse = jest.spyOn(JSON, 'parse');
    const found = await keys.find(query);
    const parsed = parse.mock.calls.length;
    parse.mockRestore();
    expect(parsed).toBeLessThanOrEqual(PER_PAGE);
    const expected = expectedPage(criteria);
    expect(found.items.map((doc) => doc._id)).toEqual(expected.ids);
    expect(found.total).toBe(expected.total);
  });
});

describeWithServer('MONGO_URL', 'key list: MongoDB wire', (url) => {
  const scratch = scratchMongoDatabase(url, 'key_list_plans');
  let store: MongoReadModelStore;
  let keys: ReadModelCollection<KeyViewDocument> & { explain(query: FindQuery): Promise<Record<string, unknown>> };

  beforeAll(async () => {
    store = await MongoReadModelStore.connect(url, { dbName: scratch.dbName });
    keys = keysOf(store) as typeof keys;
    await keys.putMany(seed);
  });

  afterAll(async () => {
    await store?.close();
    await scratch.drop();
  });

  it.each(cases)('$label', async ({ criteria }) => {
    const query = keyListQuery({ ...criteria, perPage: PER_PAGE });
    const explained = await keys.explain(query);
    expect(await scratch.indexKeys(KEY_VIEWS_COLLECTION)).toContainEqual(Object.fromEntries(KEY_LIST_INDEX.map((field) => [field, 1])));
    expectIndexedPlan(explained, query.filter, KEY_LIST_INDEX);
    const found = await keys.find(query);
    const expected = expectedPage(criteria);
    expect(found.items.map((doc) => doc._id)).toEqual(expected.ids);
    expect(found.total).toBe(expected.total);
  });
});
