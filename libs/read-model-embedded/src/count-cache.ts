type Parsed = Record<string, unknown>;

interface CachedCount {
  readonly matches: (doc: Parsed) => boolean;
  readonly total: number;
}

/** Past this many cached counts a write drops them all rather than test each. */
const MAX_ENTRIES = 1000;

/**
 * Counts of exact (index-answered) filters, kept until a write touches a document the filter matches before or
 * after the write, so writes in other tenants leave a tenant's counts cached and its page 1 stays a page read.
 */
export class CountCache {
  private readonly entries = new Map<string, CachedCount>();

  get size(): number {
    return this.entries.size;
  }

  get(key: string): number | undefined {
    return this.entries.get(key)?.total;
  }

  set(key: string, matches: (doc: Parsed) => boolean, total: number): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { matches, total });
  }

  /** Forgets the counts a write changes: those matching the document as it was or as it is now. */
  forget(before: Parsed | null, after: Parsed | null): void {
    for (const [key, entry] of this.entries) {
      if ((before && entry.matches(before)) || (after && entry.matches(after))) this.entries.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

