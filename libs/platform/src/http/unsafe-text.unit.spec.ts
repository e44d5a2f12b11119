import { firstUnsafeTextField, hasUnsafeCharacters } from './unsafe-text';

describe('unsafe text', () => {
  it.each(['a\u0000b', '\ud800', 'x\ud800y', '\udc00', 'x\udfff', '\ude00\ud83d'])('finds NUL or an unpaired surrogate in %j', (text) =>
    expect(hasUnsafeCharacters(text)).toBe(true),
  );
  it.each(['', 'plain', 'Müller', '\ud83d\ude00', 'tab\tand\r\nline'])('finds none in %j', (text) => expect(hasUnsafeCharacters(text)).toBe(false));

  it('names the first unsafe field with a dotted path, through objects and arrays', () => {
    expect(firstUnsafeTextField({ name: 'ok', mdn: { url: 'ok', note: 'x\u0000' } })).toBe('mdn.note');
    expect(firstUnsafeTextField({ items: [{ name: 'ok' }, { name: '\ud800' }] })).toBe('items.1.name');
    expect(firstUnsafeTextField({ a: 'x\u0000', b: 'y\u0000' })).toBe('a');
    expect(firstUnsafeTextField(['ok', '\udc00'])).toBe('1');
    expect(firstUnsafeTextField('\u0000')).toBe('');
  });

  it('checks keys too, naming them without the bad characters', () => {
    expect(firstUnsafeTextField({ mdn: { 'u\u0000rl': 'ok' } })).toBe('mdn.u\uFFFDrl');
  });

  it('finds nothing in a clean body, and walks 100,000 levels without recursion', () => {
    expect(firstUnsafeTextField({ name: 'Acme', n: 1, b: true, z: null, list: [1, 'two', { three: 3 }] })).toBeNull();
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(firstUnsafeTextField(deep)).toBe(`${'0.'.repeat(99_999)}0`);
  });
});
