import { SqliteEventStore } from '@as2-partners/event-store-sqlite';
import type { EventStore, NewEvent, ReadModelStore, RecordedEvent } from '@as2-partners/kernel';
import { InMemoryCheckpointStore, InMemoryParkedEventStore } from '@as2-partners/kernel-testing';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { CertificateQueries, CertificateViewsProjection, readPartnerTimeline } from '@as2-partners/certificate-lifecycle-service';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ACCOUNT = 'acc_1';
const TENANT = 'ten_1';
const AT = '2025-01-01T00:00:00.000Z';
const metadata = { account: ACCOUNT, tenant: TENANT, correlationId: 'cor_1', causationId: null, actor: { type: 'user' as const, id: 'usr_1' }, occurredAt: AT };
const PEM = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(1700)}\n-----END CERTIFICATE-----`;
const event = (type: string, data: Record<string, unknown>): NewEvent => ({ id: randomUUID(), type, schemaVersion: 1, data, metadata });

const upload = (store: EventStore, certificateId: string, partnerId: string) =>
  store.append(
    `certificate-${certificateId}`,
    [event('certificate.uploaded.v1', { certificateId, account: ACCOUNT, tenant: TENANT, name: certificateId, usage: 'encryption', type: 'x509', partnerId, certificate: { pem: PEM, notAfter: '2030-01-01T00:00:00.000Z', chain: [] }, createdAt: AT })],
    'no_stream',
  );
const attach = (store: EventStore, certificateId: string, partnerId: string) =>
  store.append(
    `partner_certificates-${partnerId}`,
    [event('partner_certificates.certificate_attached.v1', { partnerId, account: ACCOUNT, tenant: TENANT, certificate: { certificateId, usage: 'encryption', notAfter: '2030-01-01T00:00:00.000Z' }, attachedAt: AT })],
    'any',
  );
const notice = (store: EventStore, certificateId: string, type: string, data: Record<string, unknown> = {}) => store.append(`certificate-${certificateId}`, [event(type, { certificateId, ...data })], 'stream_exists');

/** The timeline as it was read before the notices were kept: every attached certificate's whole stream (the reference). */
async function readingEveryCertificate(store: EventStore, partnerId: string, page: number, perPage: number) {
  const own = await store.readStream(`partner_certificates-${partnerId}`);
  const attached = new Set(own.flatMap((e) => (e.type === 'partner_certificates.certificate_attached.v1' ? [(e.data as { certificate: { certificateId: string } }).certificate.certificateId] : [])));
  const related: RecordedEvent[] = [];
  for (const certificateId of attached) {
    for (const e of await store.readStream(`certificate-${certificateId}`)) {
      if (!['certificate.expiring.v1', 'certificate.expired.v1', 'certificate.deactivated.v1', 'certificate.retired.v1', 'certificate.deleted.v1'].includes(e.type)) continue;
      const about = (e.data as { partnerId?: string }).partnerId;
      if (about === undefined || about === partnerId) related.push(e);
    }
  }
  const merged = [...own, ...related].sort((a, b) => b.position - a.position);
  return { ids: merged.slice((page - 1) * perPage, page * perPage).map((e) => e.id), total: merged.length };
}

describe('a partner timeline (CemEvents) on the embedded stores', () => {
  let dir: string;
  let store: SqliteEventStore;
  let readModels: EmbeddedReadModelStore;
  let projection: CertificateViewsProjection;
  let queries: CertificateQueries;

  const follow = async () => {
    projection = new CertificateViewsProjection({ store, checkpoints: new InMemoryCheckpointStore(), parked: new InMemoryParkedEventStore() }, readModels as ReadModelStore);
    queries = new CertificateQueries(projection);
    await projection.start();
    await projection.waitFor((await store.lastPosition()) as number, 10_000);
  };
  const timeline = async (partnerId: string, page: number, perPage: number) => {
    const read = await readPartnerTimeline(store, queries, partnerId, page, perPage);
    return { ids: read.events.map((e) => e.id), total: read.total };
  };
  const expectSameAsReadingEveryCertificate = async (partnerId: string) => {
    const { total } = await readingEveryCertificate(store, partnerId, 1, 1);
    for (const perPage of [1, 2, 3, 7, 20]) {
      for (const page of [...Array.from({ length: Math.ceil(total / perPage) + 1 }, (_, i) => i + 1), 9999]) {
        expect({ partnerId, page, perPage, ...(await timeline(partnerId, page, perPage)) }).toEqual({ partnerId, page, perPage, ...(await readingEveryCertificate(store, partnerId, page, perPage)) });
      }
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'partner-timeline-'));
    store = await SqliteEventStore.open(join(dir, 'events.sqlite'));
    readModels = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
  });

  afterEach(async () => {
    await projection?.stop();
    await readModels.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Notices for this partner, for another, certificate-wide ones, one before its certificate was attached, one never attached here. */
  async function mixedScenario(): Promise<void> {
    for (const n of [1, 2, 3, 4, 5]) {
      await upload(store, `crt_a${n}`, 'prt_a');
      await attach(store, `crt_a${n}`, 'prt_a');
    }
    await upload(store, 'crt_b', 'prt_b');
    await attach(store, 'crt_b', 'prt_b');
    await upload(store, 'crt_shared', 'prt_a');
    await attach(store, 'crt_shared', 'prt_a');
    await attach(store, 'crt_shared', 'prt_b');
    await upload(store, 'crt_late', 'prt_b');
    await attach(store, 'crt_late', 'prt_b');
    await notice(store, 'crt_a1', 'certificate.expiring.v1', { thresholdDays: 30 });
    await notice(store, 'crt_b', 'certificate.expiring.v1', { thresholdDays: 30 });
    await notice(store, 'crt_shared', 'certificate.retired.v1', { partnerId: 'prt_b', forced: false, reason: null });
    await notice(store, 'crt_late', 'certificate.expiring.v1', { thresholdDays: 14 });
    await attach(store, 'crt_a5', 'prt_a');
    await notice(store, 'crt_shared', 'certificate.expiring.v1', { thresholdDays: 30 });
    await notice(store, 'crt_a2', 'certificate.deactivated.v1', { partnerId: 'prt_a', reason: 'partner_deleted' });
    await notice(store, 'crt_b', 'certificate.retired.v1', { partnerId: 'prt_b', forced: true, reason: 'compromised' });
    await attach(store, 'crt_late', 'prt_a');
    await notice(store, 'crt_a1', 'certificate.expired.v1');
    await notice(store, 'crt_shared', 'certificate.retired.v1', { partnerId: 'prt_a', forced: false, reason: null });
    await notice(store, 'crt_a3', 'certificate.deleted.v1');
    await notice(store, 'crt_a4', 'certificate.retired.v1', { partnerId: 'prt_b', forced: false, reason: null });
  }

  it('answers as reading every attached certificate did: the same events, order, total and pages', async () => {
    await mixedScenario();
    await follow();
    expect((await timeline('prt_a', 1, 50)).total).toBe(15);
    await expectSameAsReadingEveryCertificate('prt_a');
    await expectSameAsReadingEveryCertificate('prt_b');
    await expectSameAsReadingEveryCertificate('prt_none');
  });

  it('fills the notices once at start from a file written before they were kept', async () => {
    await mixedScenario();
    await follow();
    await projection.stop();
    await Promise.all([projection.notices.links.clear(), projection.notices.byPartner.clear()]);
    await follow();
    await expectSameAsReadingEveryCertificate('prt_a');
    await expectSameAsReadingEveryCertificate('prt_b');
  });

  it('reads no certificate a page does not show: the same stream reads a page at 20 or 400 certificates without a notice', async () => {
    const readsOfAPage = async (certificates: number) => {
      for (let n = 0; n < certificates; n += 1) {
        await upload(store, `crt_${certificates}_${n}`, `prt_${certificates}`);
        await attach(store, `crt_${certificates}_${n}`, `prt_${certificates}`);
      }
      await notice(store, `crt_${certificates}_3`, 'certificate.expiring.v1', { thresholdDays: 30 });
      await attach(store, `crt_${certificates}_3`, `prt_${certificates}`);
      await follow();
      const reads = jest.spyOn(store, 'readStream');
      try {
        const counts: number[] = [];
        for (const page of [1, 2, 9999]) {
          reads.mockClear();
          const read = await readPartnerTimeline(store, queries, `prt_${certificates}`, page, 20);
          expect(read.total).toBe(certificates + 2);
          counts.push(reads.mock.calls.length);
        }
        return counts;
      } finally {
        reads.mockRestore();
        await projection.stop();
      }
    };
    const few = await readsOfAPage(20);
    const many = await readsOfAPage(400);
    expect(many).toEqual(few);
    for (const count of many) expect(count).toBeLessThanOrEqual(3);
  });

  it("attaching a certificate that 300 other partners hold parses as much as attaching one that a single partner holds", async () => {
    const parsedByAnAttach = async (certificateId: string, others: number) => {
      await upload(store, certificateId, `prt_${certificateId}_0`);
      for (let n = 0; n <= others; n += 1) await attach(store, certificateId, `prt_${certificateId}_${n}`);
      await notice(store, certificateId, 'certificate.expiring.v1', { thresholdDays: 30 });
      await follow();
      const parse = jest.spyOn(JSON, 'parse');
      try {
        await attach(store, certificateId, `prt_${certificateId}_new`);
        await projection.waitFor((await store.lastPosition()) as number, 10_000);
        return parse.mock.calls.reduce((sum, [text]) => sum + String(text).length, 0);
      } finally {
        parse.mockRestore();
        await projection.stop();
      }
    };
    const alone = await parsedByAnAttach('crt_alone', 0);
    const crowded = await parsedByAnAttach('crt_crowded', 300);
    // the certificate, the new partner's entries, the certificate's notices: not the other partners' uses nor links
    expect(crowded - alone).toBeLessThan(200);
    expect((await timeline('prt_crt_crowded_new', 1, 20)).total).toBe(2);
  });
});
