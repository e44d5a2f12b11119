/**
 * FerretDB 1.x rejects an array directly inside an array ("nested arrays are not supported"), so the store
 * wraps each such inner array in an object with this single key and unwraps it on read. It does so on
 * MongoDB too, so data and query behaviour are the same on both (queries cannot reach into those arrays).
 */
export const NESTED_ARRAY_KEY = '__nestedArray';

function encodeValue(value: unknown, insideArray: boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => encodeValue(item, true));
    return insideArray ? { [NESTED_ARRAY_KEY]: items } : items;
  }
  if (value !== null && typeof value === 'object') {
    const encoded: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) encoded[key] = encodeValue(field, false);
    return encoded;
  }
  return value;
}

function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const wrapped = (value as Record<string, unknown>)[NESTED_ARRAY_KEY];
    if (keys.length === 1 && Array.isArray(wrapped)) return wrapped.map(decodeValue);
    const decoded: Record<string, unknown> = {};
    for (const key of keys) decoded[key] = decodeValue((value as Record<string, unknown>)[key]);
    return decoded;
  }
  return value;
}

/** Returns the document with every array inside an array wrapped; the input is not changed. */
export function encodeNestedArrays<T>(doc: T): T {
  return encodeValue(doc, false) as T;
}

/** Undoes `encodeNestedArrays`. */
export function decodeNestedArrays<T>(doc: T): T {
  return decodeValue(doc) as T;
}
