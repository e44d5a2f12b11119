import { CONTROL_CHARACTER_RANGES } from '@as2-partners/kernel';
import type { PendingBlock } from './block-notice.document';
import type { NoticeMail } from './notice-mail-transport';

/** The characters the API refuses in text fields (bidi overrides too: `\u202e` turns what follows around). */
const CONTROL_CHARACTER = new RegExp(`[${CONTROL_CHARACTER_RANGES}]`, 'gu');

/**
 * The gateway's message id and channel are free text (no pattern on the decision route, which must not refuse a message
 * for it): in the notice a control character is shown escaped, so a line break cannot start a line of the sender's choosing
 * and a bidi override cannot show a line reversed.
 */
export function noticeLineText(text: string): string {
  return text.replace(CONTROL_CHARACTER, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The notice listing a partner's blocked messages (`partner`: its name and AS2 id, or its id when unknown; `following`:
 * blocks not listed here, which later notices list).
 */
export function blockNoticeMail(notice: {
  readonly from: string;
  readonly to: string;
  readonly partner: string;
  readonly partnerId: string;
  readonly tenant: string | null;
  readonly listed: readonly PendingBlock[];
  readonly following?: number;
}): NoticeMail {
  const { partner, listed } = notice;
  const lines = listed.map(
    (p) => `- ${noticeLineText(p.messageId)}  channel: ${p.channel === null ? 'unspecified' : noticeLineText(p.channel)}  blocked at: ${p.blockedAt}  (${p.reason})`,
  );
  return {
    from: notice.from,
    to: notice.to,
    // Every message waiting, those the later notices list too: the subject is what a reader sees of a long list.
    subject: `Outbound traffic paused: ${listed.length + (notice.following ?? 0)} message(s) to ${partner} were not sent${notice.following ? ` (${listed.length} listed here)` : ''}`,
    text: [
      `Outbound traffic to the partner ${partner} is paused, so these messages were not sent and their attachments were not kept:`,
      '',
      ...lines,
      ...(notice.following ? [`… and ${notice.following} more, listed in the next notice(s).`] : []),
      '',
      'Send them again after the partner is resumed.',
      `Partner id: ${notice.partnerId}${notice.tenant ? `, tenant: ${notice.tenant}` : ''}`,
    ].join('\n'),
  };
}
