import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent, WriteModel } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import type { OutboundBlocked } from '@as2-partners/traffic-control-domain';
import {
  blockNoticeCollectionsOf,
  blockNoticeIdOf,
  BlockNotices,
  smtpNoticeTransport,
  type BlockNoticeCollections,
  type RegistryFactsConsumer,
} from '@as2-partners/traffic-control-service';

const GATHER_MS = 2000;
let position = 0;

function blocked(partnerId: string, messageId: string, blockedAt: string, tenant: string | null = 't1'): RecordedEvent {
  position += 1;
  const data: OutboundBlocked['data'] = { partnerId, account: 'acc', tenant, as2InstanceId: 'ins', messageId, channel: 'sftp', as2From: 'US', as2To: 'THEM', reason: 'TENANT_PAUSE: close', blockedAt };
  return { id: `evt-${position}`, type: 'traffic.outbound_blocked.v1', data, metadata: {}, stream: `traffic_block-${partnerId}`, revision: 0, position } as unknown as RecordedEvent;
}

/** Adding blocks to pending notices, one by one and a read's burst at once: the same documents either way. */
describe('BlockNotices.addAll', () => {
  let dir: string;
  let store: EmbeddedReadModelStore;
  let notices: BlockNotices;
  let docs: BlockNoticeCollections;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'block-notices-'));
    store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    docs = blockNoticeCollectionsOf(store);
    // A registry that knows no partner (so no address: a due notice is recorded, not mailed); no slot is claimed then.
    const unknown = { get: async () => null };
    notices = new BlockNotices(
      docs,
      { partners: unknown, stations: unknown, tenants: unknown } as unknown as RegistryFactsConsumer,
      smtpNoticeTransport(null),
      { noticeFrom: 'x@y', defaultNoticeEmail: null, noticeIntervalMs: 60_000, noticeGatherMs: GATHER_MS },
      { writeModel: {} as WriteModel, claimant: 'r1' },
    );
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const doc = async (partnerId: string, tenant: string | null = 't1') => docs.notices.get(blockNoticeIdOf('acc', tenant, partnerId));
  const pending = async (partnerId: string, tenant: string | null = 't1') =>
    (await docs.pending.find({ filter: { notice: blockNoticeIdOf('acc', tenant, partnerId) }, sort: { order: 1 } })).items;

  it("writes each partner's (and tenant's) blocks of a burst into its own notice, in order, due a gather time after the first", async () => {
    const burst = [
      blocked('p1', '<a@x>', '2026-11-30T10:00:00.000Z'),
      blocked('p2', '<b@x>', '2026-11-30T10:00:00.100Z'),
      blocked('p1', '<c@x>', '2026-11-30T10:00:00.200Z'),
      blocked('p1', '<d@x>', '2026-11-30T10:00:00.300Z', null),
    ];
    await notices.addAll(burst);

    const p1 = await doc('p1');
    expect((await pending('p1')).map((p) => p.messageId)).toEqual(['<a@x>', '<c@x>']);
    expect((await pending('p1')).map((p) => p.eventId)).toEqual([burst[0].id, burst[2].id]);
    expect(p1?.dueAt).toBe('2026-11-30T10:00:02.000Z');
    expect((await pending('p2')).map((p) => p.messageId)).toEqual(['<b@x>']);
    expect((await pending('p1', null)).map((p) => p.messageId)).toEqual(['<d@x>']);
  });

  it('ignores a redelivered block, in a later burst or twice in one, and appends new ones after the waiting ones', async () => {
    const first = blocked('p1', '<a@x>', '2026-11-30T10:00:00.000Z');
    await notices.add(first);
    const second = blocked('p1', '<b@x>', '2026-11-30T10:00:01.000Z');
    await notices.addAll([first, second, second]);

    const p1 = await doc('p1');
    expect((await pending('p1')).map((p) => p.messageId)).toEqual(['<a@x>', '<b@x>']);
    expect(p1?.dueAt).toBe('2026-11-30T10:00:02.000Z');
  });

  it('lists a message blocked again while its notice waits once (the first block), and again in a later notice', async () => {
    const first = blocked('p1', '<a@x>', '2026-11-30T10:00:00.000Z');
    await notices.addAll([first, blocked('p1', '<a@x>', '2026-11-30T10:00:00.500Z'), blocked('p1', '<b@x>', '2026-11-30T10:00:00.600Z')]);
    await notices.addAll([blocked('p1', '<a@x>', '2026-11-30T10:00:01.000Z'), blocked('p2', '<a@x>', '2026-11-30T10:00:01.000Z')]);
    expect((await pending('p1')).map((p) => [p.messageId, p.eventId])).toEqual([
      ['<a@x>', first.id],
      ['<b@x>', `evt-${position - 2}`],
    ]);
    // Another partner's message with the same id is its own.
    expect((await pending('p2')).map((p) => p.messageId)).toEqual(['<a@x>']);
    await notices.sendDue(new Date('2026-11-30T10:00:05.000Z'));
    const again = blocked('p1', '<a@x>', '2026-11-30T10:00:06.000Z');
    await notices.add(again);
    expect((await pending('p1')).map((p) => p.eventId)).toEqual([again.id]);
  });

  it('never lists a block already mailed', async () => {
    const first = blocked('p1', '<a@x>', '2026-11-30T10:00:00.000Z');
    await notices.add(first);
    // Without SMTP, a due notice is marked sent without a mail: its blocks move to the sent ids.
    await notices.sendDue(new Date('2026-11-30T10:00:05.000Z'));
    expect(await pending('p1')).toEqual([]);
    expect((await doc('p1'))?.dueAt).toBeNull();
    await notices.addAll([first, blocked('p1', '<b@x>', '2026-11-30T10:00:06.000Z')]);
    expect((await pending('p1')).map((p) => p.messageId)).toEqual(['<b@x>']);
  });

  it('moves the blocks a notice kept in its own document (before they were documents of their own) out, in order, when it is next read', async () => {
    const legacy = (messageId: string, blockedAt: string) => ({ eventId: `old-${messageId}`, messageId, channel: 'sftp', reason: 'TENANT_PAUSE: close', blockedAt });
    const id = blockNoticeIdOf('acc', 't1', 'p1');
    const pendingBefore = [legacy('<a@x>', '2026-11-30T10:00:00.000Z'), legacy('<b@x>', '2026-11-30T10:00:00.000Z')];
    await docs.notices.put({ _id: id, account: 'acc', tenant: 't1', partnerId: 'p1', pending: pendingBefore, lastSentAt: null, dueAt: '2026-11-30T10:00:02.000Z', attempts: 0, lastError: null, sentEventIds: [] });
    await notices.addAll([blocked('p1', '<b@x>', '2026-11-30T10:00:01.000Z'), blocked('p1', '<c@x>', '2026-11-30T10:00:01.000Z')]);

    expect((await pending('p1')).map((p) => [p.messageId, p.eventId])).toEqual([
      ['<a@x>', 'old-<a@x>'],
      ['<b@x>', 'old-<b@x>'],
      ['<c@x>', `evt-${position}`],
    ]);
    expect(await doc('p1')).not.toHaveProperty('pending');
    expect((await doc('p1'))?.dueAt).toBe('2026-11-30T10:00:02.000Z');
  });
});
