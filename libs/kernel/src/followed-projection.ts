import type { RecordedEvent } from './event-envelope';
import type { FollowerLag } from './follower-lag';
import { FollowedReactor, type FollowedDependencies } from './followed-reactor';
import type { Projection, RebuildOutcome } from './projection';

/** What every followed projection needs from the process: the store it follows and where it keeps its place. */
export type FollowedProjectionDependencies = FollowedDependencies;

/**
 * A read model fed by the event store: subclasses say which events they take, how one is applied (idempotently)
 * and how to clear their documents; the reactor base follows the store from a checkpoint, parks what keeps failing,
 * answers read-your-writes and replays parked events; this adds the rebuild.
 */
export abstract class FollowedProjection extends FollowedReactor implements Projection {
  /** Applies one event; must be idempotent (redelivery after a crash, replay of a parked event). */
  protected abstract apply(event: RecordedEvent): Promise<void>;
  /** Empties every collection this projection writes. */
  protected abstract clear(): Promise<void>;

  protected override react(event: RecordedEvent): Promise<void> {
    return this.apply(event);
  }

  /**
   * Clears the documents, the checkpoint and this projection's parked events, then follows from the start and
   * resolves once it passed the store's last position as it was when the rebuild began (or after `timeoutMs`), with
   * the number of events it passed.
   */
  async rebuild(timeoutMs = 3_600_000): Promise<RebuildOutcome> {
    await this.stop();
    await this.clear();
    await this.followed.checkpoints.delete(this.name);
    await this.followed.parked.removeAll(this.name);
    const head = await this.followed.store.lastPosition();
    // each read of the store handled at once (CheckpointedFollower): no call and no checkpoint per event it skips
    await this.start();
    if (head !== null) await this.waitFor(head, timeoutMs);
    return { events: this.eventsPassed };
  }

  override async lag(): Promise<FollowerLag> {
    const running = await super.lag();
    if (running) return running;
    const [position, parked] = await Promise.all([this.followed.checkpoints.load(this.name), this.followed.parked.count(this.name)]);
    return { name: this.name, running: false, position, headPosition: null, caughtUp: false, secondsBehind: 0, eventsBehind: null, lastError: null, parked, stalledSeconds: 0 };
  }
}
