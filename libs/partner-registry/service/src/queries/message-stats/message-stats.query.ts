import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type Filter, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import { MESSAGE_OUTCOME_INDEXES, MESSAGE_OUTCOMES_COLLECTION, occurredAtMicrosOf, type MessageOutcomeDocument } from './message-outcome.document';

/** Seed 002's `message_stats`: success rate in percent with one decimal, null before any finished message. */
export interface PresentedMessageStats {
  readonly total_sent: number;
  readonly total_received: number;
  readonly success_rate: number | null;
  readonly last_message_at: string | null;
}

/** The statistics of a partner no message named yet. */
export const NO_MESSAGE_STATS: PresentedMessageStats = Object.freeze({ total_sent: 0, total_received: 0, success_rate: null, last_message_at: null });

/** The partner whose statistics are read: its id (an inherited partner's is its master's) and the AS2 id messages name it with. */
export interface StatsSubject {
  readonly partnerId: string;
  readonly as2Id: string;
  /** When the partner was created (ISO-8601): a message recorded before messages were counted for a partner counts for it only if it occurred since. */
  readonly createdAt?: string | null;
}

/** How many messages of one millisecond the last is looked for among (a gateway records far fewer in one). */
const SAME_MILLISECOND_LIMIT = 1000;

/** When a message occurred, to the microsecond its record gave (the API's six fraction digits), not only the millisecond. */
function occurredAtOf(outcome: Pick<MessageOutcomeDocument, 'occurredAt' | 'occurredAtMicros'>): string {
  const at = toApiTimestamp(outcome.occurredAt);
  if (outcome.occurredAtMicros === undefined) return at;
  const microseconds = ((outcome.occurredAtMicros % 1000) + 1000) % 1000;
  return `${at.slice(0, -4)}${String(microseconds).padStart(3, '0')}Z`;
}

/**
 * A partner's message statistics within one tenant: the messages naming its AS2 id that were counted for it when
 * recorded, and those recorded before messages were counted for a partner (a store an earlier version wrote) that
 * occurred while it existed: a partner that takes a deleted partner's AS2 id after an upgrade does not inherit them.
 */
@Injectable()
export class MessageStatsQuery {
  private readonly outcomes: ReadModelCollection<MessageOutcomeDocument>;

  constructor(@Inject(READ_MODEL_STORE) readModels: ReadModelStore) {
    this.outcomes = readModels.collection(MESSAGE_OUTCOMES_COLLECTION, MESSAGE_OUTCOME_INDEXES);
  }

  async statsOf(account: string, tenant: string, partner: StatsSubject): Promise<PresentedMessageStats> {
    const scope = { account, tenant, partnerAs2Id: partner.as2Id };
    // Each part an index range counted without reading a document (partnerId is in every index): the messages counted
    // for the partner, and those recorded before partnerId was kept (null matches a missing field, on MongoDB as in the
    // embedded store) that occurred since it was created. Counting them through one $or read every document of the AS2 id.
    const parts: Filter[] = [{ ...scope, partnerId: partner.partnerId }];
    if ((await this.outcomes.count({ ...scope, partnerId: null })) > 0) {
      const since = partner.createdAt ? new Date(partner.createdAt).toISOString() : null;
      parts.push({ ...scope, partnerId: null, ...(since === null ? {} : { occurredAt: { $gte: since } }) });
    }
    const latest = await Promise.all(parts.map((part) => this.outcomes.find({ filter: part, sort: { occurredAt: -1 }, limit: 1, withoutTotal: true })));
    const newest = latest.flatMap((page) => page.items).reduce<MessageOutcomeDocument | null>((a, b) => (a === null || b.occurredAt > a.occurredAt ? b : a), null);
    // No message at all (most partners most of the time): nothing to count.
    if (newest === null) return NO_MESSAGE_STATS;
    // The index orders by the millisecond: the last of the messages of that millisecond, by the microseconds kept.
    const sameMillisecond = await Promise.all(
      parts.map((part) => this.outcomes.find({ filter: { ...part, occurredAt: newest.occurredAt }, sort: { occurredAt: -1 }, limit: SAME_MILLISECOND_LIMIT, withoutTotal: true })),
    );
    const last = sameMillisecond.flatMap((page) => page.items).reduce((a, b) => (occurredAtMicrosOf(b) > occurredAtMicrosOf(a) ? b : a), newest);
    const countOf = async (condition: Filter): Promise<number> => (await Promise.all(parts.map((part) => this.outcomes.count({ ...part, ...condition })))).reduce((a, b) => a + b, 0);
    const [sent, received, delivered, failed] = await Promise.all([
      countOf({ direction: 'outbound' }),
      countOf({ direction: 'inbound' }),
      countOf({ status: 'delivered' }),
      countOf({ status: { $in: ['failed', 'rejected'] } }),
    ]);
    const finished = delivered + failed;
    return {
      total_sent: sent,
      total_received: received,
      success_rate: successRateOf(delivered, finished),
      last_message_at: occurredAtOf(last),
    };
  }
}

/**
 * Delivered of finished messages in percent with one decimal, half up; null when none finished. Scaled before the
 * division: a rate of exactly .x5 (201 of 400) is then exact, where the quotient scaled after it (0.5025 × 1000) is
 * 502.49999… and rounded down, unlike 1 of 16's 6.25.
 */
export function successRateOf(delivered: number, finished: number): number | null {
  return finished === 0 ? null : Math.round((delivered * 1000) / finished) / 10;
}
