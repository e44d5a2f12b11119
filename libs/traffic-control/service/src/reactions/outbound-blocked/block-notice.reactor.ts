import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  CheckpointedFollower,
  type CheckpointStore,
  type Clock,
  type EventStore,
  type ParkedEvent,
  type ParkedEventStore,
} from '@as2-partners/kernel';
import { followerLoggerOf } from '@as2-partners/platform';
import type { BlockNotices } from './block-notices';

export const BLOCK_NOTICE_REACTOR = 'traffic-control.block-notices';
const SEND_INTERVAL_MS = 500;

/**
 * Follows `traffic.outbound_blocked.v1` from a checkpoint into the pending notices, and sends due notices on a timer:
 * beside the decisions, never in their way.
 */
export class BlockNoticeReactor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BlockNotices');
  private follower: CheckpointedFollower | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly notices: BlockNotices,
    private readonly deps: { store: EventStore; checkpoints: CheckpointStore; parked: ParkedEventStore; clock: Clock; autoStart: boolean },
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.deps.autoStart) return;
    this.follower = new CheckpointedFollower({
      name: BLOCK_NOTICE_REACTOR,
      store: this.deps.store,
      checkpoints: this.deps.checkpoints,
      parked: this.deps.parked,
      clock: this.deps.clock,
      accepts: (event) => event.type === 'traffic.outbound_blocked.v1',
      handle: (event) => this.notices.add(event),
      logger: followerLoggerOf(this.logger),
    });
    await this.follower.start();
    const tick = () => {
      this.sending = this.notices
        .sendDue(this.deps.clock.now())
        .catch((error) => this.logger.error(`Sending notices failed: ${String(error)}`))
        .finally(() => {
          if (this.follower) this.timer = setTimeout(tick, SEND_INTERVAL_MS);
        });
    };
    tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const follower = this.follower;
    this.follower = null;
    if (this.timer) clearTimeout(this.timer);
    await this.sending;
    await follower?.stop();
  }

  async replayParked(entry: ParkedEvent): Promise<void> {
    if (entry.consumer !== BLOCK_NOTICE_REACTOR) throw new Error(`${entry.id} was parked by ${entry.consumer}, not ${BLOCK_NOTICE_REACTOR}`);
    await this.notices.add(entry.event);
    await this.deps.parked.remove(entry.id);
  }
}
