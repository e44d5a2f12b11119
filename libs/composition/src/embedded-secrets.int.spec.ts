import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretDocument } from '@as2-partners/kernel';
import { loadPlatformConfig } from '@as2-partners/platform';
import { EMBEDDED_SECRETS_FILE, openInfrastructure } from './open-infrastructure';

interface Blob extends SecretDocument {
  readonly sealed: string;
}

const blob = (id: string, sealed: string, tenant: string | null = 't1'): Blob => ({ _id: id, account: 'acc', tenant, sealed });

describe('key material in embedded mode (secrets.sqlite, not the read-model file)', () => {
  let dataDir: string;
  const open = () => openInfrastructure(loadPlatformConfig({ DATA_DIR: dataDir }), 'spec');
  const readModelFile = () => join(dataDir, 'read-models.sqlite');
  /** The read-model file, opened as the composition opens it (the library is loaded lazily). */
  const readModelStore = async () => (await import('@as2-partners/read-model-embedded')).EmbeddedReadModelStore.open(readModelFile());
  /** What an earlier version left: the collection in the read-model file. */
  const inReadModels = async (collection: string, docs: readonly Blob[]) => {
    const store = await readModelStore();
    try {
      for (const doc of docs) await store.collection<Blob>(collection, [['account', 'tenant']]).put(doc);
      await store.committed();
    } finally {
      await store.close();
    }
  };
  const leftInReadModels = async (collection: string) => {
    const store = await readModelStore();
    try {
      return (await store.collection<Blob>(collection, [['account', 'tenant']]).find({ filter: {} })).items;
    } finally {
      await store.close();
    }
  };
  const removeReadModelFile = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${readModelFile()}${suffix}`, { force: true });
  };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'as2-secrets-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps them in their own file: deleting the read-model file (the README repair) or setting it aside loses none', async () => {
    const first = await open();
    await first.secrets.collection<Blob>('keys').put(blob('k1', 'sealed-1'));
    await first.secrets.collection<Blob>('keys').put(blob('k2', 'sealed-2', null));
    await first.close();
    expect(existsSync(join(dataDir, EMBEDDED_SECRETS_FILE))).toBe(true);
    removeReadModelFile();

    const second = await open();
    expect(await second.secrets.collection<Blob>('keys').get('k1')).toEqual(blob('k1', 'sealed-1'));
    await second.close();
    // Marked corrupt: the next start sets the read-model file aside.
    writeFileSync(`${readModelFile()}.corrupt`, 'spec\n');

    const third = await open();
    try {
      const keys = third.secrets.collection<Blob>('keys');
      expect(await keys.find({ account: 'acc' })).toEqual([blob('k1', 'sealed-1'), blob('k2', 'sealed-2', null)]);
      expect(await keys.find({ account: 'acc', tenant: null })).toEqual([blob('k2', 'sealed-2', null)]);
      expect(await keys.deleteMany({ account: 'acc', tenant: 't1' })).toBe(1);
      expect(await keys.get('k1')).toBeNull();
    } finally {
      await third.close();
    }
  });

  it('destroys a deleted blob on disk at once: neither secrets.sqlite nor its WAL still holds its bytes while the service runs', async () => {
    const infra = await open();
    const onDisk = (value: string) =>
      ['', '-wal'].some((suffix) => {
        const file = join(dataDir, `${EMBEDDED_SECRETS_FILE}${suffix}`);
        return existsSync(file) && readFileSync(file).includes(value);
      });
    try {
      const keys = infra.secrets.collection<Blob>('keys');
      const deleted = `sealed-${randomBytes(24).toString('hex')}`;
      const shredded = `sealed-${randomBytes(24).toString('hex')}`;
      await keys.put(blob('k1', deleted));
      await keys.put(blob('k2', shredded, 't2'));
      expect(onDisk(deleted) && onDisk(shredded)).toBe(true);
      await keys.delete('k1');
      expect(await keys.deleteMany({ account: 'acc', tenant: 't2' })).toBe(1);
      expect(onDisk(deleted)).toBe(false);
      expect(onDisk(shredded)).toBe(false);
    } finally {
      await infra.close();
    }
  });

  it('moves what an earlier version kept in the read-model file, once: what is here already wins, and the move leaves none behind to bring back', async () => {
    const first = await open();
    await first.secrets.collection<Blob>('keys').put(blob('k2', 'newer'));
    await first.close();
    await inReadModels('keys', [blob('k1', 'sealed-1'), blob('k2', 'older')]);
    await inReadModels('data_keys', [blob('d1', 'data-key-1')]);

    const second = await open();
    try {
      const keys = second.secrets.collection<Blob>('keys');
      expect(await keys.get('k1')).toEqual(blob('k1', 'sealed-1'));
      expect(await keys.get('k2')).toEqual(blob('k2', 'newer'));
      expect(await second.secrets.collection<Blob>('data_keys').get('d1')).toEqual(blob('d1', 'data-key-1'));
      // Destroyed after the move: no copy in the read-model file brings it back at the next start.
      await keys.delete('k1');
    } finally {
      await second.close();
    }
    expect(await leftInReadModels('keys')).toEqual([]);
    expect(await leftInReadModels('data_keys')).toEqual([]);

    const third = await open();
    try {
      expect(await third.secrets.collection<Blob>('keys').get('k1')).toBeNull();
      expect(await third.secrets.collection<Blob>('keys').get('k2')).toEqual(blob('k2', 'newer'));
    } finally {
      await third.close();
    }
    removeReadModelFile();
    const fourth = await open();
    try {
      expect(await fourth.secrets.collection<Blob>('data_keys').get('d1')).toEqual(blob('d1', 'data-key-1'));
    } finally {
      await fourth.close();
    }
  });
});
