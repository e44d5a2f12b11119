import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  excludeSystemEvents,
  type ReadPosition,
} from '@eventstore/db-client';
import type {
  AppendResult,
  CatchUpSubscriptionOptions,
  CheckpointStore,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Subscription,
} from '@as2-partners/kernel';
import { EsdbCheckpointStore } from './esdb-checkpoint-store';
import { fromEsdbEvent, isDomainEvent, positionNumberOf, toEsdbPosition, toEventData } from './esdb-event-mapping';
import { toAppendExpectedRevision, toWrongExpectedRevision } from './esdb-revisions';
import { EsdbCatchUpSubscription } from './esdb-subscription';

/** The distributed event store: EventStoreDB over gRPC. */
export class EsdbEventStore implements EventStore {
  private readonly subscriptions = new Set<EsdbCatchUpSubscription>();
  private readonly checkpoints: EsdbCheckpointStore;
  private closed = false;

  private constructor(private readonly client: EventStoreDBClient) {
    this.checkpoints = new EsdbCheckpointStore(client);
  }

  /** Connects and checks the server answers, e.g. `esdb://127.0.0.1:2113?tls=false`. */
  static async connect(connectionString: string): Promise<EsdbEventStore> {
    const store = new EsdbEventStore(EventStoreDBClient.connectionString(connectionString));
    try {
      await store.ping();
      return store;
    } catch (error) {
      await store.client.dispose();
      throw error;
    }
  }

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError(`append to ${stream}: no events given`);
    try {
      const result = await this.client.appendToStream(stream, events.map(toEventData), {
        expectedRevision: toAppendExpectedRevision(expectedRevision),
      });
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      // ESDB answers an idempotent retry without a position; the stored event has it.
      const position = result.position ? Number(result.position.commit) : await this.positionOf(stream, nextExpectedRevision);
      return { nextExpectedRevision, position };
    } catch (error) {
      throw toWrongExpectedRevision(error, stream, expectedRevision);
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START,
        ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      })) {
        if (resolved.event) events.push(fromEsdbEvent(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? null;
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const events: RecordedEvent[] = [];
    if (maxCount <= 0) return events;
    const fromPosition: ReadPosition = after === null ? START : toEsdbPosition(after);
    for await (const resolved of this.client.readAll({ direction: FORWARDS, fromPosition })) {
      const event = resolved.event;
      if (!event || !isDomainEvent(event)) continue;
      const recorded = fromEsdbEvent(event);
      // fromPosition is inclusive in ESDB; ours is exclusive.
      if (after !== null && recorded.position <= after) continue;
      events.push(recorded);
      if (events.length >= maxCount) break;
    }
    return events;
  }

  subscribeToAll(options: CatchUpSubscriptionOptions): Subscription {
    if (this.closed) throw new Error('EsdbEventStore is closed');
    const after = options.after ?? null;
    const source = this.client.subscribeToAll({
      fromPosition: after === null ? START : toEsdbPosition(after),
      filter: excludeSystemEvents(),
    });
    const subscription = new EsdbCatchUpSubscription(source, options, (finished) => this.subscriptions.delete(finished));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async lastPosition(): Promise<number | null> {
    for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END })) {
      if (resolved.event && isDomainEvent(resolved.event)) return positionNumberOf(resolved.event);
    }
    return null;
  }

  checkpointStore(): CheckpointStore {
    return this.checkpoints;
  }

  /** Throws when the server does not answer a read (readiness checks). */
  async ping(): Promise<void> {
    for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) break;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }

  private async positionOf(stream: string, revision: number): Promise<number> {
    const [event] = await this.readStream(stream, { fromRevision: revision, maxCount: 1 });
    if (!event) throw new Error(`EventStoreDB reported ${stream}@${revision} as written but it cannot be read`);
    return event.position;
  }
}
