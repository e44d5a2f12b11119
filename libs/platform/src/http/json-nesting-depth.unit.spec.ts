import { exceedsJsonDepth, exceedsValueDepth, MAX_JSON_DEPTH, MAX_JSON_VALUES, valueShapeFault } from './json-nesting-depth';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('exceedsJsonDepth', () => {
  it('allows 32 levels and refuses 33', () => {
    expect(MAX_JSON_DEPTH).toBe(32);
    expect(exceedsJsonDepth(nested(32))).toBe(false);
    expect(exceedsJsonDepth(nested(33))).toBe(true);
    expect(exceedsJsonDepth(`{"a":${nested(31)}}`)).toBe(false);
    expect(exceedsJsonDepth(`{"a":${nested(32)}}`)).toBe(true);
  });

  it('counts depth, not the number of brackets', () => {
    expect(exceedsJsonDepth(`[${'[],'.repeat(10_000)}[]]`)).toBe(false);
    expect(exceedsJsonDepth('{"a":{"b":1},"c":{"d":[1,2,{"e":null}]}}', 4)).toBe(false);
    expect(exceedsJsonDepth('{"a":{"b":1},"c":{"d":[1,2,{"e":null}]}}', 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(exceedsJsonDepth(JSON.stringify({ a: '['.repeat(1000), b: '{"\\"'.repeat(500), c: '\\' }))).toBe(false);
    expect(exceedsJsonDepth(`["\\\\", ${nested(32)}]`)).toBe(true);
  });

  it('scans a megabyte of brackets without recursion, stopping early', () => {
    expect(exceedsJsonDepth('['.repeat(1024 * 1024))).toBe(true);
  });

  it('answers as a char-by-char scan does, on any text (strings skipped by indexOf)', () => {
    // The scan this one replaced: every char visited, a backslash in a string skips the next one.
    const charByChar = (text: string, max: number): boolean => {
      let depth = 0;
      let inString = false;
      for (let i = 0; i < text.length; i += 1) {
        const c = text[i];
        if (inString) {
          if (c === '\\') i += 1;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') {
          depth += 1;
          if (depth > max) return true;
        } else if (c === '}' || c === ']') depth -= 1;
      }
      return false;
    };
    // A seeded generator over the characters that matter, so every run checks the same 20,000 texts.
    let seed = 13;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ['"', '\\', '[', ']', '{', '}', 'a', ',', ':'];
    const differing: string[] = [];
    for (let n = 0; n < 20_000; n += 1) {
      const text = Array.from({ length: 1 + Math.floor(next() * 40) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const max = Math.floor(next() * 4);
      if (exceedsJsonDepth(text, max) !== charByChar(text, max)) differing.push(`${max} ${text}`);
    }
    expect(differing).toEqual([]);
  });
});

describe('exceedsValueDepth', () => {
  it('allows 32 levels and refuses 33, counting the root as level 1 as the text scan does', () => {
    expect(exceedsValueDepth(JSON.parse(nested(32)))).toBe(false);
    expect(exceedsValueDepth(JSON.parse(nested(33)))).toBe(true);
    expect(exceedsValueDepth(JSON.parse(`{"a":${nested(31)}}`))).toBe(false);
    expect(exceedsValueDepth(JSON.parse(`{"__proto__":${nested(32)}}`))).toBe(true);
    expect(exceedsValueDepth('text')).toBe(false);
    expect(exceedsValueDepth(null)).toBe(false);
  });

  it('walks a million levels without recursion', () => {
    const deep = JSON.parse(nested(1_000_000));
    expect(exceedsValueDepth(deep)).toBe(true);
    expect(exceedsValueDepth(deep, 1_000_000)).toBe(false);
  });

  it('answers as the text scan does on the text of any parsed value', () => {
    let seed = 29;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const value = (depth: number): unknown => {
      const kind = Math.floor(next() * 5);
      if (depth > 6 || kind === 0) return next() < 0.5 ? 'a[{"' : 1;
      if (kind === 1) return null;
      const children = Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      return kind === 2 ? children : Object.fromEntries(children.map((child, i) => [`k${i}`, child]));
    };
    const differing: string[] = [];
    for (let n = 0; n < 5_000; n += 1) {
      const text = JSON.stringify(value(0));
      const max = Math.floor(next() * 6);
      if (exceedsValueDepth(JSON.parse(text), max) !== exceedsJsonDepth(text, max)) differing.push(`${max} ${text}`);
    }
    expect(differing).toEqual([]);
  });
});

describe('valueShapeFault', () => {
  it('counts every value, object property and list item at any depth, and stops at the first past the limit', () => {
    expect(valueShapeFault({ events: Array.from({ length: 1000 }, () => ({ a: 1, b: 'x', c: null, d: true, e: 1, f: 2, g: 3, h: 4 })) })).toBeNull();
    expect(valueShapeFault({ x: Array.from({ length: MAX_JSON_VALUES - 2 }, () => 0) })).toBeNull();
    expect(valueShapeFault({ x: Array.from({ length: MAX_JSON_VALUES - 1 }, () => 0) })).toBe('too-many-values');
    expect(valueShapeFault(JSON.parse(`{"x":[${Array.from({ length: 20_000 }, () => '[[]]').join(',')}]}`))).toBe('too-many-values');
    expect(valueShapeFault(Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, i])))).toBe('too-many-values');
    expect(valueShapeFault(JSON.parse(nested(33)))).toBe('too-deep');
    expect(valueShapeFault('text')).toBeNull();
  });
});
