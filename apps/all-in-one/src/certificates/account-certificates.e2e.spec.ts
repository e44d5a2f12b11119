import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs } from './certificate-api.spec-support';

describe('account-level certificates for master partners', () => {
  let t: EmbeddedTestApp;
  const account = `acct-${process.pid}`;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
  });
  afterAll(() => t?.close());

  it("are uploaded by an account admin, shared read-only with the account's tenants, and hidden from other accounts", async () => {
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const master = await admin.post(`/v1/accounts/${account}/partners`, { name: 'McKesson', as2_id: 'MCKESSON-CERTS', url: 'https://mckesson.example.com/as2' });
    expect(master.status).toBe(201);
    const masterId = master.body.data.id as string;
    const uploaded = await admin.upload(`/v1/accounts/${account}/partners/${masterId}/certificates`, { name: 'McKesson enc', usage: 'encryption' }, issueTestCertificate().pem);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.data).toMatchObject({ scope: 'account', partner_ids: [masterId], active: true });

    const tenantAdmin = certificateApiAs(t, { account, tenant: 'branch-a', roles: ['tenant_admin'] });
    const seen = await tenantAdmin.get(`/v1/partners/${masterId}/certificates`);
    expect(seen.body.data.map((c: { id: string }) => c.id)).toEqual([uploaded.body.data.id]);
    expect((await tenantAdmin.get(`/v1/certificates/${uploaded.body.data.id}`)).status).toBe(200);
    expect((await tenantAdmin.get(`/v1/partners/${masterId}/certificate-slots`)).body.data.encryption.current.id).toBe(uploaded.body.data.id);
    const details = await tenantAdmin.get(`/v1/partners/${masterId}`);
    expect(details.body.data.certificates.map((c: { id: string }) => c.id)).toEqual([uploaded.body.data.id]);

    const write = await tenantAdmin.upload(`/v1/partners/${masterId}/certificates`, { name: 'x', usage: 'encryption' }, issueTestCertificate().pem);
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('INHERITED_PARTNER_READ_ONLY');
    expect((await tenantAdmin.delete(`/v1/certificates/${uploaded.body.data.id}`)).status).toBe(403);

    const stranger = certificateApiAs(t, { account: 'other-account', tenant: 'branch-a' });
    expect((await stranger.get(`/v1/certificates/${uploaded.body.data.id}`)).status).toBe(404);
    expect((await stranger.get(`/v1/partners/${masterId}/certificates`)).status).toBe(404);
  });

  it("are the account admin's alone: a token without a tenant whose tenant roles sit beside gateway or operator neither uploads nor reads them", async () => {
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const shared = await admin.upload('/v1/certificates', { name: 'Account TLS', usage: 'tls' }, issueTestCertificate().pem);
    expect(shared.status).toBe(201);
    for (const role of ['gateway', 'operator'] as const) {
      const mixed = certificateApiAs(t, { account, tenant: null, roles: [role, 'tenant_admin', 'tenant_user'] });
      const upload = await mixed.upload('/v1/certificates', { name: `pushed by ${role}`, usage: 'tls' }, issueTestCertificate().pem);
      const list = await mixed.get('/v1/certificates');
      const usage = await mixed.get(`/v1/certificates/${shared.body.data.id}/usage`);
      expect([role, upload.status, upload.body.error?.code, list.status, usage.status]).toEqual([role, 403, 'FORBIDDEN', 403, 403]);
    }
    const names = (await admin.get('/v1/certificates')).body.data.map((c: { name: string }) => c.name);
    expect(names.filter((name: string) => name.startsWith('pushed by'))).toEqual([]);
  });
});
