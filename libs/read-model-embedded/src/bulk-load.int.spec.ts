import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('builds the indexes of a collection it emptied once the load ends, and before a query during the load needs them', async () => {
    const partners = store.collection<Partner>('partners', [['tenant', 'name']]) as EmbeddedReadModelCollection<Partner>;
    const others = store.collection<Partner>('others', [['tenant']]);
    await partners.put({ _id: 'old', tenant: 't1', name: 'Before' });
    const declared = sqlIndexes(file());
    expect(declared).toHaveLength(2);

    await store.bulkLoad(async () => {
      await partners.clear();
      await others.clear();
      for (let i = 0; i < 300; i++) await partners.put({ _id: `p${i}`, tenant: `t${i % 3}`, name: `Partner ${String(i).padStart(3, '0')}` });
      await others.put({ _id: 'o', tenant: 't1', name: 'Other' });
      // a query during the load gets the collection's index built first, and answers from it
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
});
