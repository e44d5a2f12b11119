import type { FindQuery, ReadModelCollection, ReadModelDocument } from '@as2-partners/kernel';
import { PresenceIndex } from './presence-index';

type Doc = ReadModelDocument & { partnerId: string };

/** A collection whose reads take their snapshot when called (as the embedded store's do) and that reports each write. */
function setup(maxDocuments?: number) {
  const docs = new Map<string, Doc>();
  let reads = 0;
  let duringRead: (() => void) | null = null;
  let failNextRead = false;
  const collection = {
    count: (filter: object) => {
      expect(filter).toEqual({});
      const total = docs.size;
      return Promise.resolve().then(() => total);
    },
    find: (query: FindQuery) => {
      expect(query.filter).toEqual({});
      reads += 1;
      if (failNextRead) {
        failNextRead = false;
        return Promise.reject(new Error('disk I/O error'));
      }
      const items = [...docs.values()];
      const work = duringRead;
      duringRead = null;
      return Promise.resolve().then(() => {
        work?.();
        return { items, total: items.length };
      });
    },
  } as unknown as ReadModelCollection<ReadModelDocument>;
  const index = new PresenceIndex(collection, (_id, doc) => (doc as Doc).partnerId, maxDocuments);
  const put = (id: string, partnerId: string) => {
    const doc = { _id: id, partnerId };
    docs.set(id, doc);
    index.write(id, doc);
  };
  const remove = (id: string) => {
    docs.delete(id);
    index.write(id, null);
  };
  const clear = () => {
    docs.clear();
    index.write(null, null);
  };
  const mayHave = async (key: string) => {
    await index.ready();
    return !index.knownAbsent(key);
  };
  return { index: { mayHave }, put, remove, clear, reads: () => reads, duringRead: (work: () => void) => (duringRead = work), failNextRead: () => (failNextRead = true) };
}

describe('PresenceIndex', () => {
  it('fills from the collection on first use and answers from memory after', async () => {
    const { index, put, reads } = setup();
    put('c1', 'prt_a');
    put('c2', 'prt_a');
    expect(await index.mayHave('prt_a')).toBe(true);
    expect(await index.mayHave('prt_b')).toBe(false);
    expect(reads()).toBe(1);
    put('c3', 'prt_b');
    expect(await index.mayHave('prt_b')).toBe(true);
    expect(reads()).toBe(1);
  });

  it('forgets a key with its last document, and follows a document that moves to another key', async () => {
    const { index, put, remove } = setup();
    put('c1', 'prt_a');
    put('c2', 'prt_a');
    await index.mayHave('prt_a');
    remove('c1');
    expect(await index.mayHave('prt_a')).toBe(true);
    remove('c2');
    expect(await index.mayHave('prt_a')).toBe(false);
    put('c3', 'prt_a');
    put('c3', 'prt_b');
    expect(await index.mayHave('prt_a')).toBe(false);
    expect(await index.mayHave('prt_b')).toBe(true);
    // a rewrite under the same key counts once
    put('c3', 'prt_b');
    remove('c3');
    expect(await index.mayHave('prt_b')).toBe(false);
    remove('c_unknown');
    expect(await index.mayHave('prt_b')).toBe(false);
  });

  it('empties on a write of unknown reach (a clear, a rebuild) and refills from the collection as it is then', async () => {
    const { index, put, clear, reads } = setup();
    put('c1', 'prt_a');
    expect(await index.mayHave('prt_a')).toBe(true);
    clear();
    put('c2', 'prt_b');
    expect(await index.mayHave('prt_a')).toBe(false);
    expect(await index.mayHave('prt_b')).toBe(true);
    expect(reads()).toBe(2);
  });

  it('keeps the writes made while it reads the collection (after its snapshot)', async () => {
    const { index, put, remove, duringRead } = setup();
    put('c1', 'prt_a');
    put('c2', 'prt_b');
    duringRead(() => {
      remove('c1');
      put('c3', 'prt_c');
      put('c2', 'prt_b');
    });
    expect(await index.mayHave('prt_a')).toBe(false);
    expect(await index.mayHave('prt_b')).toBe(true);
    expect(await index.mayHave('prt_c')).toBe(true);
  });

  it('reads again when the collection is cleared while it reads', async () => {
    const { index, put, clear, duringRead, reads } = setup();
    put('c1', 'prt_a');
    duringRead(() => {
      clear();
      put('c2', 'prt_b');
    });
    expect(await index.mayHave('prt_a')).toBe(false);
    expect(await index.mayHave('prt_b')).toBe(true);
    expect(reads()).toBe(2);
  });

  it('reads once for callers that ask together', async () => {
    const { index, put, reads } = setup();
    put('c1', 'prt_a');
    expect(await Promise.all([index.mayHave('prt_a'), index.mayHave('prt_b')])).toEqual([true, false]);
    expect(reads()).toBe(1);
  });

  it('answers "may have" for every key of a collection larger than it keeps, until a clear shrinks it', async () => {
    const { index, put, clear, reads } = setup(2);
    put('c1', 'prt_a');
    put('c2', 'prt_a');
    put('c3', 'prt_b');
    expect(await index.mayHave('prt_z')).toBe(true);
    expect(reads()).toBe(0);
    expect(await index.mayHave('prt_y')).toBe(true);
    clear();
    put('c4', 'prt_b');
    expect(await index.mayHave('prt_z')).toBe(false);
    expect(await index.mayHave('prt_b')).toBe(true);
  });

  it('a failed read rejects the callers and the next use reads again (writes meanwhile are not lost)', async () => {
    const { index, put, reads, failNextRead } = setup();
    put('c1', 'prt_a');
    failNextRead();
    await expect(index.mayHave('prt_a')).rejects.toThrow('disk I/O error');
    put('c2', 'prt_b');
    expect(await index.mayHave('prt_a')).toBe(true);
    expect(await index.mayHave('prt_b')).toBe(true);
    expect(await index.mayHave('prt_c')).toBe(false);
    expect(reads()).toBe(2);
  });
});
