import type { Filter, FindQuery, Page, ReadModelCollection, ReadModelDocument, SearchIndex, SortSpec } from '@as2-partners/kernel';
import { mongo } from 'mongoose';
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

const asFilter = (filter: Filter): mongo.Filter<StoredDocument> => filter as mongo.Filter<StoredDocument>;

/** Reads leave the search trigrams out. */
const WITHOUT_TRIGRAMS = { projection: { [SEARCH_TRIGRAMS_FIELD]: 0 } };

/** A read-model collection on MongoDB's native driver: whole-document upserts, queries run as written. */
export class MongoReadModelCollection<T extends ReadModelDocument> implements ReadModelCollection<T> {
  private readonly indexes: CollectionIndexes;
  private search: SearchIndex | null = null;

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
    const found = await this.collection.findOne({ _id: id }, WITHOUT_TRIGRAMS);
    return found ? decodeNestedArrays(found as unknown as T) : null;
  }

  async put(doc: T): Promise<void> {
    await this.indexed;
    await this.collection.replaceOne({ _id: doc._id }, this.toStored(doc), { upsert: true });
  }

  async putMany(docs: readonly T[]): Promise<void> {
    await this.indexed;
    if (docs.length === 0) return;
    await this.collection.bulkWrite(
      docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: this.toStored(doc), upsert: true } })),
      { ordered: true },
    );
  }

  async delete(id: string): Promise<void> {
    await this.indexed;
    await this.collection.deleteOne({ _id: id });
  }

  async deleteMany(filter: Filter): Promise<number> {
    await this.indexed;
    return (await this.collection.deleteMany(this.filterOf(filter))).deletedCount;
  }

  async find(query: FindQuery): Promise<Page<T>> {
    await this.indexed;
    const filter = this.filterOf(query.filter);
    const cursor = this.collection.find(filter, { sort: withIdTieBreaker(query.sort), ...WITHOUT_TRIGRAMS });
    if (query.skip) cursor.skip(query.skip);
    if (query.limit) cursor.limit(query.limit);
    const [items, total] = await Promise.all([cursor.toArray(), this.collection.countDocuments(filter)]);
    return { items: items.map((item) => decodeNestedArrays(item as unknown as T)), total };
  }

  /** The server's plan for a find (the `explain` command), with the filter, sort and paging `find` sends. */
  async explain(query: FindQuery): Promise<mongo.Document> {
    await this.indexed;
    const find: mongo.Document = { find: this.collection.collectionName, filter: this.filterOf(query.filter), sort: withIdTieBreaker(query.sort), ...WITHOUT_TRIGRAMS };
    // FerretDB 1.24 refuses a 32-bit skip inside explain; MongoDB takes either
    if (query.skip) find['skip'] = mongo.Long.fromNumber(query.skip);
    if (query.limit) find['limit'] = query.limit;
    return this.db.command({ explain: find, verbosity: 'queryPlanner' });
  }

  async count(filter: Filter): Promise<number> {
    await this.indexed;
    return this.collection.countDocuments(this.filterOf(filter));
  }

  async clear(): Promise<void> {
    await this.indexed;
    await this.collection.deleteMany({});
  }
}
