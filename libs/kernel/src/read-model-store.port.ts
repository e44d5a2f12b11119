/**
 * Read-model storage with one query language for every adapter: filters are MongoDB query documents
 * (the subset below), executed natively by MongoDB and by the embedded store. A query is defined
 * once, next to its projection, and runs unchanged on both.
 *
 * Supported filter operators: equality, $eq $ne $in $nin $gt $gte $lt $lte $exists $and $or $regex
 * (with $options 'i'). No text indexes, transactions or change streams (FerretDB has none).
 * A case-insensitive substring search is `$regex: escapeRegex(text), $options: 'i'` on fields a
 * `SearchIndex` declares; each adapter indexes it its own way (trigrams), the query stays the same.
 */
export type Filter = Record<string, unknown>;

export type SortSpec = Readonly<Record<string, 1 | -1>>;

export interface FindQuery {
  readonly filter: Filter;
  readonly sort?: SortSpec;
  readonly skip?: number;
  readonly limit?: number;
}

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
}

/** A document has a string `_id`. */
export interface ReadModelDocument {
  readonly _id: string;
}

export interface ReadModelCollection<T extends ReadModelDocument> {
  get(id: string): Promise<T | null>;
  /** Inserts or replaces the whole document. */
  put(doc: T): Promise<void>;
  /** Inserts the document unless one with its `_id` exists: true if inserted. Atomic, so it serves as a claim. */
  insert(doc: T): Promise<boolean>;
  putMany(docs: readonly T[]): Promise<void>;
  delete(id: string): Promise<void>;
  deleteMany(filter: Filter): Promise<number>;
  find(query: FindQuery): Promise<Page<T>>;
  count(filter: Filter): Promise<number>;
  /** Removes every document (used by rebuilds). */
  clear(): Promise<void>;
}

/**
 * Fields searched by case-insensitive substring (`$regex` of an escaped text with `$options: 'i'`, alone or
 * in an `$or` over these fields); `scope` are the equality fields such a search is always filtered by
 * (e.g. account and tenant), which MongoDB puts before the search tokens in the index.
 */
export interface SearchIndex {
  readonly fields: readonly string[];
  readonly scope: readonly string[];
}

/** Hears one write (ReadModelStore.watchWrites): id null when any document of the collection may have changed. */
export type WriteListener = (id: string | null, doc: ReadModelDocument | null) => void;

export interface ReadModelStore {
  /**
   * `indexes` are field lists to index, `search` the substring-searched fields. An indexed field should hold
   * a string, number, boolean or null (or be missing): the embedded store answers from an index only while
   * every document does, and scans otherwise.
   */
  collection<T extends ReadModelDocument>(name: string, indexes?: readonly (readonly string[])[], search?: SearchIndex): ReadModelCollection<T>;
  /**
   * Runs a bulk load (rebuilding read models while nothing serves queries): the store may defer index work until it
   * ends. Optional; without it the caller runs `work` as it is.
   */
  bulkLoad?<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Present only where this process sees every write of the store (the embedded store: one process owns its file), so
   * an answer built from documents can be kept until one of them changes. `listener` hears each write to the
   * collection synchronously as it is made: the document's id and what was written (null: deleted), or a null id when
   * any document may have changed (deleteMany, clear, a failed commit). Absent on MongoDB shared by replicas.
   */
  watchWrites?(collection: string, listener: WriteListener): void;
  close(): Promise<void>;
}

export const READ_MODEL_STORE = Symbol('ReadModelStore');

/** Escapes a user string for use inside $regex (case-insensitive substring search). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
