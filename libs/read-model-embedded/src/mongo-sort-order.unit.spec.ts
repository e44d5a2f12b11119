import { compareCodePoints, compareMongoValues, sortDocuments, valueAtPath, withIdTieBreaker } from './mongo-sort-order';

describe('compareCodePoints', () => {
  it('orders astral characters after the end of the basic plane, unlike UTF-16 order', () => {
    expect(compareCodePoints('😀', '\uffff')).toBeGreaterThan(0);
    expect('😀' < '\uffff').toBe(true);
    expect(compareCodePoints('\ue000', '😀')).toBeLessThan(0);
  });

  it('orders a prefix first and equal strings as equal', () => {
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
    expect(compareCodePoints('abc', 'abc')).toBe(0);
    expect(compareCodePoints('B', 'a')).toBeLessThan(0);
  });
});

describe('compareMongoValues', () => {
  it('orders types as MongoDB does: null < numbers < strings < objects < arrays < booleans', () => {
    const values = [true, [1], { a: 1 }, 'a', 3, null];
    expect([...values].sort(compareMongoValues)).toEqual([null, 3, 'a', { a: 1 }, [1], true]);
  });

  it('treats a missing value as null', () => {
    expect(compareMongoValues(undefined, null)).toBe(0);
  });

  it('compares objects field by field, then by size', () => {
    expect(compareMongoValues({ a: 1, b: 2 }, { a: 1, b: 3 })).toBeLessThan(0);
    expect(compareMongoValues({ a: 1 }, { a: 1, b: 0 })).toBeLessThan(0);
    expect(compareMongoValues({ a: 5 }, { b: 1 })).toBeLessThan(0);
  });
});

describe('valueAtPath', () => {
  it('reads nested objects and collects values through arrays', () => {
    const doc = { address: { city: 'Paris' }, contacts: [{ email: 'b@x' }, { email: 'a@x' }, {}] };
    expect(valueAtPath(doc, ['address', 'city'])).toBe('Paris');
    expect(valueAtPath(doc, ['contacts', 'email'])).toEqual(['b@x', 'a@x']);
    expect(valueAtPath(doc, ['address', 'zip'])).toBeUndefined();
    expect(valueAtPath(doc, ['address', 'city', 'deeper'])).toBeUndefined();
  });
});

describe('sortDocuments', () => {
  const read = (doc: { _id: string; tags?: number[] }) => doc;

  it('sorts an array field by its smallest element ascending and its largest descending', () => {
    const docs = [
      { _id: 'a', tags: [5, 1] },
      { _id: 'b', tags: [3] },
      { _id: 'c', tags: [4, 9] },
    ];
    expect(sortDocuments(docs, read, { tags: 1 }).map((d) => d._id)).toEqual(['a', 'b', 'c']);
    expect(sortDocuments(docs, read, { tags: -1 }).map((d) => d._id)).toEqual(['c', 'a', 'b']);
  });
});

describe('sortDocuments keeping the first few', () => {
  it('gives the same first items as a full sort, ties kept in input order', () => {
    let state = 7;
    const next = () => (state = (state * 48_271) % 2_147_483_647);
    const docs = Array.from({ length: 500 }, (_, i) => ({ _id: `d${String(i).padStart(3, '0')}`, n: next() % 20, s: next() % 2 ? 'x' : null }));
    const sort = { n: -1, s: 1, _id: 1 } as const;
    const full = sortDocuments(docs, (d) => d, sort);
    for (const keep of [0, 1, 7, 30, 62, 63, 499, 500, 800]) {
      expect(sortDocuments(docs, (d) => d, sort, keep)).toEqual(full.slice(0, keep));
    }
  });
});

describe('withIdTieBreaker', () => {
  it('appends _id ascending unless the sort already has it', () => {
    expect(withIdTieBreaker(undefined)).toEqual({ _id: 1 });
    expect(Object.entries(withIdTieBreaker({ name: -1 }))).toEqual([
      ['name', -1],
      ['_id', 1],
    ]);
    expect(withIdTieBreaker({ _id: -1, name: 1 })).toEqual({ _id: -1, name: 1 });
  });
});
