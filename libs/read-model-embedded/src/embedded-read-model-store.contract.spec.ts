import { parkedEventStoreContract, readModelStoreContract } from '@as2-partners/kernel-testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedReadModelStore } from './embedded-read-model-store';

interface Partner {
  readonly _id: string;
  readonly name: string;
  readonly tags: string[];
}

readModelStoreContract('embedded (SQLite + mingo)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'read-model-contract-'));
  const store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
  return {
    store,
    checkpoints: store.checkpointStore(),
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('EmbeddedReadModelStore file', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-restart-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps documents and checkpoints across a restart', async () => {
    const file = join(dir, 'nested', 'read-models.sqlite');
    const first = await EmbeddedReadModelStore.open(file);
    const partners = first.collection<Partner>('partners');
    await partners.putMany([
      { _id: 'a', name: 'Acme', tags: ['edi'] },
      { _id: 'b', name: 'Globex', tags: [] },
      { _id: 'c', name: 'Gone', tags: [] },
    ]);
    await partners.put({ _id: 'b', name: 'Globex 2', tags: ['x'] });
    await partners.delete('c');
    await first.collection<Partner>('other').put({ _id: 'a', name: 'Other', tags: [] });
    await first.checkpointStore().save('partners-projection', 12);
    await first.close();

    const second = await EmbeddedReadModelStore.open(file);
    try {
      const reopened = second.collection<Partner>('partners');
      expect((await reopened.find({ filter: {}, sort: { _id: 1 } })).items).toEqual([
        { _id: 'a', name: 'Acme', tags: ['edi'] },
        { _id: 'b', name: 'Globex 2', tags: ['x'] },
      ]);
      expect(await reopened.count({ name: { $regex: 'globex', $options: 'i' } })).toBe(1);
      expect(await second.collection<Partner>('other').get('a')).toEqual({ _id: 'a', name: 'Other', tags: [] });
      expect(await second.checkpointStore().load('partners-projection')).toBe(12);
    } finally {
      await second.close();
    }
  });

  it('a cleared collection stays empty after a restart', async () => {
    const file = join(dir, 'read-models.sqlite');
    const first = await EmbeddedReadModelStore.open(file);
    await first.collection<Partner>('partners').put({ _id: 'a', name: 'Acme', tags: [] });
    await first.collection<Partner>('partners').clear();
    await first.close();
    const second = await EmbeddedReadModelStore.open(file);
    try {
      expect(await second.collection<Partner>('partners').count({})).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('a failed write changes neither the file nor memory', async () => {
    const store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    try {
      const partners = store.collection<Partner>('partners');
      await partners.put({ _id: 'a', name: 'Acme', tags: [] });
      await expect(partners.putMany([{ _id: 'b', name: 'ok', tags: [] }, { _id: '', name: 'bad', tags: [] }])).rejects.toThrow(/string _id/);
      expect(await partners.count({})).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('ping answers while open and fails once closed', async () => {
    const store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });
});

parkedEventStoreContract('embedded (SQLite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parked-events-contract-'));
  const store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
  return {
    parked: store.parkedEventStore(),
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
