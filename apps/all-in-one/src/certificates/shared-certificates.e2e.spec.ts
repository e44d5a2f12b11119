import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, createPartner, freshTenant, type CertificateApi } from './certificate-api.spec-support';

const DAY = 86_400_000;

describe("shared certificates: a tenant's action changes only the tenant's own state", () => {
  let t: EmbeddedTestApp;
  let accounts = 0;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
  });
  afterAll(() => t?.close());

  /** An account with a master partner holding an account-level certificate, which tenants A and B also assign. */
  async function sharedCertificate() {
    accounts += 1;
    const account = `shared-${process.pid}-${accounts}`;
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const tenantA = certificateApiAs(t, { account, tenant: 'tenant-a', roles: ['tenant_admin'] });
    const tenantB = certificateApiAs(t, { account, tenant: 'tenant-b', roles: ['tenant_admin'] });
    const master = await admin.post(`/v1/accounts/${account}/partners`, { name: 'Master', as2_id: `MASTER-${accounts}`, url: 'https://master.example.com/as2' });
    expect(master.status).toBe(201);
    const masterId = master.body.data.id as string;
    const shared = await admin.upload(`/v1/accounts/${account}/partners/${masterId}/certificates`, { name: 'shared', usage: 'encryption' }, issueTestCertificate({ commonName: 'Shared' }).pem);
    expect(shared.status).toBe(201);
    const sharedId = shared.body.data.id as string;
    const partnerA = await createPartner(tenantA);
    const partnerB = await createPartner(tenantB);
    for (const [api, partnerId] of [[tenantA, partnerA], [tenantB, partnerB]] as const) {
      expect((await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption`, { certificate_id: sharedId })).status).toBe(200);
    }
    return { account, admin, tenantA, tenantB, masterId, sharedId, partnerA, partnerB };
  }

  async function rollOverAndForceRetire(api: CertificateApi, partnerId: string, fromId: string) {
    const own = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'own', usage: 'encryption' }, issueTestCertificate({ commonName: 'Own' }).pem);
    expect(own.status).toBe(201);
    const ownId = own.body.data.id as string;
    const scheduled = await api.post(`/v1/partners/${partnerId}/trust/rollover`, {
      next_certificate_id: ownId,
      activate_at: new Date(Date.now() + DAY).toISOString(),
      overlap_until: new Date(Date.now() + 2 * DAY).toISOString(),
      slots: ['encryption'],
    });
    expect(scheduled.status).toBe(201);
    expect((await api.post(`/v1/partners/${partnerId}/trust/activate`)).status).toBe(200);
    const retired = await api.post(`/v1/partners/${partnerId}/trust/retire`, { force: true, reason: 'moving to our own certificate' });
    expect(retired.status).toBe(200);
    expect(retired.body.data.retired_certificate_ids).toEqual([fromId]);
    expect(retired.body.data.current.encryption.id).toBe(ownId);
    return ownId;
  }

  it("a tenant's forced retirement after a rollover ends only its partner's use: the account's certificate stays active everywhere else", async () => {
    const { account, admin, tenantA, tenantB, masterId, sharedId, partnerA, partnerB } = await sharedCertificate();
    await rollOverAndForceRetire(tenantA, partnerA, sharedId);

    const seen = await admin.get(`/v1/certificates/${sharedId}`);
    expect(seen.body.data.active).toBe(true);
    const masterTrust = await admin.get(`/v1/partners/${masterId}/trust`);
    expect(masterTrust.body.data.current.encryption).toMatchObject({ id: sharedId, active: true });
    // Nothing of the retirement; only that the master's signature slot follows a certificate uploaded for encryption only.
    expect(masterTrust.body.data.warnings.map((w: { code: string }) => w.code)).toEqual(['SIGNATURE_CERTIFICATE_UNFIT']);
    const slotsB = await tenantB.get(`/v1/partners/${partnerB}/certificate-slots`);
    expect(slotsB.body.data.encryption.current).toMatchObject({ id: sharedId, active: true });

    // The account admin can still assign it: no CERTIFICATE_INACTIVE.
    const secondMaster = await admin.post(`/v1/accounts/${account}/partners`, { name: 'Second master', as2_id: `MASTER-2-${accounts}`, url: 'https://master2.example.com/as2' });
    const reused = await admin.put(`/v1/partners/${secondMaster.body.data.id}/certificate-slots/encryption`, { certificate_id: sharedId });
    expect(reused.status).toBe(200);
    expect(reused.body.data.encryption.current).toMatchObject({ id: sharedId, active: true });

    // Tenant A's timeline records the retirement of its use, and no retirement of the certificate itself.
    const timeline = (await tenantA.get(`/v1/partners/${partnerA}/trust/events?per_page=100`)).body.data;
    const types = timeline.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('trust.retired.v1');
    expect(timeline[0].data).toMatchObject({ certificate_ids: [sharedId], forced: true, reason: 'moving to our own certificate' });
    expect(types).not.toContain('certificate.retired.v1');
    expect((await tenantA.get(`/v1/partners/${partnerA}/trust`)).body.data.overlap).toBeNull();
  });

  it('deleting an account-level certificate: a tenant is refused (403); the account admin is refused while tenants use it (409, naming the uses)', async () => {
    const { account, admin, tenantA, masterId, sharedId, partnerA, partnerB } = await sharedCertificate();
    const byTenant = await tenantA.delete(`/v1/certificates/${sharedId}`);
    expect(byTenant.status).toBe(403);
    expect(byTenant.body.error.code).toBe('ACCOUNT_CERTIFICATE_READ_ONLY');

    const byAdmin = await admin.delete(`/v1/certificates/${sharedId}`);
    expect(byAdmin.status).toBe(409);
    expect(byAdmin.body.error.code).toBe('CERTIFICATE_IN_USE');
    const usage = await admin.get(`/v1/certificates/${sharedId}/usage`);
    expect(byAdmin.body.error.details.used_by).toHaveLength(usage.body.data.used_by.length);
    expect(byAdmin.body.error.details.used_by).toEqual(expect.arrayContaining(usage.body.data.used_by));
    expect(new Set(byAdmin.body.error.details.used_by.map((u: { partner_id: string }) => u.partner_id))).toEqual(new Set([masterId, partnerA, partnerB]));
    expect((await admin.get(`/v1/certificates/${sharedId}`)).body.data.active).toBe(true);

    // An account admin acting with a tenant claim is told only of its tenant's and the master partners' uses.
    const adminOfA = certificateApiAs(t, { account, tenant: 'tenant-a', roles: ['account_admin'] });
    const refused = await adminOfA.delete(`/v1/certificates/${sharedId}`);
    expect(refused.status).toBe(409);
    expect(new Set(refused.body.error.details.used_by.map((u: { partner_id: string }) => u.partner_id))).toEqual(new Set([masterId, partnerA]));
  });

  it("a tenant partner's deletion never deactivates an account-level certificate, even when it was the only user", async () => {
    const { account, admin, tenantA, tenantB, masterId, sharedId, partnerA, partnerB } = await sharedCertificate();
    const storeOnly = await admin.upload('/v1/certificates', { name: 'account store', usage: 'encryption' }, issueTestCertificate({ commonName: 'Store' }).pem);
    expect(storeOnly.body.data.scope).toBe('account');
    const storeOnlyId = storeOnly.body.data.id as string;
    const partnerA2 = await createPartner(tenantA);
    expect((await tenantA.put(`/v1/partners/${partnerA2}/certificate-slots/encryption`, { certificate_id: storeOnlyId })).status).toBe(200);

    for (const [api, partnerId] of [[tenantA, partnerA], [tenantA, partnerA2], [tenantB, partnerB]] as const) {
      expect((await api.delete(`/v1/partners/${partnerId}`)).status).toBe(200);
    }
    expect((await admin.get(`/v1/partners/${masterId}/trust`)).body.data.current.encryption).toMatchObject({ id: sharedId, active: true });
    expect((await admin.get(`/v1/certificates/${storeOnlyId}`)).body.data.active).toBe(true);
    const secondMaster = await admin.post(`/v1/accounts/${account}/partners`, { name: 'Second master', as2_id: `MASTER-3-${accounts}`, url: 'https://master3.example.com/as2' });
    expect((await admin.put(`/v1/partners/${secondMaster.body.data.id}/certificate-slots/encryption`, { certificate_id: storeOnlyId })).status).toBe(200);
  });

  it("a master partner's retirement of a certificate another master still holds ends its own use only; the certificate retires with the last partner that retires it", async () => {
    accounts += 1;
    const account = `shared-${process.pid}-${accounts}`;
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const masters: string[] = [];
    for (const n of [1, 2]) {
      const created = await admin.post(`/v1/accounts/${account}/partners`, { name: `Master ${n}`, as2_id: `M${n}-${accounts}`, url: 'https://m.example.com/as2' });
      masters.push(created.body.data.id as string);
    }
    const shared = await admin.upload(`/v1/accounts/${account}/partners/${masters[0]}/certificates`, { name: 'shared', usage: 'encryption' }, issueTestCertificate().pem);
    const sharedId = shared.body.data.id as string;
    expect((await admin.put(`/v1/partners/${masters[1]}/certificate-slots/encryption`, { certificate_id: sharedId })).status).toBe(200);
    await rollOverAndForceRetire(admin, masters[0], sharedId);

    // The other master's current certificate stays what it was: active, no warning, still assignable.
    expect((await admin.get(`/v1/certificates/${sharedId}`)).body.data.active).toBe(true);
    const other = await admin.get(`/v1/partners/${masters[1]}/trust`);
    expect(other.body.data.current.encryption).toMatchObject({ id: sharedId, active: true });
    expect(other.body.data.warnings.map((w: { code: string }) => w.code)).not.toContain('CURRENT_CERTIFICATE_INACTIVE');
    expect((await admin.put(`/v1/partners/${masters[1]}/certificate-slots/encryption`, { certificate_id: sharedId })).status).toBe(200);
    // The last partner holding it retires it: now it is retired for good.
    await rollOverAndForceRetire(admin, masters[1], sharedId);
    expect((await admin.get(`/v1/certificates/${sharedId}`)).body.data.active).toBe(false);
  });

  it("a tenant's retirement on one of its partners leaves the certificate active for its other partner that holds it", async () => {
    const tenant = freshTenant();
    const api = certificateApiAs(t, { tenant });
    const partners = [await createPartner(api), await createPartner(api)];
    const shared = await api.upload(`/v1/partners/${partners[0]}/certificates`, { name: 'shared', usage: 'encryption' }, issueTestCertificate().pem);
    const sharedId = shared.body.data.id as string;
    expect((await api.put(`/v1/partners/${partners[1]}/certificate-slots/encryption`, { certificate_id: sharedId })).status).toBe(200);
    await rollOverAndForceRetire(api, partners[0], sharedId);
    expect((await api.get(`/v1/certificates/${sharedId}`)).body.data.active).toBe(true);
    expect((await api.get(`/v1/partners/${partners[1]}/trust`)).body.data.current.encryption).toMatchObject({ id: sharedId, active: true });
  });
});
