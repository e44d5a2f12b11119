import type { mongo } from 'mongoose';
import type { StoredDocument } from './mongo-read-model-collection';
import { SEARCH_TRIGRAMS_FIELD } from './search-trigrams';

type Trigrams = (doc: StoredDocument) => string[];

type IndexKey = Record<string, 1>;

/**
 * The indexes one collection wants: the ones it has are read once (`listIndexes`), so a restart against an existing
 * database creates none; the missing ones are created one `createIndex` call each (FerretDB 1.24 fails a single
 * `createIndexes` call naming several indexes that already exist; one per call is idempotent on both servers).
 * A failed attempt is forgotten, so the next operation tries again: a transient error at start-up does not
 * break the collection until a restart.
 */
export class CollectionIndexes {
  private readonly wanted = new Map<string, IndexKey>();
  private readonly created = new Set<string>();
  private pending: Promise<void> | null = null;
  private trigrams: Trigrams | null = null;
  /** Whether the collection's existing indexes were read: a restart against an existing database then creates none. */
  private listed = false;

  constructor(private readonly collection: mongo.Collection<StoredDocument>) {}

  require(indexes: readonly (readonly string[])[]): void {
    for (const fields of indexes) {
      if (fields.length === 0 || (fields.length === 1 && fields[0] === '_id')) continue;
      const name = fields.join(',');
      if (!this.wanted.has(name)) this.wanted.set(name, Object.fromEntries(fields.map((field) => [field, 1 as const])));
    }
  }

  /** Gives documents written before the search was declared their trigrams, once, after the indexes. */
  backfill(trigrams: Trigrams | null): void {
    this.trigrams = trigrams;
  }

  /** The collection was emptied: no document lacks its trigrams, every one written from now on carries them. */
  emptied(): void {
    this.trigrams = null;
  }

  ensured(): Promise<void> {
    if (this.created.size === this.wanted.size && !this.trigrams) return Promise.resolve();
    if (!this.pending) {
      this.pending = this.createMissing().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  private async createMissing(): Promise<void> {
    if (!this.listed) {
      for (const name of await this.existingIndexNames()) if (this.wanted.has(name)) this.created.add(name);
      this.listed = true;
    }
    for (const [name, key] of [...this.wanted]) {
      if (this.created.has(name)) continue;
      await this.collection.createIndex(key);
      this.created.add(name);
    }
    const trigrams = this.trigrams;
    if (trigrams) {
      await this.addMissingTrigrams(trigrams);
      if (this.trigrams === trigrams) this.trigrams = null;
    }
  }

  /** The ascending indexes the collection has, named as `require` names them; none when it cannot tell (each is then created, which is idempotent). */
  private async existingIndexNames(): Promise<string[]> {
    try {
      const indexes = await this.collection.listIndexes().toArray();
      return indexes.filter((index) => Object.values(index['key'] as Record<string, unknown>).every((order) => order === 1)).map((index) => Object.keys(index['key'] as object).join(','));
    } catch {
      // A collection not created yet (NamespaceNotFound), or a transient error: the creations below decide.
      return [];
    }
  }

  private async addMissingTrigrams(trigrams: Trigrams): Promise<void> {
    const missing = this.collection.find({ [SEARCH_TRIGRAMS_FIELD]: { $exists: false } } as mongo.Filter<StoredDocument>);
    let batch: mongo.AnyBulkWriteOperation<StoredDocument>[] = [];
    for await (const doc of missing) {
      batch.push({ updateOne: { filter: { _id: doc._id }, update: { $set: { [SEARCH_TRIGRAMS_FIELD]: trigrams(doc) } } } });
      if (batch.length === 500) {
        await this.collection.bulkWrite(batch, { ordered: false });
        batch = [];
      }
    }
    if (batch.length > 0) await this.collection.bulkWrite(batch, { ordered: false });
  }
}
