import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { schemaVersionOf, timeOrderedUuid, type EventMetadata, type EventStore, type NewEvent } from '@as2-partners/kernel';
import { systemMetadata } from '@as2-partners/platform';
import { TrafficControlStreams, type OutboundBlocked, type ResolvedDecision } from '@as2-partners/traffic-control-domain';
import type { DecisionRequest } from '../../queries/traffic-decisions/decision.schemas';

// Long enough that a burst of blocks to one partner is one append (one stream write), short beside the notice gather time.
const FLUSH_DELAY_MS = 100;
const RETRY_DELAY_MS = 1000;
const BLOCKED_SCHEMA_VERSION = schemaVersionOf('traffic.outbound_blocked.v1');
const GATEWAY = { type: 'service', id: 'gateway' } as const;
/** Beyond this many unwritten blocks (the store down for long), the oldest are dropped with an error log. */
const MAX_QUEUED = 100_000;

/**
 * Records `traffic.outbound_blocked.v1` for every block decision without the decision waiting: blocks are queued and
 * appended in batches a moment later, retried while the event store is down. Facts only, never a payload.
 */
export class OutboundBlockRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboundBlocks');
  private queue: { stream: string; event: NewEvent }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** account → tenant → the metadata of blocks decided at `metadataInstant`. */
  private readonly metadataByScope = new Map<string, Map<string | null, EventMetadata>>();
  private metadataInstant = Number.NaN;

  constructor(private readonly store: EventStore) {}

  record(resolved: ResolvedDecision, request: DecisionRequest, nowMs: number): void {
    const partner = resolved.partner;
    if (!partner) return;
    const metadata = this.metadataAt(partner.account, resolved.tenant, nowMs);
    const event: OutboundBlocked = {
      type: 'traffic.outbound_blocked.v1',
      data: {
        partnerId: partner.partnerId,
        account: partner.account,
        tenant: resolved.tenant,
        as2InstanceId: resolved.instance?.instanceId ?? '',
        messageId: request.message_id,
        channel: request.channel ?? null,
        as2From: request.as2_from,
        as2To: request.as2_to,
        reason: resolved.reason,
        blockedAt: metadata.occurredAt,
      },
    };
    const recorded: NewEvent = { id: timeOrderedUuid(nowMs), type: event.type, schemaVersion: BLOCKED_SCHEMA_VERSION, data: event.data, metadata };
    if (this.queue.length >= MAX_QUEUED) this.logger.error(`Dropped the record of a blocked message ${this.queue.shift()?.event.id}: the event store has been unreachable too long`);
    this.queue.push({ stream: TrafficControlStreams.outboundBlocks(partner.partnerId), event: recorded });
    this.schedule(FLUSH_DELAY_MS);
  }

  /**
   * The metadata of blocks decided at one instant for one tenant: the blocks of a batch share one object per tenant
   * (the store writes shared metadata once), kept until the clock moves.
   */
  private metadataAt(account: string, tenant: string | null, nowMs: number): EventMetadata {
    if (nowMs !== this.metadataInstant) {
      this.metadataInstant = nowMs;
      this.metadataByScope.clear();
    }
    let byTenant = this.metadataByScope.get(account);
    if (!byTenant) this.metadataByScope.set(account, (byTenant = new Map()));
    let metadata = byTenant.get(tenant);
    if (!metadata) byTenant.set(tenant, (metadata = systemMetadata({ account, tenant }, GATEWAY, new Date(nowMs))));
    return metadata;
  }

  /** Appends what is queued now (tests and shutdown). */
  async flush(): Promise<void> {
    // One write at a time; an earlier failure was reported to its own caller.
    await this.flushing.catch(() => undefined);
    this.flushing = this.write();
    await this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch((error) => {
        this.logger.warn(`Recording blocked messages failed, retrying: ${String(error)}`);
        this.schedule(RETRY_DELAY_MS);
      });
    }, delayMs);
    this.timer.unref?.();
  }

  private async write(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const byStream = new Map<string, NewEvent[]>();
    for (const { stream, event } of batch) {
      const events = byStream.get(stream);
      if (events) events.push(event);
      else byStream.set(stream, [event]);
    }
    const failed: { stream: string; event: NewEvent }[] = [];
    // All streams' appends at once: the store commits them together (one transaction on SQLite's group commit).
    await Promise.all(
      [...byStream].map(async ([stream, events]) => {
        try {
          await this.store.append(stream, events, 'any');
        } catch (error) {
          failed.push(...events.map((event) => ({ stream, event })));
          this.logger.warn(`Could not record ${events.length} blocked message(s) of ${stream}: ${String(error)}`);
        }
      }),
    );
    if (failed.length > 0) {
      // Same event ids on the retry: an append that did land is not written twice.
      this.queue = [...failed, ...this.queue];
      throw new Error(`${failed.length} blocked message record(s) wait for the event store`);
    }
  }
}
