import { createHash } from 'node:crypto';
import { ACCOUNT_LEVEL_TENANT, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';

/** A blocked message waiting to be listed in its partner's next notice. */
export interface PendingBlock {
  readonly eventId: string;
  readonly messageId: string;
  readonly channel: string | null;
  readonly reason: string;
  readonly blockedAt: string;
}

/**
 * A pending block as a document of its own (one per message per notice, so a redelivered block or a message blocked
 * again while it waits lands on it): adding a block writes this small document, never its notice's whole list.
 */
export interface PendingBlockDocument extends PendingBlock {
  readonly _id: string;
  /** Its notice's id (BlockNoticeDocument `_id`). */
  readonly notice: string;
  /** Where it is listed: block time, then the event's store position. */
  readonly order: string;
}

/**
 * One partner's notice state (per tenant): when the last mail went, when the next goes; its pending blocks are
 * PendingBlockDocuments, so this document is written when the schedule changes, not for every block.
 */
export interface BlockNoticeDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly partnerId: string;
  /** Blocks kept in the document itself before they were documents of their own: moved out when it is next read. */
  readonly pending?: readonly PendingBlock[];
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
export const PENDING_BLOCKS_COLLECTION = 'traffic_control_block_notice_pending';
export const blockNoticeIdOf = (account: string, tenant: string | null, partnerId: string) => `${account}.${tenant ?? ACCOUNT_LEVEL_TENANT}.${partnerId}`;
/** A message id is free text up to 998 characters: the key holds its digest. */
export const pendingBlockIdOf = (noticeId: string, messageId: string) => `${noticeId}.${createHash('sha256').update(messageId).digest('base64url')}`;
/** Block time first (what a reader expects), then the store position that orders blocks of one instant. */
export const pendingBlockOrderOf = (blockedAt: string, position: number | undefined) => `${blockedAt}.${String(position ?? 0).padStart(16, '0')}`;

export interface BlockNoticeCollections {
  readonly notices: ReadModelCollection<BlockNoticeDocument>;
  readonly pending: ReadModelCollection<PendingBlockDocument>;
}

/** The notices and their pending blocks, with the indexes their queries use (due notices; a notice's blocks in order). */
export const blockNoticeCollectionsOf = (readModels: ReadModelStore): BlockNoticeCollections => ({
  notices: readModels.collection<BlockNoticeDocument>(BLOCK_NOTICES_COLLECTION, [['dueAt']]),
  pending: readModels.collection<PendingBlockDocument>(PENDING_BLOCKS_COLLECTION, [['notice', 'order']]),
});
