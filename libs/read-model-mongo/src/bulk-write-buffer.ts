import { OldestKeys } from '@as2-partners/kernel';
import type { mongo } from 'mongoose';
import type { StoredDocument } from './mongo-read-model-collection';

/** Documents per unordered `bulkWrite`: ~1.5 MB of partner views, far below the 48 MB message limit. */
export const BULK_WRITE_BATCH = 1_000;
/** Documents of the load remembered after they were sent (most recently used first kept): a projection reads a few often. */
const REMEMBERED = 10_000;

/**
 * The writes of one collection during a bulk load (a rebuild), held back and sent as unordered `bulkWrite` batches:
 * the last write per `_id` wins inside a batch, so a batch names each `_id` once and its order does not matter, and one
 * batch is on its way while the next one fills. After the collection was emptied in this load, a document the server
 * cannot hold yet is inserted, not upserted (an upsert costs a lookup per document: ~50/s against ~4,000/s inserted on
 * FerretDB 1.24). Reads of a held-back `_id` are answered from here, and so are reads of the documents used last (nothing
 * else writes during a bulk load), so a projection reading the same few documents per event makes no round trip for them.
 */
export class BulkWriteBuffer {
  private pending = new Map<string, StoredDocument | null>();
  private sending = new Map<string, StoredDocument | null>();
  private inFlight: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  /** The `_id`s sent since the collection was emptied in this load; null: unknown (the collection was not emptied). */
  private onServer: Set<string> | null = null;
  /** Sent or read during the load, least recently used first; null: known to be absent. */
  private readonly recent = new Map<string, StoredDocument | null>();
  private readonly oldestRecent = new OldestKeys(this.recent);

  constructor(
    private readonly collection: mongo.Collection<StoredDocument>,
    private readonly batchSize = BULK_WRITE_BATCH,
  ) {}

  /** The document as the load left it (null: absent), or undefined when only the server knows. */
  lookup(id: string): StoredDocument | null | undefined {
    const pending = this.pending.get(id);
    if (pending !== undefined) return pending;
    const sending = this.sending.get(id);
    if (sending !== undefined) return sending;
    const recent = this.recent.get(id);
    if (recent !== undefined) {
      this.remember(id, recent);
      return recent;
    }
    // emptied in this load and never written since: it cannot be on the server
    if (this.onServer !== null && !this.onServer.has(id)) return null;
    return undefined;
  }

  /** What the server answered for `id`, kept for the next lookups unless the load wrote it meanwhile. */
  rememberRead(id: string, doc: StoredDocument | null): void {
    if (!this.recent.has(id) && !this.pending.has(id) && !this.sending.has(id)) this.remember(id, doc);
  }

  private remember(id: string, doc: StoredDocument | null): void {
    this.recent.delete(id);
    this.recent.set(id, doc);
    if (this.recent.size > REMEMBERED) this.recent.delete(this.oldestRecent.next() as string);
  }

  /** Holds a write (null deletes); waits only when a full batch has to queue behind the one on its way. */
  async write(id: string, doc: StoredDocument | null): Promise<void> {
    this.remember(id, doc);
    this.pending.set(id, doc);
    if (this.pending.size >= this.batchSize) await this.send();
  }

  /** Sends everything held back and waits for it: before a query, a clear and when the load ends. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await this.send();
    await this.inFlight;
    this.throwFailure();
  }

  /** The collection is empty on the server now (cleared after a drain): what is sent next is inserted. */
  emptied(): void {
    this.pending.clear();
    this.recent.clear();
    this.onServer = new Set();
  }

  private async send(): Promise<void> {
    await this.inFlight;
    this.throwFailure();
    const batch = this.pending;
    this.pending = new Map();
    this.sending = batch;
    const operations = this.operationsOf(batch);
    this.inFlight = (operations.length === 0 ? Promise.resolve() : this.collection.bulkWrite(operations, { ordered: false }).then(() => undefined))
      .catch((error: unknown) => {
        this.failure = error;
      })
      .finally(() => {
        if (this.sending === batch) this.sending = new Map();
      });
  }

  private operationsOf(batch: ReadonlyMap<string, StoredDocument | null>): mongo.AnyBulkWriteOperation<StoredDocument>[] {
    const operations: mongo.AnyBulkWriteOperation<StoredDocument>[] = [];
    const onServer = this.onServer;
    for (const [id, doc] of batch) {
      const known = onServer === null || onServer.has(id);
      if (doc === null) {
        if (known) operations.push({ deleteOne: { filter: { _id: id } } });
        onServer?.delete(id);
      } else if (known) {
        operations.push({ replaceOne: { filter: { _id: id }, replacement: doc, upsert: true } });
      } else {
        operations.push({ insertOne: { document: doc } });
        onServer.add(id);
      }
    }
    return operations;
  }

  /** A failed batch fails every later write and the drain: the load stops instead of leaving a gap. */
  private throwFailure(): void {
    if (this.failure !== null) throw this.failure;
  }
}
