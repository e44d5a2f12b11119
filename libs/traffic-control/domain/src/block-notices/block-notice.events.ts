/** Whose notice: one partner's, per tenant (`tenant: null`: an account-level master partner's blocks). */
interface NoticeScope {
  readonly account: string;
  readonly tenant: string | null;
  readonly partnerId: string;
}

/**
 * A replica took the partner's notice slot for these blocked messages (`eventIds`: their `traffic.outbound_blocked.v1`
 * events): it alone mails them, and no other notice for the partner goes out within the interval.
 */
export interface BlockNoticeClaimed {
  readonly type: 'traffic.block_notice_claimed.v1';
  readonly data: NoticeScope & { readonly claimant: string; readonly eventIds: readonly string[]; readonly messageIds: readonly string[]; readonly claimedAt: string };
}

/** The claimed notice was handed to the SMTP server. */
export interface BlockNoticeSent {
  readonly type: 'traffic.block_notice_sent.v1';
  readonly data: NoticeScope & { readonly claimant: string; readonly eventIds: readonly string[]; readonly sentAt: string };
}

/**
 * The SMTP server refused the claimed notice for good (a 5xx reply to RCPT TO or DATA): these blocks are not mailed,
 * not retried, and the reply says why (`smtpCode`, `smtpReply`).
 */
export interface BlockNoticeFailed {
  readonly type: 'traffic.block_notice_failed.v1';
  readonly data: NoticeScope & {
    readonly claimant: string;
    readonly eventIds: readonly string[];
    readonly smtpCode: number;
    readonly smtpReply: string;
    readonly failedAt: string;
  };
}

export type BlockNoticeEvent = BlockNoticeClaimed | BlockNoticeSent | BlockNoticeFailed;

export const BLOCK_NOTICE_EVENT_TYPES = ['traffic.block_notice_claimed.v1', 'traffic.block_notice_sent.v1', 'traffic.block_notice_failed.v1'] as const satisfies readonly BlockNoticeEvent['type'][];
