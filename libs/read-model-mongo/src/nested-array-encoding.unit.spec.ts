import { decodeNestedArrays, encodeNestedArrays, NESTED_ARRAY_KEY } from './nested-array-encoding';

describe('nested array encoding', () => {
  const doc = {
    _id: 'a',
    matrix: [
      [1, 2],
      [3, [4, 5]],
    ],
    flat: [1, { inner: [[6]] }],
    nested: { plain: [7], value: null, text: 'x' },
  };

  it('wraps only arrays that sit directly inside arrays', () => {
    expect(encodeNestedArrays(doc)).toEqual({
      _id: 'a',
      matrix: [{ [NESTED_ARRAY_KEY]: [1, 2] }, { [NESTED_ARRAY_KEY]: [3, { [NESTED_ARRAY_KEY]: [4, 5] }] }],
      flat: [1, { inner: [{ [NESTED_ARRAY_KEY]: [6] }] }],
      nested: { plain: [7], value: null, text: 'x' },
    });
  });

  it('round-trips and leaves the input unchanged', () => {
    const before = JSON.stringify(doc);
    expect(decodeNestedArrays(encodeNestedArrays(doc))).toEqual(doc);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('leaves documents without nested arrays as they are', () => {
    const plain = { _id: 'b', tags: ['x'], address: { city: 'Paris' }, n: 1, ok: true };
    expect(encodeNestedArrays(plain)).toEqual(plain);
    expect(decodeNestedArrays(plain)).toEqual(plain);
  });
});
