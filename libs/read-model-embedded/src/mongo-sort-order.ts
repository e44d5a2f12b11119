import type { SortSpec } from '@as2-partners/kernel';

/**
 * MongoDB's sort order for JSON values, so the embedded store pages exactly like MongoDB:
 * null/missing < numbers < strings (by code point, no collation) < objects < arrays < booleans.
 * Mongo sorts an array field by its smallest element ascending and its largest descending.
 */

const EMPTY_ARRAY_RANK = 0;
const NULL_RANK = 1;
const NUMBER_RANK = 2;
const STRING_RANK = 3;
const OBJECT_RANK = 4;
const ARRAY_RANK = 5;
const BOOLEAN_RANK = 8;

function rankOf(value: unknown): number {
  if (value === null || value === undefined) return NULL_RANK;
  switch (typeof value) {
    case 'number':
      return NUMBER_RANK;
    case 'string':
      return STRING_RANK;
    case 'boolean':
      return BOOLEAN_RANK;
    default:
      if (Array.isArray(value)) return value.length === 0 ? EMPTY_ARRAY_RANK : ARRAY_RANK;
      return OBJECT_RANK;
  }
}

/** Maps a UTF-16 code unit so that surrogates (astral code points) order after U+E000–U+FFFF. */
function codePointRankOfUnit(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Compares strings by Unicode code point, as MongoDB's binary UTF-8 comparison does. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRankOfUnit(x) - codePointRankOfUnit(y);
  }
  return a.length - b.length;
}

/** Compares two values in MongoDB's BSON order (the JSON subset read models hold). */
export function compareMongoValues(a: unknown, b: unknown): number {
  const rankA = rankOf(a);
  const rankB = rankOf(b);
  if (rankA !== rankB) return rankA - rankB;
  switch (rankA) {
    case NUMBER_RANK:
      return (a as number) - (b as number);
    case STRING_RANK:
      return compareCodePoints(a as string, b as string);
    case BOOLEAN_RANK:
      return Number(a) - Number(b);
    case OBJECT_RANK:
      return compareObjects(a as Record<string, unknown>, b as Record<string, unknown>);
    case ARRAY_RANK:
      return compareArrays(a as unknown[], b as unknown[]);
    default:
      return 0;
  }
}

function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  const length = Math.min(keysA.length, keysB.length);
  for (let i = 0; i < length; i += 1) {
    const byValueType = rankOf(a[keysA[i]]) - rankOf(b[keysB[i]]);
    if (byValueType !== 0) return byValueType;
    const byName = compareCodePoints(keysA[i], keysB[i]);
    if (byName !== 0) return byName;
    const byValue = compareMongoValues(a[keysA[i]], b[keysB[i]]);
    if (byValue !== 0) return byValue;
  }
  return keysA.length - keysB.length;
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const byElement = compareMongoValues(a[i], b[i]);
    if (byElement !== 0) return byElement;
  }
  return a.length - b.length;
}

/** Reads a dotted path; through an array it collects every element's value, as MongoDB does. */
export function valueAtPath(doc: unknown, path: readonly string[], from = 0): unknown {
  let current = doc;
  for (let i = from; i < path.length; i += 1) {
    if (Array.isArray(current)) {
      const values = current.map((element) => valueAtPath(element, path, i)).filter((value) => value !== undefined);
      return values.flat();
    }
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[path[i]];
  }
  return current;
}

/** The value an array-valued sort key sorts by: its smallest element ascending, its largest descending. */
function sortKeyOf(value: unknown, direction: 1 | -1): unknown {
  if (!Array.isArray(value) || value.length === 0) return value;
  let chosen = value[0];
  for (let i = 1; i < value.length; i += 1) {
    if (compareMongoValues(value[i], chosen) * direction < 0) chosen = value[i];
  }
  return chosen;
}

/** Adds `_id` as the last key when the sort lacks it, so ties have one order (MongoDB store does the same). */
export function withIdTieBreaker(sort: SortSpec | undefined): SortSpec {
  if (!sort || Object.keys(sort).length === 0) return { _id: 1 };
  return '_id' in sort ? sort : { ...sort, _id: 1 };
}

/**
 * Sorts documents by a Mongo sort spec, computing each document's keys once. With `keep`, returns only
 * the first `keep` in order (a page needs skip + limit of them), which avoids sorting every match.
 */
export function sortDocuments<T>(docs: readonly T[], read: (item: T) => unknown, sort: SortSpec, keep = docs.length): T[] {
  const fields = Object.entries(sort).map(([field, direction]) => ({ path: field.split('.'), direction }));
  const compare = (x: Decorated<T>, y: Decorated<T>): number => {
    for (let i = 0; i < fields.length; i += 1) {
      const order = compareMongoValues(x.keys[i], y.keys[i]);
      if (order !== 0) return order * fields[i].direction;
    }
    return 0;
  };
  const decorate = (item: T): Decorated<T> => {
    const doc = read(item);
    return { item, keys: fields.map(({ path, direction }) => sortKeyOf(valueAtPath(doc, path), direction)) };
  };
  if (keep <= 0) return [];
  if (keep * 8 >= docs.length) return docs.map(decorate).sort(compare).slice(0, keep).map((d) => d.item);
  return firstInOrder(docs.map(decorate), compare, keep).map((d) => d.item);
}

interface Decorated<T> {
  readonly item: T;
  readonly keys: unknown[];
}

/** The `keep` smallest items in order: binary insertion into a bounded buffer, most items rejected by one comparison. */
function firstInOrder<D>(items: readonly D[], compare: (x: D, y: D) => number, keep: number): D[] {
  const best: D[] = [];
  for (const item of items) {
    if (best.length === keep && compare(item, best[keep - 1]) >= 0) continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compare(item, best[middle]) < 0) high = middle;
      else low = middle + 1;
    }
    best.splice(low, 0, item);
    if (best.length > keep) best.pop();
  }
  return best;
}
