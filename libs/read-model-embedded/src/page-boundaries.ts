import type { Filter } from '@as2-partners/kernel';
import { isJsonValue } from './json-value';

type Parsed = Record<string, unknown>;

/** The sort key of the row just before a position of an ordered query: rows with greater keys start there. */
export type SortKey = readonly unknown[];

/** A document's sort key in the query's order, or undefined when it cannot be compared with a kept key exactly. */
export type SortKeyOf = (doc: Parsed) => SortKey | undefined;

/** What a query's boundaries are for: its filter and its order's fields (their tests are made from them). */
export interface BoundedQuery {
  readonly filter: Filter;
  readonly fields: readonly string[];
}

/** A query's filter test and the sort key of a document in its order (made from a BoundedQuery). */
export interface QueryTests {
  readonly matches: (doc: Parsed) => boolean;
  readonly keyOf: SortKeyOf;
}

interface Boundaries extends BoundedQuery, QueryTests {
  /** Position → the sort key of the row before it. */
  keys: Map<number, SortKey>;
}

/** Past this many queries a new one drops them all; past this many positions per query the oldest goes. */
const MAX_QUERIES = 1000;
const MAX_POSITIONS = 64;

/**
 * How two values of an order's keys compare as SQLite orders them (numbers < text < blobs; text by its UTF-8 bytes),
 * or undefined for a value of another kind.
 */
function compareValues(a: unknown, b: unknown): number | undefined {
  const rank = (value: unknown): number => (typeof value === 'number' ? 0 : typeof value === 'string' ? 1 : Buffer.isBuffer(value) ? 2 : -1);
  const [ra, rb] = [rank(a), rank(b)];
  if (ra < 0 || rb < 0) return undefined;
  if (ra !== rb) return ra - rb;
  if (ra === 0) return Math.sign((a as number) - (b as number));
  if (ra === 2) return Buffer.compare(a as Buffer, b as Buffer);
  if (a === b) return 0;
  // UTF-16 order is UTF-8 byte order except between surrogates and U+E000–U+FFFF
  if (/[\ud800-\uffff]/.test(a as string) || /[\ud800-\uffff]/.test(b as string)) return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
  return (a as string) < (b as string) ? -1 : 1;
}

/** Two sort keys of one order (every key ascending), compared as row values; undefined when a value cannot be. */
export function compareKeys(a: SortKey, b: SortKey): number | undefined {
  if (a.length !== b.length) return undefined;
  for (let i = 0; i < a.length; i += 1) {
    const order = compareValues(a[i], b[i]);
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * Keyset cursors behind page/per_page: for an ordered, index-answered query, the sort key at the pages already
 * served, so the next request for such a page (or one after it) seeks to it in the index instead of stepping over
 * every row before it. A write of a document the query matches moves the cursors after its place by one (a create at
 * the end of a tenant's order moves none); one whose key cannot be compared exactly forgets the query's cursors.
 */
export class PageBoundaries {
  private readonly entries = new Map<string, Boundaries>();

  get size(): number {
    return this.entries.size;
  }

  /** The known position closest at or before `position`, with its key (keys holding NULL are never kept). */
  nearest(query: string, position: number): { position: number; key: SortKey } | undefined {
    const keys = this.entries.get(query)?.keys;
    if (!keys) return undefined;
    let best: { position: number; key: SortKey } | undefined;
    for (const [at, key] of keys) if (at <= position && (!best || at > best.position)) best = { position: at, key };
    return best;
  }

  /** `tests`: the query's filter test and sort key, made once the query is first remembered. */
  remember(query: string, bounded: BoundedQuery, tests: () => QueryTests, position: number, key: SortKey): void {
    // a NULL never compares greater: such a key cannot start a seek
    if (key.some((value) => value === null)) return;
    let entry = this.entries.get(query);
    if (!entry) {
      if (this.entries.size >= MAX_QUERIES) this.entries.clear();
      entry = { ...bounded, ...tests(), keys: new Map() };
      this.entries.set(query, entry);
    }
    entry.keys.delete(position);
    entry.keys.set(position, key);
    if (entry.keys.size > MAX_POSITIONS) entry.keys.delete(entry.keys.keys().next().value as number);
  }

  /**
   * Takes in a write (the document as it was, null: new; as it is now, null: deleted): in each query matching either,
   * a row leaving at or before a cursor's key moves the cursor back by one, a row arriving there moves it on by one.
   */
  takeIn(before: Parsed | null, after: Parsed | null): void {
    for (const [query, entry] of this.entries) {
      const left = before !== null && entry.matches(before);
      const arrived = after !== null && entry.matches(after);
      if (!left && !arrived) continue;
      const leftKey = left ? entry.keyOf(before) : null;
      const arrivedKey = arrived ? entry.keyOf(after) : null;
      const keys = leftKey === undefined || arrivedKey === undefined ? undefined : moved(entry.keys, leftKey, arrivedKey);
      if (keys) entry.keys = keys;
      else this.entries.delete(query);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  /** The cursors of queries whose filter JSON carries whole: what a clean stop keeps (blobs in keys as `{ blob: hex }`). */
  kept(): KeptBoundaries[] {
    return [...this.entries].flatMap(([query, { filter, fields, keys }]) =>
      isJsonValue(filter) ? [{ query, filter, fields, keys: [...keys].map(([position, key]) => [position, keptKey(key)] as const) }] : [],
    );
  }

  /** Takes in cursors a clean stop kept (of the same documents), their tests made again by `testsOf`. */
  carry(kept: readonly KeptBoundaries[], testsOf: (bounded: BoundedQuery) => QueryTests): void {
    for (const { query, filter, fields, keys } of kept) {
      const bounded = { filter, fields };
      for (const [position, key] of keys) this.remember(query, bounded, () => testsOf(bounded), position, carriedKey(key));
    }
  }
}

/** A query's cursors as a clean stop keeps them (KeptQueries). */
export interface KeptBoundaries extends BoundedQuery {
  readonly query: string;
  readonly keys: readonly (readonly [number, readonly unknown[]])[];
}

/** A sort key as JSON carries it: a blob (a boolean's) as `{ blob: hex }`. */
export const keptKey = (key: SortKey): unknown[] => key.map((value) => (Buffer.isBuffer(value) ? { blob: value.toString('hex') } : value));

/** A sort key kept by `keptKey`, its blobs back. */
export const carriedKey = (key: readonly unknown[]): SortKey =>
  key.map((value) => (value !== null && typeof value === 'object' && typeof (value as { blob?: unknown }).blob === 'string' ? Buffer.from((value as { blob: string }).blob, 'hex') : value));

/** The cursors after a row with `leftKey` left the query's rows and one with `arrivedKey` joined them (null: none); undefined when a key cannot be compared. */
function moved(keys: ReadonlyMap<number, SortKey>, leftKey: SortKey | null, arrivedKey: SortKey | null): Map<number, SortKey> | undefined {
  const next = new Map<number, SortKey>();
  for (const [position, key] of keys) {
    let at = position;
    if (leftKey !== null) {
      const order = compareKeys(leftKey, key);
      if (order === undefined) return undefined;
      if (order <= 0) at -= 1;
    }
    if (arrivedKey !== null) {
      const order = compareKeys(arrivedKey, key);
      if (order === undefined) return undefined;
      if (order <= 0) at += 1;
    }
    // a cursor at 0 has no row before it
    if (at > 0) next.set(at, key);
  }
  return next;
}
