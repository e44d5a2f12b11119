import type { ReadModelCollection, ReadModelDocument } from './read-model-store.port';

/** What an applier reads and writes of a collection: the collection itself, or a run of events' staged view of it. */
export type DocumentAccess<T extends ReadModelDocument> = Pick<ReadModelCollection<T>, 'get' | 'put' | 'delete'>;

/**
 * A run of events' view of one collection (a bus consumer applying a delivered batch at once): reads see the run's own
 * writes, each document is read from the store at most once, and what the run wrote reaches the store only at `flush`,
 * the last version of each document in one write.
 */
export class StagedDocuments<T extends ReadModelDocument> implements DocumentAccess<T> {
  /** Documents read or written in this run; null: absent (never there, or deleted by the run). */
  private readonly seen = new Map<string, T | null>();
  private readonly written = new Set<string>();

  constructor(private readonly collection: ReadModelCollection<T>) {}

  async get(id: string): Promise<T | null> {
    if (this.seen.has(id)) return this.seen.get(id) as T | null;
    const doc = await this.collection.get(id);
    this.seen.set(id, doc);
    return doc;
  }

  async put(doc: T): Promise<void> {
    this.seen.set(doc._id, doc);
    this.written.add(doc._id);
  }

  async delete(id: string): Promise<void> {
    this.seen.set(id, null);
    this.written.add(id);
  }

  /** Writes what the run changed: one write of the documents, one delete per removed one. Ready for more after. */
  async flush(): Promise<void> {
    if (this.written.size === 0) return;
    const docs: T[] = [];
    const deleted: string[] = [];
    for (const id of this.written) {
      const doc = this.seen.get(id) as T | null;
      if (doc) docs.push(doc);
      else deleted.push(id);
    }
    this.written.clear();
    if (docs.length > 0) await this.collection.putMany(docs);
    for (const id of deleted) await this.collection.delete(id);
  }
}

/** The staged views of one run of events, flushed together once the run is applied. */
export class StagedRun {
  private readonly staged: StagedDocuments<ReadModelDocument>[] = [];

  stage<T extends ReadModelDocument>(collection: ReadModelCollection<T>): StagedDocuments<T> {
    const staged = new StagedDocuments(collection);
    this.staged.push(staged as unknown as StagedDocuments<ReadModelDocument>);
    return staged;
  }

  /** Writes every collection's changes, one after another (in an embedded store, all in the turn's transaction). */
  async flush(): Promise<void> {
    for (const staged of this.staged) await staged.flush();
  }
}
