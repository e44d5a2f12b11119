import { describeWithServer } from '@as2-partners/kernel-testing';
import { createConnection, type Connection } from 'mongoose';
import { BULK_WRITE_BATCH } from './bulk-write-buffer';
import { MongoReadModelStore } from './mongo-read-model-store';

interface Partner {
  readonly _id: string;
  readonly tenant: string;
  readonly name: string;
  readonly active: boolean;
}

const search = (text: string) => ({ tenant: 't1', name: { $regex: text, $options: 'i' } });

describeWithServer('MONGO_URL', 'MongoReadModelStore bulk load (rebuilds)', (url) => {
  let dbName: string;
  let store: MongoReadModelStore;
  let direct: Connection;

  const rawCount = (collection: string): Promise<number> => direct.db!.collection(collection).countDocuments({});
  const indexKeys = async (collection: string): Promise<unknown[]> => (await direct.db!.collection(collection).indexes()).map((index) => index['key']);

  beforeEach(async () => {
    dbName = `test_bulk_load_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    store = await MongoReadModelStore.connect(url, { dbName });
    direct = await createConnection(url, { dbName }).asPromise();
  });

  afterEach(async () => {
    await store.close();
    await direct.dropDatabase();
    await direct.close();
  });

  it('batches the writes, answers reads from what it holds back, and keeps the indexes', async () => {
    const partners = store.collection<Partner>('partners', [['tenant', 'active', '_id']], { fields: ['name'], scope: ['tenant'] });
    await partners.putMany([
      { _id: 'old', tenant: 't1', name: 'Acme Before', active: true },
      { _id: 'p1', tenant: 't1', name: 'Stale', active: true },
    ]);
    const total = BULK_WRITE_BATCH * 2 + 500;

    await store.bulkLoad(async () => {
      await partners.clear();
      for (let i = 0; i < total; i++) await partners.put({ _id: `p${i}`, tenant: 't1', name: `Partner ${i} Trading`, active: i % 2 === 0 });
      // the last batch is still held back; a get answers from it, a copy the caller may change
      expect(await rawCount('partners')).toBeLessThan(total);
      const held = await partners.get(`p${total - 1}`);
      expect(held).toEqual({ _id: `p${total - 1}`, tenant: 't1', name: `Partner ${total - 1} Trading`, active: false });
      await partners.put({ _id: 'p7', tenant: 't1', name: 'Renamed Globex', active: true });
      await partners.delete('p8');
      expect(await partners.get('p8')).toBeNull();
      // a query sends what is held back first, so it sees every write of the load
      expect(await partners.count({ tenant: 't1' })).toBe(total - 1);
      await partners.put({ _id: 'p9', tenant: 't1', name: 'Renamed Initech', active: false });
      await partners.delete('p10');
    });

    expect(await rawCount('partners')).toBe(total - 2);
    expect(await indexKeys('partners')).toEqual(expect.arrayContaining([{ _id: 1 }, { tenant: 1, active: 1, _id: 1 }, { tenant: 1, __searchTrigrams: 1 }]));
    expect((await partners.find({ filter: search('globex') })).items).toEqual([{ _id: 'p7', tenant: 't1', name: 'Renamed Globex', active: true }]);
    expect((await partners.find({ filter: search('initech') })).items).toEqual([{ _id: 'p9', tenant: 't1', name: 'Renamed Initech', active: false }]);
    expect(await partners.count(search('before'))).toBe(0);
    expect(await partners.count(search('stale'))).toBe(0);
    expect(await partners.get('p10')).toBeNull();
    expect(await partners.count(search(`partner ${total - 1} `))).toBe(1);

    // after the load, writes go straight to the server again
    await partners.put({ _id: 'late', tenant: 't1', name: 'Late Arrival', active: true });
    expect(await rawCount('partners')).toBe(total - 1);
  });

  it('answers the documents it used last without a round trip (nothing else writes during a load)', async () => {
    const tenants = store.collection<Partner>('tenants', [['tenant']]);
    await tenants.put({ _id: 'before', tenant: 't0', name: 'Read Once', active: true });
    await store.bulkLoad(async () => {
      expect(await tenants.get('before')).toMatchObject({ name: 'Read Once' });
      await tenants.put({ _id: 'during', tenant: 't1', name: 'Written', active: true });
      await tenants.count({});
      // both are on the server now; a change behind the load's back is not seen: the load's own view answers
      await direct.db!.collection<{ _id: string }>('tenants').updateMany({}, { $set: { name: 'Changed Elsewhere' } });
      expect(await tenants.get('before')).toMatchObject({ name: 'Read Once' });
      expect(await tenants.get('during')).toMatchObject({ name: 'Written' });
      await tenants.clear();
      await direct.db!.collection<{ _id: string }>('tenants').insertOne({ _id: 'behind' });
      // emptied by the load and never written since: absent without asking the server
      expect(await tenants.get('behind')).toBeNull();
      expect(await tenants.get('during')).toBeNull();
    });
    expect(await tenants.get('behind')).toEqual({ _id: 'behind' });
  });

  it('replaces documents of a collection the load did not empty (upserts, not inserts)', async () => {
    const tenants = store.collection<Partner>('tenants', [['tenant']]);
    await tenants.put({ _id: 'a', tenant: 't1', name: 'First', active: true });
    await store.bulkLoad(async () => {
      await tenants.put({ _id: 'a', tenant: 't1', name: 'Second', active: false });
      await tenants.put({ _id: 'b', tenant: 't1', name: 'New', active: true });
      await tenants.delete('zzz');
    });
    expect((await tenants.find({ filter: { tenant: 't1' }, sort: { _id: 1 } })).items.map((t) => t.name)).toEqual(['Second', 'New']);
  });

  it('saves the checkpoints of the load only after the documents they reflect', async () => {
    const checkpoints = store.checkpointStore();
    const partners = store.collection<Partner>('partners');
    const storedPosition = async (): Promise<number | null> => {
      const found = await direct.db!.collection<{ _id: string; position: number }>('checkpoints').findOne({ _id: 'views' });
      return found?.position ?? null;
    };
    await store.bulkLoad(async () => {
      await partners.clear();
      await partners.put({ _id: 'p1', tenant: 't1', name: 'Acme', active: true });
      await checkpoints.save('views', 42);
      expect(await checkpoints.load('views')).toBe(42);
      expect(await storedPosition()).toBeNull();
      expect(await rawCount('partners')).toBe(0);
    });
    expect(await storedPosition()).toBe(42);
    expect(await rawCount('partners')).toBe(1);
  });

  it('sends what the load wrote even when the load fails', async () => {
    const partners = store.collection<Partner>('partners', [['tenant']]);
    await expect(
      store.bulkLoad(async () => {
        await partners.clear();
        await partners.put({ _id: 'a', tenant: 't1', name: 'Acme', active: true });
        throw new Error('projection failed');
      }),
    ).rejects.toThrow('projection failed');
    expect(await rawCount('partners')).toBe(1);
    expect(await indexKeys('partners')).toContainEqual({ tenant: 1 });
  });
});
