import { OldestKeys } from './oldest-keys';

describe('OldestKeys', () => {
  it('hands out the keys in insertion order as they are deleted, a key set again counting as newest, through a clear', () => {
    const map = new Map<string, number>([['a', 1], ['b', 2], ['c', 3]]);
    const oldest = new OldestKeys(map);
    const trim = () => {
      const key = oldest.next();
      if (key !== undefined) map.delete(key);
      return key;
    };
    expect(trim()).toBe('a');
    map.delete('b');
    map.set('b', 4);
    map.set('d', 5);
    expect([trim(), trim(), trim()]).toEqual(['c', 'b', 'd']);
    expect(trim()).toBeUndefined();
    map.set('e', 6);
    expect(trim()).toBe('e');
    map.set('f', 7);
    map.set('g', 8);
    map.clear();
    map.set('h', 9);
    expect(trim()).toBe('h');
  });

  it('keeps answering the first key of a map trimmed a million times at its start', () => {
    const map = new Map<number, number>();
    for (let i = 0; i < 1_000; i++) map.set(i, i);
    const oldest = new OldestKeys(map);
    let wrong = 0;
    for (let i = 1_000; i < 1_001_000; i++) {
      const key = oldest.next() as number;
      if (key !== i - 1_000) wrong += 1;
      map.delete(key);
      map.set(i, i);
    }
    expect(wrong).toBe(0);
    expect(map.size).toBe(1_000);
  });
});
