import { DomainError, type Decider } from '@as2-partners/kernel';
import { TrafficControlErrorCode as Code } from '../traffic-control.errors';
import type { BlockNoticeEvent } from './block-notice.events';

/** Mailed (and refused) ids remembered (a redelivered block is never mailed twice); older ones are long out of every pending list. */
const SENT_IDS_KEPT = 2000;

export interface BlockNoticeState {
  readonly lastClaim: { readonly claimant: string; readonly eventIds: readonly string[]; readonly claimedAt: string } | null;
  /** Blocks already mailed, most recent last. */
  readonly sent: readonly string[];
  /** Blocks whose notice the SMTP server refused for good, most recent last (absent in states folded before it existed). */
  readonly failed?: readonly string[];
}

export type BlockNoticeCommand =
  | {
      readonly type: 'claim';
      readonly account: string;
      readonly tenant: string | null;
      readonly partnerId: string;
      readonly claimant: string;
      /** The pending blocks (event ids) and their message ids, in the same order. */
      readonly eventIds: readonly string[];
      readonly messageIds: readonly string[];
      readonly intervalMs: number;
      readonly now: string;
    }
  | { readonly type: 'confirm_sent'; readonly account: string; readonly tenant: string | null; readonly partnerId: string; readonly claimant: string; readonly eventIds: readonly string[]; readonly now: string }
  | {
      readonly type: 'record_failed';
      readonly account: string;
      readonly tenant: string | null;
      readonly partnerId: string;
      readonly claimant: string;
      readonly eventIds: readonly string[];
      readonly smtpCode: number;
      readonly smtpReply: string;
      readonly now: string;
    };

/** Blocks done with: mailed, or refused for good; neither is claimed or mailed again. */
const settled = (state: BlockNoticeState, id: string) => state.sent.includes(id) || (state.failed ?? []).includes(id);

/** The blocks of the state's last claim that this claimant still has to mail (null: it holds no open claim). */
export function openClaimOf(state: BlockNoticeState, claimant: string): readonly string[] | null {
  if (state.lastClaim?.claimant !== claimant) return null;
  const unsent = state.lastClaim.eventIds.filter((id) => !settled(state, id));
  return unsent.length > 0 ? unsent : null;
}

/**
 * One notice per partner per interval across every replica: a replica claims the slot on the partner's notice stream
 * (the expected revision makes two claims at one instant one winner, the loser re-reads and finds the slot taken), mails
 * what it claimed, then confirms. Within the slot only its claimant may mail (a retry after a failed send); once the
 * slot is over, blocks claimed but never confirmed (the claimant died) may be claimed again, so none is lost. A notice
 * the SMTP server refused for good is recorded as failed: its blocks are settled like mailed ones, never retried.
 */
export const blockNoticeDecider: Decider<BlockNoticeCommand, BlockNoticeState, BlockNoticeEvent> = {
  initialState: () => ({ lastClaim: null, sent: [], failed: [] }),
  decide: (command, state) => {
    const scope = { account: command.account, tenant: command.tenant, partnerId: command.partnerId };
    if (command.type === 'confirm_sent') {
      const eventIds = command.eventIds.filter((id) => !state.sent.includes(id));
      return eventIds.length === 0 ? [] : [{ type: 'traffic.block_notice_sent.v1', data: { ...scope, claimant: command.claimant, eventIds, sentAt: command.now } }];
    }
    if (command.type === 'record_failed') {
      const eventIds = command.eventIds.filter((id) => !settled(state, id));
      const { claimant, smtpCode, smtpReply, now } = command;
      return eventIds.length === 0 ? [] : [{ type: 'traffic.block_notice_failed.v1', data: { ...scope, claimant, eventIds, smtpCode, smtpReply, failedAt: now } }];
    }
    const fresh = command.eventIds.map((id, i) => [id, command.messageIds[i] ?? ''] as const).filter(([id]) => !settled(state, id));
    if (fresh.length === 0) return [];
    const last = state.lastClaim;
    if (last !== null && Date.parse(last.claimedAt) + command.intervalMs > Date.parse(command.now)) {
      // The claimant's retry of blocks it claimed and has not mailed needs no new claim; anything else waits for the slot's end.
      if (openClaimOf(state, command.claimant) !== null) return [];
      throw new DomainError(Code.NoticeSlotTaken, `A notice for partner ${command.partnerId} went out at ${last.claimedAt}; the next may go ${new Date(Date.parse(last.claimedAt) + command.intervalMs).toISOString()}`);
    }
    return [
      {
        type: 'traffic.block_notice_claimed.v1',
        data: { ...scope, claimant: command.claimant, eventIds: fresh.map(([id]) => id), messageIds: fresh.map(([, messageId]) => messageId), claimedAt: command.now },
      },
    ];
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'traffic.block_notice_claimed.v1':
        return { ...state, lastClaim: { claimant: event.data.claimant, eventIds: event.data.eventIds, claimedAt: event.data.claimedAt } };
      case 'traffic.block_notice_sent.v1':
        return { ...state, sent: [...state.sent, ...event.data.eventIds].slice(-SENT_IDS_KEPT) };
      case 'traffic.block_notice_failed.v1':
        return { ...state, failed: [...(state.failed ?? []), ...event.data.eventIds].slice(-SENT_IDS_KEPT) };
    }
  },
};
