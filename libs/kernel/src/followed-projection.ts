import { CheckpointedFollower, type FollowerLogger } from './checkpointed-follower';
import type { CheckpointStore } from './checkpoint-store.port';
import type { Clock } from './clock';
import type { RecordedEvent } from './event-envelope';
import type { EventStore } from './event-store.port';
import type { FollowerLag } from './follower-lag';
import type { ParkedEvent, ParkedEventStore } from './parked-event-store.port';
import type { Projection } from './projection';
import type { RetryPolicy, Sleeper } from './retry-then-park';

/** What every followed projection needs from the process: the store it follows and where it keeps its place. */
export interface FollowedProjectionDependencies {
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
 * A read model fed by the event store: subclasses say which events they take, how one is applied (idempotently)
 * and how to clear their documents; this base follows the store from a checkpoint, parks what keeps failing,
 * rebuilds, answers read-your-writes and replays parked events.
 */
export abstract class FollowedProjection implements Projection {
  abstract readonly name: string;
  private follower: CheckpointedFollower | null = null;

  constructor(protected readonly followed: FollowedProjectionDependencies) {}

  /** Events of interest; the others only move the position. */
  protected abstract accepts(event: RecordedEvent): boolean;
  /** Applies one event; must be idempotent (redelivery after a crash, replay of a parked event). */
  protected abstract apply(event: RecordedEvent): Promise<void>;
  /** Empties every collection this projection writes. */
  protected abstract clear(): Promise<void>;

  async start(): Promise<void> {
    if (this.follower) return;
    const { store, checkpoints, parked, logger, retry, sleep, random, clock } = this.followed;
    this.follower = new CheckpointedFollower({
      name: this.name,
      store,
      checkpoints,
      parked,
      accepts: (event) => this.accepts(event),
      handle: (event) => this.apply(event),
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

  /**
   * Clears the documents, the checkpoint and this projection's parked events, then follows from the start and
   * resolves once it passed the store's last position as it was when the rebuild began (or after `timeoutMs`).
   */
  async rebuild(timeoutMs = 3_600_000): Promise<void> {
    await this.stop();
    await this.clear();
    await this.followed.checkpoints.delete(this.name);
    await this.followed.parked.removeAll(this.name);
    const head = await this.followed.store.lastPosition();
    await this.start();
    if (head !== null) await this.waitFor(head, timeoutMs);
  }

  waitFor(position: number, timeoutMs?: number): Promise<void> {
    if (!this.follower) return Promise.reject(new Error(`${this.name} is not running`));
    return this.follower.waitFor(position, timeoutMs);
  }

  async lag(): Promise<FollowerLag> {
    if (this.follower) return this.follower.lag();
    const [position, parked] = await Promise.all([this.followed.checkpoints.load(this.name), this.followed.parked.count(this.name)]);
    return { name: this.name, running: false, position, headPosition: null, caughtUp: false, secondsBehind: 0, eventsBehind: null, lastError: null, parked, stalledSeconds: 0 };
  }

  /** Applies a parked event once more (after a fix); it leaves the parked store only if that succeeds. */
  async replayParked(entry: ParkedEvent): Promise<void> {
    if (entry.consumer !== this.name) throw new Error(`${entry.id} was parked by ${entry.consumer}, not ${this.name}`);
    await this.apply(entry.event);
    await this.followed.parked.remove(entry.id);
  }
}
