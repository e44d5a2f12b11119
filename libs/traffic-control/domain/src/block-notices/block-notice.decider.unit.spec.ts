import { DomainError, foldEvents } from '@as2-partners/kernel';
import { blockNoticeDecider, openClaimOf, type BlockNoticeCommand } from './block-notice.decider';
import type { BlockNoticeEvent } from './block-notice.events';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const scope = { account: 'acc', tenant: 'ten', partnerId: 'prt_1' };
const claim = (claimant: string, eventIds: string[], s: number): BlockNoticeCommand => ({ type: 'claim', ...scope, claimant, eventIds, messageIds: eventIds.map((id) => `<${id}@x>`), intervalMs: 60_000, now: at(s) });
const fail = (claimant: string, eventIds: string[], s: number): BlockNoticeCommand => ({ type: 'record_failed', ...scope, claimant, eventIds, smtpCode: 550, smtpReply: '550 mailbox unavailable', now: at(s) });
const confirm = (claimant: string, eventIds: string[], s: number): BlockNoticeCommand => ({ type: 'confirm_sent', ...scope, claimant, eventIds, now: at(s) });

function run(commands: BlockNoticeCommand[]): BlockNoticeEvent[] {
  const events: BlockNoticeEvent[] = [];
  for (const command of commands) events.push(...blockNoticeDecider.decide(command, foldEvents(blockNoticeDecider, events)));
  return events;
}

describe('block notice slot', () => {
  it('the first claim takes the slot with the message ids; another claimant within the interval is refused', () => {
    const events = run([claim('a', ['e1', 'e2'], 0)]);
    expect(events).toEqual([{ type: 'traffic.block_notice_claimed.v1', data: { ...scope, claimant: 'a', eventIds: ['e1', 'e2'], messageIds: ['<e1@x>', '<e2@x>'], claimedAt: at(0) } }]);
    expect(() => blockNoticeDecider.decide(claim('b', ['e1', 'e2', 'e3'], 59), foldEvents(blockNoticeDecider, events))).toThrow(DomainError);
  });

  it("the claimant's retry of an unsent claim needs no new event; once sent, it too waits for the slot's end", () => {
    const claimed = run([claim('a', ['e1'], 0)]);
    expect(blockNoticeDecider.decide(claim('a', ['e1', 'e2'], 10), foldEvents(blockNoticeDecider, claimed))).toEqual([]);
    expect(openClaimOf(foldEvents(blockNoticeDecider, claimed), 'a')).toEqual(['e1']);
    const sent = run([claim('a', ['e1'], 0), confirm('a', ['e1'], 1)]);
    expect(openClaimOf(foldEvents(blockNoticeDecider, sent), 'a')).toBeNull();
    expect(() => blockNoticeDecider.decide(claim('a', ['e2'], 30), foldEvents(blockNoticeDecider, sent))).toThrow(/next may go/);
  });

  it('after the interval the next claim lists only blocks never mailed; blocks all mailed need no claim', () => {
    const events = run([claim('a', ['e1', 'e2'], 0), confirm('a', ['e1', 'e2'], 1), claim('b', ['e2', 'e3'], 60)]);
    expect(events.at(-1)).toMatchObject({ type: 'traffic.block_notice_claimed.v1', data: { claimant: 'b', eventIds: ['e3'], messageIds: ['<e3@x>'] } });
    expect(run([claim('a', ['e1'], 0), confirm('a', ['e1'], 1), claim('b', ['e1'], 120)])).toHaveLength(2);
  });

  it('blocks claimed by a claimant that never confirmed are claimed again after the interval', () => {
    const events = run([claim('a', ['e1'], 0), claim('b', ['e1'], 61)]);
    expect(events.at(-1)).toMatchObject({ data: { claimant: 'b', eventIds: ['e1'] } });
    expect(run([claim('a', ['e1'], 0), confirm('a', ['e1'], 1), confirm('a', ['e1'], 2)])).toHaveLength(2);
  });

  it('blocks of a notice refused for good are settled: the claim is closed, and no later claim names them again', () => {
    const events = run([claim('a', ['e1'], 0), fail('a', ['e1'], 1)]);
    expect(events.at(-1)).toEqual({ type: 'traffic.block_notice_failed.v1', data: { ...scope, claimant: 'a', eventIds: ['e1'], smtpCode: 550, smtpReply: '550 mailbox unavailable', failedAt: at(1) } });
    expect(openClaimOf(foldEvents(blockNoticeDecider, events), 'a')).toBeNull();
    expect(run([claim('a', ['e1'], 0), fail('a', ['e1'], 1), fail('a', ['e1'], 2), claim('b', ['e1', 'e2'], 61)]).at(-1)).toMatchObject({ data: { claimant: 'b', eventIds: ['e2'] } });
  });
});
