import { describeWithServer } from '@as2-partners/kernel-testing';
import type { FindQuery, ReadModelCollection, ReadModelStore } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { MongoReadModelStore } from '@as2-partners/read-model-mongo';
import { ALL_ACCOUNTS } from '@as2-partners/traffic-control-domain';
import { KnownRegistryCollections, KnownRegistryIndexes, knownPartnersByAs2IdQuery, type KnownPartnerDocument } from '@as2-partners/traffic-control-service';
import { scratchMongoDatabase } from './scratch-mongo-database.spec-support';

/**
 * The traffic directory's look-up of a pair's partners while it is refilled after a restart (by AS2 id, in an account or
 * in every account) goes through the declared `as2Id` index, on the embedded store (SQLite's EXPLAIN QUERY
 * PLAN) and on the MongoDB-wire server (`explain()`): a decision right after a restart reads a few index entries, not
 * every known partner.
 */
const INDEX = ['as2Id'];

const seed: KnownPartnerDocument[] = Array.from({ length: 400 }, (_, i) => {
  const partnerId = `prt_${String(i).padStart(5, '0')}`;
  return { _id: partnerId, partnerId, account: i % 4 === 0 ? 'other' : 'acme', tenant: i % 3 === 0 ? null : `t${i % 7}`, as2Id: `AS2-${i % 100}`, name: `Partner ${i}`, active: true, deleted: i % 11 === 0, stationId: null };
});

const cases: { label: string; query: FindQuery; found: number }[] = [
  { label: 'an AS2 id in an account', query: knownPartnersByAs2IdQuery('acme', 'AS2-1', 1_001), found: 4 },
  { label: 'an AS2 id in every account', query: knownPartnersByAs2IdQuery(ALL_ACCOUNTS, 'AS2-4', 1_001), found: 4 },
];

it('declares the index the look-up needs', () => {
  expect(KnownRegistryIndexes.partners).toContainEqual(INDEX);
});

function partnersOf(store: ReadModelStore): ReadModelCollection<KnownPartnerDocument> {
  return store.collection<KnownPartnerDocument>(KnownRegistryCollections.partners, KnownRegistryIndexes.partners);
}

describe('known partners by AS2 id: embedded store', () => {
  let store: EmbeddedReadModelStore;
  let partners: ReadModelCollection<KnownPartnerDocument> & { explain(query: FindQuery): string[] };

  beforeAll(async () => {
    store = await EmbeddedReadModelStore.open(':memory:');
    partners = partnersOf(store) as typeof partners;
    await partners.putMany(seed);
  });
  afterAll(() => store?.close());

  it.each(cases)('$label', async ({ query, found }) => {
    const plan = partners.explain(query).join('\n');
    expect(plan).not.toMatch(/SCAN read_model_docs\b/);
    expect(plan).toMatch(/USING INDEX read_model_index_\w+ \(<expr>=\?\)/);
    // the index holds them in `_id` order: no sort after the scan
    expect(plan).not.toMatch(/TEMP B-TREE/);
    const { items } = await partners.find(query);
    expect(items.map((doc) => doc._id)).toEqual(seed.filter((doc) => (query.filter['account'] === undefined || doc.account === query.filter['account']) && doc.as2Id === query.filter['as2Id']).map((doc) => doc._id));
    expect(items).toHaveLength(found);
  });
});

describeWithServer('MONGO_URL', 'known partners by AS2 id: MongoDB wire', (url) => {
  const scratch = scratchMongoDatabase(url, 'known_partner_plans');
  let store: MongoReadModelStore;
  let partners: ReadModelCollection<KnownPartnerDocument> & { explain(query: FindQuery): Promise<Record<string, unknown>> };

  beforeAll(async () => {
    store = await MongoReadModelStore.connect(url, { dbName: scratch.dbName });
    partners = partnersOf(store) as typeof partners;
    await partners.putMany(seed);
  });

  afterAll(async () => {
    await store?.close();
    await scratch.drop();
  });

  it.each(cases)('$label', async ({ query, found }) => {
    const explained = await partners.explain(query);
    expect(await scratch.indexKeys(KnownRegistryCollections.partners)).toContainEqual(Object.fromEntries(INDEX.map((field) => [field, 1])));
    const serverInfo = explained['serverInfo'] as Record<string, unknown> | undefined;
    if (serverInfo?.['ferretdbVersion']) {
      // FerretDB 1.x explains with its own SQLite plan and reports no index for these filters: the query sent is the indexed one.
      expect(explained['ok']).toBe(1);
      expect((explained['command'] as { filter: unknown }).filter).toEqual(query.filter);
    } else {
      const plan = JSON.stringify((explained['queryPlanner'] as Record<string, unknown>)['winningPlan']);
      expect(plan).toContain('IXSCAN');
      expect(plan).not.toContain('COLLSCAN');
      expect(plan).toContain(INDEX.map((field) => `${field}_1`).join('_'));
    }
    expect((await partners.find(query)).items).toHaveLength(found);
  });
});
