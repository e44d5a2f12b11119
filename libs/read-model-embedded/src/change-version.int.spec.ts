import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedReadModelStore } from './embedded-read-model-store';

interface Doc {
  readonly _id: string;
  readonly tenant: string;
}

describe('EmbeddedReadModelStore.changeVersion (answers kept until a collection they read changes)', () => {
  let dir: string;
  let store: EmbeddedReadModelStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-version-'));
    store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('changes with every kind of write to a watched collection, and only to a watched one; reads change nothing', async () => {
    const watched = store.collection<Doc>('watched', [['tenant']]);
    const other = store.collection<Doc>('other');
    const version = () => store.changeVersion(['watched', 'never-opened']);
    const seen = new Set<number>([version()]);
    const changes = async (write: () => Promise<unknown>): Promise<boolean> => {
      const before = version();
      await write();
      const after = version();
      seen.add(after);
      return after !== before;
    };
    expect(await changes(() => watched.put({ _id: 'a', tenant: 't1' }))).toBe(true);
    expect(await changes(() => watched.putMany([{ _id: 'b', tenant: 't1' }, { _id: 'c', tenant: 't2' }]))).toBe(true);
    expect(await changes(() => watched.insert({ _id: 'd', tenant: 't2' }))).toBe(true);
    expect(await changes(() => watched.delete('d'))).toBe(true);
    expect(await changes(() => watched.deleteMany({ tenant: 't2' }))).toBe(true);
    expect(await changes(() => watched.clear())).toBe(true);
    expect(await changes(() => other.put({ _id: 'x', tenant: 't1' }))).toBe(false);
    expect(await changes(() => watched.get('a'))).toBe(false);
    expect(await changes(() => watched.find({ filter: { tenant: 't1' } }))).toBe(false);
    // never back to an earlier value: a kept answer is never mistaken for current
    expect(seen.size).toBe(7);
  });

  it('a collection opened after a version was taken changes it with its first write', async () => {
    const before = store.changeVersion(['late']);
    await store.collection<Doc>('late').put({ _id: 'a', tenant: 't1' });
    expect(store.changeVersion(['late'])).not.toBe(before);
  });
});
