import { describeWithServer } from '@as2-partners/kernel-testing';
import type { BusFollowedProjectionDependencies, FindQuery, ReadModelCollection, ReadModelStore } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { MongoReadModelStore } from '@as2-partners/read-model-mongo';
import { INSTANCES_NAMING_ALIAS_INDEX, instancesNamingAliasQuery, KNOWN_INSTANCES_COLLECTION, KnownInstancesConsumer, type KnownInstanceDocument } from '@as2-partners/certificate-lifecycle-service';
import { expectIndexedPlan, scratchMongoDatabase } from './scratch-mongo-database.spec-support';

/**
 * A key's users (`used_by`, `used_by_total`, KEY_IN_USE) go through the declared index of the known AS2 instances, on
 * the embedded store and on the MongoDB-wire server: each level the viewer sees (its tenant's, the account's) one index
 * range in id order, the first of them read and the rest counted, never another tenant's instance (a key read cost
 * 18.8 ms at 1,000 tenants' instances of its alias before).
 */
const account = 'acme';
const alias = 'shared';

// the account's own instances of the alias, t1's, t2's, deleted ones, another alias's and another account's; ids interleaved
const seed: KnownInstanceDocument[] = Array.from({ length: 600 }, (_, i) => ({
  _id: `as2_${String((i * 7919) % 10007).padStart(5, '0')}`,
  account: i % 50 === 49 ? 'other' : account,
  tenant: i % 3 === 0 ? null : i % 3 === 1 ? 't1' : 't2',
  myAs2Id: `ME-${i}`,
  myAs2Alias: i % 11 === 10 ? 'other' : alias,
  status: 'on',
  deleted: i % 13 === 12,
}));

const cases: { label: string; levels: (string | null)[] }[] = [
  { label: "a tenant's key", levels: ['t1'] },
  { label: "the account's key as a tenant reads it", levels: [null, 't1'] },
  { label: "the account's key as a tenant with its own key of the alias reads it", levels: [null] },
];
const LIMIT = 10;

function expected(levels: (string | null)[]): { ids: string[]; total: number } {
  const all = seed.filter((doc) => doc.account === account && doc.myAs2Alias === alias && !doc.deleted && levels.includes(doc.tenant)).sort((a, b) => a._id.localeCompare(b._id));
  return { ids: all.slice(0, LIMIT).map((doc) => doc._id), total: all.length };
}

function instancesOf(store: ReadModelStore): ReadModelCollection<KnownInstanceDocument> {
  return new KnownInstancesConsumer({ readModels: store } as unknown as BusFollowedProjectionDependencies, {} as never).instances;
}

describe("a key's users: embedded store", () => {
  let store: EmbeddedReadModelStore;
  let instances: ReadModelCollection<KnownInstanceDocument> & { explain(query: FindQuery): string[] };

  beforeAll(async () => {
    store = await EmbeddedReadModelStore.open(':memory:');
    // a file of an earlier release: the instances indexed by account and alias only, the new index built at start
    await store.collection<KnownInstanceDocument>(KNOWN_INSTANCES_COLLECTION, [['account', 'myAs2Alias']]).putMany(seed);
    instances = instancesOf(store) as typeof instances;
  });
  afterAll(() => store?.close());

  it.each(cases)('$label', async ({ levels }) => {
    const query = instancesNamingAliasQuery(account, levels, alias, LIMIT);
    const plan = instances.explain(query);
    // one index range per level, narrowed by account, alias, liveness and level, in id order
    expect(plan).toHaveLength(levels.length);
    for (const step of plan) expect(step).toMatch(/^SEARCH read_model_docs USING INDEX read_model_index_\w+ \(<expr>=\? AND <expr>=\? AND <expr>=\? AND <expr>(=\?| IS NULL)\)$/);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    const parse = jest.spyOn(JSON, 'parse');
    const found = await instances.find(query);
    const parsed = parse.mock.calls.length;
    parse.mockRestore();
    expect(parsed).toBeLessThanOrEqual(LIMIT);
    const want = expected(levels);
    expect(found.items.map((doc) => doc._id)).toEqual(want.ids);
    expect(found.total).toBe(want.total);
  });
});

describeWithServer('MONGO_URL', "a key's users: MongoDB wire", (url) => {
  const scratch = scratchMongoDatabase(url, 'key_users_plans');
  let store: MongoReadModelStore;
  let instances: ReadModelCollection<KnownInstanceDocument> & { explain(query: FindQuery): Promise<Record<string, unknown>> };

  beforeAll(async () => {
    store = await MongoReadModelStore.connect(url, { dbName: scratch.dbName });
    instances = instancesOf(store) as typeof instances;
    await instances.putMany(seed);
  });

  afterAll(async () => {
    await store?.close();
    await scratch.drop();
  });

  it.each(cases)('$label', async ({ levels }) => {
    const query = instancesNamingAliasQuery(account, levels, alias, LIMIT);
    const explained = await instances.explain(query);
    expect(await scratch.indexKeys(KNOWN_INSTANCES_COLLECTION)).toContainEqual(Object.fromEntries(INSTANCES_NAMING_ALIAS_INDEX.map((field) => [field, 1])));
    expectIndexedPlan(explained, query.filter, INSTANCES_NAMING_ALIAS_INDEX);
    const found = await instances.find(query);
    const want = expected(levels);
    expect(found.items.map((doc) => doc._id)).toEqual(want.ids);
    expect(found.total).toBe(want.total);
  });
});
