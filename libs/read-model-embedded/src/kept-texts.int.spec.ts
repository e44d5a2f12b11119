import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { KeptTexts } from '@as2-partners/kernel';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedReadModelStore } from './embedded-read-model-store';

describe('EmbeddedReadModelStore.keptTexts (answers kept as text on disk, stale by tag or key)', () => {
  let dir: string;
  let file: string;
  let store: EmbeddedReadModelStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-kept-'));
    file = join(dir, 'read-models.sqlite');
    store = await EmbeddedReadModelStore.open(file);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a text with its tags until one of its tags is touched; other texts stay', () => {
    const texts = store.keptTexts('details');
    const stamp = texts.stamp();
    texts.put('a', '{"a":1}', ['p:a', 'as2:A'], stamp);
    texts.put('b', '{"b":1}', ['p:b', 'as2:B'], stamp);
    expect(texts.get('a')).toEqual({ text: '{"a":1}', tags: ['p:a', 'as2:A'] });
    texts.touch('as2:A');
    expect(texts.get('a')).toBeUndefined();
    expect(texts.get('b')?.text).toBe('{"b":1}');
    // put again after the touch: fresh
    texts.put('a', '{"a":2}', ['p:a', 'as2:A'], texts.stamp());
    expect(texts.get('a')?.text).toBe('{"a":2}');
  });

  it('one touch makes every text of a tag stale, however many (a master inherited by many tenants)', () => {
    const texts = store.keptTexts('details');
    const stamp = texts.stamp();
    texts.batch(() => {
      for (let t = 0; t < 1000; t += 1) texts.put(`t${t}|master`, `{"t":${t}}`, ['p:master'], stamp);
    });
    texts.put('t0|own', '{}', ['p:own'], stamp);
    expect(texts.get('t999|master')?.text).toBe('{"t":999}');
    texts.touch('p:master');
    expect(Array.from({ length: 1000 }, (_, t) => texts.get(`t${t}|master`)).filter(Boolean)).toEqual([]);
    expect(texts.get('t0|own')).toBeDefined();
  });

  it('a text built from reads made before a touch or a drop is refused (the join raced a write)', () => {
    const texts = store.keptTexts('details');
    const before = texts.stamp();
    texts.touch('p:a');
    texts.put('a', 'old', ['p:a'], before);
    expect(texts.get('a')).toBeUndefined();
    const beforeDrop = texts.stamp();
    texts.drop('b');
    texts.put('b', 'old', ['p:b'], beforeDrop);
    expect(texts.get('b')).toBeUndefined();
    texts.put('b', 'new', ['p:b'], texts.stamp());
    expect(texts.get('b')?.text).toBe('new');
  });

  it('drop removes one text; touch(null) every text; both leave later puts fresh', () => {
    const texts = store.keptTexts('details');
    texts.put('a', 'A', [], texts.stamp());
    texts.put('b', 'B', [], texts.stamp());
    texts.drop('a');
    expect(texts.get('a')).toBeUndefined();
    expect(texts.get('b')?.text).toBe('B');
    texts.touch(null);
    expect(texts.get('b')).toBeUndefined();
    texts.put('b', 'B2', ['x'], texts.stamp());
    expect(texts.get('b')?.text).toBe('B2');
  });

  it('a dropped text stays stale once its row is deleted (a thousand drops waiting are deleted at once); a put after the drop survives the deletion', async () => {
    const texts = store.keptTexts('details');
    texts.put('a', 'A', [], texts.stamp());
    texts.put('b', 'B', [], texts.stamp());
    for (let i = 0; i < 1500; i += 1) texts.drop(`other${i}`);
    texts.drop('a');
    texts.drop('b');
    expect(texts.get('a')).toBeUndefined();
    texts.put('b', 'B2', [], texts.stamp());
    await new Promise((resolve) => setImmediate(resolve));
    expect(texts.get('a')).toBeUndefined();
    expect(texts.get('b')?.text).toBe('B2');
  });

  it("deletes a dropped text's row a moment after the drop, not in its turn; a put meanwhile keeps the row it wrote", async () => {
    const texts = store.keptTexts('details');
    texts.put('a', 'A', [], texts.stamp());
    texts.put('b', 'B', [], texts.stamp());
    texts.put('c', 'C', [], texts.stamp());
    const rows = new Database(`${file}-kept-texts`, { readonly: true });
    try {
      const keys = () => rows.prepare<[], string>('SELECT key FROM kept_details ORDER BY key').pluck().all();
      expect(keys()).toEqual(['a', 'b', 'c']);
      texts.drop('a');
      texts.drop('b');
      await new Promise((resolve) => setImmediate(resolve));
      // stale at once, but the rows wait for a later deletion that most drops never need (the text is built again)
      expect(texts.get('a')).toBeUndefined();
      expect(keys()).toEqual(['a', 'b', 'c']);
      texts.put('b', 'B2', [], texts.stamp());
      const deadline = Date.now() + 10_000;
      while (keys().includes('a') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(keys()).toEqual(['b', 'c']);
      expect(texts.get('b')?.text).toBe('B2');
    } finally {
      rows.close();
    }
  });

  it('a dropped text whose deletion still waits is deleted once its drop is about to be forgotten (ten thousand later drops), never served', () => {
    const texts = store.keptTexts('details');
    texts.put('a', 'A', [], texts.stamp());
    texts.drop('a');
    // later drops each put again at once, so the deletions waiting never reach their batch size
    for (let i = 0; i < 10_001; i += 1) {
      texts.drop(`k${i}`);
      texts.put(`k${i}`, 'K', [], texts.stamp());
    }
    expect(texts.get('a')).toBeUndefined();
    expect(texts.get('k10000')?.text).toBe('K');
  });

  describe('a texts file that refuses a write (disk full): a cache, so the caller goes on without it', () => {
    const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

    it('a put or a batch refused keeps nothing, makes every earlier text stale and throws nothing; later puts keep again', () => {
      const texts = store.keptTexts('details');
      texts.put('a', 'A', ['p:a'], texts.stamp());
      const db = (texts as unknown as { db: Database.Database }).db;
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      const big = 'x'.repeat(200_000);
      expect(() => texts.put('big', big, [], texts.stamp())).not.toThrow();
      expect(() => texts.batch(() => texts.put('big2', big, [], texts.stamp()))).not.toThrow();
      expect([texts.get('big'), texts.get('big2'), texts.get('a')]).toEqual([undefined, undefined, undefined]);
      db.pragma('max_page_count = 1073741823');
      texts.put('c', 'C', [], texts.stamp());
      expect(texts.get('c')?.text).toBe('C');
    });

    it("a dropped texts' deletion refused (run from a timer) ends nothing and serves none of them", async () => {
      const texts = store.keptTexts('details');
      texts.put('a', 'A', [], texts.stamp());
      texts.put('b', 'B', [], texts.stamp());
      (texts as unknown as { dropStatement: { run: () => never } }).dropStatement = {
        run: () => {
          throw full();
        },
      };
      texts.drop('a');
      const deadline = Date.now() + 10_000;
      while ((texts as unknown as { deleteScheduled: boolean }).deleteScheduled && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect((texts as unknown as { deleteScheduled: boolean }).deleteScheduled).toBe(false);
      // the row of 'a' is still there: its drop forgotten or not, it is not served, nor is any text kept before
      for (let i = 0; i < 10_001; i += 1) texts.drop(`k${i}`);
      expect([texts.get('a'), texts.get('b')]).toEqual([undefined, undefined]);
    });

    it('a fault that is not SQLite refusing is thrown on', () => {
      const texts = store.keptTexts('details');
      expect(() => texts.batch(() => {
        throw new TypeError('a bug in the work');
      })).toThrow(TypeError);
    });
  });

  it('more than three tags is refused', () => {
    const texts = store.keptTexts('details');
    expect(() => texts.put('a', 'A', ['1', '2', '3', '4'], texts.stamp())).toThrow(RangeError);
  });

  it('freshAmong says which keys hold a fresh text without reading them', () => {
    const texts = store.keptTexts('details');
    texts.put('a', 'A', ['p:a'], texts.stamp());
    texts.put('b', 'B', ['p:b'], texts.stamp());
    texts.put('c', 'C', ['p:c'], texts.stamp());
    texts.touch('p:b');
    texts.drop('c');
    expect(texts.freshAmong(['a', 'b', 'c', 'none'])).toEqual([true, false, false, false]);
  });

  it('freshAmong answers a page of keys (one statement) as it answers each key alone, in the order asked', () => {
    const texts = store.keptTexts('details');
    for (let i = 0; i < 300; i++) texts.put(`k${i}`, `T${i}`, [`p:${i}`, `t:${i % 3}`], texts.stamp());
    texts.touch('p:7');
    texts.touch('t:2');
    texts.drop('k11');
    const page = ['k0', 'missing', 'k7', 'k11', 'k2', 'k5', 'k0', 'k299', "k'x", 'k3', 'k150', 'k151', 'k152'];
    const alone = page.map((key) => texts.freshAmong([key])[0]);
    expect(texts.freshAmong(page)).toEqual(alone);
    expect(alone).toEqual([true, false, false, false, false, false, true, false, false, true, true, true, false]);
    // A sorted page (one range of the index), one with gaps wider than the range's bound (by its keys), each as alone.
    const sorted = [...new Set(page)].sort();
    expect(texts.freshAmong(sorted)).toEqual(sorted.map((key) => texts.freshAmong([key])[0]));
    texts.touch('p:105');
    texts.drop('k112');
    const dense = [...Array.from({ length: 20 }, (_, i) => `k${100 + i}`), 'k1000', 'k9'].sort();
    const denseAlone = dense.map((key) => texts.freshAmong([key])[0]);
    expect(texts.freshAmong(dense)).toEqual(denseAlone);
    expect(denseAlone.filter(Boolean).length).toBe(12);
    const sparse = Array.from({ length: 10 }, (_, i) => `k${i * 29}`).sort();
    expect(texts.freshAmong(sparse)).toEqual(sparse.map((key) => texts.freshAmong([key])[0]));
    expect(texts.freshAmong(sparse).filter(Boolean).length).toBeGreaterThan(5);
  });
});

describe('kept texts across a restart (carried over only when they agree with the documents)', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-kept-restart-'));
    file = join(dir, 'read-models.sqlite');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const reopened = async (check: (texts: KeptTexts, store: EmbeddedReadModelStore) => void | Promise<void>, version = 'v1'): Promise<void> => {
    const store = await EmbeddedReadModelStore.open(file);
    try {
      await check(store.keptTexts('details', version), store);
    } finally {
      await store.close();
    }
  };

  it('a clean stop carries the fresh texts over; the stale ones (touched, dropped) are gone; later touches still stale them', async () => {
    await reopened((texts) => {
      expect(texts.carried).toBe(false);
      texts.put('a', 'A', ['p:a', 't:1'], texts.stamp());
      texts.put('b', 'B', ['p:b', 't:1'], texts.stamp());
      texts.put('c', 'C', ['p:c', 't:2'], texts.stamp());
      texts.put('d', 'D', ['p:d', 't:2'], texts.stamp());
      texts.touch('p:a');
      texts.drop('c');
    });
    expect(existsSync(`${file}-kept-texts`)).toBe(true);
    await reopened((texts) => {
      expect(texts.carried).toBe(true);
      expect(texts.get('a')).toBeUndefined();
      expect(texts.get('b')).toEqual({ text: 'B', tags: ['p:b', 't:1'] });
      expect(texts.get('c')).toBeUndefined();
      expect(texts.freshAmong(['a', 'b', 'c', 'd'])).toEqual([false, true, false, true]);
      // stamps go on from the last run's: a touch now stales a carried text, a put older than it is refused
      const before = texts.stamp();
      texts.touch('t:2');
      expect(texts.get('d')).toBeUndefined();
      texts.put('d', 'D-old', ['p:d', 't:2'], before);
      expect(texts.get('d')).toBeUndefined();
      texts.drop('b');
    });
    await reopened((texts) => {
      expect(texts.carried).toBe(false);
      expect(texts.freshAmong(['a', 'b', 'c', 'd'])).toEqual([false, false, false, false]);
    });
  });

  it('touch(null) before the stop (a write that may change any text) carries nothing over', async () => {
    await reopened((texts) => {
      texts.put('a', 'A', ['p:a'], texts.stamp());
      texts.touch(null);
    });
    await reopened((texts) => {
      expect(texts.carried).toBe(false);
      expect(texts.get('a')).toBeUndefined();
    });
  });

  it('touch(null) and puts after it: a clean stop keeps the later texts alone; with none after it, it keeps none', async () => {
    const rows = (): number => {
      const db = new Database(`${file}-kept-texts`, { readonly: true });
      try {
        return db.prepare('SELECT count(*) FROM kept_details').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    await reopened((texts) => {
      for (let i = 0; i < 20; i++) texts.put(`old${i}`, `Old ${i}`, [`p:${i}`], texts.stamp());
      texts.touch(null);
      texts.put('new', 'New', ['p:new'], texts.stamp());
    });
    expect(rows()).toBe(1);
    await reopened((texts) => {
      expect(texts.carried).toBe(true);
      expect(texts.get('new')).toEqual({ text: 'New', tags: ['p:new'] });
      expect(texts.freshAmong(['old0', 'old19'])).toEqual([false, false]);
      texts.touch(null);
    });
    expect(rows()).toBe(0);
    await reopened((texts) => expect(texts.get('new')).toBeUndefined());
  });

  it('a run that stopped without closing (a crash, a kill) leaves texts that the next run empties', async () => {
    await reopened((texts) => {
      texts.batch(() => {
        for (let i = 0; i < 2000; i += 1) texts.put(`k${i}`, 'x'.repeat(1000), ['p:k'], texts.stamp());
      });
      texts.put('a', 'A', ['p:a'], texts.stamp());
    });
    expect(statSync(`${file}-kept-texts`).size).toBeGreaterThan(2_000_000);
    // the crashed run: it writes a document and a text, and is never closed
    const crashed = await EmbeddedReadModelStore.open(file);
    const crashedTexts = crashed.keptTexts('details', 'v1');
    expect(crashedTexts.get('a')?.text).toBe('A');
    await crashed.collection<{ _id: string; n: number }>('docs').put({ _id: 'x', n: 1 });
    crashedTexts.put('b', 'B', ['p:b'], crashedTexts.stamp());
    // its turn commits, then it dies
    await new Promise((resolve) => setImmediate(resolve));
    const next = await EmbeddedReadModelStore.open(file);
    try {
      const texts = next.keptTexts('details', 'v1');
      expect(texts.carried).toBe(false);
      expect(texts.get('a')).toBeUndefined();
      expect(texts.get('b')).toBeUndefined();
      // a new file, not the old one with its table dropped (that reads every page of it)
      expect(statSync(`${file}-kept-texts`).size).toBeLessThan(200_000);
    } finally {
      await next.close();
    }
  });

  it('a run that opened the store but kept no such texts (it may have written what they were built from) empties them', async () => {
    await reopened((texts) => texts.put('a', 'A', ['p:a'], texts.stamp()));
    const other = await EmbeddedReadModelStore.open(file);
    await other.collection<{ _id: string; n: number }>('docs').put({ _id: 'x', n: 1 });
    other.keptTexts('other-texts', 'v1').put('z', 'Z', [], 0);
    await other.close();
    await reopened((texts) => {
      expect(texts.carried).toBe(false);
      expect(texts.get('a')).toBeUndefined();
    });
  });

  it('texts kept under another version (other code built them) are not carried over', async () => {
    await reopened((texts) => texts.put('a', 'A', ['p:a'], texts.stamp()), 'v1');
    await reopened((texts) => {
      expect(texts.carried).toBe(false);
      expect(texts.get('a')).toBeUndefined();
      texts.put('a', 'A2', ['p:a'], texts.stamp());
    }, 'v2');
    await reopened((texts) => expect(texts.get('a')?.text).toBe('A2'), 'v2');
  });

  it('an unreadable texts file is replaced by an empty one', async () => {
    await reopened((texts) => texts.put('a', 'A', ['p:a'], texts.stamp()));
    writeFileSync(`${file}-kept-texts`, 'not a database, '.repeat(512));
    await reopened((texts) => {
      expect(texts.carried).toBe(false);
      expect(texts.get('a')).toBeUndefined();
    });
  });
});

describe('find without a total (the walk over every document in id order the warmer makes)', () => {
  it('pages in id order after a given id and answers the items counted, not a count of every match', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-model-walk-'));
    const store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    try {
      const docs = store.collection<{ _id: string; n: number }>('walked');
      await docs.putMany(Array.from({ length: 10 }, (_, n) => ({ _id: `d${n}`, n })));
      const walked: string[] = [];
      let from = '';
      for (;;) {
        const page = await docs.find({ filter: { _id: { $gt: from } }, sort: { _id: 1 }, limit: 4, withoutTotal: true });
        expect(page.total).toBe(page.items.length);
        walked.push(...page.items.map((doc) => doc._id));
        if (page.items.length < 4) break;
        from = page.items[3]!._id;
      }
      expect(walked).toEqual(Array.from({ length: 10 }, (_, n) => `d${n}`));
      expect((await docs.find({ filter: { _id: { $gt: '' } }, sort: { _id: 1 }, limit: 4 })).total).toBe(10);
      // the ids alone, from the index: the same walk
      expect(await docs.ids?.('d3', 4)).toEqual(['d4', 'd5', 'd6', 'd7']);
      expect(await docs.ids?.('d9', 4)).toEqual([]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
