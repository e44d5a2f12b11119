import { ACCOUNT_LEVEL_TENANT } from '@as2-partners/kernel';

/** A blocked message waiting to be listed in its partner's next notice. */
export interface PendingBlock {
  readonly eventId: string;
  readonly messageId: string;
  readonly channel: string | null;
  readonly reason: string;
  readonly blockedAt: string;
}

/** One partner's notice state (per tenant): what waits to be mailed, when the last mail went, when the next may. */
export interface BlockNoticeDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly partnerId: string;
  readonly pending: readonly PendingBlock[];
  readonly lastSentAt: string | null;
  /** When the pending blocks go out (null: nothing pending). */
  readonly dueAt: string | null;
  readonly attempts: number;
  readonly lastError: string | null;
  /**
   * The last notice the SMTP server refused for good (not retried; `traffic.block_notice_failed.v1` records it too):
   * when, the reply code and text, and the message ids it listed. Absent on documents written before it existed.
   */
  readonly lastFailure?: NoticeFailure | null;
  /** Ids of blocks already mailed or refused, recent ones only: a redelivered event is not mailed twice. */
  readonly sentEventIds: readonly string[];
}

/** A notice the SMTP server refused for good. */
export interface NoticeFailure {
  readonly failedAt: string;
  readonly smtpCode: number;
  readonly smtpReply: string;
  readonly messageIds: readonly string[];
}

export const BLOCK_NOTICES_COLLECTION = 'traffic_control_block_notices';
export const blockNoticeIdOf = (account: string, tenant: string | null, partnerId: string) => `${account}.${tenant ?? ACCOUNT_LEVEL_TENANT}.${partnerId}`;
