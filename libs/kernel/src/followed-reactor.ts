import { CheckpointedFollower, type FollowerLogger } from './checkpointed-follower';
import type { CheckpointStore } from './checkpoint-store.port';
import type { Clock } from './clock';
import type { RecordedEvent } from './event-envelope';
import type { EventStore } from './event-store.port';
import type { FollowerLag } from './follower-lag';
import type { ParkedEvent, ParkedEventStore } from './parked-event-store.port';
import type { ParkedEventReplayer } from './projection';
import type { RetryPolicy, Sleeper } from './retry-then-park';

/** What every store follower needs from the process: the store it follows and where it keeps its place. */
export interface FollowedDependencies {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly parked: ParkedEventStore;
  readonly logger?: FollowerLogger;
  readonly retry?: RetryPolicy;
  readonly sleep?: Sleeper;
  readonly random?: () => number;
  readonly clock?: Clock;
}

/**
 * Reacts to events of the store: subclasses say which events they take and what one does (idempotently); this base
 * follows the store from a checkpoint, parks what keeps failing, answers `waitFor` and `lag`, and replays parked events.
 */
export abstract class FollowedReactor implements ParkedEventReplayer {
  abstract readonly name: string;
  private follower: CheckpointedFollower | null = null;

  constructor(protected readonly followed: FollowedDependencies) {}

  /** Events of interest; the others only move the position. */
  protected abstract accepts(event: RecordedEvent): boolean;
  /** Handles one event; must be idempotent (redelivery after a crash, replay of a parked event). */
  protected abstract react(event: RecordedEvent): Promise<void>;
  /**
   * Optional: handles the accepted events of one store read at once (one write for many events); when it fails, the
   * events go to `react` one by one, with retries and parking. Idempotent like `react`.
   */
  protected reactBatch?(events: readonly RecordedEvent[]): Promise<void>;

  async start(): Promise<void> {
    if (this.follower) return;
    const { store, checkpoints, parked, logger, retry, sleep, random, clock } = this.followed;
    this.follower = new CheckpointedFollower({
      name: this.name,
      store,
      checkpoints,
      parked,
      accepts: (event) => this.accepts(event),
      handle: (event) => this.react(event),
      handleBatch: this.reactBatch?.bind(this),
      retry,
      sleep,
      random,
      clock,
      logger,
    });
    await this.follower.start();
  }

  async stop(): Promise<void> {
    const follower = this.follower;
    this.follower = null;
    await follower?.stop();
  }

  waitFor(position: number, timeoutMs?: number): Promise<void> {
    if (!this.follower) return Promise.reject(new Error(`${this.name} is not running`));
    return this.follower.waitFor(position, timeoutMs);
  }

  /** Events passed since it last started (0 while it does not run). */
  protected get eventsPassed(): number {
    return this.follower?.passed ?? 0;
  }

  /** Where it stands; null while it does not run. */
  async lag(): Promise<FollowerLag | null> {
    return this.follower ? this.follower.lag() : null;
  }

  /** Handles a parked event once more (after a fix); it leaves the parked store only if that succeeds. */
  async replayParked(entry: ParkedEvent): Promise<void> {
    if (entry.consumer !== this.name) throw new Error(`${entry.id} was parked by ${entry.consumer}, not ${this.name}`);
    await this.react(entry.event);
    await this.followed.parked.remove(entry.id);
  }
}
