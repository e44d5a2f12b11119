import { randomUUID } from 'node:crypto';
import { WriteModel, type ReadModelCollection, type ReadModelDocument, type ReadModelStore, type RecordedEvent } from '@as2-partners/kernel';
import { InMemoryEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { blockNoticeCollectionsOf } from './block-notice.document';
import { BLOCKS_PER_NOTICE, BlockNotices } from './block-notices';
import type { NoticeMail } from './notice-mail-transport';

const PARTNER = 'prt_01JDNOTICEWRITES00000000001';
const INTERVAL_MS = 60_000;
const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

function blocked(i: number): RecordedEvent {
  const data = { partnerId: PARTNER, account: 'acc', tenant: 'ten', as2InstanceId: 'ins_1', messageId: `<m${i}@x>`, channel: 'sftp', as2From: 'US', as2To: 'ACME', reason: 'TENANT_PAUSE: audit', blockedAt: at(i).toISOString() };
  return { id: randomUUID(), type: 'traffic.outbound_blocked.v1', data, position: i + 1 } as unknown as RecordedEvent;
}

/** A read-model store that counts the bytes of every document written to it (as JSON, what a store writes). */
function countingStore(store: ReadModelStore): { readonly store: ReadModelStore; written(): number } {
  let bytes = 0;
  const size = (doc: ReadModelDocument) => Buffer.byteLength(JSON.stringify(doc));
  const collection = <T extends ReadModelDocument>(name: string, indexes?: readonly (readonly string[])[]): ReadModelCollection<T> => {
    const inner = store.collection<T>(name, indexes);
    return {
      ...inner,
      put: (doc) => ((bytes += size(doc)), inner.put(doc)),
      insert: (doc) => ((bytes += size(doc)), inner.insert(doc)),
      putMany: (docs) => ((bytes += docs.reduce((sum, doc) => sum + size(doc), 0)), inner.putMany(docs)),
    };
  };
  return { store: { collection, close: () => store.close() } as ReadModelStore, written: () => bytes };
}

/**
 * What pending notices cost the read-model store while SMTP is down: every block is added on its own (the reactor's
 * quiet-time case) and the failing sends are retried as blocks arrive. The bytes written grow with the blocks, not with
 * their square: an outage twice as long costs about twice as much.
 */
describe('blocked-message notices while SMTP is down: bytes written per block stay constant', () => {
  async function outage(blocks: number) {
    const counting = countingStore(new InMemoryReadModelStore());
    let down = true;
    const mails: NoticeMail[] = [];
    const transport = {
      enabled: true,
      send: async (mail: NoticeMail) => {
        if (down) throw new Error('connect ECONNREFUSED');
        mails.push(mail);
      },
      close: () => undefined,
    };
    const none = { get: async () => null };
    const config = { noticeFrom: 'as2@example.test', defaultNoticeEmail: 'ops@example.test', noticeIntervalMs: INTERVAL_MS, noticeGatherMs: 0 };
    const notices = new BlockNotices(blockNoticeCollectionsOf(counting.store), { partners: none, stations: none, tenants: none } as never, transport, config, {
      writeModel: new WriteModel(new InMemoryEventStore()),
      claimant: 'replica-a',
    });
    for (let i = 0; i < blocks; i++) {
      await notices.add(blocked(i));
      if (i % 100 === 99) expect(await notices.sendDue(at(i + 10 * 60_000))).toBe(0);
    }
    const written = counting.written();
    down = false;
    for (let tick = 1; mails.length < Math.ceil(blocks / BLOCKS_PER_NOTICE); tick++) {
      expect(tick).toBeLessThanOrEqual(blocks / BLOCKS_PER_NOTICE + 1);
      await notices.sendDue(at(blocks + tick * (10 * 60_000 + INTERVAL_MS)));
    }
    return { written, listed: mails.flatMap((mail) => mail.text.match(/^- <m\d+@x>/gm) ?? []) };
  }

  it('2,000 blocks cost less than 2.5 times the bytes of 1,000, and every block is mailed once after the outage', async () => {
    const thousand = await outage(1000);
    const twoThousand = await outage(2000);
    expect(twoThousand.written).toBeLessThan(2.5 * thousand.written);
    expect(thousand.listed).toHaveLength(1000);
    expect(new Set(twoThousand.listed).size).toBe(2000);
    expect(twoThousand.listed).toHaveLength(2000);
  });
});
