import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READ_MODEL_STORE, type ReadModelStore } from '@as2-partners/kernel';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, createPartner, freshTenant, type CertificateApi } from './certificate-api.spec-support';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');

async function createMasterPartner(admin: CertificateApi, base: string): Promise<string> {
  const as2Id = `MASTER-ACT-${Date.now()}`;
  const res = await admin.post(`${base}/partners`, { name: as2Id, as2_id: as2Id, url: 'https://master.example.com/as2' });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

describe("the AS2 id change impact lists the partner's scheduled certificate activations (certificate-lifecycle events, embedded)", () => {
  let t: EmbeddedTestApp;
  let tenant: string;
  let api: CertificateApi;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
  });
  afterAll(() => t?.close());
  beforeEach(() => {
    tenant = freshTenant();
    api = certificateApiAs(t, { tenant });
  });

  const impactOf = async (caller: CertificateApi, partnerId: string, base = '/v1') => {
    const res = await caller.get(`${base}/partners/${partnerId}/as2-id-change/impact?new_as2_id=MOVED-${Date.now()}`);
    expect(res.status).toBe(200);
    return res.body.data as { scheduled_activations: { kind: string; certificate_id: string; activate_at: string }[]; risks: string[] };
  };

  async function partnerWithCertificates(caller: CertificateApi, base = '/v1') {
    const partnerId = base === '/v1' ? await createPartner(caller) : await createMasterPartner(caller, base);
    const upload = async (name: string) => {
      const certificate = issueTestCertificate({ commonName: name });
      const res = await caller.upload(`${base}/partners/${partnerId}/certificates`, { name, usage: 'encryption' }, certificate.pem);
      expect(res.status).toBe(201);
      return { id: res.body.data.id as string, fingerprint: sha256(certificate.der) };
    };
    return { partnerId, current: await upload('current'), next: await upload('next'), backup: await upload('backup') };
  }

  it('lists a scheduled rollover and backup, soonest first, and no longer once cancelled or activated', async () => {
    const { partnerId, next, backup } = await partnerWithCertificates(api);
    expect((await impactOf(api, partnerId)).scheduled_activations).toEqual([]);
    const activateAt = new Date(Date.now() + 2 * HOUR).toISOString();
    const overlapUntil = new Date(Date.now() + DAY).toISOString();
    const activateOn = new Date(Date.now() + HOUR).toISOString();
    expect((await api.post(`/v1/partners/${partnerId}/trust/rollover`, { next_certificate_id: next.id, activate_at: activateAt, overlap_until: overlapUntil })).status).toBe(201);
    expect((await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { certificate_id: backup.id, activate_on: activateOn })).status).toBe(200);

    // Read-your-writes across the two services: the scheduling answers once the registry's consumer has the events.
    const impact = await impactOf(api, partnerId);
    expect(impact.scheduled_activations).toEqual([
      { kind: 'backup', slots: ['encryption'], certificate_id: backup.id, fingerprint_sha256: backup.fingerprint, activate_at: expect.stringMatching(/^\d{4}-.*Z$/), overlap_until: null },
      { kind: 'rollover', slots: ['encryption', 'signature'], certificate_id: next.id, fingerprint_sha256: next.fingerprint, activate_at: expect.any(String), overlap_until: expect.any(String) },
    ]);
    expect(Date.parse(impact.scheduled_activations[1]!.activate_at)).toBe(Date.parse(activateAt));
    expect(impact.risks.join(' ')).toContain('Scheduled certificate activations');
    expect(impact).not.toHaveProperty('checked_elsewhere');
    // A reader of the tenant sees them too; another tenant or account never reaches the partner.
    expect((await impactOf(certificateApiAs(t, { tenant, roles: ['tenant_user'] }), partnerId)).scheduled_activations).toHaveLength(2);
    for (const other of [certificateApiAs(t, { tenant: freshTenant() }), certificateApiAs(t, { account: `other-${Date.now()}`, tenant })]) {
      expect((await other.get(`/v1/partners/${partnerId}/as2-id-change/impact?new_as2_id=X`)).status).toBe(404);
    }

    expect((await api.delete(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`)).status).toBe(200);
    expect((await impactOf(api, partnerId)).scheduled_activations.map((a) => a.kind)).toEqual(['rollover']);
    expect((await api.post(`/v1/partners/${partnerId}/trust/activate`)).status).toBe(200);
    expect((await impactOf(api, partnerId)).scheduled_activations).toEqual([]);
  });

  it("the activations stay on the partner id: after the change the trust route and the impact still show the rollover; another tenant's never appear", async () => {
    const { partnerId, next } = await partnerWithCertificates(api);
    const activateAt = new Date(Date.now() + 2 * HOUR).toISOString();
    const overlapUntil = new Date(Date.now() + DAY).toISOString();
    const other = certificateApiAs(t, { tenant: freshTenant() });
    const foreign = await partnerWithCertificates(other);
    expect((await other.post(`/v1/partners/${foreign.partnerId}/trust/rollover`, { next_certificate_id: foreign.next.id, activate_at: activateAt, overlap_until: overlapUntil })).status).toBe(201);
    expect((await api.post(`/v1/partners/${partnerId}/trust/rollover`, { next_certificate_id: next.id, activate_at: activateAt, overlap_until: overlapUntil })).status).toBe(201);
    // The other tenant's rollover is on its own partner: never in this partner's impact.
    expect((await impactOf(api, partnerId)).scheduled_activations.map((a) => a.certificate_id)).toEqual([next.id]);

    const changed = await api.post(`/v1/partners/${partnerId}/as2-id-change`, { new_as2_id: `RENAMED-${Date.now()}`, acknowledge_risks: true, reason: 'new AS2 server' });
    expect(changed.status).toBe(200);
    expect((await api.get(`/v1/partners/${partnerId}/trust`)).body.data.next).toMatchObject({ certificate: { id: next.id } });
    expect((await impactOf(api, partnerId)).scheduled_activations.map((a) => a.certificate_id)).toEqual([next.id]);
  });

  it("a master partner's activations are the account's: listed on the account route", async () => {
    const account = `acct-activations-${Date.now()}`;
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const base = `/v1/accounts/${account}`;
    const { partnerId, next } = await partnerWithCertificates(admin, base);
    const activateAt = new Date(Date.now() + 2 * HOUR).toISOString();
    const overlapUntil = new Date(Date.now() + DAY).toISOString();
    expect((await admin.post(`/v1/partners/${partnerId}/trust/rollover`, { next_certificate_id: next.id, activate_at: activateAt, overlap_until: overlapUntil })).status).toBe(201);
    expect((await impactOf(admin, partnerId, base)).scheduled_activations.map((a) => [a.kind, a.certificate_id])).toEqual([['rollover', next.id]]);
  });

  it('a data directory written before the registry followed these events: the first start reads the activations already stored', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'as2-activations-history-'));
    try {
      const before = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
      const caller = certificateApiAs(before, { tenant });
      const { partnerId, next, backup } = await partnerWithCertificates(caller);
      const overlapUntil = new Date(Date.now() + DAY).toISOString();
      expect((await caller.post(`/v1/partners/${partnerId}/trust/rollover`, { next_certificate_id: next.id, activate_at: new Date(Date.now() + 2 * HOUR).toISOString(), overlap_until: overlapUntil })).status).toBe(201);
      expect((await caller.put(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { certificate_id: backup.id, activate_on: new Date(Date.now() + HOUR).toISOString() })).status).toBe(200);
      expect((await caller.delete(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`)).status).toBe(200);
      // As an older release left it: the certificate events relayed long ago, no trace of this consumer.
      const store = before.app.get<ReadModelStore>(READ_MODEL_STORE);
      await store.collection('partner_registry_scheduled_activations').clear();
      await store.collection('consumed_events.partner-registry.scheduled-activations').clear();
      await before.close();

      const after = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
      try {
        const impact = await impactOf(certificateApiAs(after, { tenant }), partnerId);
        expect(impact.scheduled_activations.map((a) => [a.kind, a.certificate_id])).toEqual([['rollover', next.id]]);
      } finally {
        await after.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
