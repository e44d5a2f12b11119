import {
  WrongExpectedRevisionError,
  type AppendResult,
  type CatchUpSubscriptionOptions,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type Subscription,
} from '@as2-partners/kernel';

/**
 * An EventStore in memory with the semantics of the real adapters (it passes eventStoreContract):
 * optimistic concurrency, idempotent retries by event id, positions from 1, catch-up subscriptions.
 * For tests of code built on the port (relays, projections) that need no file or server.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private appended = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const existing = this.streams.get(stream) ?? [];
    const retried = this.idempotentRetry(existing, events);
    if (retried) return retried;
    const actual = existing.length === 0 ? 'no_stream' : existing.length - 1;
    if (!revisionHolds(expectedRevision, actual)) throw new WrongExpectedRevisionError(stream, expectedRevision, actual);
    if (events.length === 0) return { nextExpectedRevision: existing.length - 1, position: this.log.length };
    for (const event of events) {
      const recorded: RecordedEvent = { ...structuredClone(event), stream, revision: existing.length, position: this.log.length + 1 };
      existing.push(recorded);
      this.log.push(recorded);
    }
    this.streams.set(stream, existing);
    this.notify();
    return { nextExpectedRevision: existing.length - 1, position: this.log.length };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const events = this.streams.get(stream) ?? [];
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (options.direction === 'backwards') {
      const from = options.fromRevision ?? events.length - 1;
      return events.filter((e) => e.revision <= from).reverse().slice(0, max);
    }
    return events.filter((e) => e.revision >= (options.fromRevision ?? 0)).slice(0, max);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const start = options.after ?? 0;
    return this.log.slice(start, start + (options.maxCount ?? this.log.length));
  }

  subscribeToAll(options: CatchUpSubscriptionOptions): Subscription {
    let stopped = false;
    let wake: (() => void) | null = null;
    const follow = async (): Promise<void> => {
      let next = options.after ?? 0;
      while (!stopped) {
        if (next >= this.log.length) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            this.appended.add(resolve);
          });
          continue;
        }
        // With onBatch, everything appended so far at once (as a store reading in pages hands over a page).
        const events = options.onBatch ? this.log.slice(next) : [this.log[next]];
        try {
          if (options.onBatch) await options.onBatch(events);
          else await options.onEvent(events[0]);
        } catch (error) {
          stopped = true;
          options.onError?.(error);
          return;
        }
        next += events.length;
      }
    };
    const running = follow();
    const subscription: Subscription = {
      stop: async () => {
        stopped = true;
        wake?.();
        await running;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async lastPosition(): Promise<number | null> {
    return this.log.length === 0 ? null : this.log.length;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }

  /** The same ids already stored in this stream, in the same order: the earlier result, nothing written. */
  private idempotentRetry(existing: readonly RecordedEvent[], events: readonly NewEvent[]): AppendResult | null {
    if (events.length === 0) return null;
    const start = existing.findIndex((e) => e.id === events[0].id);
    if (start < 0) return null;
    const matches = events.every((event, i) => existing[start + i]?.id === event.id);
    if (!matches) return null;
    const last = existing[start + events.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  private notify(): void {
    const waiting = this.appended;
    this.appended = new Set();
    for (const resolve of waiting) resolve();
  }
}

function revisionHolds(expected: ExpectedRevision, actual: number | 'no_stream'): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 'no_stream';
  if (expected === 'stream_exists') return actual !== 'no_stream';
  return expected === actual;
}
