import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedReadModelStore } from './embedded-read-model-store';

interface Partner {
  readonly _id: string;
  readonly tenant: string;
  readonly name: string;
}

const search = (text: string) => ({ tenant: 't1', name: { $regex: text, $options: 'i' } });

describe('EmbeddedReadModelStore bulk load (rebuilds)', () => {
  let dir: string;
  let store: EmbeddedReadModelStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-bulk-'));
    store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
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
});
