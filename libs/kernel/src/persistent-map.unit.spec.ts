import { PersistentMap } from './persistent-map';

/** A small deterministic generator, so a failure repeats. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('PersistentMap', () => {
  it('leaves every earlier version unchanged by set and delete', () => {
    const v0 = PersistentMap.empty<string, number>();
    const v1 = v0.set('a', 1);
    const v2 = v1.set('b', 2);
    const v3 = v2.delete('a');
    const v4 = v3.set('b', 3);

    expect([...v0.entries()]).toEqual([]);
    expect([...v1.entries()]).toEqual([['a', 1]]);
    expect(new Map(v2)).toEqual(new Map([['a', 1], ['b', 2]]));
    expect([...v3.entries()]).toEqual([['b', 2]]);
    expect([...v4.entries()]).toEqual([['b', 3]]);
    expect([v0.size, v1.size, v2.size, v3.size, v4.size]).toEqual([0, 1, 2, 1, 1]);
    expect(v3.has('a')).toBe(false);
    expect(v2.get('a')).toBe(1);
  });

  it('returns the same version when deleting a missing key', () => {
    const v1 = PersistentMap.empty<string, number>().set('a', 1);
    expect(v1.delete('zz')).toBe(v1);
  });

  it('branches: two versions derived from one old version both stay right', () => {
    const base = PersistentMap.of([['a', 1]]);
    const left = base.set('b', 2).set('c', 3);
    const right = base.delete('a').set('d', 4);

    expect(Object.fromEntries(left)).toEqual({ a: 1, b: 2, c: 3 });
    expect(Object.fromEntries(right)).toEqual({ d: 4 });
    expect(Object.fromEntries(base)).toEqual({ a: 1 });
    expect(left.get('c')).toBe(3);
  });

  it('agrees with a copied Map for random updates applied to random earlier versions', () => {
    const next = random(42);
    const versions: PersistentMap<number, number>[] = [PersistentMap.empty()];
    const expected: Map<number, number>[] = [new Map()];
    for (let step = 0; step < 2_000; step++) {
      // Mostly the latest version (a fold), sometimes an old one (a branch).
      const from = next() < 0.8 ? versions.length - 1 : Math.floor(next() * versions.length);
      const key = Math.floor(next() * 50);
      const copy = new Map(expected[from]);
      if (next() < 0.3) {
        copy.delete(key);
        versions.push((versions[from] as PersistentMap<number, number>).delete(key));
      } else {
        copy.set(key, step);
        versions.push((versions[from] as PersistentMap<number, number>).set(key, step));
      }
      expected.push(copy);
    }
    for (let i = 0; i < versions.length; i += 7) {
      const sorted = (m: Iterable<[number, number]>) => [...m].sort(([a], [b]) => a - b);
      expect(sorted(versions[i] as PersistentMap<number, number>)).toEqual(sorted(expected[i] as Map<number, number>));
    }
  });

  it('iterates a copy, so reading another version mid-iteration does not disturb it', () => {
    const v1 = PersistentMap.of([['a', 1], ['b', 2]]);
    const v2 = v1.delete('a').delete('b');
    const seen: string[] = [];
    for (const key of v1.keys()) {
      seen.push(key);
      expect(v2.size).toBe(0);
    }
    expect(seen.sort()).toEqual(['a', 'b']);
  });
});
