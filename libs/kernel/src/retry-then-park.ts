import type { Clock } from './clock';
import { withLogContext, type LogContext } from './log-context';
import type { RecordedEvent } from './event-envelope';
import { dataProblemOf, UnreadableEventError } from './unreadable-event.error';
import { parkedEventIdOf, type ParkedEventStore } from './parked-event-store.port';

/** How long a follower insists on one event before parking it. */
export interface RetryPolicy {
  /** Handler calls before the event is parked (the first call included); at least 1. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, initialDelayMs: 100, maxDelayMs: 10_000 };

/** Waits between attempts; tests inject one that does not wait on real time. */
export type Sleeper = (ms: number) => Promise<void>;

export const realSleeper: Sleeper = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref?.());

/** The pause before attempt `attempt + 1`: doubles from initialDelayMs up to maxDelayMs, minus up to half of it at random. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.initialDelayMs * 2 ** Math.max(0, attempt - 1), policy.maxDelayMs);
  // Jitter spreads the retries of followers that failed together (a store blip) so they do not retry in step.
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export interface RetryLogger {
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface RetryThenParkOptions {
  /** Names the follower in logs and in parked entries. */
  readonly consumer: string;
  readonly parked: ParkedEventStore;
  readonly policy?: RetryPolicy;
  readonly sleep?: Sleeper;
  readonly random?: () => number;
  readonly clock?: Clock;
  readonly logger?: RetryLogger;
  /** True once the follower is stopping: the event is then neither retried nor parked, and is delivered again later. */
  readonly stopping?: () => boolean;
}

export type HandlingOutcome = 'handled' | 'parked';

/** The handler, for events whose data is an object; for any other, an {@link UnreadableEventError} (parked at once). */
function withObjectData(handler: (event: RecordedEvent) => Promise<void>): (event: RecordedEvent) => Promise<void> {
  return (event) => {
    const problem = dataProblemOf(event);
    return problem === null ? handler(event) : Promise.reject(problem);
  };
}

/**
 * Calls a follower's handler with retries, backoff and jitter, then parks the event with its error so the events
 * behind it are applied; an {@link UnreadableEventError} is parked without retries. Throws only when stopping or when parking itself failed: the event was not dealt with
 * and its position must not move.
 */
export class RetryThenPark {
  private readonly policy: RetryPolicy;
  private lastErrorText: string | null = null;
  private handlingSince: Date | null = null;

  constructor(private readonly options: RetryThenParkOptions) {
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
    if (!Number.isInteger(this.policy.maxAttempts) || this.policy.maxAttempts < 1) {
      throw new Error(`maxAttempts must be a positive integer, got ${this.policy.maxAttempts}`);
    }
  }

  /** The last handler error seen (null once an event was handled after it). */
  get lastError(): string | null {
    return this.lastErrorText;
  }

  /** When the event being handled was first handed over; null between events (a stall shows as an old date). */
  get heldSince(): Date | null {
    return this.handlingSince;
  }

  async handle(event: RecordedEvent, handler: (event: RecordedEvent) => Promise<void>, topic: string | null = null): Promise<HandlingOutcome> {
    const outer = this.handlingSince;
    this.handlingSince = outer ?? this.options.clock?.now() ?? new Date();
    try {
      // Every line the handler logs names the event and the request behind it, not the work that woke the follower.
      return await withLogContext(logContextOf(this.options.consumer, event), () => this.handleUntilDone(event, withObjectData(handler), topic));
    } finally {
      this.handlingSince = outer;
    }
  }

  /**
   * Runs a handler of several events at once, once, without retries or parking (a caller that sees it fail hands the
   * events to `handle` one by one); held meanwhile like one event, so a batch that hangs shows as a stall. An event
   * handed to `handle` inside it keeps the batch's start as its own.
   */
  async together(events: readonly RecordedEvent[], handler: () => Promise<void>): Promise<void> {
    const outer = this.handlingSince;
    this.handlingSince = outer ?? this.options.clock?.now() ?? new Date();
    try {
      // One event no handler can read fails the batch: handed to `handle` one by one, it alone is parked.
      for (const event of events) {
        const problem = dataProblemOf(event);
        if (problem !== null) throw problem;
      }
      await withLogContext(batchLogContextOf(this.options.consumer, events), handler);
      this.lastErrorText = null;
    } finally {
      this.handlingSince = outer;
    }
  }

  private async handleUntilDone(event: RecordedEvent, handler: (event: RecordedEvent) => Promise<void>, topic: string | null): Promise<HandlingOutcome> {
    const sleep = this.options.sleep ?? realSleeper;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await handler(event);
        this.lastErrorText = null;
        return 'handled';
      } catch (error) {
        const message = errorText(error);
        this.lastErrorText = message;
        if (this.options.stopping?.()) throw error;
        // An event no retry can read is parked at once: the events behind it are not held up by a backoff.
        if (attempt >= this.policy.maxAttempts || error instanceof UnreadableEventError) {
          await this.park(event, topic, message, attempt);
          return 'parked';
        }
        const delay = backoffDelayMs(this.policy, attempt, this.options.random);
        this.options.logger?.warn(`${this.options.consumer} retries event`, { ...eventContext(event), attempt, error: message, retryInMs: delay });
        await sleep(delay);
      }
    }
  }

  private async park(event: RecordedEvent, topic: string | null, error: string, attempts: number): Promise<void> {
    const { consumer } = this.options;
    await this.options.parked.park({
      id: parkedEventIdOf(consumer, event.id),
      consumer,
      topic,
      event,
      error,
      attempts,
      parkedAt: (this.options.clock?.now() ?? new Date()).toISOString(),
    });
    this.options.logger?.error(`${consumer} parked an event after ${attempts} attempts`, { ...eventContext(event), error });
  }
}

/** What a log line about an event says: the event, and the request it came from (correlation id, tenant, actor). */
export function eventContext(event: RecordedEvent): Record<string, unknown> {
  const { metadata } = event;
  return {
    eventId: event.id,
    type: event.type,
    stream: event.stream,
    position: event.position,
    correlationId: metadata?.correlationId,
    account: metadata?.account,
    tenant: metadata?.tenant,
    user: metadata?.actor?.id,
    ...(metadata?.traceparent ? { traceparent: metadata.traceparent } : {}),
  };
}

function logContextOf(consumer: string, event: RecordedEvent): LogContext {
  const { metadata } = event;
  return {
    consumer,
    eventId: event.id,
    eventType: event.type,
    correlationId: metadata?.correlationId,
    causationId: metadata?.causationId ?? null,
    account: metadata?.account,
    tenant: metadata?.tenant,
    user: metadata?.actor?.id,
  };
}

/** A batch's log context: the consumer and the events' range (the lines of one event's work name it through `handle`). */
function batchLogContextOf(consumer: string, events: readonly RecordedEvent[]): LogContext {
  return { consumer, events: events.length, firstEventId: events[0]?.id, lastEventId: events.at(-1)?.id };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
