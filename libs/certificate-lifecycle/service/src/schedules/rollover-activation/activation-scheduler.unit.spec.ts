import {
  CertificateLifecycleStreams,
  certificateDecider,
  partnerCertificatesDecider,
  readCertificateUpload,
  toCertificateData,
  type CertificateFacts,
} from '@as2-partners/certificate-lifecycle-domain';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { WriteModel, type EventMetadata } from '@as2-partners/kernel';
import { InMemoryEventStore } from '@as2-partners/kernel-testing';
import type { Timestamper } from '../../timestamping/timestamper';
import { ActivationScheduler } from './activation-scheduler';
import { RolloverActivation } from './rollover-activation';

const partner = { partnerId: 'prt_01JDTESTBACKUP0000000000001', account: 'acc', tenant: 'ten' };
const START = Date.now();
const OLD = 'cert_01JDOLDCERT000000000000001';
const BACKUP = 'cert_01JDBACKUPCERT0000000000001';
const metadataAt = (at: Date): EventMetadata => ({ account: 'acc', tenant: 'ten', correlationId: 'c', causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: at.toISOString() });
const timestamper: Timestamper = {
  stamp: async () => ({ timestampToken: 'dG9rZW4=', tsaCertificate: 'Y2VydA==', tsaUrl: 'http://tsa.test', genTime: new Date(START).toISOString() }),
  close: async () => undefined,
};

describe('ActivationScheduler: a scheduled backup', () => {
  let store: InMemoryEventStore;
  let writeModel: WriteModel;
  let warnings: { message: string; context?: Record<string, unknown> }[];
  const activateOn = new Date(START + 60_000).toISOString();

  /** The partner's signing algorithm as the scheduler learns it (undefined: a partner not known). */
  let signAlgorithm: string | null | undefined;
  /** The backup certificate's RSA key size (a nested describe sets 1,024 for its tests). */
  let backupKeyBits = 2048;

  async function storeCertificate(certificateId: string, now: string, keyBits = 2048): Promise<CertificateFacts> {
    const details = readCertificateUpload(Buffer.from(issueTestCertificate({ commonName: certificateId, keyBits }).pem));
    const c = toCertificateData(details);
    const upload = { type: 'upload' as const, certificateId, account: 'acc', tenant: 'ten', name: certificateId, usage: 'encryption' as const, certificateType: 'partner' as const, partnerId: partner.partnerId, certificate: c, now };
    await writeModel.decide(CertificateLifecycleStreams.certificate(certificateId), certificateDecider, upload, metadataAt(new Date(now)));
    return { certificateId, name: certificateId, type: 'partner', usage: 'encryption', subject: c.subject, notBefore: c.notBefore, notAfter: c.notAfter, fingerprintSha256: c.fingerprintSha256, createdAt: now, active: true };
  }

  function schedulerAt(at: number): ActivationScheduler {
    const clock = { now: () => new Date(at) };
    return new ActivationScheduler({
      writeModel,
      due: { duePartners: async () => [partner] },
      rollovers: new RolloverActivation(writeModel, timestamper, clock),
      clock,
      intervalMs: 1000,
      instanceId: 'scheduler-test',
      logger: { warn: (message, context) => warnings.push({ message, context }), error: (message, context) => warnings.push({ message, context }) },
      signingAlgorithmOf: async () => signAlgorithm,
    });
  }

  const partnerState = async () => (await writeModel.load(CertificateLifecycleStreams.partnerCertificates(partner.partnerId), partnerCertificatesDecider)).state;
  const partnerEvents = async () => (await store.readStream(CertificateLifecycleStreams.partnerCertificates(partner.partnerId))).map((e) => e.type);

  beforeEach(async () => {
    signAlgorithm = 'SHA256withRSA';
    store = new InMemoryEventStore();
    writeModel = new WriteModel(store);
    warnings = [];
    const now = new Date(START).toISOString();
    const old = await storeCertificate(OLD, now);
    const backup = await storeCertificate(BACKUP, now, backupKeyBits);
    for (const command of [
      { type: 'attach' as const, ...partner, certificate: old, now },
      { type: 'schedule_backup' as const, ...partner, slot: 'encryption' as const, certificate: backup, activateOn, now },
    ]) {
      await writeModel.decide(CertificateLifecycleStreams.partnerCertificates(partner.partnerId), partnerCertificatesDecider, command, metadataAt(new Date(now)));
    }
  });

  it('becomes current at activate_on while its certificate is active', async () => {
    expect(await schedulerAt(START + 61_000).tick()).toBe(1);
    expect((await partnerState()).encryption).toEqual({ current: BACKUP, backup: null });
  });

  it('whose certificate was retired since (on another partner) is cancelled by the scheduler, not activated; the current one stays and nothing is retried', async () => {
    const retiredAt = new Date(START + 1000).toISOString();
    await writeModel.decide(
      CertificateLifecycleStreams.certificate(BACKUP),
      certificateDecider,
      { type: 'retire', partnerId: 'prt_01JDTESTOTHER0000000000001', partnerTenant: 'ten', otherUses: [], forced: true, reason: 'key compromised', now: retiredAt },
      metadataAt(new Date(retiredAt)),
    );
    const scheduler = schedulerAt(START + 61_000);
    expect(await scheduler.tick()).toBe(0);
    expect((await partnerState()).encryption).toEqual({ current: OLD, backup: null });
    expect(await partnerEvents()).toEqual([
      'partner_certificates.certificate_attached.v1',
      'partner_certificates.slot_assigned.v1',
      'partner_certificates.certificate_attached.v1',
      'partner_certificates.backup_scheduled.v1',
      'partner_certificates.backup_cancelled.v1',
    ]);
    const [cancelled] = (await store.readStream(CertificateLifecycleStreams.partnerCertificates(partner.partnerId))).slice(-1);
    expect(cancelled!.metadata.actor).toEqual({ type: 'system', id: 'scheduler-test' });
    expect(warnings).toEqual([expect.objectContaining({ context: expect.objectContaining({ certificateId: BACKUP, reason: expect.stringMatching(/^CERTIFICATE_INACTIVE/) }) })]);
    // The next tick finds nothing left to do.
    expect(await scheduler.tick()).toBe(0);
    expect(await partnerEvents()).toHaveLength(5);
  });

  describe('with a 1,024-bit key, scheduled while the partner signed with SHA1withRSA', () => {
    beforeAll(() => (backupKeyBits = 1024));
    afterAll(() => (backupKeyBits = 2048));

    it("is cancelled once the partner signs with SHA256withRSA, the reason logged; the current one stays", async () => {
      const scheduler = schedulerAt(START + 61_000);
      expect(await scheduler.tick()).toBe(0);
      expect((await partnerState()).encryption).toEqual({ current: OLD, backup: null });
      expect((await partnerEvents()).at(-1)).toBe('partner_certificates.backup_cancelled.v1');
      expect(warnings).toEqual([expect.objectContaining({ context: expect.objectContaining({ certificateId: BACKUP, reason: expect.stringMatching(/^CERTIFICATE_KEY_TOO_SMALL/) }) })]);
      expect(await scheduler.tick()).toBe(0);
    });

    it('becomes current while the partner still signs with SHA1withRSA', async () => {
      signAlgorithm = 'SHA1withRSA';
      expect(await schedulerAt(START + 61_000).tick()).toBe(1);
      expect((await partnerState()).encryption).toEqual({ current: BACKUP, backup: null });
    });

    it('becomes current for a partner not known here (nothing to check the key against)', async () => {
      signAlgorithm = undefined;
      expect(await schedulerAt(START + 61_000).tick()).toBe(1);
      expect((await partnerState()).encryption).toEqual({ current: BACKUP, backup: null });
    });
  });
});
