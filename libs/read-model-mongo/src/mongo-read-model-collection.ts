import type { Filter, FindQuery, Page, ReadModelCollection, ReadModelDocument, SearchIndex, SortSpec } from '@as2-partners/kernel';
import { mongo } from 'mongoose';
import { BulkWriteBuffer } from './bulk-write-buffer';
import { CollectionIndexes } from './collection-indexes';
import { decodeNestedArrays, encodeNestedArrays } from './nested-array-encoding';
import { SEARCH_TRIGRAMS_FIELD, trigramsOfDocument, withSearchTrigrams } from './search-trigrams';

/** Adds `_id` as the last key when the sort lacks it, so ties have one order (the embedded store does the same). */
function withIdTieBreaker(sort: SortSpec | undefined): Record<string, 1 | -1> {
  if (!sort || Object.keys(sort).length === 0) return { _id: 1 };
  return '_id' in sort ? { ...sort } : { ...sort, _id: 1 };
}

/** How documents look to the driver: a string `_id` (never an ObjectId) and any JSON fields. */
export type StoredDocument = { _id: string } & Record<string, unknown>;

/** MongoDB's (and FerretDB's) duplicate key error. */
const DUPLICATE_KEY = 11000;

const asFilter = (filter: Filter): mongo.Filter<StoredDocument> => filter as mongo.Filter<StoredDocument>;

/** Reads leave the search trigrams out. */
const WITHOUT_TRIGRAMS = { projection: { [SEARCH_TRIGRAMS_FIELD]: 0 } };

/** A stored document as a read returns it: nested arrays unwrapped, the trigrams left out (a copy: the input is not changed). */
function fromStored<T>(stored: StoredDocument): T {
  const { [SEARCH_TRIGRAMS_FIELD]: _trigrams, ...doc } = stored;
  return decodeNestedArrays(doc as unknown as T);
}

/** A read-model collection on MongoDB's native driver: whole-document upserts, queries run as written. */
export class MongoReadModelCollection<T extends ReadModelDocument> implements ReadModelCollection<T> {
  private readonly indexes: CollectionIndexes;
  private search: SearchIndex | null = null;
  /** Set during a bulk load: writes are held back and sent in unordered batches. */
  private bulk: BulkWriteBuffer | null = null;

  constructor(
    private readonly collection: mongo.Collection<StoredDocument>,
    private readonly db: mongo.Db,
  ) {
    this.indexes = new CollectionIndexes(collection);
  }

  /** Asks for more indexes (a later `collection(name, indexes, search)` call for a collection already open). */
  require(indexes: readonly (readonly string[])[], search?: SearchIndex): void {
    this.indexes.require(indexes);
    if (search && JSON.stringify(search) !== JSON.stringify(this.search)) {
      this.search = search;
      this.indexes.require([[...search.scope, SEARCH_TRIGRAMS_FIELD]]);
      this.indexes.backfill(search.fields.length > 0 ? (doc) => trigramsOfDocument(doc, search) : null);
    }
  }

  /**
   * A bulk load starts: writes are batched. The indexes stay: on FerretDB 1.24 inserts cost the same with or without
   * them and building them afterwards adds ~50 % (docs/benchmarks.md), so they are not dropped and rebuilt.
   */
  startBulkLoad(): void {
    this.bulk ??= new BulkWriteBuffer(this.collection);
  }

  /** The bulk load ends: what it held back is sent. */
  async endBulkLoad(): Promise<void> {
    try {
      await this.bulk?.drain();
    } finally {
      this.bulk = null;
    }
  }

  /** Before a query or a write that needs the server to be up to date: everything held back is sent. */
  private async drained(): Promise<void> {
    await this.indexed;
    await this.bulk?.drain();
  }

  /** JSON-normalised first (Dates become ISO strings, undefined fields vanish), exactly as the embedded store stores. */
  private toStored(doc: T): StoredDocument {
    const stored = encodeNestedArrays(JSON.parse(JSON.stringify(doc))) as StoredDocument;
    if (this.search) stored[SEARCH_TRIGRAMS_FIELD] = trigramsOfDocument(stored, this.search);
    return stored;
  }

  private filterOf(filter: Filter): mongo.Filter<StoredDocument> {
    return asFilter(withSearchTrigrams(filter, this.search));
  }

  /** Every operation waits for the wanted indexes; a failed creation is tried again by the next operation. */
  private get indexed(): Promise<void> {
    return this.indexes.ensured();
  }

  async get(id: string): Promise<T | null> {
    await this.indexed;
    const held = this.bulk?.lookup(id);
    if (held !== undefined) return held === null ? null : fromStored<T>(held);
    if (this.bulk) {
      // kept whole (trigrams too): a later lookup answers as a held-back write does
      const stored = await this.collection.findOne({ _id: id });
      this.bulk?.rememberRead(id, stored);
      return stored ? fromStored<T>(stored) : null;
    }
    const found = await this.collection.findOne({ _id: id }, WITHOUT_TRIGRAMS);
    return found ? decodeNestedArrays(found as unknown as T) : null;
  }

  async put(doc: T): Promise<void> {
    await this.indexed;
    if (this.bulk) return this.bulk.write(doc._id, this.toStored(doc));
    await this.collection.replaceOne({ _id: doc._id }, this.toStored(doc), { upsert: true });
  }

  async insert(doc: T): Promise<boolean> {
    await this.drained();
    try {
      await this.collection.insertOne(this.toStored(doc));
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) return false;
      throw error;
    }
  }

  async putMany(docs: readonly T[]): Promise<void> {
    await this.indexed;
    if (docs.length === 0) return;
    if (this.bulk) {
      for (const doc of docs) await this.bulk.write(doc._id, this.toStored(doc));
      return;
    }
    await this.collection.bulkWrite(
      docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: this.toStored(doc), upsert: true } })),
      { ordered: true },
    );
  }

  async delete(id: string): Promise<void> {
    await this.indexed;
    if (this.bulk) return this.bulk.write(id, null);
    await this.collection.deleteOne({ _id: id });
  }

  async deleteMany(filter: Filter): Promise<number> {
    await this.drained();
    return (await this.collection.deleteMany(this.filterOf(filter))).deletedCount;
  }

  async find(query: FindQuery): Promise<Page<T>> {
    await this.drained();
    const filter = this.filterOf(query.filter);
    const cursor = this.collection.find(filter, { sort: withIdTieBreaker(query.sort), ...WITHOUT_TRIGRAMS });
    if (query.skip) cursor.skip(query.skip);
    if (query.limit) cursor.limit(query.limit);
    const [items, total] = await Promise.all([cursor.toArray(), this.collection.countDocuments(filter)]);
    return { items: items.map((item) => decodeNestedArrays(item as unknown as T)), total };
  }

  /** The server's plan for a find (the `explain` command), with the filter, sort and paging `find` sends. */
  async explain(query: FindQuery): Promise<mongo.Document> {
    await this.drained();
    const find: mongo.Document = { find: this.collection.collectionName, filter: this.filterOf(query.filter), sort: withIdTieBreaker(query.sort), ...WITHOUT_TRIGRAMS };
    // FerretDB 1.24 refuses a 32-bit skip inside explain; MongoDB takes either
    if (query.skip) find['skip'] = mongo.Long.fromNumber(query.skip);
    if (query.limit) find['limit'] = query.limit;
    return this.db.command({ explain: find, verbosity: 'queryPlanner' });
  }

  async count(filter: Filter): Promise<number> {
    await this.drained();
    return this.collection.countDocuments(this.filterOf(filter));
  }

  async clear(): Promise<void> {
    await this.drained();
    await this.collection.deleteMany({});
    this.indexes.emptied();
    this.bulk?.emptied();
  }
}
