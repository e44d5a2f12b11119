import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

  it('a dropped text stays stale after its row is deleted at the end of the turn; a put in the same turn survives the deletion', async () => {
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

  it('more than three tags is refused', () => {
    const texts = store.keptTexts('details');
    expect(() => texts.put('a', 'A', ['1', '2', '3', '4'], texts.stamp())).toThrow(RangeError);
  });

  it('lives in a scratch file beside the store, emptied when the next store opens it and removed on close', async () => {
    store.keptTexts('details').put('a', 'A', [], 0);
    expect(existsSync(`${file}-kept-texts`)).toBe(true);
    const next = await EmbeddedReadModelStore.open(file);
    try {
      expect(next.keptTexts('details').get('a')).toBeUndefined();
    } finally {
      await next.close();
    }
    expect(existsSync(`${file}-kept-texts`)).toBe(false);
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
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
