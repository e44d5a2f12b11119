import { DomainError, PollingScheduler, type Clock, type FollowerLogger, type ReadModelCollection, type WriteModel } from '@as2-partners/kernel';
import { systemMetadata } from '@as2-partners/platform';
import { partnerTrafficDecider } from '@as2-partners/traffic-control-domain';
import type { PartnerTrafficDocument } from '../../queries/partner-traffic/partner-traffic.document';

export interface TrafficSchedulerOptions {
  readonly writeModel: WriteModel;
  /** The traffic view: its `nextChangeAt` says which streams have something due. */
  readonly traffic: ReadModelCollection<PartnerTrafficDocument>;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly instanceId?: string;
  readonly logger?: FollowerLogger;
  /** Called after a tick appended events, with the last position (to wait for views). */
  readonly onApplied?: (position: number) => Promise<void>;
}

const BATCH = 100;

/**
 * Ends pauses at their `until` and starts and ends maintenance windows at their instants, with no human. Each change
 * is decided on the partner traffic stream with its expected revision, so it happens exactly once even when several
 * replicas tick at the same instant (the loser re-reads, finds nothing due and appends nothing); after downtime the
 * first tick applies what is overdue. The loop is the kernel's `PollingScheduler`, shared with the activation scheduler.
 */
export class TrafficScheduler extends PollingScheduler {
  constructor(private readonly options: TrafficSchedulerOptions) {
    super(options, { prefix: 'traffic-scheduler', label: 'Traffic scheduler' });
  }

  /** One pass over what is due now; returns how many events this instance appended. */
  override async tick(): Promise<number> {
    const now = this.options.clock.now();
    const due = await this.options.traffic.find({ filter: { nextChangeAt: { $ne: null, $lte: now.toISOString() } }, sort: { nextChangeAt: 1, _id: 1 }, limit: BATCH });
    const actor = { type: 'system' as const, id: this.instanceId };
    let appended = 0;
    let last: number | null = null;
    for (const doc of due.items) {
      try {
        const decision = await this.options.writeModel.decide(
          doc._id,
          partnerTrafficDecider,
          { type: 'apply_due', actor: this.instanceId, now: now.toISOString() },
          systemMetadata({ account: doc.account, tenant: doc.tenant }, actor, now),
        );
        appended += decision.events.length;
        last = decision.position ?? last;
      } catch (error) {
        // Stays due: the next tick tries again.
        const detail = error instanceof DomainError ? `${error.code}: ${error.message}` : String(error);
        this.options.logger?.error('Scheduled traffic change failed; retrying on the next tick', { stream: doc._id, error: detail });
      }
    }
    if (last !== null) await this.options.onApplied?.(last);
    return appended;
  }
}
