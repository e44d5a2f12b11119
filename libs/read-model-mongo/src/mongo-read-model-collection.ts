import type { Filter, FindQuery, Page, ReadModelCollection, ReadModelDocument, SortSpec } from '@as2-partners/kernel';
import type { mongo } from 'mongoose';
import { CollectionIndexes } from './collection-indexes';
import { decodeNestedArrays, encodeNestedArrays } from './nested-array-encoding';

/** Adds `_id` as the last key when the sort lacks it, so ties have one order (the embedded store does the same). */
function withIdTieBreaker(sort: SortSpec | undefined): Record<string, 1 | -1> {
  if (!sort || Object.keys(sort).length === 0) return { _id: 1 };
  return '_id' in sort ? { ...sort } : { ...sort, _id: 1 };
}

/** How documents look to the driver: a string `_id` (never an ObjectId) and any JSON fields. */
export type StoredDocument = { _id: string } & Record<string, unknown>;

/** JSON-normalised first (Dates become ISO strings, undefined fields vanish), exactly as the embedded store stores. */
const toStored = <T extends ReadModelDocument>(doc: T): StoredDocument =>
  encodeNestedArrays(JSON.parse(JSON.stringify(doc))) as StoredDocument;

/** MongoDB's (and FerretDB's) duplicate key error. */
const DUPLICATE_KEY = 11000;

const asFilter = (filter: Filter): mongo.Filter<StoredDocument> => filter as mongo.Filter<StoredDocument>;

/** A read-model collection on MongoDB's native driver: whole-document upserts, queries run as written. */
export class MongoReadModelCollection<T extends ReadModelDocument> implements ReadModelCollection<T> {
  private readonly indexes: CollectionIndexes;

  constructor(private readonly collection: mongo.Collection<StoredDocument>) {
    this.indexes = new CollectionIndexes(collection);
  }

  /** Asks for more indexes (a later `collection(name, indexes)` call for a collection already open). */
  require(indexes: readonly (readonly string[])[]): void {
    this.indexes.require(indexes);
  }

  /** Every operation waits for the wanted indexes; a failed creation is tried again by the next operation. */
  private get indexed(): Promise<void> {
    return this.indexes.ensured();
  }

  async get(id: string): Promise<T | null> {
    await this.indexed;
    const found = await this.collection.findOne({ _id: id });
    return found ? decodeNestedArrays(found as unknown as T) : null;
  }

  async put(doc: T): Promise<void> {
    await this.indexed;
    await this.collection.replaceOne({ _id: doc._id }, toStored(doc), { upsert: true });
  }

  async insert(doc: T): Promise<boolean> {
    await this.indexed;
    try {
      await this.collection.insertOne(toStored(doc));
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) return false;
      throw error;
    }
  }

  async putMany(docs: readonly T[]): Promise<void> {
    await this.indexed;
    if (docs.length === 0) return;
    await this.collection.bulkWrite(
      docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: toStored(doc), upsert: true } })),
      { ordered: true },
    );
  }

  async delete(id: string): Promise<void> {
    await this.indexed;
    await this.collection.deleteOne({ _id: id });
  }

  async deleteMany(filter: Filter): Promise<number> {
    await this.indexed;
    return (await this.collection.deleteMany(asFilter(filter))).deletedCount;
  }

  async find(query: FindQuery): Promise<Page<T>> {
    await this.indexed;
    const cursor = this.collection.find(asFilter(query.filter), { sort: withIdTieBreaker(query.sort) });
    if (query.skip) cursor.skip(query.skip);
    if (query.limit) cursor.limit(query.limit);
    const [items, total] = await Promise.all([cursor.toArray(), this.collection.countDocuments(asFilter(query.filter))]);
    return { items: items.map((item) => decodeNestedArrays(item as unknown as T)), total };
  }

  async count(filter: Filter): Promise<number> {
    await this.indexed;
    return this.collection.countDocuments(asFilter(filter));
  }

  async clear(): Promise<void> {
    await this.indexed;
    await this.collection.deleteMany({});
  }
}
