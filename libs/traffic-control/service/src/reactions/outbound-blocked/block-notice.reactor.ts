import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  FollowedReactor,
  PollingLoop,
  type CheckpointStore,
  type Clock,
  type EventStore,
  type ParkedEventStore,
  type RecordedEvent,
} from '@as2-partners/kernel';
import { followerLoggerOf } from '@as2-partners/platform';
import type { BlockNotices } from './block-notices';

export const BLOCK_NOTICE_REACTOR = 'traffic-control.block-notices';
const SEND_INTERVAL_MS = 500;

/**
 * Follows `traffic.outbound_blocked.v1` from a checkpoint into the pending notices, and sends due notices on a timer:
 * beside the decisions, never in their way.
 */
export class BlockNoticeReactor extends FollowedReactor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = BLOCK_NOTICE_REACTOR;
  private readonly logger = new Logger('BlockNotices');
  private readonly sending: PollingLoop;

  constructor(
    private readonly notices: BlockNotices,
    private readonly deps: { store: EventStore; checkpoints: CheckpointStore; parked: ParkedEventStore; clock: Clock; autoStart: boolean },
  ) {
    super({ store: deps.store, checkpoints: deps.checkpoints, parked: deps.parked, clock: deps.clock, logger: followerLoggerOf(new Logger('BlockNotices')) });
    this.sending = new PollingLoop({
      tick: () => this.notices.sendDue(this.deps.clock.now(), () => this.deps.clock.now()),
      intervalMs: SEND_INTERVAL_MS,
      onError: (error) => this.logger.error(`Sending notices failed: ${String(error)}`),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.deps.autoStart) return;
    await this.start();
    this.sending.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.sending.stop();
    await this.stop();
  }

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'traffic.outbound_blocked.v1';
  }

  protected react(event: RecordedEvent): Promise<void> {
    return this.notices.add(event);
  }

  /** A burst of blocks read at once: one notice read per partner, and only the new blocks' documents written. */
  protected override reactBatch(events: readonly RecordedEvent[]): Promise<void> {
    return this.notices.addAll(events);
  }
}
