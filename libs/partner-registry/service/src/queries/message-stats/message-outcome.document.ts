/** The gateway's latest word on one message (collection `partner_registry_message_outcomes`), keyed by account, tenant and message id. */
export interface MessageOutcomeDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly messageId: string;
  readonly direction: MessageDirection;
  readonly as2From: string;
  readonly as2To: string;
  /** The partner's side of the pair: AS2-To of an outbound message, AS2-From of an inbound one. */
  readonly partnerAs2Id: string;
  /**
   * The partner the message is counted for, as the tenant's partners stood when it was first recorded with this AS2 id
   * (of two with it, the one its partnership pairs it with): a partner that later takes a deleted partner's AS2 id does
   * not inherit its messages. '' when the tenant had no partner of that AS2 id then: counted for no partner, not for
   * one that takes the id later. Absent on documents written before it was kept: counted for every partner with the AS2
   * id, as then.
   */
  readonly partnerId?: string;
  /** The partner side's AS2 id before the latest record moved the message to another partner (its stats changed too). */
  readonly movedFrom?: string;
  readonly status: MessageStatus;
  readonly occurredAt: string;
  /** Absent on documents written before it was kept: their millisecond instant. */
  readonly occurredAtMicros?: number;
}

export const MESSAGE_DIRECTIONS = ['inbound', 'outbound'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

/** `delivered` counts as a success, `failed` and `rejected` as failures; the others are still on their way. */
export const MESSAGE_STATUSES = ['pending', 'sent', 'retrying', 'delivered', 'failed', 'rejected'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** A message's outcomes arrive in any order: the later one wins, and at the same instant a final one beats one in flight. */
export const STATUS_RANK: Readonly<Record<MessageStatus, number>> = { pending: 0, sent: 1, retrying: 2, delivered: 3, failed: 3, rejected: 3 };

export const MESSAGE_OUTCOMES_COLLECTION = 'partner_registry_message_outcomes';
/**
 * A partner's statistics are index ranges counted without reading a document: its messages by direction and by status,
 * and its latest, under the AS2 id and the partner they were counted for.
 */
export const MESSAGE_OUTCOME_INDEXES = [
  ['account', 'tenant', 'partnerAs2Id', 'partnerId', 'direction'],
  ['account', 'tenant', 'partnerAs2Id', 'partnerId', 'status'],
  ['account', 'tenant', 'partnerAs2Id', 'partnerId', 'occurredAt'],
] as const;

/** When a message occurred in microseconds since the epoch: the record's own, or (kept before microseconds were) its millisecond's. */
export const occurredAtMicrosOf = (outcome: Pick<MessageOutcome, 'occurredAt' | 'occurredAtMicros'>): number => outcome.occurredAtMicros ?? Date.parse(outcome.occurredAt) * 1000;

export const messageOutcomeIdOf = (account: string, tenant: string, messageId: string): string => `${account}|${tenant}|${messageId}`;

/** One gateway record, validated, in the service's names. */
export interface MessageOutcome {
  readonly account: string;
  readonly tenant: string;
  readonly messageId: string;
  readonly direction: MessageDirection;
  readonly as2From: string;
  readonly as2To: string;
  readonly status: MessageStatus;
  /** ISO-8601 UTC, to the millisecond. */
  readonly occurredAt: string;
  /** The instant to the microsecond the record gave (occurred_at has six fraction digits): what orders two records. */
  readonly occurredAtMicros?: number;
}
