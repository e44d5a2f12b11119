import { StreamHeads } from './stream-heads';

describe('StreamHeads', () => {
  it('knows the latest head set for a stream, and forgets one on demand', () => {
    const heads = new StreamHeads(10);
    heads.set('s', 3);
    heads.set('s', 5);
    expect(heads.endsBefore('s', 6)).toBe(true);
    expect(heads.endsBefore('s', 5)).toBe(false);
    heads.forget('s');
    expect(heads.endsBefore('s', 6)).toBe(false);
  });

  it('keeps at most its capacity, the streams set longest ago dropped first, a stream set again kept as recent', () => {
    const heads = new StreamHeads(4);
    heads.set('a', 1);
    heads.set('b', 1);
    heads.set('c', 1);
    heads.set('a', 2);
    heads.set('d', 1);
    // a and c, set after b, stay known with d; b, set longest ago, left
    expect(['a', 'b', 'c', 'd'].filter((stream) => heads.endsBefore(stream, 3))).toEqual(['a', 'c', 'd']);
    for (let i = 0; i < 1_000; i++) {
      heads.set(`x${i}`, i);
      expect(heads.size).toBeLessThanOrEqual(4);
    }
    expect(heads.endsBefore('x999', 1_000)).toBe(true);
    expect(heads.endsBefore('a', 3)).toBe(false);
  });

  it('a stream set again after its older head was kept answers by its latest head', () => {
    const heads = new StreamHeads(4);
    heads.set('s', 1);
    heads.set('t', 1);
    heads.set('s', 7);
    expect(heads.endsBefore('s', 2)).toBe(false);
    expect(heads.endsBefore('s', 8)).toBe(true);
  });
});
