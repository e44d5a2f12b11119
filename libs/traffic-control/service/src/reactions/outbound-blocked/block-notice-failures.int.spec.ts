import { randomUUID } from 'node:crypto';
import { foldEvents, WriteModel, type RecordedEvent } from '@as2-partners/kernel';
import { InMemoryEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { blockNoticeDecider, TrafficControlStreams, type BlockNoticeEvent } from '@as2-partners/traffic-control-domain';
import { blockNoticeCollectionsOf, blockNoticeIdOf, type BlockNoticeCollections, type BlockNoticeDocument } from './block-notice.document';
import { BlockNotices } from './block-notices';
import { smtpNoticeTransport, type NoticeTransport } from './notice-mail-transport';
import { smtpStub } from './smtp-stub.spec-support';

const PARTNER = 'prt_01JDNOTICEFAILURES000000001';
const INTERVAL_MS = 60_000;
const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

function blocked(messageId: string): RecordedEvent {
  const data = { partnerId: PARTNER, account: 'acc', tenant: 'ten', as2InstanceId: 'ins_1', messageId, channel: 'sftp', as2From: 'US', as2To: 'ACME', reason: 'TENANT_PAUSE: audit', blockedAt: at(0).toISOString() };
  return { id: randomUUID(), type: 'traffic.outbound_blocked.v1', data } as unknown as RecordedEvent;
}

/** Notices through the real nodemailer transport to a stub server: a permanent refusal is recorded, a transient one retried. */
describe('blocked-message notices the SMTP server refuses', () => {
  let stub: Awaited<ReturnType<typeof smtpStub>>;
  let transport: NoticeTransport;
  let store: InMemoryEventStore;
  let notices: BlockNoticeCollections;
  let blockNotices: BlockNotices;

  async function start(replies: { rcpt: string; data?: string }) {
    stub = await smtpStub(replies);
    transport = smtpNoticeTransport(stub.url);
    store = new InMemoryEventStore();
    notices = blockNoticeCollectionsOf(new InMemoryReadModelStore());
    const none = { get: async () => null };
    const config = { noticeFrom: 'as2@example.test', defaultNoticeEmail: 'gone@example.test', noticeIntervalMs: INTERVAL_MS, noticeGatherMs: 0 };
    blockNotices = new BlockNotices(notices, { partners: none, stations: none, tenants: none } as never, transport, config, { writeModel: new WriteModel(store), claimant: 'replica-a' });
  }

  afterEach(async () => {
    transport?.close();
    await stub?.close();
  });

  const noticeEvents = async () => (await store.readStream(TrafficControlStreams.blockNotice('acc', 'ten', PARTNER))).map((e) => e as unknown as BlockNoticeEvent);
  const doc = async () => (await notices.notices.get(blockNoticeIdOf('acc', 'ten', PARTNER))) as BlockNoticeDocument;
  const pending = async () => (await notices.pending.find({ filter: { notice: blockNoticeIdOf('acc', 'ten', PARTNER) }, sort: { order: 1 } })).items;

  it.each([
    ['550 at RCPT TO', { rcpt: '550 5.1.1 <gone@example.test>: mailbox unavailable' }, 550, '550 5.1.1 <gone@example.test>: mailbox unavailable'],
    ['554 at DATA', { rcpt: '250 ok', data: '554 5.7.1 message refused' }, 554, '554 5.7.1 message refused'],
  ])('a permanent refusal (%s) is tried once and recorded as failed with its reply, on the document and the stream', async (_case, replies, code, reply) => {
    await start(replies);
    await blockNotices.add(blocked('<m1@x>'));
    expect(await blockNotices.sendDue(at(1000))).toBe(0);
    expect(stub.tried()).toBe(1);

    // Long after every backoff, nothing is tried again.
    expect(await blockNotices.sendDue(at(30 * 60_000))).toBe(0);
    expect(stub.tried()).toBe(1);
    const notice = await doc();
    expect(await pending()).toEqual([]);
    expect(notice).toMatchObject({ dueAt: null, attempts: 0, lastError: reply, lastFailure: { failedAt: at(1000).toISOString(), smtpCode: code, smtpReply: reply, messageIds: ['<m1@x>'] } });
    const events = await noticeEvents();
    expect(events.map((e) => e.type)).toEqual(['traffic.block_notice_claimed.v1', 'traffic.block_notice_failed.v1']);
    expect(events[1]?.data).toMatchObject({ claimant: 'replica-a', smtpCode: code, smtpReply: reply, failedAt: at(1000).toISOString() });

    // The next block is a notice of its own, after the interval, listing only itself.
    await blockNotices.add(blocked('<m2@x>'));
    expect(await blockNotices.sendDue(at(30 * 60_000 + 1000))).toBe(0);
    expect(stub.tried()).toBe(2);
    expect((await doc()).lastFailure?.messageIds).toEqual(['<m2@x>']);
    expect(foldEvents(blockNoticeDecider, await noticeEvents()).failed).toHaveLength(2);
  });

  it('a transient refusal (451 at RCPT TO) is retried with backoff, the blocks kept', async () => {
    await start({ rcpt: '451 4.3.0 try again later' });
    await blockNotices.add(blocked('<m1@x>'));
    expect(await blockNotices.sendDue(at(1000))).toBe(0);
    expect(await blockNotices.sendDue(at(30 * 60_000))).toBe(0);
    expect(stub.tried()).toBe(2);
    expect(await doc()).toMatchObject({ attempts: 2, lastFailure: null });
    expect(await pending()).toMatchObject([{ messageId: '<m1@x>' }]);
    expect((await noticeEvents()).map((e) => e.type)).not.toContain('traffic.block_notice_failed.v1');
  });
});
