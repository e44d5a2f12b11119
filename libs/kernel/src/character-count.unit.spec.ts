import { characterCount } from './character-count';

describe('characterCount', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['Müller', 6],
    ['😀', 1],
    ['a😀b😀', 4],
    ['😀'.repeat(255), 255],
    // a lone surrogate (refused elsewhere as INVALID_CHARACTERS) counts as one
    ['\ud83d', 1],
    ['x\ude00', 2],
  ])('%j holds %i characters', (text, count) => expect(characterCount(text)).toBe(count));
});
