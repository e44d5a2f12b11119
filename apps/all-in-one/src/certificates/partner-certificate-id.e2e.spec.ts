import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, freshTenant, type CertificateApi } from './certificate-api.spec-support';

const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, { timeoutMs: 30_000, intervalMs: 50 });
const ACCOUNT = 'test-account';

let counter = 0;
const partnerBody = (extra: Record<string, unknown> = {}) => {
  counter += 1;
  return { name: `Linked ${counter}`, as2_id: `LINKED-${process.pid}-${counter}`, url: `https://linked${counter}.example.com/as2`, ...extra };
};

type Link = { certificate_id: string; status: string; error: { code: string; message: string } | null };

describe('certificate_id on partner create (seed 003, embedded: registry and certificate service through events)', () => {
  let t: EmbeddedTestApp;
  let api: CertificateApi;
  let admin: CertificateApi;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
    admin = certificateApiAs(t, { tenant: null, roles: ['account_admin'] });
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => {
    api = certificateApiAs(t, { tenant: freshTenant() });
  });

  const store = async (caller: CertificateApi, usage: string, commonName = 'Stored Partner') => {
    const res = await caller.upload('/v1/certificates', { name: commonName, usage }, issueTestCertificate({ commonName }).pem);
    if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data.id as string;
  };
  const linkOf = (caller: CertificateApi, url: string, status: string) =>
    until(`the certificate link to be ${status}`, async () => {
      const link = (await caller.get(url)).body.data.certificate_link as Link;
      return link.status === status ? (await caller.get(url)).body.data : undefined;
    });

  it("links a stored certificate to the new partner's encryption and signature slots", async () => {
    const certificateId = await store(api, 'both');
    const created = await api.post('/v1/partners', partnerBody({ certificate_id: certificateId }));
    expect(created.status).toBe(201);
    const partnerId = created.body.data.id as string;
    const details = await linkOf(api, `/v1/partners/${partnerId}`, 'linked');
    expect(details.certificate_link).toEqual({ certificate_id: certificateId, status: 'linked', error: null });
    expect(details.certificates).toEqual([expect.objectContaining({ id: certificateId, slots: ['encryption', 'signature'] })]);
    const slots = await api.get(`/v1/partners/${partnerId}/certificate-slots`);
    expect(JSON.stringify(slots.body)).toContain(certificateId);
    // As after an upload (seed 000): the signature slot follows encryption, so an encryption change moves both.
    expect(slots.body.data.signature.use_different).toBe(false);
    const next = await store(api, 'both', 'Next');
    expect((await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption`, { certificate_id: next })).status).toBe(200);
    const moved = (await api.get(`/v1/partners/${partnerId}/certificate-slots`)).body.data;
    expect([moved.encryption.current?.id ?? moved.encryption.current, moved.signature.current?.id ?? moved.signature.current]).toEqual([next, next]);
    // A partner created without one shows no link, and the events of such a create are as before.
    const plain = await api.post('/v1/partners', partnerBody());
    expect((await api.get(`/v1/partners/${plain.body.data.id}`)).body.data.certificate_link).toBeNull();
    const events = await t.app.get<EventStore>(EVENT_STORE).readAll();
    const createdEvents = events.filter((e) => e.type === 'partner.created.v1');
    expect(createdEvents.find((e) => (e.data as { partnerId: string }).partnerId === partnerId)?.data).toMatchObject({ certificateId });
    expect(createdEvents.find((e) => (e.data as { partnerId: string }).partnerId === plain.body.data.id)?.data).not.toHaveProperty('certificateId');
  });

  it("links an account-level certificate to a tenant's partner and to a master partner", async () => {
    const accountCertificate = await store(admin, 'encryption', 'Account Shared');
    const partner = await api.post('/v1/partners', partnerBody({ certificate_id: accountCertificate }));
    const details = await linkOf(api, `/v1/partners/${partner.body.data.id}`, 'linked');
    expect(details.certificates).toEqual([expect.objectContaining({ id: accountCertificate, slots: ['encryption', 'signature'] })]);
    const master = await admin.post(`/v1/accounts/${ACCOUNT}/partners`, partnerBody({ certificate_id: accountCertificate }));
    expect(master.status).toBe(201);
    const masterDetails = await linkOf(admin, `/v1/accounts/${ACCOUNT}/partners/${master.body.data.id}`, 'linked');
    expect(masterDetails.certificates).toEqual([expect.objectContaining({ id: accountCertificate })]);
  });

  it("refuses, with the same answer, a certificate of another tenant and one that does not exist; the partner stays, its slots empty", async () => {
    const foreignOwner = certificateApiAs(t, { tenant: freshTenant() });
    const foreign = await store(foreignOwner, 'both');
    const otherAccount = await store(certificateApiAs(t, { tenant: freshTenant(), account: 'another-account' }), 'both');
    const missing = 'cert_01JD0000000000000000000000';
    const answers: Link[] = [];
    for (const certificateId of [foreign, otherAccount, missing]) {
      const created = await api.post('/v1/partners', partnerBody({ certificate_id: certificateId }));
      expect(created.status).toBe(201);
      const details = await linkOf(api, `/v1/partners/${created.body.data.id}`, 'refused');
      expect(details.certificates).toEqual([]);
      answers.push(details.certificate_link);
    }
    expect(answers.map((a) => a.error?.code)).toEqual(['CERTIFICATE_NOT_FOUND', 'CERTIFICATE_NOT_FOUND', 'CERTIFICATE_NOT_FOUND']);
    // The message names only the id the caller gave: nothing about whose it is.
    expect(answers.map((a) => a.error?.message.replace(a.certificate_id, '<id>'))).toEqual(Array(3).fill('Certificate <id> not found'));
    // The foreign certificate is untouched: its owner sees no use of it.
    expect((await foreignOwner.get(`/v1/certificates/${foreign}/usage`)).body.data).toMatchObject({ in_use: false, used_by: [] });
    const tenantCertificate = await store(api, 'tls', 'Tls Only');
    const mismatch = await api.post('/v1/partners', partnerBody({ certificate_id: tenantCertificate }));
    const refused = await linkOf(api, `/v1/partners/${mismatch.body.data.id}`, 'refused');
    expect(refused.certificate_link.error.code).toBe('CERTIFICATE_USAGE_MISMATCH');
    // A master partner does not reach a tenant's certificate.
    const master = await admin.post(`/v1/accounts/${ACCOUNT}/partners`, partnerBody({ certificate_id: tenantCertificate }));
    expect((await linkOf(admin, `/v1/accounts/${ACCOUNT}/partners/${master.body.data.id}`, 'refused')).certificate_link.error.code).toBe('CERTIFICATE_NOT_FOUND');
  });

  it('refuses a malformed certificate_id with 422 and creates nothing; a reader and no token are refused', async () => {
    for (const bad of ['129', 'cert_short', 'cert_01JDNOSUCHCERTIFICATE0000O', 42, ['cert_01JD0000000000000000000000'], { $ne: null }]) {
      const res = await api.post('/v1/partners', partnerBody({ certificate_id: bad }));
      expect({ bad, status: res.status }).toEqual({ bad, status: 422 });
      expect(JSON.stringify(res.body)).toContain('certificate_id');
    }
    expect((await api.get('/v1/partners')).body.data.filter((p: { type: string }) => p.type === 'tenant')).toEqual([]);
    // Only on create: an update does not take it.
    const partner = await api.post('/v1/partners', partnerBody());
    expect((await api.patch(`/v1/partners/${partner.body.data.id}`, { certificate_id: 'cert_01JD0000000000000000000000' })).status).toBe(422);
    const tenant = freshTenant();
    const reader = certificateApiAs(t, { tenant, roles: ['tenant_user'] });
    expect((await reader.post('/v1/partners', partnerBody({ certificate_id: 'cert_01JD0000000000000000000000' }))).status).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/v1/partners', payload: partnerBody({ certificate_id: 'cert_01JD0000000000000000000000' }) })).statusCode).toBe(401);
  });
});
