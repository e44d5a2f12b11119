import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-nesting-depth';

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
});
