import { foundWithoutIndex, nearMissKey } from './near-miss';

/** The definition the scan answers for ASCII ids: the id is its own near-miss key, or that key upper-cased. */
const byKey = (as2Id: string) => nearMissKey(as2Id) === as2Id || nearMissKey(as2Id).toUpperCase() === as2Id;

describe('foundWithoutIndex', () => {
  it.each([
    ['ACME', true],
    ['acme', true],
    ['x-1.b', true],
    ['X-1.b', false],
    ['HUB-0000001', true],
    ['1234', true],
    ['', true],
    ['Acme', false],
    [' ACME', false],
    ['ACME ', false],
    ['"acme"', false],
    ["'ACME'", false],
    ['\tACME', false],
    ['ACME\u00a0', false],
    ['\u0001ACME', true],
    ['ÄCME', true],
    ['äcme', true],
    ['Äcme', false],
    ['straße', true],
    ['STRASSE', true],
    ['ß', true],
    ['İ', false],
    ['ǅ', false],
    ['\u3000ACME', false],
  ])('%j: %s, as its near-miss key says', (as2Id, found) => {
    expect(foundWithoutIndex(as2Id)).toBe(found);
    expect(byKey(as2Id)).toBe(found);
  });

  it('answers as the near-miss key does for every id of two characters from a set of ASCII and non-ASCII ones', () => {
    const chars = ['a', 'Z', '-', '0', ' ', '\t', '"', "'", '\u0001', '\u007f', 'ä', 'Ä', 'ß', '\u00a0', '\ufeff', 'İ', 'ı', '😀'];
    for (const a of chars) for (const b of chars) for (const c of ['', 'x', 'X']) expect([a + c + b, foundWithoutIndex(a + c + b)]).toEqual([a + c + b, byKey(a + c + b)]);
  });
});
