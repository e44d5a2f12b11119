import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent, WriteModel } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import type { OutboundBlocked } from '@as2-partners/traffic-control-domain';
import {
  BLOCK_NOTICES_COLLECTION,
  blockNoticeIdOf,
  BlockNotices,
  smtpNoticeTransport,
  type BlockNoticeDocument,
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
  let docs: ReturnType<EmbeddedReadModelStore['collection']>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'block-notices-'));
    store = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    docs = store.collection<BlockNoticeDocument>(BLOCK_NOTICES_COLLECTION, [['dueAt']]);
    // A registry that knows no partner (so no address: a due notice is recorded, not mailed); no slot is claimed then.
    const unknown = { get: async () => null };
    notices = new BlockNotices(
      docs as never,
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

  const doc = async (partnerId: string, tenant: string | null = 't1') => (await docs.get(blockNoticeIdOf('acc', tenant, partnerId))) as BlockNoticeDocument | null;

  it("writes each partner's (and tenant's) blocks of a burst into its own notice, in order, due a gather time after the first", async () => {
    const burst = [
      blocked('p1', '<a@x>', '2026-11-30T10:00:00.000Z'),
      blocked('p2', '<b@x>', '2026-11-30T10:00:00.100Z'),
      blocked('p1', '<c@x>', '2026-11-30T10:00:00.200Z'),
      blocked('p1', '<d@x>', '2026-11-30T10:00:00.300Z', null),
    ];
    await notices.addAll(burst);

    const p1 = await doc('p1');
    expect(p1?.pending.map((p) => p.messageId)).toEqual(['<a@x>', '<c@x>']);
    expect(p1?.pending.map((p) => p.eventId)).toEqual([burst[0].id, burst[2].id]);
    expect(p1?.dueAt).toBe('2026-11-30T10:00:02.000Z');
    expect((await doc('p2'))?.pending.map((p) => p.messageId)).toEqual(['<b@x>']);
    expect((await doc('p1', null))?.pending.map((p) => p.messageId)).toEqual(['<d@x>']);
  });

  it('ignores a redelivered block, in a later burst or twice in one, and appends new ones after the waiting ones', async () => {
    const first = blocked('p1', '<a@x>', '2026-11-30T10:00:00.000Z');
    await notices.add(first);
    const second = blocked('p1', '<b@x>', '2026-11-30T10:00:01.000Z');
    await notices.addAll([first, second, second]);

    const p1 = await doc('p1');
    expect(p1?.pending.map((p) => p.messageId)).toEqual(['<a@x>', '<b@x>']);
    expect(p1?.dueAt).toBe('2026-11-30T10:00:02.000Z');
  });

  it('lists a message blocked again while its notice waits once (the first block), and again in a later notice', async () => {
    const first = blocked('p1', '<a@x>', '2026-11-30T10:00:00.000Z');
    await notices.addAll([first, blocked('p1', '<a@x>', '2026-11-30T10:00:00.500Z'), blocked('p1', '<b@x>', '2026-11-30T10:00:00.600Z')]);
    await notices.addAll([blocked('p1', '<a@x>', '2026-11-30T10:00:01.000Z'), blocked('p2', '<a@x>', '2026-11-30T10:00:01.000Z')]);
    expect((await doc('p1'))?.pending.map((p) => [p.messageId, p.eventId])).toEqual([
      ['<a@x>', first.id],
      ['<b@x>', `evt-${position - 2}`],
    ]);
    // Another partner's message with the same id is its own.
    expect((await doc('p2'))?.pending.map((p) => p.messageId)).toEqual(['<a@x>']);
    await notices.sendDue(new Date('2026-11-30T10:00:05.000Z'));
    const again = blocked('p1', '<a@x>', '2026-11-30T10:00:06.000Z');
    await notices.add(again);
    expect((await doc('p1'))?.pending.map((p) => p.eventId)).toEqual([again.id]);
  });

  it('never lists a block already mailed', async () => {
    const first = blocked('p1', '<a@x>', '2026-11-30T10:00:00.000Z');
    await notices.add(first);
    // Without SMTP, a due notice is marked sent without a mail: its blocks move to the sent ids.
    await notices.sendDue(new Date('2026-11-30T10:00:05.000Z'));
    expect((await doc('p1'))?.pending).toEqual([]);
    await notices.addAll([first, blocked('p1', '<b@x>', '2026-11-30T10:00:06.000Z')]);
    expect((await doc('p1'))?.pending.map((p) => p.messageId)).toEqual(['<b@x>']);
  });
});
