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

  it("weighs a fold by its decider's measure (else 1) and keeps the weight of all but the heaviest within maxWeight, least recently used out first", () => {
    const cache = new FoldedStateCache(100, 6);
    cache.set('d1', fold(directory, entries(4)));
    cache.set('d2', fold(directory, entries(4)));
    cache.set('p', fold(plain, 'x'));
    expect(cache.totalWeight).toBe(9);
    cache.get('d1', directory);
    cache.set('d3', fold(directory, entries(3)));
    // 4 + 4 + 1 + 3 = 12, 8 without the heaviest (d1) > 6: d2 (least recently used) leaves; 4 is within.
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

  it('keeps the heaviest fold whatever it weighs, the others within maxWeight (a hub directory is not evicted by the next fold)', () => {
    const cache = new FoldedStateCache(100, 10);
    cache.set('small', fold(directory, entries(2)));
    cache.set('huge', fold(directory, entries(50)));
    expect(cache.get('small', directory)?.state).toHaveLength(2);
    // a create's cycle: the directory read and folded again, its partner's stream and others after it
    for (let i = 0; i < 30; i += 1) {
      expect(cache.get('huge', directory)?.revision).toBe(i);
      cache.set('huge', fold(directory, entries(50 + i + 1), i + 1));
      cache.set(`partner-${i}`, fold(plain, i));
    }
    expect(cache.get('huge', directory)?.revision).toBe(30);
    // the rest stays within maxWeight, least recently used out first
    expect(cache.totalWeight - 80).toBeLessThanOrEqual(10);
    expect(cache.get('small', directory)).toBeUndefined();
    expect(cache.get('partner-29', plain)?.state).toBe(29);
    expect(cache.get('partner-19', plain)).toBeUndefined();
  });

  it('keeps one heaviest fold only: a heavier one takes its place, and the one before leaves as any other', () => {
    const cache = new FoldedStateCache(100, 10);
    cache.set('hub-a', fold(directory, entries(50)));
    cache.set('hub-b', fold(directory, entries(60)));
    expect(cache.get('hub-a', directory)).toBeUndefined();
    expect(cache.get('hub-b', directory)?.state).toHaveLength(60);
    expect(cache.totalWeight).toBe(60);
    // the same within the stream bound: the heaviest is passed over, the next least recently used leaves
    const few = new FoldedStateCache(2, 10);
    few.set('hub', fold(directory, entries(50)));
    few.set('p1', fold(plain, 1));
    few.set('p2', fold(plain, 2));
    expect(few.folds().map(([stream]) => stream)).toEqual(['hub', 'p2']);
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
