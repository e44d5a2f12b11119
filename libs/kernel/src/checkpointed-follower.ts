import { nextTurnOfLoop } from './decider';
import { PositionWaiters } from './position-waiters';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, errorText, realSleeper, RetryThenPark, type RetryPolicy, type Sleeper } from './retry-then-park';
import type { CheckpointStore } from './checkpoint-store.port';
import type { Clock } from './clock';
import type { RecordedEvent } from './event-envelope';
import type { EventStore, Subscription } from './event-store.port';
import type { ParkedEventStore } from './parked-event-store.port';
import { secondsSince, storeLag, type FollowerLag } from './follower-lag';

/** The most parked entries of a follower looked at when it starts (an operator's list, not a backlog). */
const PARKED_CHECKED_AT_START = 10_000;
/** The longest a read's events are handled one after another before the event loop is given way (handleAll). */
const TURN_MS = 20;

/** Events passed without one handled after which a follower saves its position anyway (it also saves when idle, at stop). */
const UNHANDLED_SAVE_EVERY = 100;

export interface FollowerLogger {
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface CheckpointedFollowerOptions {
  /** Checkpoint name; one per projection, publisher or consumer. Also names its parked events. */
  readonly name: string;
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  /** Where an event the handler keeps failing on is parked, so the events behind it move on. */
  readonly parked: ParkedEventStore;
  /** Must be idempotent: after a crash, events since the last saved checkpoint are delivered again. */
  readonly handle: (event: RecordedEvent) => Promise<void>;
  /**
   * Optional: handles the accepted events of one store read in one call (one write instead of one per event). When it
   * fails, those events are handed to `handle` one by one, with its retries and parking. Must be idempotent too.
   */
  readonly handleBatch?: (events: readonly RecordedEvent[]) => Promise<void>;
  /** Events the follower ignores (their position still advances the checkpoint). */
  readonly accepts?: (event: RecordedEvent) => boolean;
  /** Save the checkpoint after this many handled events (and on idle/stop). Default 100, or 1 when saves join the read-model writes' transaction. */
  readonly checkpointEvery?: number;
  /** Attempts and backoff for a failing handler, and for following again after the subscription failed. */
  readonly retry?: RetryPolicy;
  readonly sleep?: Sleeper;
  readonly random?: () => number;
  readonly clock?: Clock;
  readonly logger?: FollowerLogger;
}

/**
 * Follows the event store from a stored checkpoint and hands every event to `handle`, in order.
 * A failing handler is retried with backoff and jitter, then the event is parked with its error and the position
 * moves on; handlers are idempotent, so redelivery after a crash changes nothing. A failed subscription is
 * followed again from the last handled position. `waitFor(position)` serves read-your-writes.
 */
export class CheckpointedFollower {
  private subscription: Subscription | null = null;
  private processed: number | null = null;
  private saved: number | null = null;
  private sinceSave = 0;
  /** Events passed since start (handled, parked or not accepted): a rebuild reports its rate from it. */
  private passedSinceStart = 0;
  private idleSave: NodeJS.Timeout | null = null;
  private readonly waiters = new PositionWaiters();
  private readonly retries: RetryThenPark;
  private readonly policy: RetryPolicy;
  private running = false;
  private subscriptionFailures = 0;
  private subscriptionError: string | null = null;
  private subscriptionFailingSince: Date | null = null;
  private wakeSleepers: () => void = () => undefined;
  private stopped: Promise<void> = Promise.resolve();
  /** Counts starts, so a resubscription scheduled before a stop() never follows in a later run. */
  private generation = 0;

  constructor(private readonly options: CheckpointedFollowerOptions) {
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.retries = new RetryThenPark({
      consumer: options.name,
      parked: options.parked,
      policy: this.policy,
      sleep: (ms) => this.pause(ms),
      random: options.random,
      clock: options.clock,
      logger: options.logger,
      stopping: () => !this.running,
    });
  }

  get position(): number | null {
    return this.processed;
  }

  get passed(): number {
    return this.passedSinceStart;
  }

  async start(): Promise<void> {
    const checkpoint = await this.options.checkpoints.load(this.options.name);
    await this.forgetParkedAhead(checkpoint);
    this.processed = checkpoint;
    this.saved = checkpoint;
    this.passedSinceStart = 0;
    this.running = true;
    this.generation += 1;
    this.subscriptionFailures = 0;
    this.subscriptionFailingSince = null;
    this.stopped = new Promise<void>((resolve) => (this.wakeSleepers = resolve));
    this.subscribe();
  }

  /**
   * Events parked after the checkpoint are delivered again from it: the move past them was lost (a crash, or the read
   * store refusing the commit that carried it), so they are handled anew (and parked anew if they still fail). Their
   * old entries are dropped: listed, they said a handled event was missing, and a replay would have applied it again
   * after the events behind it, over what those wrote.
   */
  private async forgetParkedAhead(checkpoint: number | null): Promise<void> {
    const entries = await this.options.parked.list({ consumer: this.options.name, limit: PARKED_CHECKED_AT_START });
    for (const entry of entries) if (checkpoint === null || entry.event.position > checkpoint) await this.options.parked.remove(entry.id);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeSleepers();
    await this.subscription?.stop();
    this.subscription = null;
    if (this.idleSave) clearTimeout(this.idleSave);
    this.idleSave = null;
    // A stop goes on when the checkpoint cannot be saved (its store failed: the stop that follows is what repairs it):
    // the events handled since the last save are delivered again at the next start, and handlers take them again.
    await this.saveCheckpoint().catch((error: unknown) =>
      this.options.logger?.error(`follower ${this.options.name} could not save its checkpoint at stop: the events after it are delivered again at the next start`, { error: String(error) }),
    );
  }

  /** Resolves when every event up to `position` has been handled or parked; rejects after `timeoutMs`. */
  waitFor(position: number, timeoutMs = 5000): Promise<void> {
    return this.waiters.waitFor(position, this.processed, timeoutMs, this.options.name);
  }

  /** How far behind the store this follower is, and what last went wrong: for health and metrics. */
  async lag(): Promise<FollowerLag> {
    const position = this.processed;
    const [behind, parked] = await Promise.all([storeLag(this.options.store, position, this.now()), this.options.parked.count(this.options.name)]);
    const heldSince = this.retries.heldSince ?? this.subscriptionFailingSince;
    return {
      name: this.options.name,
      running: this.running,
      position,
      ...behind,
      lastError: this.subscriptionError ?? this.retries.lastError,
      parked,
      stalledSeconds: this.running ? secondsSince(heldSince, this.now()) : 0,
    };
  }

  private now(): Date {
    return this.options.clock?.now() ?? new Date();
  }

  private subscribe(): void {
    this.subscription = this.options.store.subscribeToAll({
      after: this.processed,
      // A store that delivers one by one: each event is a read of one.
      onEvent: (event) => this.processBatch([event]),
      // A store that reads in pages hands each read over at once: the events this follower does not accept cost it no
      // call, and its checkpoint moves once per read. Under a stream of creates a dozen followers pass each event, most
      // of them accepting none; one call (its promises, a checkpoint save) per event each was an eighth of what a create allocated.
      onBatch: (events) => this.processBatch(events),
      onError: (error) => void this.resubscribeAfter(error),
    });
  }

  /** The subscription stopped on an error (the store failed, or parking did): follow again after a pause. */
  private async resubscribeAfter(error: unknown): Promise<void> {
    if (!this.running) return;
    const generation = this.generation;
    this.subscriptionFailures += 1;
    this.subscriptionError = errorText(error);
    this.subscriptionFailingSince ??= this.now();
    const delay = backoffDelayMs(this.policy, this.subscriptionFailures, this.options.random);
    this.options.logger?.error(`follower ${this.options.name} lost its subscription, follows again in ${delay} ms`, {
      error: this.subscriptionError,
      position: this.processed,
    });
    await this.pause(delay);
    if (this.running && generation === this.generation) this.subscribe();
  }

  /**
   * A store read's events at once (or one event, from a store that delivers one by one): the accepted ones go to
   * `handleBatch`, or to `handle` one by one; the position moves to the last.
   */
  private async processBatch(events: readonly RecordedEvent[]): Promise<void> {
    const after = this.processed;
    const fresh = after === null ? events : events.filter((event) => event.position > after);
    const last = fresh.at(-1);
    if (!last) return;
    const accepts = this.options.accepts;
    const accepted = accepts ? fresh.filter((event) => accepts(event)) : fresh;
    if (accepted.length > 0) await this.handleAll(accepted);
    this.subscriptionFailures = 0;
    this.subscriptionError = null;
    this.subscriptionFailingSince = null;
    this.processed = last.position;
    this.passedSinceStart += fresh.length;
    this.waiters.release(last.position);
    this.sinceSave += fresh.length;
    if (this.sinceSave >= this.saveEvery(accepted.length > 0)) await this.saveCheckpoint();
    else this.scheduleIdleSave();
  }

  private async handleAll(events: readonly RecordedEvent[]): Promise<void> {
    const handleBatch = this.options.handleBatch;
    if (handleBatch && events.length > 1) {
      try {
        await handleBatch(events);
        return;
      } catch (error) {
        this.options.logger?.warn(`follower ${this.options.name} could not handle ${events.length} events at once, handles them one by one`, { error: errorText(error) });
      }
    }
    let turnStarted = performance.now();
    for (const [index, event] of events.entries()) {
      // A long read (a partner's 1,200 certificates deactivated at its deletion) gives the event loop way between events:
      // handlers that answer without waiting (the embedded store) held it for the whole read (0.5-1.7 s).
      if (performance.now() - turnStarted > TURN_MS) {
        await nextTurnOfLoop();
        turnStarted = performance.now();
      }
      await this.retries.handle(event, this.options.handle);
      // Passed up to the next accepted event, as when events come one by one: a write waiting for one of these is not
      // held by a slower event after it in the same read (a handler retrying with backoff). After the last, the read's
      // end is passed by processBatch.
      const next = events[index + 1];
      if (!next) return;
      this.processed = next.position - 1;
      this.waiters.release(this.processed);
    }
  }

  /**
   * After every read it handled events of when saves join the read-model writes (both in one transaction), else every
   * 100 events. A read it handled none of wrote nothing for a save to join: its position is saved as rarely as a
   * follower's whose saves stand alone (every 100 events, when idle, at stop). Under creates most followers accept none
   * of a read, and each save was a row written in the read store's transaction.
   */
  private saveEvery(handled: boolean): number {
    const every = this.options.checkpointEvery ?? (this.options.checkpoints.savesWithReadModelWrites ? 1 : 100);
    return handled ? every : Math.max(every, UNHANDLED_SAVE_EVERY);
  }

  /** A pause that stop() cuts short. */
  private pause(ms: number): Promise<void> {
    return Promise.race([(this.options.sleep ?? realSleeper)(ms), this.stopped]);
  }

  private scheduleIdleSave(): void {
    if (this.idleSave) return;
    this.idleSave = setTimeout(() => {
      this.idleSave = null;
      void this.saveCheckpoint().catch((error) =>
        this.options.logger?.error(`follower ${this.options.name} could not save its checkpoint`, { error: String(error) }),
      );
    }, 200);
    this.idleSave.unref?.();
  }

  private async saveCheckpoint(): Promise<void> {
    if (this.processed === null || this.processed === this.saved) return;
    const position = this.processed;
    await this.options.checkpoints.save(this.options.name, position);
    this.saved = position;
    this.sinceSave = 0;
  }
}
