import { describeWithServer, parkedEventStoreContract, readModelStoreContract } from '@as2-partners/kernel-testing';
import mongoose, { createConnection, mongo } from 'mongoose';
import { MongoReadModelStore } from './mongo-read-model-store';

/** A database of its own per run, named so it can never be a real one, dropped at the end. */
function testDatabaseName(): string {
  return `test_read_models_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

async function dropDatabase(url: string, dbName: string): Promise<void> {
  if (!dbName.startsWith('test_')) throw new Error(`refusing to drop "${dbName}": not a test database`);
  const connection = await createConnection(url, { dbName }).asPromise();
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
}

async function indexKeys(url: string, dbName: string, collection: string): Promise<unknown[]> {
  const connection = await createConnection(url, { dbName }).asPromise();
  try {
    return (await connection.db!.collection(collection).indexes()).map((index) => index['key']);
  } finally {
    await connection.close();
  }
}

describeWithServer('MONGO_URL', 'MongoReadModelStore', (url) => {
  readModelStoreContract('MongoDB', async () => {
    const dbName = testDatabaseName();
    const store = await MongoReadModelStore.connect(url, { dbName });
    return {
      store,
      checkpoints: store.checkpointStore(),
      dispose: async () => {
        await store.close();
        await dropDatabase(url, dbName);
      },
    };
  });

  parkedEventStoreContract('MongoDB', async () => {
    const dbName = testDatabaseName();
    const store = await MongoReadModelStore.connect(url, { dbName });
    return {
      parked: store.parkedEventStore(),
      dispose: async () => {
        await store.close();
        await dropDatabase(url, dbName);
      },
    };
  });

  it("collectionSharedByServices: two services' stores, each on its own database, read and write one collection in the shared database", async () => {
    const [first, second, shared] = [testDatabaseName(), testDatabaseName(), testDatabaseName()];
    const registry = await MongoReadModelStore.connect(url, { dbName: first, sharedDatabase: shared });
    const certificates = await MongoReadModelStore.connect(url, { dbName: second, sharedDatabase: shared });
    try {
      await registry.collectionSharedByServices<{ _id: string; n: number }>('shared_keys', [['n']]).put({ _id: 'acc/t1/key-1', n: 1 });
      expect(await certificates.collectionSharedByServices<{ _id: string; n: number }>('shared_keys', [['n']]).get('acc/t1/key-1')).toEqual({ _id: 'acc/t1/key-1', n: 1 });
      // Neither service's own database holds it.
      expect(await registry.collection('shared_keys').get('acc/t1/key-1')).toBeNull();
      expect(await certificates.collection('shared_keys').get('acc/t1/key-1')).toBeNull();
    } finally {
      await Promise.all([registry.close(), certificates.close()]);
      await Promise.all([first, second, shared].map((name) => dropDatabase(url, name)));
    }
  });

  describe('connection', () => {
    const dbName = testDatabaseName();
    let store: MongoReadModelStore;

    beforeAll(async () => {
      store = await MongoReadModelStore.connect(url, { dbName });
    });

    afterAll(async () => {
      await store.close();
      await dropDatabase(url, dbName);
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('creates the indexes a collection asks for', async () => {
      const partners = store.collection<{ _id: string; status: string }>('partners', [['status'], ['address.city', '_id'], ['_id']]);
      await partners.put({ _id: 'a', status: 'active' });
      const connection = await createConnection(url, { dbName }).asPromise();
      try {
        const keys = (await connection.db!.collection('partners').indexes()).map((index) => index['key']);
        expect(keys).toEqual(expect.arrayContaining([{ _id: 1 }, { status: 1 }, { 'address.city': 1, _id: 1 }]));
        expect(keys).toHaveLength(3);
      } finally {
        await connection.close();
      }
    });

    it('adds the indexes a later caller declares for a collection already open', async () => {
      const first = store.collection<{ _id: string; account: string; tenant: string }>('known', []);
      await first.put({ _id: 'k1', account: 'a', tenant: 't' });
      const second = store.collection<{ _id: string; account: string; tenant: string }>('known', [['account', 'tenant']]);
      await second.get('k1');
      expect(await indexKeys(url, dbName, 'known')).toEqual(expect.arrayContaining([{ account: 1, tenant: 1 }]));
    });

    it('tries a failed index creation again on the next operation instead of failing until a restart', async () => {
      const connection = await createConnection(url, { dbName }).asPromise();
      try {
        // an index squatting on the name the wanted one gets makes its creation fail
        await connection.db!.collection('flaky').createIndex({ other: 1 }, { name: 'status_1' });
        const flaky = store.collection<{ _id: string; status: string }>('flaky', [['status']]);
        await expect(flaky.put({ _id: 'a', status: 'x' })).rejects.toThrow();
        await connection.db!.collection('flaky').dropIndex('status_1');
        await flaky.put({ _id: 'a', status: 'x' });
        await expect(flaky.get('a')).resolves.toEqual({ _id: 'a', status: 'x' });
        expect(await indexKeys(url, dbName, 'flaky')).toEqual(expect.arrayContaining([{ status: 1 }]));
      } finally {
        await connection.close();
      }
    });

    it('gives documents stored before a search was declared their trigrams, so the search finds them', async () => {
      type Named = { _id: string; tenant: string; name: string; as2Id: string };
      const before = store.collection<Named>('searched_later');
      await before.putMany([
        { _id: 'a', tenant: 't', name: 'Acme Trading', as2Id: 'ACME' },
        { _id: 'b', tenant: 't', name: 'Globex', as2Id: 'GLX' },
      ]);
      const searched = store.collection<Named>('searched_later', [], { fields: ['name', 'as2Id'], scope: ['tenant'] });
      const page = await searched.find({ filter: { tenant: 't', name: { $regex: 'acme TR', $options: 'i' } } });
      expect(page).toEqual({ items: [{ _id: 'a', tenant: 't', name: 'Acme Trading', as2Id: 'ACME' }], total: 1 });
      const connection = await createConnection(url, { dbName }).asPromise();
      try {
        const raw = await connection.db!.collection('searched_later').findOne({ _id: 'b' as never });
        expect(raw?.['__searchTrigrams']).toEqual(expect.arrayContaining(['glo', 'obe', 'bex', 'glx']));
      } finally {
        await connection.close();
      }
      expect(await indexKeys(url, dbName, 'searched_later')).toContainEqual({ tenant: 1, __searchTrigrams: 1 });
    });

    it('refuses the reserved checkpoints collection name', () => {
      expect(() => store.collection('checkpoints')).toThrow(/reserved/);
      expect(() => store.collection('parked_events')).toThrow(/reserved/);
    });
  });

  it('keeps serving after a restart against its existing database (indexes already there)', async () => {
    const dbName = testDatabaseName();
    const indexes = [['status'], ['account', 'tenant'], ['name', '_id']] as const;
    try {
      for (const round of [1, 2, 3]) {
        const store = await MongoReadModelStore.connect(url, { dbName });
        try {
          const partners = store.collection<{ _id: string; status: string; account: string; tenant: string; name: string }>('partners', indexes);
          await partners.put({ _id: `p${round}`, status: 'active', account: 'a', tenant: 't', name: `n${round}` });
          expect((await partners.find({ filter: { account: 'a', tenant: 't' } })).total).toBe(round);
        } finally {
          await store.close();
        }
      }
      expect(await indexKeys(url, dbName, 'partners')).toHaveLength(4);
    } finally {
      await dropDatabase(url, dbName);
    }
  });

  it('after a restart against its existing database, reads the indexes a collection has and creates none of them again', async () => {
    const dbName = testDatabaseName();
    const indexes = [['status'], ['account', 'tenant']] as const;
    const createIndex = jest.spyOn(mongo.Collection.prototype, 'createIndex');
    try {
      const first = await MongoReadModelStore.connect(url, { dbName });
      try {
        await first.collection<{ _id: string; status: string }>('restarted', indexes).put({ _id: 'a', status: 'x' });
      } finally {
        await first.close();
      }
      expect(createIndex.mock.calls.map(([key]) => key)).toEqual([{ status: 1 }, { account: 1, tenant: 1 }]);
      createIndex.mockClear();
      const restarted = await MongoReadModelStore.connect(url, { dbName });
      try {
        // One more index declared since: only that one is created.
        const collection = restarted.collection<{ _id: string; status: string }>('restarted', [...indexes, ['status', '_id']]);
        await expect(collection.get('a')).resolves.toEqual({ _id: 'a', status: 'x' });
      } finally {
        await restarted.close();
      }
      expect(createIndex.mock.calls.map(([key]) => key)).toEqual([{ status: 1, _id: 1 }]);
    } finally {
      createIndex.mockRestore();
      await dropDatabase(url, dbName);
    }
  });

  it('fails to connect when no server answers, giving up on server selection after the time it was given', async () => {
    const connections = jest.spyOn(mongoose, 'createConnection');
    try {
      await expect(MongoReadModelStore.connect('mongodb://127.0.0.1:9/', { serverSelectionTimeoutMS: 500 })).rejects.toThrow(expect.objectContaining({ name: 'MongooseServerSelectionError' }));
      // The driver waits this long for a server (its default is 30 s).
      const asked = connections.mock.calls as unknown as [string, mongoose.ConnectOptions][];
      expect(asked.map(([, options]) => options.serverSelectionTimeoutMS)).toEqual([500]);
    } finally {
      connections.mockRestore();
    }
  });
});
