import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@as2-partners/event-store-sqlite';
import { WriteModel, type RecordedEvent } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { TrafficControlStreams } from '@as2-partners/traffic-control-domain';
import {
  blockNoticeCollectionsOf,
  BLOCKS_PER_NOTICE,
  BlockNotices,
  type BlockNoticeCollections,
  type BlockNoticeDocument,
  type NoticeMail,
  type NoticeTransport,
} from '@as2-partners/traffic-control-service';

const PARTNER = 'prt_01JDNOTICEREPLICAS0000000001';
const INTERVAL_MS = 60_000;
const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
const none = { get: async () => null };
const registry = { partners: none, stations: none, tenants: none } as never;
const config = { noticeFrom: 'as2@example.test', defaultNoticeEmail: 'ops@example.test', noticeIntervalMs: INTERVAL_MS, noticeGatherMs: 0 };

/** An SMTP server as the replicas see it: every mail kept; a replica's sends fail while `failing` says so. */
function transport(mails: NoticeMail[], failing: () => boolean): NoticeTransport {
  return {
    enabled: true,
    send: async (mail) => {
      if (failing()) throw new Error('SMTP down');
      mails.push(mail);
    },
    close: () => undefined,
  };
}

function blocked(messageId: string, blockedAtMs: number): RecordedEvent {
  const data = { partnerId: PARTNER, account: 'acc', tenant: 'ten', as2InstanceId: 'ins_1', messageId, channel: 'sftp', as2From: 'US', as2To: 'ACME', reason: 'TENANT_PAUSE: audit', blockedAt: at(blockedAtMs).toISOString() };
  return { id: randomUUID(), type: 'traffic.outbound_blocked.v1', data } as unknown as RecordedEvent;
}

/**
 * Two replicas, each with its own connection to one event store and one shared notice collection (as MongoDB is in
 * distributed mode), both following the same blocks: a partner's notice goes out once per interval, whoever sends it.
 */
describe('blocked-message notices: once per partner per interval across replicas', () => {
  let dir: string;
  let stores: SqliteEventStore[];
  let readModels: EmbeddedReadModelStore;
  let mails: NoticeMail[];
  let failing: boolean[];
  let replicas: BlockNotices[];
  let notices: BlockNoticeCollections;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'notice-replicas-'));
    stores = [await SqliteEventStore.open(join(dir, 'events.sqlite')), await SqliteEventStore.open(join(dir, 'events.sqlite'))];
    readModels = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
    mails = [];
    failing = [false, false];
    notices = blockNoticeCollectionsOf(readModels);
    replicas = stores.map(
      (store, i) => new BlockNotices(notices, registry, transport(mails, () => failing[i] as boolean), config, { writeModel: new WriteModel(store), claimant: `replica-${i}` }),
    );
  });

  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await readModels.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const addToBoth = async (event: RecordedEvent) => {
    for (const replica of replicas) await replica.add(event);
  };
  const sendOnBoth = async (ms: number) => (await Promise.all(replicas.map((r) => r.sendDue(at(ms))))).reduce((a, b) => a + b, 0);

  it('after an outage, a notice lists at most BLOCKS_PER_NOTICE blocks (its claim names no more); the rest follow an interval later', async () => {
    failing = [true, true];
    const total = BLOCKS_PER_NOTICE + 5;
    for (let i = 0; i < total; i++) await addToBoth(blocked(`<m${i}@x>`, i));
    expect(await sendOnBoth(1000)).toBe(0);
    failing = [false, false];
    // The failed sends' backoff is over by then.
    expect(await sendOnBoth(10 * 60_000)).toBe(1);
    expect(mails[0]?.subject).toContain(`${total} message(s)`);
    expect(mails[0]?.subject).toContain(`(${BLOCKS_PER_NOTICE} listed here)`);
    expect(mails[0]?.text).toContain(`<m${BLOCKS_PER_NOTICE - 1}@x>`);
    expect(mails[0]?.text).not.toContain(`<m${BLOCKS_PER_NOTICE}@x>`);
    expect(mails[0]?.text).toContain('… and 5 more, listed in the next notice(s).');
    const claims = (await stores[0]!.readStream(TrafficControlStreams.blockNotice('acc', 'ten', PARTNER))).filter((e) => e.type === 'traffic.block_notice_claimed.v1');
    // (a claim per attempt: the failed one, then the one that sent)
    expect(new Set(claims.map((e) => (e.data as { eventIds: string[] }).eventIds.length))).toEqual(new Set([BLOCKS_PER_NOTICE]));
    // Both replicas tick; the one that lost the last slot must leave these 5 alone (it read the document before the send).
    expect(await sendOnBoth(10 * 60_000 + INTERVAL_MS + 1000)).toBe(1);
    expect(mails[1]?.text).toContain(`<m${total - 1}@x>`);
    expect(mails[1]?.text).not.toContain('more, listed');
    expect(mails.map((m) => m.text.match(/^- /gm)?.length)).toEqual([BLOCKS_PER_NOTICE, 5]);
  });

  it('a burst is mailed once by one replica; within the interval nothing more; after it, one mail with only the new block', async () => {
    await addToBoth(blocked('<a@x>', 0));
    await addToBoth(blocked('<b@x>', 10));
    expect(await sendOnBoth(1000)).toBe(1);
    expect(await sendOnBoth(2000)).toBe(0);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain('<a@x>');
    expect(mails[0]?.text).toContain('<b@x>');

    await addToBoth(blocked('<c@x>', 5000));
    expect(await sendOnBoth(30_000)).toBe(0);
    expect(await sendOnBoth(INTERVAL_MS + 1000)).toBe(1);
    expect(await sendOnBoth(INTERVAL_MS + 2000)).toBe(0);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.text).toContain('<c@x>');
    expect(mails[1]?.text).not.toContain('<a@x>');

    const types = (await stores[1]!.readStream(TrafficControlStreams.blockNotice('acc', 'ten', PARTNER))).map((e) => e.type);
    expect(types).toEqual(['traffic.block_notice_claimed.v1', 'traffic.block_notice_sent.v1', 'traffic.block_notice_claimed.v1', 'traffic.block_notice_sent.v1']);
  });

  it('counts the interval from when a mail went out, not from the tick that sent it (a send slow under load)', async () => {
    await addToBoth(blocked('<s@x>', 0));
    // The tick at 1 s hands the mail to SMTP, which takes 40 s to accept it.
    expect(await replicas[0]!.sendDue(at(1000), () => at(41_000))).toBe(1);
    await addToBoth(blocked('<t@x>', 5000));
    // A minute after the tick but not after the mail: the partner would get two mails 21 s apart.
    expect(await sendOnBoth(INTERVAL_MS + 2000)).toBe(0);
    expect(await sendOnBoth(INTERVAL_MS + 41_000)).toBe(1);
    expect(mails.map((mail) => mail.text.includes('<t@x>'))).toEqual([false, true]);
  });

  it('a claimant whose send failed retries within its slot; if it never does, another replica mails after the interval', async () => {
    await addToBoth(blocked('<d@x>', 0));
    failing = [true, true];
    expect(await sendOnBoth(1000)).toBe(0);
    expect(mails).toHaveLength(0);
    // One of them holds the slot: the other keeps off it even with SMTP back, until the slot ends.
    const claim = (await stores[0]!.readStream(TrafficControlStreams.blockNotice('acc', 'ten', PARTNER))).at(-1);
    const holder = Number((claim?.data as { claimant: string }).claimant.slice('replica-'.length));
    const other = 1 - holder;
    failing = [true, true];
    failing[other] = false;
    expect(await replicas[other]!.sendDue(at(20_000))).toBe(0);
    // The holder died with SMTP down: after the interval the other replica claims the block again and mails it, once.
    expect(await replicas[other]!.sendDue(at(INTERVAL_MS + 2000))).toBe(1);
    expect(await sendOnBoth(INTERVAL_MS + 5000)).toBe(0);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain('<d@x>');
  });

  it('a block another replica adds while the sender clears the due time goes out after the interval, not with the next block', async () => {
    await addToBoth(blocked('<e@x>', 0));
    const late = blocked('<f@x>', 500);
    // Replica 1 adds its block as replica 0, having mailed every block it read, writes the notice with no due time:
    // replica 1 read the due time still set, so it writes none of its own.
    let raced = false;
    const put = async (doc: BlockNoticeDocument) => {
      if (doc.dueAt === null && !raced) {
        raced = true;
        await replicas[1]!.add(late);
      }
      await notices.notices.put(doc);
    };
    const sender = new BlockNotices({ ...notices, notices: Object.assign(Object.create(notices.notices), { put }) }, registry, transport(mails, () => false), config, {
      writeModel: new WriteModel(stores[0]!),
      claimant: 'replica-0',
    });
    expect(await sender.sendDue(at(1000))).toBe(1);
    expect(raced).toBe(true);
    expect(await sendOnBoth(INTERVAL_MS + 2000)).toBe(1);
    expect(mails.map((mail) => [mail.text.includes('<e@x>'), mail.text.includes('<f@x>')])).toEqual([
      [true, false],
      [false, true],
    ]);
  });
});
