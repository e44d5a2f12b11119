import { isJsonValue } from './json-value';
import { carriedKey, compareKeys, keptKey, type BoundedQuery, type QueryTests, type SortKey } from './page-boundaries';

type Parsed = Record<string, unknown>;

interface FirstPage extends BoundedQuery, QueryTests {
  /** The page's rows (`seq`), in order. */
  readonly seqs: readonly number[];
  /** The sort key of its last row; null when the page holds every match (shorter than its limit). */
  readonly lastKey: SortKey | null;
}

/** Past this many first pages a new one drops them all. */
const MAX_PAGES = 200;

/**
 * The rows of first pages that cost a walk to find (a broad search's: the order's index stepped through, each row's
 * text tested, until a page of matches), kept while no write can change them: a write of a document the query matches
 * (as it was or as it is now) at or before the page's last row drops it; one after it, or one it does not match (a
 * create elsewhere in a busy tenant), leaves it. The rows' bodies are read again by `seq`, so a write that only changes
 * a listed document's body is seen.
 */
export class FirstPages {
  private readonly entries = new Map<string, FirstPage>();

  get size(): number {
    return this.entries.size;
  }

  get(query: string): readonly number[] | undefined {
    return this.entries.get(query)?.seqs;
  }

  /** Keeps a first page read: its rows and, when it is full (`limit` rows), its last row's key. */
  keep(query: string, bounded: BoundedQuery, tests: QueryTests, seqs: readonly number[], lastKey: SortKey | null): void {
    if (lastKey?.some((value) => value === null)) return;
    if (this.entries.size >= MAX_PAGES) this.entries.clear();
    this.entries.set(query, { ...bounded, ...tests, seqs, lastKey });
  }

  /** Takes in a write: the document as it was (null: new) and as it is now (null: deleted). */
  takeIn(before: Parsed | null, after: Parsed | null): void {
    for (const [query, page] of this.entries) {
      if (!(this.after(page, before) && this.after(page, after))) this.entries.delete(query);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  /** The pages of queries whose filter JSON carries whole: what a clean stop keeps (their rows by `seq`, as the file holds them). */
  kept(): KeptFirstPage[] {
    return [...this.entries].flatMap(([query, { filter, fields, seqs, lastKey }]) => (isJsonValue(filter) ? [{ query, filter, fields, seqs, lastKey: lastKey && keptKey(lastKey) }] : []));
  }

  /** Takes in pages a clean stop kept (of the same documents), their tests made again by `testsOf`. */
  carry(kept: readonly KeptFirstPage[], testsOf: (bounded: BoundedQuery) => QueryTests): void {
    for (const { query, filter, fields, seqs, lastKey } of kept) {
      const bounded = { filter, fields };
      this.keep(query, bounded, testsOf(bounded), seqs, lastKey && carriedKey(lastKey));
    }
  }

  /** Whether `doc` (null: none) leaves the page as it is: the query does not match it, or it sorts after the page's last row. */
  private after(page: FirstPage, doc: Parsed | null): boolean {
    if (doc === null || !page.matches(doc)) return true;
    if (page.lastKey === null) return false;
    const key = page.keyOf(doc);
    const order = key === undefined ? undefined : compareKeys(key, page.lastKey);
    return order !== undefined && order > 0;
  }
}

/** A first page as a clean stop keeps it (KeptQueries). */
export interface KeptFirstPage extends BoundedQuery {
  readonly query: string;
  readonly seqs: readonly number[];
  readonly lastKey: readonly unknown[] | null;
}
