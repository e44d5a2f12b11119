import { randomUUID } from 'node:crypto';
import { WriteModel, type RecordedEvent } from '@as2-partners/kernel';
import { InMemoryEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { knownTenantIdOf, type KnownTenantDocument } from '../partner-registry-events/known-registry.documents';
import { blockNoticeCollectionsOf, blockNoticeIdOf, type BlockNoticeCollections } from './block-notice.document';
import { BlockNotices } from './block-notices';
import type { NoticeMail } from './notice-mail-transport';

const PARTNER = 'prt_01JDNOTICEDELETEDTENANT0001';
const INTERVAL_MS = 60_000;
const T0 = Date.parse('2026-12-03T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

function blocked(messageId: string, tenant: string | null = 'ten'): RecordedEvent {
  const data = { partnerId: PARTNER, account: 'acc', tenant, as2InstanceId: 'ins_1', messageId, channel: 'sftp', as2From: 'US', as2To: 'ACME', reason: 'TENANT_PAUSE: audit', blockedAt: at(0).toISOString() };
  return { id: randomUUID(), type: 'traffic.outbound_blocked.v1', data } as unknown as RecordedEvent;
}

/** A deleted tenant's waiting blocks are mailed to no one: not its address, not the default one. */
describe("blocked-message notices of a deleted tenant's partners", () => {
  let mails: NoticeMail[];
  let warnings: string[];
  let tenant: KnownTenantDocument;
  let collections: BlockNoticeCollections;
  let notices: BlockNotices;

  beforeEach(() => {
    mails = [];
    warnings = [];
    tenant = { _id: knownTenantIdOf('acc', 'ten'), account: 'acc', tenant: 'ten', notificationEmail: 'ops@tenant.example', deleted: false };
    const transport = { enabled: true, send: async (mail: NoticeMail) => void mails.push(mail), close: () => undefined };
    const none = { get: async () => null };
    const tenants = { get: async (id: string) => (id === tenant._id ? tenant : null) };
    const config = { noticeFrom: 'as2@example.test', defaultNoticeEmail: 'default@example.test', noticeIntervalMs: INTERVAL_MS, noticeGatherMs: 0 };
    collections = blockNoticeCollectionsOf(new InMemoryReadModelStore());
    const logger = { warn: (message: string) => void warnings.push(message), error: (message: string) => void warnings.push(message) };
    notices = new BlockNotices(collections, { partners: none, stations: none, tenants } as never, transport, config, { writeModel: new WriteModel(new InMemoryEventStore()), claimant: 'replica-a' }, logger);
  });

  const pending = async (tenantId: string | null = 'ten') => (await collections.pending.find({ filter: { notice: blockNoticeIdOf('acc', tenantId, PARTNER) } })).items;

  it('a live tenant is mailed at its own address', async () => {
    await notices.add(blocked('<m1@x>'));
    expect(await notices.sendDue(at(1000))).toBe(1);
    expect(mails.map((mail) => mail.to)).toEqual(['ops@tenant.example']);
  });

  it('blocks waiting when the tenant is deleted are dropped unmailed, once, and said so in the log', async () => {
    await notices.add(blocked('<m1@x>'));
    await notices.add(blocked('<m2@x>'));
    tenant = { ...tenant, deleted: true };

    expect(await notices.sendDue(at(1000))).toBe(0);
    expect(mails).toEqual([]);
    expect(await pending()).toEqual([]);
    expect(await collections.notices.get(blockNoticeIdOf('acc', 'ten', PARTNER))).toMatchObject({ dueAt: null });
    expect(warnings).toEqual([expect.stringContaining('tenant ten was deleted, 2 blocked message(s) not mailed')]);

    // Nothing is left to send later either.
    expect(await notices.sendDue(at(30 * 60_000))).toBe(0);
    expect(mails).toEqual([]);
  });

  it("an account's own notice (no tenant) is mailed whatever a tenant's state", async () => {
    tenant = { ...tenant, deleted: true };
    await notices.add(blocked('<m1@x>', null));
    expect(await notices.sendDue(at(1000))).toBe(1);
    expect(mails.map((mail) => mail.to)).toEqual(['default@example.test']);
    expect(await pending(null)).toEqual([]);
  });
});
