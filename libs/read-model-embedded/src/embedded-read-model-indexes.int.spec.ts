import { escapeRegex, type FindQuery, type ReadModelDocument } from '@as2-partners/kernel';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmbeddedReadModelCollection } from './embedded-read-model-collection';
import { EmbeddedReadModelStore } from './embedded-read-model-store';

/** Shaped like the partner views: scope, a type order, a creation time, a flag, two searched fields. */
interface View extends ReadModelDocument {
  readonly account: string;
  readonly tenant: string;
  readonly typeOrder: number;
  readonly createdAt: string;
  readonly partnerId: string;
  readonly as2Id: string;
  readonly settings: { readonly name: string; readonly active: boolean };
}

const INDEXES = [
  ['account', 'tenant', 'typeOrder', 'createdAt', 'partnerId'],
  ['account', 'tenant', 'settings.active', 'typeOrder', 'createdAt', 'partnerId'],
  ['account', 'partnerId'],
];
const SEARCH = { fields: ['settings.name', 'as2Id'], scope: ['account', 'tenant'] };
const SORT = { typeOrder: 1, createdAt: 1, partnerId: 1 } as const;

function view(tenant: string, i: number): View {
  const partnerId = `p${String(i).padStart(4, '0')}`;
  return {
    _id: `acme|${tenant}|${partnerId}`,
    account: 'acme',
    tenant,
    typeOrder: i % 4 === 0 ? 1 : 0,
    createdAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    partnerId,
    as2Id: `AS2-${tenant}-${i}`,
    settings: { name: `Partner ${i} of ${tenant}`, active: i % 3 !== 0 },
  };
}

const searchFor = (text: string) => {
  const pattern = { $regex: escapeRegex(text), $options: 'i' };
  return { $or: [{ 'settings.name': pattern }, { as2Id: pattern }] };
};

describe('EmbeddedReadModelStore indexes', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-indexes-'));
    file = join(dir, 'read-models.sqlite');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function seeded(store: EmbeddedReadModelStore): Promise<EmbeddedReadModelCollection<View>> {
    const views = store.collection<View>('views', INDEXES, SEARCH) as EmbeddedReadModelCollection<View>;
    await views.putMany([...Array.from({ length: 60 }, (_, i) => view('t1', i)), ...Array.from({ length: 40 }, (_, i) => view('t2', i))]);
    return views;
  }

  describe('each list shape is answered by its index, in index order (no scan, no sort)', () => {
    const shapes: [string, FindQuery, RegExp][] = [
      ['a page of a tenant', { filter: { $and: [{ account: 'acme' }, { tenant: 't1' }] }, sort: SORT, skip: 20, limit: 10 }, /USING INDEX .*\(<expr>=\? AND <expr>=\?\)/],
      [
        'a page of inactive partners',
        { filter: { $and: [{ account: 'acme' }, { tenant: 't1' }, { 'settings.active': false }] }, sort: SORT, limit: 10 },
        /USING INDEX .*\(<expr>=\? AND <expr>=\? AND <expr>=\?\)/,
      ],
      ['a partner by id across tenants', { filter: { account: 'acme', partnerId: 'p0007' }, sort: { _id: 1 } }, /USING INDEX .*\(<expr>=\? AND <expr>=\?\)/],
    ];

    it.each(shapes)('%s', async (_name, query, index) => {
      const store = await EmbeddedReadModelStore.open(file);
      try {
        const views = await seeded(store);
        const plan = views.explain(query);
        expect(plan).toEqual([expect.stringMatching(index)]);
        expect(plan.join('\n')).not.toMatch(/SCAN read_model_docs|TEMP B-TREE/);
      } finally {
        await store.close();
      }
    });

    it('pages match a sort of the whole filtered list', async () => {
      const store = await EmbeddedReadModelStore.open(file);
      try {
        const views = await seeded(store);
        const all = Array.from({ length: 60 }, (_, i) => view('t1', i))
          .filter((v) => !v.settings.active)
          .sort((a, b) => a.typeOrder - b.typeOrder || a.createdAt.localeCompare(b.createdAt));
        const page = await views.find({ filter: { $and: [{ account: 'acme' }, { tenant: 't1' }, { 'settings.active': false }] }, sort: SORT, skip: 5, limit: 7 });
        expect(page.items.map((v) => v._id)).toEqual(all.slice(5, 12).map((v) => v._id));
        expect(page.total).toBe(all.length);
      } finally {
        await store.close();
      }
    });
  });

  it('keeps totals right as writes land in the counted scope and beside it', async () => {
    const store = await EmbeddedReadModelStore.open(file);
    try {
      const views = await seeded(store);
      const inactive = { $and: [{ account: 'acme' }, { tenant: 't1' }, { 'settings.active': false }] };
      const total = async (filter: Record<string, unknown>): Promise<number> => (await views.find({ filter, sort: SORT, limit: 5 })).total;
      expect([await total(inactive), await total({ account: 'acme', tenant: 't1' }), await views.count({ account: 'acme', tenant: 't2' })]).toEqual([20, 60, 40]);
      await views.putMany(Array.from({ length: 5 }, (_, i) => view('t2', 100 + i)));
      expect([await total(inactive), await total({ account: 'acme', tenant: 't1' }), await views.count({ account: 'acme', tenant: 't2' })]).toEqual([20, 60, 45]);
      const flipped = view('t1', 1);
      await views.put({ ...flipped, settings: { ...flipped.settings, active: false } });
      expect(await total(inactive)).toBe(21);
      await views.delete(view('t1', 3)._id);
      expect([await total(inactive), await total({ account: 'acme', tenant: 't1' })]).toEqual([20, 59]);
      await views.put({ ...view('t1', 6), tenant: 't2' });
      expect([await total({ account: 'acme', tenant: 't1' }), await views.count({ account: 'acme', tenant: 't2' })]).toEqual([58, 46]);
      await views.deleteMany({ account: 'acme', tenant: 't2' });
      expect([await views.count({ account: 'acme', tenant: 't2' }), await total(inactive)]).toEqual([0, 19]);
    } finally {
      await store.close();
    }
  });

  it("counts a tenant once: writes in its scope count on from the kept total, with no count over the tenant's rows", async () => {
    const store = await EmbeddedReadModelStore.open(file);
    try {
      const views = await seeded(store);
      const counts: string[] = [];
      const table = (views as unknown as { table: { prepared(sql: string): unknown } }).table;
      const prepared = table.prepared.bind(table);
      table.prepared = (sql: string) => {
        if (sql.includes('count(*)')) counts.push(sql);
        return prepared(sql);
      };
      const inactive = { $and: [{ account: 'acme' }, { tenant: 't1' }, { 'settings.active': false }] };
      const total = async (filter: Record<string, unknown>): Promise<number> => (await views.find({ filter, sort: SORT, limit: 5 })).total;
      expect([await total({ account: 'acme', tenant: 't1' }), await total(inactive)]).toEqual([60, 20]);
      expect(counts).toHaveLength(2);
      await views.putMany(Array.from({ length: 3 }, (_, i) => ({ ...view('t1', 200 + i), settings: { name: `New ${i}`, active: false } })));
      await views.put({ ...view('t1', 1), settings: { name: 'Renamed', active: true } });
      await views.delete(view('t1', 3)._id);
      await views.put({ ...view('t1', 6), tenant: 't2' });
      expect([await total({ account: 'acme', tenant: 't1' }), await total(inactive)]).toEqual([61, 21]);
      expect(counts).toHaveLength(2);
    } finally {
      await store.close();
    }
  });

  it('a search reads its matches through the trigram index by seq, not the tenant through its index', async () => {
    const store = await EmbeddedReadModelStore.open(file);
    try {
      const views = await seeded(store);
      const query = { filter: { $and: [{ account: 'acme' }, { tenant: 't1' }, searchFor('as2-t1-42')] }, sort: SORT, limit: 20 };
      const plan = views.explain(query).join('\n');
      expect(plan).toMatch(/SEARCH read_model_docs USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      expect(plan).toMatch(/read_model_search VIRTUAL TABLE/);
      expect((await views.find(query)).items.map((v) => v._id)).toEqual(['acme|t1|p0042']);
      // two letters are below a trigram: the tenant's index narrows, the filter judges
      const short = await views.find({ filter: { $and: [{ account: 'acme' }, { tenant: 't2' }, searchFor('39')] }, sort: SORT });
      expect(short.items.map((v) => v._id)).toEqual(['acme|t2|p0039']);
    } finally {
      await store.close();
    }
  });

  it('moves documents of a file written before the indexes and builds the indexes and search from them', async () => {
    const old = new Database(file);
    old.exec('CREATE TABLE read_model_documents (collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID');
    const insert = old.prepare('INSERT INTO read_model_documents (collection, id, body) VALUES (?, ?, ?)');
    for (const doc of [view('t1', 1), view('t1', 2), { ...view('t1', 3), tenant: ['t1', 't9'] }]) insert.run('views', doc._id, JSON.stringify(doc));
    old.close();

    const store = await EmbeddedReadModelStore.open(file);
    try {
      const views = store.collection<View>('views', INDEXES, SEARCH);
      expect(await views.get('acme|t1|p0001')).toEqual(view('t1', 1));
      // the array on an indexed path is found by element, as MongoDB does
      expect((await views.find({ filter: { account: 'acme', tenant: 't1' }, sort: SORT })).total).toBe(3);
      expect((await views.find({ filter: { $and: [{ tenant: 't9' }, searchFor('partner 3 OF')] } })).items.map((v) => v._id)).toEqual(['acme|t1|p0003']);
      const tables = new Database(file, { readonly: true });
      try {
        expect(tables.prepare("SELECT name FROM sqlite_master WHERE name = 'read_model_documents'").get()).toBeUndefined();
      } finally {
        tables.close();
      }
    } finally {
      await store.close();
    }
  });

  it('remembers its indexes, search fields and irregular fields across a restart, before anyone declares them again', async () => {
    const first = await EmbeddedReadModelStore.open(file);
    const views = await seeded(first);
    await views.put({ ...view('t3', 1), tenant: ['t3', 't4'] } as unknown as View);
    await first.close();

    const second = await EmbeddedReadModelStore.open(file);
    try {
      const reopened = second.collection<View>('views') as EmbeddedReadModelCollection<View>;
      expect((await reopened.find({ filter: { account: 'acme', tenant: 't4' } })).items.map((v) => v._id)).toEqual(['acme|t3|p0001']);
      expect((await reopened.find({ filter: { $and: [{ tenant: 't2' }, searchFor('PARTNER 17 ')] } })).items.map((v) => v._id)).toEqual(['acme|t2|p0017']);
      expect(reopened.explain({ filter: { account: 'acme', partnerId: 'p0001' } }).join('\n')).toMatch(/USING INDEX/);
    } finally {
      await second.close();
    }
  });

  describe("a tenant's documents and the account's shared ones (an $or of tenant values)", () => {
    // 60 of t1, 40 of t2, 12 shared with every tenant: 11 with tenant null, one without the field (null matches it too)
    async function withShared(store: EmbeddedReadModelStore): Promise<{ views: EmbeddedReadModelCollection<View>; all: View[] }> {
      const views = await seeded(store);
      const shared = Array.from({ length: 12 }, (_, i) => ({ ...view('shared', 500 + i * 7), _id: `acme|shared|${i}`, tenant: null }) as unknown as View);
      const { tenant: _dropped, ...withoutTenant } = shared[11];
      shared[11] = withoutTenant as View;
      await views.putMany(shared);
      return { views, all: [...Array.from({ length: 60 }, (_, i) => view('t1', i)), ...Array.from({ length: 40 }, (_, i) => view('t2', i)), ...shared] };
    }
    const visibleTo = (tenant: string) => ({ account: 'acme', $or: [{ tenant }, { tenant: null }] });
    const inOrder = (docs: View[]) => [...docs].sort((a, b) => a.typeOrder - b.typeOrder || a.createdAt.localeCompare(b.createdAt) || a.partnerId.localeCompare(b.partnerId) || a._id.localeCompare(b._id));

    it('reads one index range a value (never the other tenants of the account)', async () => {
      const store = await EmbeddedReadModelStore.open(file);
      try {
        const { views } = await withShared(store);
        const plan = views.explain({ filter: visibleTo('t2'), sort: SORT, limit: 10 });
        expect(plan).toEqual([expect.stringMatching(/USING INDEX .*\(<expr>=\? AND <expr>=\?\)/), expect.stringMatching(/USING INDEX .*\(<expr>=\? AND <expr>=\?\)/)]);
        expect(plan.join('\n')).not.toMatch(/SCAN read_model_docs|TEMP B-TREE/);
      } finally {
        await store.close();
      }
    });

    it('pages, counts and filters as the whole filter does, across both ranges', async () => {
      const store = await EmbeddedReadModelStore.open(file);
      try {
        const { views, all } = await withShared(store);
        const t2 = inOrder(all.filter((v) => v.tenant === 't2' || v.tenant === null || v.tenant === undefined));
        for (const [skip, limit] of [[0, 10], [5, 7], [30, 20], [50, 10], [60, 5]]) {
          const page = await views.find({ filter: visibleTo('t2'), sort: SORT, skip, limit });
          expect(page.items.map((v) => v._id)).toEqual(t2.slice(skip, skip + limit).map((v) => v._id));
          expect(page.total).toBe(52);
        }
        const inactive = { $and: [visibleTo('t1'), { 'settings.active': false }] };
        const expected = inOrder(all.filter((v) => (v.tenant === 't1' || !v.tenant) && !v.settings.active));
        const page = await views.find({ filter: inactive, sort: SORT, skip: 3, limit: 8 });
        expect(page.items.map((v) => v._id)).toEqual(expected.slice(3, 11).map((v) => v._id));
        expect([page.total, await views.count(inactive), await views.count(visibleTo('t1')), await views.count(visibleTo('t9'))]).toEqual([expected.length, expected.length, 72, 12]);
        expect((await views.find({ filter: visibleTo('t9'), sort: SORT })).items.map((v) => v._id)).toEqual(inOrder(all.filter((v) => !v.tenant)).map((v) => v._id));
        // a condition no index answers: each range judged once, its page and count from the same read
        const unindexed = { $and: [visibleTo('t2'), { as2Id: { $ne: 'AS2-t2-4' } }] };
        const others = t2.filter((v) => v.as2Id !== 'AS2-t2-4');
        const judged = await views.find({ filter: unindexed, sort: SORT, skip: 35, limit: 10 });
        expect(judged.items.map((v) => v._id)).toEqual(others.slice(35, 45).map((v) => v._id));
        expect([judged.total, await views.count(unindexed)]).toEqual([51, 51]);
        const ownFirst = await views.find({ filter: visibleTo('t2'), sort: { tenant: -1, createdAt: 1 }, skip: 38, limit: 4 });
        expect(ownFirst.items.map((v) => v.tenant ?? null)).toEqual(['t2', 't2', null, null]);
      } finally {
        await store.close();
      }
    });
  });
});
