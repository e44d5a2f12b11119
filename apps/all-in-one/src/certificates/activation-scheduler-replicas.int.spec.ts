import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CertificateLifecycleStreams,
  certificateDecider,
  partnerCertificatesDecider,
  readCertificateUpload,
  toCertificateData,
  type CertificateFacts,
} from '@as2-partners/certificate-lifecycle-domain';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { SqliteEventStore } from '@as2-partners/event-store-sqlite';
import { WriteModel, type Clock, type EventMetadata, type EventStore } from '@as2-partners/kernel';
import { createTsaIdentity, startTsaServer, TimestampAuthority, type RunningTsa } from '@as2-partners/timestamping';
import { ActivationScheduler, HttpTimestamper, RolloverActivation } from '@as2-partners/certificate-lifecycle-service';

const partner = { partnerId: 'prt_01JDTESTSCHEDULER0000000001', account: 'acc', tenant: 'ten' };
const metadata: EventMetadata = { account: 'acc', tenant: 'ten', correlationId: 'c', causationId: null, actor: { type: 'user', id: 'setup' }, occurredAt: new Date().toISOString() };
const activateAt = new Date(Date.now() + 60_000);
const clockAt = (date: Date): Clock => ({ now: () => date });

async function storeCertificate(store: EventStore, certificateId: string): Promise<CertificateFacts> {
  const details = readCertificateUpload(Buffer.from(issueTestCertificate({ commonName: certificateId }).pem));
  const now = new Date().toISOString();
  await new WriteModel(store).decide(CertificateLifecycleStreams.certificate(certificateId),
    certificateDecider,
    () => ({ type: 'upload' as const, certificateId, account: 'acc', tenant: 'ten', name: certificateId, usage: 'encryption' as const, certificateType: 'partner' as const, partnerId: partner.partnerId, certificate: toCertificateData(details), now }),
    metadata,
  );
  return { certificateId, name: certificateId, type: 'partner', usage: 'encryption', subject: details.subject, notBefore: details.notBefore, notAfter: details.notAfter, fingerprintSha256: details.fingerprintSha256, createdAt: now, active: true };
}

async function countOf(store: EventStore, type: string): Promise<number> {
  return (await store.readStream(CertificateLifecycleStreams.partnerCertificates(partner.partnerId))).filter((e) => e.type === type).length;
}

/**
 * Two scheduler instances (two replicas), each with its own connection to one event store file, race on the same
 * due activations: every activation must be appended exactly once.
 */
describe('activation scheduler: exactly once with two instances on one store', () => {
  let dir: string;
  let stores: SqliteEventStore[];
  let tsa: RunningTsa;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scheduler-'));
    stores = [await SqliteEventStore.open(join(dir, 'events.sqlite')), await SqliteEventStore.open(join(dir, 'events.sqlite'))];
    tsa = await startTsaServer({ authority: new TimestampAuthority(createTsaIdentity()), port: 0 });
    const [store] = stores;
    const old = await storeCertificate(store, 'cert_01JDOLDCERT000000000000001');
    const next = await storeCertificate(store, 'cert_01JDNEXTCERT00000000000001');
    const now = new Date().toISOString();
    const setup = [
      { type: 'attach' as const, ...partner, certificate: old, now },
      { type: 'attach' as const, ...partner, certificate: next, now },
      { type: 'schedule_backup' as const, ...partner, slot: 'tls' as const, certificate: { ...next, usage: 'tls' as const }, activateOn: activateAt.toISOString(), now },
      { type: 'schedule_rollover' as const, ...partner, certificate: next, activateAt: activateAt.toISOString(), overlapUntil: new Date(activateAt.getTime() + 3_600_000).toISOString(), slots: ['encryption' as const], now },
    ];
    for (const command of setup) {
      await new WriteModel(store).decide(CertificateLifecycleStreams.partnerCertificates(partner.partnerId), partnerCertificatesDecider, () => command, metadata);
    }
  });

  afterEach(async () => {
    await tsa.close();
    await Promise.all(stores.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  function schedulerOn(store: EventStore, at: Date, id: string) {
    const clock = clockAt(at);
    const writeModel = new WriteModel(store);
    return new ActivationScheduler({
      writeModel,
      due: { duePartners: async () => [partner] },
      rollovers: new RolloverActivation(writeModel, new HttpTimestamper(tsa.url, null), clock),
      clock,
      intervalMs: 1000,
      instanceId: id,
    });
  }

  it('before the instant, neither instance activates anything', async () => {
    const before = new Date(activateAt.getTime() - 1);
    const counts = await Promise.all([schedulerOn(stores[0], before, 'a').tick(), schedulerOn(stores[1], before, 'b').tick()]);
    expect(counts).toEqual([0, 0]);
  });

  it('at the instant, concurrent ticks of two instances append one backup activation and one trust activation in all', async () => {
    const at = new Date(activateAt.getTime() + 250);
    const a = schedulerOn(stores[0], at, 'scheduler:a');
    const b = schedulerOn(stores[1], at, 'scheduler:b');
    const rounds = await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    expect(rounds.reduce((sum, n) => sum + n, 0)).toBe(2);
    expect(await countOf(stores[0], 'partner_certificates.backup_activated.v1')).toBe(1);
    expect(await countOf(stores[0], 'trust.activated.v1')).toBe(1);
    // More ticks later change nothing.
    expect(await Promise.all([a.tick(), b.tick()])).toEqual([0, 0]);
    const [activation] = (await stores[1].readStream(CertificateLifecycleStreams.partnerCertificates(partner.partnerId))).filter((e) => e.type === 'trust.activated.v1');
    expect(activation.data).toMatchObject({ lateByMs: 250, trigger: { type: 'scheduler' } });
  });

  it('after downtime, the first tick activates what is overdue and records how late', async () => {
    const late = new Date(activateAt.getTime() + 3_600_000 - 1000);
    expect(await schedulerOn(stores[1], late, 'scheduler:after-restart').tick()).toBe(2);
    const events = await stores[0].readStream(CertificateLifecycleStreams.partnerCertificates(partner.partnerId));
    expect(events.find((e) => e.type === 'partner_certificates.backup_activated.v1')!.data).toMatchObject({ lateByMs: 3_599_000 });
  });
});
