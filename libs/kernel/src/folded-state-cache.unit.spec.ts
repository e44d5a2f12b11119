import { FoldedStateCache, type FoldedState } from './folded-state-cache';

/** A decider whose folds weigh their entries (as a directory's snapshot codec says), and one without a measure. */
const directory = { snapshot: { weigh: (state: unknown) => (state as readonly string[]).length } };
const plain = {};
const fold = (decider: object, state: unknown, revision = 0): FoldedState => ({ decider, state, revision });
const entries = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);

describe('FoldedStateCache', () => {
  it('answers a fold only to the decider that folded it, and the latest set of a stream', () => {
    const cache = new FoldedStateCache();
    cache.set('s', fold(plain, 'a', 0));
    cache.set('s', fold(plain, 'b', 1));
    expect(cache.get('s', plain)).toMatchObject({ state: 'b', revision: 1 });
    expect(cache.get('s', directory)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('keeps at most maxStreams folds, the least recently used leaving first', () => {
    const cache = new FoldedStateCache(2);
    cache.set('a', fold(plain, 1));
    cache.set('b', fold(plain, 2));
    cache.get('a', plain);
    cache.set('c', fold(plain, 3));
    expect(cache.get('b', plain)).toBeUndefined();
    expect(cache.get('a', plain)?.state).toBe(1);
    expect(cache.get('c', plain)?.state).toBe(3);
  });

  it("weighs a fold by its decider's measure (else 1) and keeps their weight within maxWeight, least recently used out first", () => {
    const cache = new FoldedStateCache(100, 10);
    cache.set('d1', fold(directory, entries(4)));
    cache.set('d2', fold(directory, entries(4)));
    cache.set('p', fold(plain, 'x'));
    expect(cache.totalWeight).toBe(9);
    cache.get('d1', directory);
    cache.set('d3', fold(directory, entries(3)));
    // 4 + 4 + 1 + 3 = 12 > 10: d2 (least recently used) leaves; 8 is within.
    expect(cache.get('d2', directory)).toBeUndefined();
    expect(cache.totalWeight).toBe(8);
    expect([cache.get('d1', directory), cache.get('p', plain), cache.get('d3', directory)].every(Boolean)).toBe(true);
  });

  it('a stream set again counts its new weight only; an empty fold weighs 1', () => {
    const cache = new FoldedStateCache(100, 10);
    cache.set('d', fold(directory, entries(6)));
    cache.set('d', fold(directory, entries(7), 1));
    expect(cache.totalWeight).toBe(7);
    cache.set('e', fold(directory, []));
    expect(cache.totalWeight).toBe(8);
  });

  it('keeps the fold just set even when it alone weighs more than maxWeight (everything else leaves)', () => {
    const cache = new FoldedStateCache(100, 10);
    cache.set('small', fold(directory, entries(2)));
    cache.set('huge', fold(directory, entries(50)));
    expect(cache.get('small', directory)).toBeUndefined();
    expect(cache.get('huge', directory)?.revision).toBe(0);
    expect(cache.size).toBe(1);
    cache.set('next', fold(plain, 1));
    expect(cache.get('huge', directory)).toBeUndefined();
    expect(cache.totalWeight).toBe(1);
  });

  it('lists its folds least recently used first, a read moving a stream to the end, through many evictions', () => {
    const cache = new FoldedStateCache(3);
    for (let i = 0; i < 1_000; i++) {
      cache.set(`s${i}`, fold(plain, i));
      cache.get('s0', plain);
    }
    // s0 read after every set stays; the others leave oldest first
    expect(cache.folds().map(([stream]) => stream)).toEqual(['s998', 's999', 's0']);
    cache.get('s998', plain);
    expect(cache.folds().map(([stream]) => stream)).toEqual(['s999', 's0', 's998']);
    expect(cache.size).toBe(3);
  });
});
