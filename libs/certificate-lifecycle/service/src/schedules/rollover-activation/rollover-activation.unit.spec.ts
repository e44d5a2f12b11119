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
import { recordingTimestamper, tickingClock } from './activation.spec-support';
import { RolloverActivation } from './rollover-activation';

const partner = { partnerId: 'prt_01JDTESTROLLOVER00000000001', account: 'acc', tenant: 'ten' };
const START = Date.now();
const activateAt = new Date(START + 60_000).toISOString();
const metadataAt = (at: Date): EventMetadata => ({ account: 'acc', tenant: 'ten', correlationId: 'c', causationId: null, actor: { type: 'system', id: 'scheduler' }, occurredAt: at.toISOString() });


describe('RolloverActivation', () => {
  let store: InMemoryEventStore;
  let writeModel: WriteModel;
  const { timestamper, stamped } = recordingTimestamper(new Date(START).toISOString());


  async function storeCertificate(certificateId: string, now: string, keyBits = 2048): Promise<CertificateFacts> {
    const details = readCertificateUpload(Buffer.from(issueTestCertificate({ commonName: certificateId, keyBits }).pem));
    const upload = { type: 'upload' as const, certificateId, account: 'acc', tenant: 'ten', name: certificateId, usage: 'encryption' as const, certificateType: 'partner' as const, partnerId: partner.partnerId, certificate: toCertificateData(details), now };
    await writeModel.decide(CertificateLifecycleStreams.certificate(certificateId), certificateDecider, upload, metadataAt(new Date(now)));
    const c = toCertificateData(details);
    return { certificateId, name: certificateId, type: 'partner', usage: 'encryption', subject: c.subject, notBefore: c.notBefore, notAfter: c.notAfter, fingerprintSha256: c.fingerprintSha256, createdAt: now, active: true };
  }

  beforeEach(async () => {
    store = new InMemoryEventStore();
    writeModel = new WriteModel(store);
    stamped.length = 0;
    const now = new Date().toISOString();
    const old = await storeCertificate('cert_01JDOLDCERT000000000000001', now);
    const next = await storeCertificate('cert_01JDNEXTCERT00000000000001', now);
    for (const command of [
      { type: 'attach' as const, ...partner, certificate: old, now },
      { type: 'attach' as const, ...partner, certificate: next, now },
      { type: 'schedule_rollover' as const, ...partner, certificate: next, activateAt, overlapUntil: new Date(START + 3_600_000).toISOString(), slots: ['encryption' as const], now },
    ]) {
      await writeModel.decide(CertificateLifecycleStreams.partnerCertificates(partner.partnerId), partnerCertificatesDecider, command, metadataAt(new Date(now)));
    }
  });

  it('stamps the event metadata with the instant it activates at, not the one it started at', async () => {
    const activation = new RolloverActivation(writeModel, timestamper, tickingClock(START + 120_000));
    const decision = await activation.activate(partner, { type: 'scheduler', actor: 'scheduler' }, true, metadataAt);
    expect(decision.events.map((e) => e.type)).toEqual(['trust.activated.v1']);
    const [activated] = (await store.readStream(CertificateLifecycleStreams.partnerCertificates(partner.partnerId))).slice(-1);
    const data = activated!.data as { activatedAt: string; evidence: { sha256: string; document: string } };
    expect(activated!.metadata.occurredAt).toBe(data.activatedAt);
    expect(data.evidence.document).toBe(stamped[0]);
    expect(decision.state.rollover).toBeNull();
  });

  it('decides nothing, and asks no TSA, while the scheduled activation is not due', async () => {
    const activation = new RolloverActivation(writeModel, timestamper, tickingClock(START));
    const decision = await activation.activate(partner, { type: 'scheduler', actor: 'scheduler' }, true, metadataAt);
    expect(decision).toMatchObject({ events: [], position: null });
    expect(stamped).toEqual([]);
  });

  it('refuses to activate a next certificate retired since the window was scheduled, before asking the TSA', async () => {
    const retiredAt = new Date(START + 1000).toISOString();
    await writeModel.decide(
      CertificateLifecycleStreams.certificate('cert_01JDNEXTCERT00000000000001'),
      certificateDecider,
      { type: 'retire', partnerId: 'prt_01JDTESTOTHER0000000000001', partnerTenant: 'ten', otherUses: [], forced: true, reason: 'key compromised', now: retiredAt },
      metadataAt(new Date(retiredAt)),
    );
    const activation = new RolloverActivation(writeModel, timestamper, tickingClock(START + 120_000));
    await expect(activation.activate(partner, { type: 'manual', actor: 'u' }, false, metadataAt)).rejects.toMatchObject({ code: 'CERTIFICATE_INACTIVE' });
    await expect(activation.activate(partner, { type: 'scheduler', actor: 'scheduler' }, true, metadataAt)).rejects.toMatchObject({ code: 'CERTIFICATE_INACTIVE' });
    expect(stamped).toEqual([]);
    const { state } = await writeModel.load(CertificateLifecycleStreams.partnerCertificates(partner.partnerId), partnerCertificatesDecider);
    expect(state.encryption.current).toBe('cert_01JDOLDCERT000000000000001');
  });

  describe("a next certificate with a 1,024-bit key, scheduled while the partner signed with SHA1withRSA", () => {
    const small = 'cert_01JDSHRTKEY000000000000001';
    beforeEach(async () => {
      const now = new Date().toISOString();
      const facts = await storeCertificate(small, now, 1024);
      for (const command of [
        { type: 'attach' as const, ...partner, certificate: facts, now },
        { type: 'schedule_rollover' as const, ...partner, certificate: facts, activateAt, overlapUntil: new Date(START + 3_600_000).toISOString(), slots: ['encryption' as const], now },
      ]) {
        await writeModel.decide(CertificateLifecycleStreams.partnerCertificates(partner.partnerId), partnerCertificatesDecider, command, metadataAt(new Date(now)));
      }
    });

    it('is refused once the partner signs with SHA256withRSA, by the scheduler and by a person, before asking the TSA', async () => {
      const activation = new RolloverActivation(writeModel, timestamper, tickingClock(START + 120_000), async () => 'SHA256withRSA');
      await expect(activation.activate(partner, { type: 'scheduler', actor: 'scheduler' }, true, metadataAt)).rejects.toMatchObject({ code: 'CERTIFICATE_KEY_TOO_SMALL' });
      await expect(activation.activate(partner, { type: 'manual', actor: 'u' }, false, metadataAt)).rejects.toMatchObject({ code: 'CERTIFICATE_KEY_TOO_SMALL' });
      expect(stamped).toEqual([]);
      const { state } = await writeModel.load(CertificateLifecycleStreams.partnerCertificates(partner.partnerId), partnerCertificatesDecider);
      expect(state.encryption.current).toBe('cert_01JDOLDCERT000000000000001');
      expect(state.rollover?.nextCertificateId).toBe(small);
    });

    it("becomes current while the partner still signs with SHA1withRSA, and as the caller has the partner (a tenant's override) when given", async () => {
      const lenient = new RolloverActivation(writeModel, timestamper, tickingClock(START + 120_000), async () => 'SHA1withRSA');
      await expect(lenient.activate(partner, { type: 'manual', actor: 'u' }, false, metadataAt, 'SHA256withRSA')).rejects.toMatchObject({ code: 'CERTIFICATE_KEY_TOO_SMALL' });
      const decision = await lenient.activate(partner, { type: 'scheduler', actor: 'scheduler' }, true, metadataAt);
      expect(decision.events.map((e) => e.type)).toEqual(['trust.activated.v1']);
      expect(decision.state.encryption.current).toBe(small);
    });

    it('is not checked for a partner this service does not know', async () => {
      const unknown = new RolloverActivation(writeModel, timestamper, tickingClock(START + 120_000), async () => undefined);
      const decision = await unknown.activate(partner, { type: 'scheduler', actor: 'scheduler' }, true, metadataAt);
      expect(decision.state.encryption.current).toBe(small);
    });
  });

  it('refuses an activation with no rollover scheduled, from the decider', async () => {
    const activation = new RolloverActivation(writeModel, timestamper, tickingClock(START + 120_000));
    await activation.activate(partner, { type: 'scheduler', actor: 'scheduler' }, true, metadataAt);
    await expect(activation.activate(partner, { type: 'manual', actor: 'u' }, false, metadataAt)).rejects.toMatchObject({ code: 'ROLLOVER_NOT_SCHEDULED' });
  });
});
