import type { CheckpointStore, ParkedEventStore, ReadModelCollection, ReadModelDocument, ReadModelStore, SearchIndex } from '@as2-partners/kernel';
import { createConnection, type Connection, type mongo } from 'mongoose';
import { MongoCheckpointStore } from './mongo-checkpoint-store';
import { MongoParkedEventStore } from './mongo-parked-event-store';
import { MongoReadModelCollection, type StoredDocument } from './mongo-read-model-collection';

export interface MongoReadModelStoreOptions {
  /** Database to use; defaults to the one in the URL (MongoDB's own default is `test`). */
  readonly dbName?: string;
  /** How long a request waits for a server it can send to before failing (503); defaults to 5 s. */
  readonly serverSelectionTimeoutMS?: number;
  /**
   * How long an operation waits for the server's answer on its socket before failing (503); defaults to 10 s, far above
   * any operation of these stores (a bulk load writes 1,000 documents a call). Without it a server that accepts but no
   * longer answers (hung, frozen, half-partitioned) held every request until the driver's monitor noticed, 30-50 s.
   */
  readonly socketTimeoutMS?: number;
  /** How often the driver's monitor checks the server, and how long it waits for it to connect or answer; default 5 s. */
  readonly heartbeatFrequencyMS?: number;
  /** The database of `collectionSharedByServices` on the same server; defaults to SHARED_DATABASE. */
  readonly sharedDatabase?: string;
}

/** Where the services of one deployment keep what they share (the Idempotency-Key answers) unless told otherwise. */
export const SHARED_DATABASE = 'as2_partners_shared';

/** The collection `checkpointStore()` keeps positions in; no read model may use this name. */
export const CHECKPOINTS_COLLECTION = 'checkpoints';
/** The collection `parkedEventStore()` keeps parked events in; no read model may use this name. */
export const PARKED_EVENTS_COLLECTION = 'parked_events';

/**
 * Read models in MongoDB (or FerretDB 1.x) through mongoose's connection and the native driver: no
 * schemas, no transactions, no change streams, no text indexes, so FerretDB serves it as well as MongoDB.
 * A substring search is indexed as trigrams in a multikey field (see `search-trigrams.ts`).
 */
export class MongoReadModelStore implements ReadModelStore {
  private readonly collections = new Map<string, MongoReadModelCollection<ReadModelDocument>>();
  private readonly checkpoints: MongoCheckpointStore;
  private readonly parked: MongoParkedEventStore;
  private bulkLoading = false;

  private readonly shared = new Map<string, MongoReadModelCollection<ReadModelDocument>>();

  private constructor(
    private readonly connection: Connection,
    private readonly db: mongo.Db,
    private readonly sharedDatabase: string = SHARED_DATABASE,
  ) {
    this.checkpoints = new MongoCheckpointStore(db.collection(CHECKPOINTS_COLLECTION));
    this.parked = new MongoParkedEventStore(db.collection(PARKED_EVENTS_COLLECTION));
  }

  static async connect(url: string, options: MongoReadModelStoreOptions = {}): Promise<MongoReadModelStore> {
    const connection = createConnection(url, {
      dbName: options.dbName,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
      socketTimeoutMS: options.socketTimeoutMS ?? 10_000,
      heartbeatFrequencyMS: options.heartbeatFrequencyMS ?? 5_000,
      connectTimeoutMS: options.heartbeatFrequencyMS ?? 5_000,
      // a field set to undefined is left out, as JSON (and the embedded store) does, instead of stored as null
      ignoreUndefined: true,
      autoIndex: false,
      autoCreate: false,
      bufferCommands: false,
    });
    try {
      await connection.asPromise();
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
    const db = connection.db;
    if (!db) {
      await connection.close();
      throw new Error('MongoDB connection opened without a database');
    }
    return new MongoReadModelStore(connection, db, options.sharedDatabase);
  }

  collectionSharedByServices<T extends ReadModelDocument>(name: string, indexes: readonly (readonly string[])[] = []): ReadModelCollection<T> {
    let collection = this.shared.get(name);
    if (!collection) {
      const db = this.connection.getClient().db(this.sharedDatabase);
      collection = new MongoReadModelCollection(db.collection<StoredDocument>(name), db);
      this.shared.set(name, collection);
    }
    collection.require(indexes);
    return collection as unknown as ReadModelCollection<T>;
  }

  collection<T extends ReadModelDocument>(name: string, indexes: readonly (readonly string[])[] = [], search?: SearchIndex): ReadModelCollection<T> {
    if (name === CHECKPOINTS_COLLECTION) throw new Error(`"${CHECKPOINTS_COLLECTION}" is reserved for checkpoints`);
    if (name === PARKED_EVENTS_COLLECTION) throw new Error(`"${PARKED_EVENTS_COLLECTION}" is reserved for parked events`);
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new MongoReadModelCollection(this.db.collection<StoredDocument>(name), this.db);
      this.collections.set(name, collection);
      if (this.bulkLoading) collection.startBulkLoad();
    }
    // a first caller may have opened the collection without the indexes a later one declares
    collection.require(indexes, search);
    return collection as unknown as ReadModelCollection<T>;
  }

  /**
   * Runs `work` (a rebuild, nothing serving queries) with writes held back and sent as unordered `bulkWrite` batches,
   * and checkpoints saved after the documents they reflect. Reads during `work` see its writes (a get answers from what
   * is held back, a query first sends it).
   */
  async bulkLoad<T>(work: () => Promise<T>): Promise<T> {
    if (this.bulkLoading) return work();
    this.bulkLoading = true;
    this.checkpoints.hold();
    for (const collection of this.collections.values()) collection.startBulkLoad();
    let result: T;
    try {
      result = await work();
    } catch (error) {
      // what the load wrote is sent all the same; the load's own failure is the one reported
      await this.endBulkLoad().catch(() => undefined);
      throw error;
    }
    await this.endBulkLoad();
    return result;
  }

  /** Sends every collection's held-back writes (all of them, even when one fails; the first failure is thrown), then the checkpoints. */
  private async endBulkLoad(): Promise<void> {
    this.bulkLoading = false;
    const ended = await Promise.allSettled([...this.collections.values()].map((collection) => collection.endBulkLoad()));
    const failed = ended.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      // a position may reflect documents that never arrived: none is saved, the next rebuild starts from the beginning
      this.checkpoints.forgetHeld();
      throw failed.reason;
    }
    await this.checkpoints.writeHeld();
  }

  checkpointStore(): CheckpointStore {
    return this.checkpoints;
  }

  parkedEventStore(): ParkedEventStore {
    return this.parked;
  }

  async ping(): Promise<void> {
    await this.db.admin().ping();
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
