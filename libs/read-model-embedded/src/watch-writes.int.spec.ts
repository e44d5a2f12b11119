import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedReadModelStore } from './embedded-read-model-store';

interface Doc {
  readonly _id: string;
  readonly tenant: string;
}

describe('EmbeddedReadModelStore.watchWrites (answers kept until a document they read changes)', () => {
  let dir: string;
  let store: EmbeddedReadModelStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-watch-'));
    store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells each write of the watched collection as it is made (id and document, null when deleted, no id when many), and nothing else', async () => {
    const heard: [string | null, unknown][] = [];
    store.watchWrites('watched', (id, doc) => {
      // synchronous: the write is already visible to a read made from the listener
      heard.push([id, doc]);
    });
    const watched = store.collection<Doc>('watched', [['tenant']]);
    const other = store.collection<Doc>('other');
    await watched.put({ _id: 'a', tenant: 't1' });
    await watched.putMany([{ _id: 'b', tenant: 't1' }, { _id: 'c', tenant: 't2' }]);
    expect(await watched.insert({ _id: 'd', tenant: 't2' })).toBe(true);
    expect(await watched.insert({ _id: 'd', tenant: 't3' })).toBe(false);
    await watched.delete('d');
    await other.put({ _id: 'x', tenant: 't1' });
    await watched.get('a');
    await watched.find({ filter: { tenant: 't1' } });
    expect(await watched.deleteMany({ tenant: 'nobody' })).toBe(0);
    expect(await watched.deleteMany({ tenant: 't2' })).toBe(1);
    await watched.clear();
    expect(heard).toEqual([
      ['a', { _id: 'a', tenant: 't1' }],
      ['b', { _id: 'b', tenant: 't1' }],
      ['c', { _id: 'c', tenant: 't2' }],
      ['d', { _id: 'd', tenant: 't2' }],
      ['d', null],
      [null, null],
      [null, null],
    ]);
  });

  it('a listener sees the write it hears: a read from it answers the new document', async () => {
    const watched = store.collection<Doc>('watched');
    const seen: (Doc | null)[] = [];
    store.watchWrites('watched', (id) => {
      if (id !== null) void watched.get(id).then((doc) => seen.push(doc));
    });
    await watched.put({ _id: 'a', tenant: 't1' });
    await watched.put({ _id: 'a', tenant: 't2' });
    await new Promise((resolve) => setImmediate(resolve));
    // each read ran when its write was told, before the next write
    expect(seen.map((doc) => doc?.tenant)).toEqual(['t1', 't2']);
  });

  it('during a bulk load tells no write one by one, and once, when it ends, that any document of a collection it wrote may have changed', async () => {
    const heard: [string, string | null, unknown][] = [];
    for (const name of ['watched', 'untouched']) store.watchWrites(name, (id, doc) => heard.push([name, id, doc]));
    const watched = store.collection<Doc>('watched', [['tenant']]);
    await watched.put({ _id: 'a', tenant: 't1' });
    heard.length = 0;

    await store.bulkLoad(async () => {
      await watched.clear();
      await watched.put({ _id: 'b', tenant: 't1' });
      await watched.putMany([{ _id: 'c', tenant: 't2' }, { _id: 'd', tenant: 't2' }]);
      await watched.delete('c');
      expect(heard).toEqual([]);
    });

    expect(heard).toEqual([['watched', null, null]]);
    // after the load, each write is told again as it is made
    await watched.put({ _id: 'e', tenant: 't3' });
    expect(heard.at(-1)).toEqual(['watched', 'e', { _id: 'e', tenant: 't3' }]);
  });
});
