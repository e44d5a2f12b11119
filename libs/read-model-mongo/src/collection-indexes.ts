import type { mongo } from 'mongoose';
import type { StoredDocument } from './mongo-read-model-collection';

type IndexKey = Record<string, 1>;

/**
 * The indexes one collection wants, created one `createIndex` call each (FerretDB 1.24 fails a single
 * `createIndexes` call naming several indexes that already exist; one per call is idempotent on both servers).
 * A failed attempt is forgotten, so the next operation tries again: a transient error at start-up does not
 * break the collection until a restart.
 */
export class CollectionIndexes {
  private readonly wanted = new Map<string, IndexKey>();
  private readonly created = new Set<string>();
  private pending: Promise<void> | null = null;

  constructor(private readonly collection: mongo.Collection<StoredDocument>) {}

  require(indexes: readonly (readonly string[])[]): void {
    for (const fields of indexes) {
      if (fields.length === 0 || (fields.length === 1 && fields[0] === '_id')) continue;
      const name = fields.join(',');
      if (!this.wanted.has(name)) this.wanted.set(name, Object.fromEntries(fields.map((field) => [field, 1 as const])));
    }
  }

  ensured(): Promise<void> {
    if (this.created.size === this.wanted.size) return Promise.resolve();
    if (!this.pending) {
      this.pending = this.createMissing().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  private async createMissing(): Promise<void> {
    for (const [name, key] of [...this.wanted]) {
      if (this.created.has(name)) continue;
      await this.collection.createIndex(key);
      this.created.add(name);
    }
  }
}
