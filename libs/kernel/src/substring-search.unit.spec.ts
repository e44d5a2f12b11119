import { escapeRegex } from './read-model-store.port';
import { conjunctsOf, isTrigramSearchable, literalOfPattern, substringSearchOf, trigramsOf } from './substring-search';

describe('substring search in a filter', () => {
  it('reads back the literal text escapeRegex made, and nothing that means a pattern', () => {
    for (const text of ['acme', 'a.b(c)*', 'x\\y', '[x]|{y}', '^$+?', 'Zürich – 東京']) expect(literalOfPattern(escapeRegex(text))).toBe(text);
    expect(literalOfPattern('a.b')).toBeNull();
    expect(literalOfPattern('^acme')).toBeNull();
    expect(literalOfPattern('acme\\')).toBeNull();
    expect(literalOfPattern('\\d')).toBeNull();
  });

  it('finds a search on one field or an $or over fields with the same text', () => {
    const pattern = { $regex: escapeRegex('ac.me'), $options: 'i' };
    expect(substringSearchOf({ name: pattern })).toEqual({ text: 'ac.me', fields: ['name'] });
    expect(substringSearchOf({ $or: [{ name: pattern }, { as2Id: pattern }] })).toEqual({ text: 'ac.me', fields: ['name', 'as2Id'] });
  });

  it('refuses case-sensitive, pattern, mixed-text and mixed-condition clauses', () => {
    const pattern = { $regex: 'acme', $options: 'i' };
    expect(substringSearchOf({ name: { $regex: 'acme' } })).toBeNull();
    expect(substringSearchOf({ name: { $regex: 'a.*', $options: 'i' } })).toBeNull();
    expect(substringSearchOf({ $or: [{ name: pattern }, { as2Id: { $regex: 'other', $options: 'i' } }] })).toBeNull();
    expect(substringSearchOf({ $or: [{ name: pattern }, { status: 'active' }] })).toBeNull();
    expect(substringSearchOf({ name: { ...pattern, $ne: 'x' } })).toBeNull();
    expect(substringSearchOf({ $or: [] })).toBeNull();
  });

  it('flattens nested $and into clauses', () => {
    expect(conjunctsOf({ a: 1, $and: [{ b: 2 }, { $and: [{ c: 3, d: 4 }] }] })).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }, { d: 4 }]);
  });

  it('uses the trigram index for printable ASCII texts of three characters or more', () => {
    expect(isTrigramSearchable('acm')).toBe(true);
    expect(isTrigramSearchable('ac')).toBe(false);
    expect(isTrigramSearchable('zür')).toBe(false);
  });

  it('gives each text the lower-cased trigrams a case-insensitive match needs, folding KELVIN SIGN and LONG S', () => {
    expect(trigramsOf(['AcMe'])).toEqual(['acm', 'cme']);
    expect(trigramsOf(['ab', 'abcab'])).toEqual(['abc', 'bca', 'cab']);
    expect(trigramsOf(['\u212Aey', 'Cla\u017Fs'])).toEqual(['key', 'cla', 'las', 'ass']);
    expect(trigramsOf(['a😀bc'])).toEqual(['a😀b', '😀bc']);
  });
});
