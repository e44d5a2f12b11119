import type { ReadModelCollection, ReadModelDocument } from '@as2-partners/kernel';

/** The key a document files under (a partner id, an AS2 id in a tenant), from its id and body. */
export type PresenceKey = (id: string, doc: ReadModelDocument) => string;

/** Documents read at most to fill the index (in one turn; their ids and keys stay in memory); a larger collection is always asked. */
export const MAX_PRESENCE_DOCUMENTS = 50_000;

type Pending = readonly [id: string | null, doc: ReadModelDocument | null];

/**
 * Which keys have any document in one read-model collection, exactly, so a reader asks the store only about keys that
 * have one (most partners have no certificate, pause, test or message). Filled from the collection on first use, then
 * kept by every write the store reports (ReadModelStore.watchWrites: `write` must hear all of them, synchronously); a
 * write of unknown reach (a clear, deleteMany, a failed commit) empties it until the next use refills it.
 */
export class PresenceIndex {
  /** Document id → its key, to forget a key whose last document is deleted (a delete names only the id). */
  private readonly keyOfId = new Map<string, string>();
  /** Key → how many documents file under it. */
  private readonly counts = new Map<string, number>();
  private state: 'empty' | 'filling' | 'filled' | 'too-large' = 'empty';
  /** Writes heard while the collection is read (its snapshot was taken before them). */
  private pending: Pending[] = [];
  private filling: Promise<void> | null = null;

  constructor(
    private readonly collection: ReadModelCollection<ReadModelDocument>,
    private readonly keyOf: PresenceKey,
    private readonly maxDocuments = MAX_PRESENCE_DOCUMENTS,
  ) {}

  /** Undefined once the index can answer (filled, or too large to keep); else a promise of that. */
  ready(): Promise<void> | undefined {
    return this.state === 'filled' || this.state === 'too-large' ? undefined : this.fill();
  }

  /** True only when the index is filled and no document files under `key` (false also while it cannot tell). */
  knownAbsent(key: string): boolean {
    return this.state === 'filled' && !this.counts.has(key);
  }

  /** One write to the collection, as watchWrites reports it. */
  write(id: string | null, doc: ReadModelDocument | null): void {
    if (this.state === 'filling') {
      this.pending.push([id, doc]);
      return;
    }
    if (id === null) {
      this.reset();
      return;
    }
    if (this.state === 'filled') this.apply(id, doc);
  }

  private fill(): Promise<void> {
    this.filling ??= this.read()
      .catch((error: unknown) => {
        // a failed read leaves nothing half-filled (nor writes heard for it): the next use reads again
        this.reset();
        this.pending = [];
        throw error;
      })
      .finally(() => (this.filling = null));
    return this.filling;
  }

  private async read(): Promise<void> {
    for (;;) {
      this.state = 'filling';
      this.pending = [];
      this.keyOfId.clear();
      this.counts.clear();
      // count and find start synchronously on the embedded store: both see the collection as of this turn
      const counted = this.collection.count({});
      const found = (await counted) > this.maxDocuments ? null : this.collection.find({ filter: {} });
      const items = found ? (await found).items : null;
      const heard = this.pending;
      this.pending = [];
      if (heard.some(([id]) => id === null)) continue;
      if (items === null) {
        this.state = 'too-large';
        return;
      }
      this.state = 'filled';
      for (const doc of items) this.apply(doc._id, doc);
      for (const [id, doc] of heard) this.apply(id as string, doc);
      return;
    }
  }

  private reset(): void {
    this.state = 'empty';
    this.keyOfId.clear();
    this.counts.clear();
  }

  private apply(id: string, doc: ReadModelDocument | null): void {
    const before = this.keyOfId.get(id);
    const after = doc === null ? undefined : this.keyOf(id, doc);
    if (before === after) return;
    if (before !== undefined) {
      const left = (this.counts.get(before) ?? 1) - 1;
      if (left === 0) this.counts.delete(before);
      else this.counts.set(before, left);
      this.keyOfId.delete(id);
    }
    if (after !== undefined) {
      this.counts.set(after, (this.counts.get(after) ?? 0) + 1);
      this.keyOfId.set(id, after);
    }
  }
}
