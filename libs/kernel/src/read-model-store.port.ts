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
  /** The caller reads no `total` (a walk in pages): a store may skip the count and answer `skip` + the items' count. */
  readonly withoutTotal?: boolean;
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
  /** The ids after `after` in id order, at most `limit` (a walk over every document that reads no document). Optional. */
  ids?(after: string, limit: number): Promise<string[]>;
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

/**
 * Answers built from documents (a joined body as JSON text), kept under a key with the tags of what they were built
 * from. Staleness is lazy: `touch(tag)` makes every text under that tag stale at once (one write, whatever the number
 * of texts: a master partner inherited by a thousand tenants is one touch), `drop(key)` one text. Synchronous: a hot
 * path reads without a promise.
 */
export interface KeptTexts {
  /** The stamp to give `put`: taken before reading what the text is built from. */
  stamp(): number;
  /** The text under `key` and its tags, unless it was dropped or one of its tags touched since its stamp. */
  get(key: string): { readonly text: string; readonly tags: readonly string[] } | undefined;
  /** Keeps a text built from what was read after `stamp()` gave `stamp` (at most three tags); ignored when already stale. */
  put(key: string, text: string, tags: readonly string[], stamp: number): void;
  /** Every text put with this tag (null: every text) is stale from now on. */
  touch(tag: string | null): void;
  drop(key: string): void;
  /** Runs several puts together (one transaction). */
  batch(work: () => void): void;
  /** For each key, whether a fresh text is kept under it (the texts themselves not read): what a walk still has to build. */
  freshAmong(keys: readonly string[]): boolean[];
  /**
   * True when the texts were kept by an earlier run of the store (consistent with its documents: an unclean stop, a write
   * by a run that kept no texts or another `version` empties them instead); the caller may check a sample of them
   * against today's code before it serves them.
   */
  readonly carried: boolean;
}

export interface ReadModelStore {
  /**
   * `indexes` are field lists to index, `search` the substring-searched fields. An indexed field should hold
   * a string, number, boolean or null (or be missing): the embedded store answers from an index only while
   * every document does, and scans otherwise.
   */
  collection<T extends ReadModelDocument>(name: string, indexes?: readonly (readonly string[])[], search?: SearchIndex): ReadModelCollection<T>;
  /**
   * Present where a deployment's services are separate processes, each with a database of its own on one server
   * (distributed mode on MongoDB): a collection all of them read and write, in a database they share. The embedded
   * store has no need of it (one process serves every service from one file).
   */
  collectionSharedByServices?<T extends ReadModelDocument>(name: string, indexes?: readonly (readonly string[])[]): ReadModelCollection<T>;
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
  /**
   * Present beside `watchWrites` where answers built from documents can be kept as text outside the process's memory
   * (the embedded store: a file of its own beside the store's, kept across a clean stop). `version` names the code that
   * builds the texts: texts kept under another version are not carried over. See KeptTexts.
   */
  keptTexts?(name: string, version?: string): KeptTexts;
  /**
   * Present where writes reach the file some time after they are made (the embedded store commits under load once per
   * COMMIT_INTERVAL_MS): resolves once every write made before the call is committed (at once when none is pending),
   * rejects if that commit failed. `soon`: committed at the end of this turn, not once the interval has passed (a write
   * answered only once committed, which would else wait up to the interval). MongoDB's writes are durable when they
   * resolve: absent there.
   */
  committed?(options?: { readonly soon?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export const READ_MODEL_STORE = Symbol('ReadModelStore');

/** Escapes a user string for use inside $regex (case-insensitive substring search). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
