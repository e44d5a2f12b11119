type Parsed = Record<string, unknown>;

/** The sort key of the row just before a position of an ordered query: rows with greater keys start there. */
export type SortKey = readonly unknown[];

interface Boundaries {
  readonly matches: (doc: Parsed) => boolean;
  /** Position → the sort key of the row before it. */
  readonly keys: Map<number, SortKey>;
}

/** Past this many queries a new one drops them all; past this many positions per query the oldest goes. */
const MAX_QUERIES = 1000;
const MAX_POSITIONS = 64;

/**
 * Keyset cursors behind page/per_page: for an ordered, index-answered query, the sort key at the pages already
 * served, so the next request for such a page (or one after it) seeks to it in the index instead of stepping over
 * every row before it. Kept, like the counts, until a write touches a document the query matches before or after it.
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

  remember(query: string, matches: (doc: Parsed) => boolean, position: number, key: SortKey): void {
    // a NULL never compares greater: such a key cannot start a seek
    if (key.some((value) => value === null)) return;
    let entry = this.entries.get(query);
    if (!entry) {
      if (this.entries.size >= MAX_QUERIES) this.entries.clear();
      entry = { matches, keys: new Map() };
      this.entries.set(query, entry);
    }
    entry.keys.delete(position);
    entry.keys.set(position, key);
    if (entry.keys.size > MAX_POSITIONS) entry.keys.delete(entry.keys.keys().next().value as number);
  }

  /** Forgets the queries a write changes: those matching the document as it was or as it is now. */
  forget(before: Parsed | null, after: Parsed | null): void {
    for (const [query, entry] of this.entries) {
      if ((before && entry.matches(before)) || (after && entry.matches(after))) this.entries.delete(query);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
