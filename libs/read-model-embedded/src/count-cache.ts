import type { Filter } from '@as2-partners/kernel';
import { isJsonValue } from './json-value';

type Parsed = Record<string, unknown>;

interface CachedCount {
  readonly filter: Filter;
  readonly matches: (doc: Parsed) => boolean;
  readonly total: number;
}

/** A count as a clean stop keeps it for the next run (KeptQueries): its key, its filter, its total. */
export interface KeptCount {
  readonly key: string;
  readonly filter: Filter;
  readonly total: number;
}

/** Past this many cached counts a write drops them all rather than test each. */
const MAX_ENTRIES = 1000;

/**
 * Counts of exact (index-answered) filters, kept up to date by every write: a write that makes a document match (or
 * stop matching) a counted filter adds (or takes) one, so a busy tenant's page 1 stays a page read with no count over
 * its rows, and writes in other tenants leave its counts as they are. The store drops them all when a commit fails.
 */
export class CountCache {
  private readonly entries = new Map<string, CachedCount>();

  get size(): number {
    return this.entries.size;
  }

  get(key: string): number | undefined {
    return this.entries.get(key)?.total;
  }

  set(key: string, filter: Filter, matches: (doc: Parsed) => boolean, total: number): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { filter, matches, total });
  }

  /** Counts a write: the document as it was (null: new) and as it is now (null: deleted). */
  takeIn(before: Parsed | null, after: Parsed | null): void {
    for (const [key, entry] of this.entries) {
      const was = before !== null && entry.matches(before);
      const is = after !== null && entry.matches(after);
      if (was !== is) this.entries.set(key, { ...entry, total: entry.total + (is ? 1 : -1) });
    }
  }

  clear(): void {
    this.entries.clear();
  }

  /** The counts whose filter JSON carries whole (no RegExp, Date or other object): what a clean stop keeps. */
  kept(): KeptCount[] {
    return [...this.entries].flatMap(([key, { filter, total }]) => (isJsonValue(filter) ? [{ key, filter, total }] : []));
  }

  /** Takes in counts a clean stop kept (of the same documents), their tests made again by `testOf`. */
  carry(counts: readonly KeptCount[], testOf: (filter: Filter) => (doc: Parsed) => boolean): void {
    for (const { key, filter, total } of counts) this.set(key, filter, testOf(filter), total);
  }
}
