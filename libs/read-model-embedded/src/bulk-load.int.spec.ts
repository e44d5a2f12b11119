import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FindQuery, ReadModelCollection } from '@as2-partners/kernel';
import type { EmbeddedReadModelCollection } from './embedded-read-model-collection';
import { EmbeddedReadModelStore } from './embedded-read-model-store';

interface Partner {
  readonly _id: string;
  readonly tenant: string;
  readonly name: string;
}

const search = (text: string) => ({ tenant: 't1', name: { $regex: text, $options: 'i' } });

/** The declared indexes SQLite holds for the table (names of the read-model indexes). */
function sqlIndexes(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'read_model_index_%' ORDER BY name").pluck().all() as string[];
  } finally {
    db.close();
  }
}

/** The store's own connection (the open transaction's writes included). */
const dbOf = (s: EmbeddedReadModelStore): Database.Database => (s as unknown as { db: Database.Database }).db;

/** The declared indexes on the store's own connection. */
const indexesNow = (s: EmbeddedReadModelStore): string[] =>
  dbOf(s).prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'read_model_index_%' ORDER BY name").pluck().all() as string[];

describe('EmbeddedReadModelStore bulk load (rebuilds)', () => {
  let dir: string;
  let store: EmbeddedReadModelStore;
  const file = (): string => join(dir, 'read-models.sqlite');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-bulk-'));
    store = await EmbeddedReadModelStore.open(file());
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes the searched fields once, when the load ends, and the search then answers as if indexed per write', async () => {
    const partners = store.collection<Partner>('partners', [['tenant']], { fields: ['name'], scope: ['tenant'] });
    await partners.put({ _id: 'old', tenant: 't1', name: 'Acme Before' });
    expect(await partners.count(search('before'))).toBe(1);

    await store.bulkLoad(async () => {
      await partners.clear();
      for (let i = 0; i < 2_500; i++) await partners.put({ _id: `p${i}`, tenant: 't1', name: `Partner ${i} Trading` });
      await partners.put({ _id: 'p7', tenant: 't1', name: 'Renamed Globex' });
      await partners.delete('p8');
      // the trigram index is left alone meanwhile: a search misses what the load wrote
      expect(await partners.count(search('trading'))).toBe(0);
    });

    expect(await partners.count(search('trading'))).toBe(2_498);
    expect((await partners.find({ filter: search('globex') })).items).toEqual([{ _id: 'p7', tenant: 't1', name: 'Renamed Globex' }]);
    expect(await partners.count(search('partner 7 '))).toBe(0);
    expect(await partners.count(search('partner 8 '))).toBe(0);
    expect(await partners.count(search('before'))).toBe(0);
    expect(await partners.count(search('partner 2499'))).toBe(1);

    // after the load, writes are indexed one by one again
    await partners.put({ _id: 'late', tenant: 't1', name: 'Late Arrival' });
    expect(await partners.count(search('arrival'))).toBe(1);
  });

  it('indexes what was written even when the load fails', async () => {
    const partners = store.collection<Partner>('partners', [], { fields: ['name'], scope: ['tenant'] });
    await expect(
      store.bulkLoad(async () => {
        await partners.put({ _id: 'a', tenant: 't1', name: 'Acme' });
        throw new Error('projection failed');
      }),
    ).rejects.toThrow('projection failed');
    expect(await partners.count(search('acme'))).toBe(1);
  });

  it('keeps the indexes of a collection it empties up through the clear and the load, and a query during the load answers from them', async () => {
    await store.close();
    store = await EmbeddedReadModelStore.open(file(), { clearByRewriteFromRows: 1 });
    const partners = store.collection<Partner>('partners', [['tenant', 'name']]) as EmbeddedReadModelCollection<Partner>;
    const others = store.collection<Partner>('others', [['tenant']]);
    await partners.put({ _id: 'old', tenant: 't1', name: 'Before' });
    const declared = sqlIndexes(file());
    expect(declared).toHaveLength(2);

    await store.bulkLoad(async () => {
      await partners.clear();
      await others.clear();
      // on the store's own connection (the load's transaction is not committed yet)
      expect(indexesNow(store)).toEqual(declared);
      for (let i = 0; i < 300; i++) await partners.put({ _id: `p${i}`, tenant: `t${i % 3}`, name: `Partner ${String(i).padStart(3, '0')}` });
      await others.put({ _id: 'o', tenant: 't1', name: 'Other' });
      // a query during the load answers from the collection's index
      expect(partners.explain({ filter: { tenant: 't1' }, sort: { name: 1 } }).join(' ')).toMatch(/USING INDEX read_model_index_/);
      const page = await partners.find({ filter: { tenant: 't1' }, sort: { name: -1 }, limit: 2 });
      expect(page).toEqual({ items: [{ _id: 'p298', tenant: 't1', name: 'Partner 298' }, { _id: 'p295', tenant: 't1', name: 'Partner 295' }], total: 100 });
      await partners.put({ _id: 'p1', tenant: 't1', name: 'Partner 999' });
    });

    expect(sqlIndexes(file())).toEqual(declared);
    expect((await others.find({ filter: { tenant: 't1' } })).items).toEqual([{ _id: 'o', tenant: 't1', name: 'Other' }]);
    expect((await partners.find({ filter: { tenant: 't1' }, sort: { name: -1 }, limit: 1 })).items).toEqual([{ _id: 'p1', tenant: 't1', name: 'Partner 999' }]);
    expect(await partners.count({ tenant: 't1' })).toBe(100);
  });

  it('builds missing declared indexes when it opens a file a bulk load stopped in (dropped, not yet built again)', async () => {
    store.collection<Partner>('partners', [['tenant', 'name']]);
    await store.close();
    const db = new Database(file());
    const [index] = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'read_model_index_%'").pluck().all() as string[];
    db.exec(`DROP INDEX "${index}"`);
    db.close();
    expect(sqlIndexes(file())).toEqual([]);

    store = await EmbeddedReadModelStore.open(file());
    expect(sqlIndexes(file())).toEqual([index]);
  });

  it('keeps the indexes of the collections it does not clear up however much of the table it writes (none built at its end)', async () => {
    const filled = store.collection<Partner>('filled', [['tenant', 'name']]);
    const untouched = store.collection<Partner>('untouched', [['tenant']]) as EmbeddedReadModelCollection<Partner>;
    for (let i = 0; i < 250; i++) await untouched.put({ _id: `u${i}`, tenant: `t${i % 2}`, name: `U ${i}` });
    const declared = sqlIndexes(file());
    expect(declared).toHaveLength(2);

    await store.bulkLoad(async () => {
      // forty times the table's rows (past CLEAR_BY_REWRITE_FROM_ROWS), in multi-row statements with every index up
      for (let i = 0; i < 10_500; i++) await filled.put({ _id: `f${i}`, tenant: `t${i % 3}`, name: `F ${i}` });
      expect(indexesNow(store)).toEqual(declared);
      await untouched.put({ _id: 'u-late', tenant: 't0', name: 'Late' });
      expect(untouched.explain({ filter: { tenant: 't0' } }).join(' ')).toMatch(/USING INDEX read_model_index_/);
      expect(await untouched.count({ tenant: 't0' })).toBe(126);
    });

    expect(sqlIndexes(file())).toEqual(declared);
    expect(await untouched.count({ tenant: 't0' })).toBe(126);
    expect((await filled.find({ filter: { tenant: 't1' }, sort: { name: -1 }, limit: 1 })).items).toEqual([{ _id: 'f9997', tenant: 't1', name: 'F 9997' }]);
    expect(await filled.count({ tenant: 't1' })).toBe(3_500);
  });

  it('a load that clears and writes again leaves the documents, indexes and search answers the same writes one by one leave', async () => {
    interface View {
      readonly _id: string;
      readonly tenant: string;
      readonly name: string | string[];
      readonly as2Id: string;
      readonly active: boolean;
    }
    const indexes = [['tenant', 'active', 'name'], ['tenant', 'as2Id']];
    const searchIndex = { fields: ['name', 'as2Id'], scope: ['tenant'] };
    // the history both stores get: creates, renames, an AS2 id change, deletes, a delete of many, an array in a searched field
    const history = async (views: ReadModelCollection<View>, plain: ReadModelCollection<View>): Promise<void> => {
      for (let i = 0; i < 300; i++) {
        await views.put({ _id: `v${i}`, tenant: `t${i % 4}`, name: `Partner ${i} Trading`, as2Id: `AS2-${i}`, active: i % 5 !== 0 });
      }
      await views.putMany([
        { _id: 'v7', tenant: 't3', name: 'Renamed Globex', as2Id: 'AS2-7', active: true },
        { _id: 'v8', tenant: 't0', name: 'Partner 8 Trading', as2Id: 'GLOBEX-8', active: false },
      ]);
      await views.delete('v9');
      await views.delete('v299');
      expect(await views.deleteMany({ tenant: 't2', active: false })).toBe(15);
      await views.put({ _id: 'v10', tenant: 't2', name: ['Multi', 'Named Initech'], as2Id: 'AS2-10', active: true });
      await views.put({ _id: 'v300', tenant: 't1', name: 'Late Umbrella', as2Id: 'AS2-300', active: true });
      for (let i = 0; i < 20; i++) await plain.put({ _id: `p${i}`, tenant: 't1', name: `Plain ${i}`, as2Id: `P-${i}`, active: true });
    };
    const oneByOne = await EmbeddedReadModelStore.open(join(dir, 'one-by-one.sqlite'));
    const loaded = await EmbeddedReadModelStore.open(join(dir, 'loaded.sqlite'), { clearByRewriteFromRows: 50 });
    try {
      const open = (s: EmbeddedReadModelStore) => [s.collection<View>('views', indexes, searchIndex), s.collection<View>('plain', [['tenant']])] as const;
      const [views1, plain1] = open(oneByOne);
      await history(views1, plain1);
      const [views2, plain2] = open(loaded);
      // the loaded store had other documents before: the load clears them
      for (let i = 0; i < 80; i++) await views2.put({ _id: `v${i}`, tenant: 't9', name: `Stale ${i}`, as2Id: `STALE-${i}`, active: true });
      await plain2.put({ _id: 'p0', tenant: 't9', name: 'Stale', as2Id: 'S', active: true });
      await loaded.bulkLoad(async () => {
        await Promise.all([views2.clear(), plain2.clear()]);
        await history(views2, plain2);
      });

      const everything = async (views: ReadModelCollection<View>) => (await views.find({ filter: {}, sort: { _id: 1 } })).items;
      expect(await everything(views2)).toEqual(await everything(views1));
      expect(await everything(plain2)).toEqual(await everything(plain1));
      const schema = (s: EmbeddedReadModelStore) => {
        const db = (s as unknown as { db: Database.Database }).db;
        return {
          indexes: db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'read_model_index_%' ORDER BY name").all(),
          catalog: db.prepare('SELECT * FROM read_model_indexes ORDER BY 1, 2, 3').all(),
          irregular: db.prepare('SELECT * FROM read_model_irregular_paths ORDER BY 1, 2').all(),
        };
      };
      expect(schema(loaded)).toEqual(schema(oneByOne));
      // the trigram index itself, once committed: what each term matches, by document (null: a row no document has)
      await Promise.all([oneByOne.committed(), loaded.committed()]);
      const matched = (s: EmbeddedReadModelStore, term: string) =>
        (s as unknown as { db: Database.Database }).db
          .prepare('SELECT d.collection, d.id FROM read_model_search s LEFT JOIN read_model_docs d ON d.seq = s.rowid WHERE read_model_search MATCH ? ORDER BY 1, 2')
          .all(`"${term}"`);
      for (const term of ['Trading', 'Globex', 'Initech', 'Multi', 'Umbrella', 'Stale', 'Partner 9 ', 'Partner 299', 'AS2-', 'Plain']) {
        expect(matched(loaded, term)).toEqual(matched(oneByOne, term));
      }
      expect(schema(loaded).irregular).toEqual([{ collection: 'views', path: 'name' }]);
      const queries: FindQuery[] = [
        ...['trading', 'globex', 'initech', 'umbrella', 'stale', 'partner 9 ', 'partner 299', 'as2-1', 'multi', 'xyz'].flatMap((term) =>
          [0, 1, 2, 3].map((t): FindQuery => ({ filter: { tenant: `t${t}`, $or: [{ name: { $regex: term, $options: 'i' } }, { as2Id: { $regex: term, $options: 'i' } }] }, sort: { name: 1 } })),
        ),
        { filter: { tenant: 't1', active: true }, sort: { name: 1 }, skip: 10, limit: 5 },
        { filter: { tenant: 't0', as2Id: 'GLOBEX-8' } },
      ];
      for (const query of queries) {
        expect(await views2.find(query)).toEqual(await views1.find(query));
        expect((views2 as EmbeddedReadModelCollection<View>).explain(query)).toEqual((views1 as EmbeddedReadModelCollection<View>).explain(query));
      }
      // 'globex' in t0 (an AS2 id) and in t3 (a name)
      expect([(await views2.find(queries[4])).total, (await views2.find(queries[7])).total]).toEqual([1, 1]);
    } finally {
      await oneByOne.close();
      await loaded.close();
    }
  });

  it('a load clearing most of the table empties the table and the trigram index whole, keeps every index up, and leaves what a load into an empty store leaves', async () => {
    interface Doc {
      readonly _id: string;
      readonly tenant: string;
      readonly name: string;
    }
    const searched = { fields: ['name'], scope: ['tenant'] };
    const open = (s: EmbeddedReadModelStore) => ({
      views: s.collection<Doc>('views', [['tenant', 'name']], searched),
      masters: s.collection<Doc>('masters', [['tenant']], searched),
      // a bus-fed model's copy and a plain collection: written before, not cleared by the load
      copies: s.collection<Doc>('copies', [['tenant']], searched),
      plain: s.collection<Doc>('plain', [['tenant']]),
    });
    const before = async ({ copies, plain }: ReturnType<typeof open>): Promise<void> => {
      for (let i = 0; i < 30; i++) await copies.put({ _id: `c${i}`, tenant: `t${i % 2}`, name: `Copy ${i} Initech` });
      for (let i = 0; i < 10; i++) await plain.put({ _id: `p${i}`, tenant: 't1', name: `Plain ${i}` });
    };
    const rebuild = async (s: EmbeddedReadModelStore, { views, masters }: ReturnType<typeof open>, name: (i: number) => string, count: number, afterClear?: () => void): Promise<void> => {
      await s.bulkLoad(async () => {
        // the small searchable one first: its texts are kept for the load's end when the large one's clear empties the trigram index
        await masters.clear();
        await views.clear();
        afterClear?.();
        for (let i = 0; i < count; i++) await views.put({ _id: `v${i}`, tenant: `t${i % 3}`, name: name(i) });
        for (let i = 0; i < 5; i++) await masters.put({ _id: `m${i}`, tenant: 't1', name: `Master ${i} Globex` });
        await views.delete('v7');
      });
    };
    const filledStore = await EmbeddedReadModelStore.open(join(dir, 'filled.sqlite'), { clearByRewriteFromRows: 50 });
    const emptyStore = await EmbeddedReadModelStore.open(join(dir, 'empty.sqlite'), { clearByRewriteFromRows: 50 });
    try {
      const filled = open(filledStore);
      const empty = open(emptyStore);
      await before(filled);
      await before(empty);
      const declared = indexesNow(filledStore);
      expect(declared).toHaveLength(4);
      // the first load finds the views empty: every index stays up through the clears
      await rebuild(filledStore, filled, (i) => `Stale ${i} Umbrella`, 400, () => expect(indexesNow(filledStore)).toEqual(declared));
      expect(await filled.views.count({ tenant: 't1', name: { $regex: 'umbrella', $options: 'i' } })).toBe(132);
      // the second finds 399 of the table's 444 rows in the views: the table emptied whole, the others' rows and indexes kept
      await rebuild(filledStore, filled, (i) => `Partner ${i} Trading`, 300, () => {
        expect(indexesNow(filledStore)).toEqual(declared);
        expect(dbOf(filledStore).prepare('SELECT collection, count(*) AS n FROM read_model_docs GROUP BY collection ORDER BY 1').all()).toEqual([
          { collection: 'copies', n: 30 },
          { collection: 'plain', n: 10 },
        ]);
      });
      await rebuild(emptyStore, empty, (i) => `Partner ${i} Trading`, 300);

      expect(indexesNow(filledStore)).toEqual(declared);
      expect(indexesNow(emptyStore)).toEqual(declared);
      // the other collections' rows went through a table of the file, dropped again in the clear's transaction
      expect(dbOf(filledStore).prepare("SELECT name FROM sqlite_master WHERE name LIKE 'read_model_docs_%'").pluck().all()).toEqual([]);
      for (const name of ['views', 'masters', 'copies', 'plain'] as const) {
        expect((await filled[name].find({ filter: {}, sort: { _id: 1 } })).items).toEqual((await empty[name].find({ filter: {}, sort: { _id: 1 } })).items);
      }
      const catalog = (s: EmbeddedReadModelStore) => ({
        catalog: dbOf(s).prepare('SELECT * FROM read_model_indexes ORDER BY 1, 2, 3').all(),
        irregular: dbOf(s).prepare('SELECT * FROM read_model_irregular_paths ORDER BY 1, 2').all(),
      });
      expect(catalog(filledStore)).toEqual(catalog(emptyStore));
      // the trigram index, by document (null: a row no document has; the views' new rows may take the old ones' `seq`)
      const matched = (s: EmbeddedReadModelStore, term: string) =>
        dbOf(s).prepare('SELECT d.collection, d.id FROM read_model_search s LEFT JOIN read_model_docs d ON d.seq = s.rowid WHERE read_model_search MATCH ? ORDER BY 1, 2').all(`"${term}"`);
      for (const term of ['Trading', 'Partner 7 ', 'Stale', 'Umbrella', 'Globex', 'Initech', 'Copy 1', 'Plain']) {
        expect(matched(filledStore, term)).toEqual(matched(emptyStore, term));
      }
      expect(matched(filledStore, 'Initech')).toHaveLength(30);
      expect(matched(filledStore, 'Stale')).toEqual([]);
      for (const [name, term] of [['views', 'trading'], ['views', 'stale'], ['masters', 'globex'], ['copies', 'initech'], ['copies', 'copy 2']] as const) {
        const query: FindQuery = { filter: { tenant: 't1', name: { $regex: term, $options: 'i' } }, sort: { name: 1 } };
        expect(await filled[name].find(query)).toEqual(await empty[name].find(query));
      }
      expect(await filled.copies.count({ tenant: 't0', name: { $regex: 'initech', $options: 'i' } })).toBe(15);
    } finally {
      await filledStore.close();
      await emptyStore.close();
    }
  });

  it('a load clearing a fifth to a half of the table deletes the rows with the collection\'s indexes down, built again in the clear, and leaves what a load into an empty store leaves', async () => {
    const searched = { fields: ['name'], scope: ['tenant'] };
    const open = (s: EmbeddedReadModelStore) => ({
      views: s.collection<Partner>('views', [['tenant', 'name'], ['name']], searched) as EmbeddedReadModelCollection<Partner>,
      masters: s.collection<Partner>('masters', [], searched),
      others: s.collection<Partner>('others', [['tenant']]) as EmbeddedReadModelCollection<Partner>,
    });
    const rebuild = async (s: EmbeddedReadModelStore, { views }: ReturnType<typeof open>, afterClear?: () => Promise<void>): Promise<void> => {
      await s.bulkLoad(async () => {
        await views.clear();
        await afterClear?.();
        for (let i = 0; i < 120; i++) await views.put({ _id: `v${i}`, tenant: `t${i % 3}`, name: `Partner ${String(i).padStart(3, '0')} Trading` });
        await views.delete('v7');
      });
    };
    const filledStore = await EmbeddedReadModelStore.open(join(dir, 'filled.sqlite'), { clearByRewriteFromRows: 50 });
    const emptyStore = await EmbeddedReadModelStore.open(join(dir, 'empty.sqlite'), { clearByRewriteFromRows: 50 });
    try {
      const filled = open(filledStore);
      const empty = open(emptyStore);
      const more = async (name: 'masters' | 'others', from: number, to: number): Promise<void> => {
        for (const store of [filled, empty]) for (let i = from; i < to; i++) await store[name].put({ _id: `${name}${i}`, tenant: `t${i % 2}`, name: `${name} ${i} Globex` });
      };
      await more('others', 0, 200);
      await more('masters', 0, 5);
      for (let i = 0; i < 100; i++) await filled.views.put({ _id: `old${i}`, tenant: `t${i % 3}`, name: `Stale ${i} Umbrella` });
      const declared = indexesNow(filledStore);
      expect(declared).toHaveLength(3);
      const exec = jest.spyOn(dbOf(filledStore), 'exec');
      const schemaAndSearch = (): string[] =>
        exec.mock.calls.map(([sql]) => sql).flatMap((sql) => (/^(DROP|CREATE) INDEX/.test(sql) ? [sql.slice(0, 4)] : sql.includes("'delete-all'") ? ['delete-all'] : []));
      const sameAsEmpty = async (): Promise<void> => {
        expect(indexesNow(filledStore)).toEqual(declared);
        expect(indexesNow(emptyStore)).toEqual(declared);
        for (const name of ['views', 'masters', 'others'] as const) {
          expect((await filled[name].find({ filter: {}, sort: { _id: 1 } })).items).toEqual((await empty[name].find({ filter: {}, sort: { _id: 1 } })).items);
        }
        const queries: FindQuery[] = [
          { filter: { tenant: 't1' }, sort: { name: -1 }, limit: 3 },
          { filter: { name: 'Partner 042 Trading' } },
          { filter: { tenant: 't0' }, sort: { name: 1 } },
        ];
        for (const query of queries) {
          expect(filled.views.explain(query).join(' ')).toMatch(/USING (COVERING )?INDEX read_model_index_/);
          expect(await filled.views.find(query)).toEqual(await empty.views.find(query));
        }
        for (const [name, term] of [['views', 'trading'], ['views', 'umbrella'], ['views', 'partner 04'], ['masters', 'globex']] as const) {
          const query: FindQuery = { filter: { tenant: 't1', name: { $regex: term, $options: 'i' } }, sort: { name: 1 } };
          expect(await filled[name].find(query)).toEqual(await empty[name].find(query));
        }
        expect(await filled.views.count({ tenant: 't1', name: { $regex: 'trading', $options: 'i' } })).toBe(39);
        expect(await filled.masters.count({ tenant: 't1', name: { $regex: 'globex', $options: 'i' } })).toBeGreaterThan(0);
      };

      // 100 of the table's 305 rows: deleted, not rewritten; the views' two indexes dropped and built again, the others'
      // kept; the trigram index emptied whole (the masters' 5 texts indexed again)
      await rebuild(filledStore, filled, async () => {
        expect(schemaAndSearch()).toEqual(['delete-all', 'DROP', 'DROP', 'CREA', 'CREA']);
        expect(indexesNow(filledStore)).toEqual(declared);
        expect(dbOf(filledStore).prepare('SELECT collection, count(*) AS n FROM read_model_docs GROUP BY collection ORDER BY 1').all()).toEqual([
          { collection: 'masters', n: 5 },
          { collection: 'others', n: 200 },
        ]);
        expect(await filled.views.get('old1')).toBeNull();
        // a query during the load answers from the rebuilt index
        await filled.views.put({ _id: 'early', tenant: 't1', name: 'Early' });
        expect(filled.views.explain({ filter: { tenant: 't1' }, sort: { name: 1 } }).join(' ')).toMatch(/USING INDEX read_model_index_/);
        expect((await filled.views.find({ filter: { tenant: 't1' }, sort: { name: 1 } })).items).toEqual([{ _id: 'early', tenant: 't1', name: 'Early' }]);
        await filled.views.delete('early');
      });
      await rebuild(emptyStore, empty);
      await sameAsEmpty();

      // with 45 masters more (50 indexed texts, over a quarter of the views' 119), the views' texts are deleted one by one
      await more('masters', 5, 50);
      exec.mockClear();
      await rebuild(filledStore, filled);
      expect(schemaAndSearch()).toEqual(['DROP', 'DROP', 'CREA', 'CREA']);
      await sameAsEmpty();

      // a clear of less than a fifth of the table (the 119 views of 769 rows, after 400 more others) keeps the indexes up
      await more('others', 200, 600);
      exec.mockClear();
      await rebuild(filledStore, filled);
      expect(schemaAndSearch()).toEqual([]);
      await sameAsEmpty();
    } finally {
      await filledStore.close();
      await emptyStore.close();
    }
  });

  it('indexes from the documents a collection whose search is declared anew during the load (the texts kept were for other fields)', async () => {
    const partners = store.collection<Partner>('partners', [], { fields: ['name'], scope: ['tenant'] });
    await store.bulkLoad(async () => {
      await partners.clear();
      await partners.put({ _id: 'a', tenant: 't1', name: 'Acme' });
      store.collection<Partner>('partners', [], { fields: ['name', 'tenant'], scope: ['tenant'] });
      await partners.put({ _id: 'b', tenant: 't1', name: 'Globex' });
    });
    expect((await partners.find({ filter: { tenant: 't1', name: { $regex: 'acme', $options: 'i' } } })).items).toEqual([{ _id: 'a', tenant: 't1', name: 'Acme' }]);
    expect(await partners.count({ $or: [{ name: { $regex: 't1', $options: 'i' } }, { tenant: { $regex: 't1', $options: 'i' } }] })).toBe(2);
  });
});
