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
  /** The longest a tick trusts what it knows and skips the due query (a change it was not told about). Default 10 s. */
  readonly fallbackMs?: number;
  /**
   * True once the registry deleted the partner: its `until` and windows are never applied (no pause or resume for it).
   * May answer later (while the directory is refilled after a restart, from the partner's document): the tick waits.
   */
  readonly isPartnerDeleted?: (partnerId: string) => boolean | Promise<boolean>;
  /**
   * True once the registry deleted the tenant: the tenant's own streams (its pauses and windows of an inherited master
   * partner too, whose partner lives on) are never changed again, as for a deleted partner.
   */
  readonly isTenantDeleted?: (account: string, tenant: string) => boolean | Promise<boolean>;
}

const BATCH = 100;
const FALLBACK_MS = 10_000;

/**
 * Ends pauses at their `until` and starts and ends maintenance windows at their instants, with no human. Each change
 * is decided on the partner traffic stream with its expected revision, so it happens exactly once even when several
 * replicas tick at the same instant (the loser re-reads, finds nothing due and appends nothing); after downtime the
 * first tick applies what is overdue. The loop is the kernel's `PollingScheduler`, shared with the activation scheduler.
 */
export class TrafficScheduler extends PollingScheduler {
  /** The earliest change the last due query found not yet due (ms); -Infinity until a query ran or when it must run. */
  private knownNextMs = Number.NEGATIVE_INFINITY;
  /** The earliest change the view was told of since the running query began (it may not have seen it). */
  private toldNextMs = Number.POSITIVE_INFINITY;
  private lastQueryMs = Number.NEGATIVE_INFINITY;
  /** Streams of deleted partners or tenants (a deletion is final): left out of the due query, so they never crowd a batch. */
  private readonly closedStreams = new Set<string>();

  constructor(private readonly options: TrafficSchedulerOptions) {
    super(options, { prefix: 'traffic-scheduler', label: 'Traffic scheduler' });
  }

  /** Told by the traffic view whenever it writes a stream's next change (null: none), so a tick knows when to query. */
  changeScheduledAt(at: string | null): void {
    if (at !== null) this.toldNextMs = Math.min(this.toldNextMs, Date.parse(at));
  }

  /**
   * One pass over what is due now; returns how many events this instance appended. The due query runs only when
   * something is due by what the scheduler knows (the last query's next change, what the view told it since) or the
   * fallback interval passed, so an idle process does not query four times a second.
   */
  override async tick(): Promise<number> {
    const now = this.options.clock.now();
    const nowMs = now.getTime();
    const knownNextMs = Math.min(this.knownNextMs, this.toldNextMs);
    if (knownNextMs > nowMs && nowMs - this.lastQueryMs < (this.options.fallbackMs ?? FALLBACK_MS)) return 0;
    this.toldNextMs = Number.POSITIVE_INFINITY;
    this.lastQueryMs = nowMs;
    // Due and not yet due in one read: the first change after now is when the next query is needed.
    const skipped = this.closedStreams.size === 0 ? {} : { _id: { $nin: [...this.closedStreams] } };
    const found = await this.options.traffic.find({ filter: { nextChangeAt: { $ne: null }, ...skipped }, sort: { nextChangeAt: 1, _id: 1 }, limit: BATCH + 1 });
    const due = found.items.filter((doc) => Date.parse(doc.nextChangeAt as string) <= nowMs).slice(0, BATCH);
    const later = found.items.find((doc) => Date.parse(doc.nextChangeAt as string) > nowMs);
    // A full batch due may leave more: the next tick queries again (as after any change made or failed below).
    if (due.length === BATCH) this.knownNextMs = Number.NEGATIVE_INFINITY;
    else this.knownNextMs = later ? Date.parse(later.nextChangeAt as string) : Number.POSITIVE_INFINITY;
    const actor = { type: 'system' as const, id: this.instanceId };
    let appended = 0;
    let last: number | null = null;
    for (const doc of due) {
      if ((await this.options.isPartnerDeleted?.(doc.partnerId)) || (doc.tenant !== null && (await this.options.isTenantDeleted?.(doc.account, doc.tenant)))) {
        this.closedStreams.add(doc._id);
        continue;
      }
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
        this.knownNextMs = Number.NEGATIVE_INFINITY;
        const detail = error instanceof DomainError ? `${error.code}: ${error.message}` : String(error);
        this.options.logger?.error('Scheduled traffic change failed; retrying on the next tick', { stream: doc._id, error: detail });
      }
    }
    if (last !== null) {
      // What was applied moved its stream's next change (a window's end): query again once the view has it.
      this.knownNextMs = Number.NEGATIVE_INFINITY;
      await this.options.onApplied?.(last);
    }
    return appended;
  }
}
