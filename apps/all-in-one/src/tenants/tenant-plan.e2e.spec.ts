import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs } from '../certificates/certificate-api.spec-support';

const ACCOUNT = `acct-plan-${process.pid}`;

/** Read-your-writes across services (embedded): a tenant's plan, as the certificate store applies it, when the tenant route answers. */
describe("a tenant's plan change (embedded, through the API)", () => {
  let t: EmbeddedTestApp;
  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
  }, 30_000);
  afterAll(() => t?.close());

  it('is in effect for the certificate store as soon as the tenant is created or updated', async () => {
    const admin = certificateApiAs(t, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
    const api = certificateApiAs(t, { account: ACCOUNT, tenant: 'plan-tenant', roles: ['tenant_admin'] });
    const pem = issueTestCertificate().pem;
    const upload = (n: number) => api.upload('/v1/certificates', { name: `store-${n}`, usage: 'encryption', type: 'partner' }, pem);

    // Created on the starter plan (25 certificates), then down to free (10): each change is seen by the very next upload.
    expect((await admin.post(`/v1/accounts/${ACCOUNT}/tenants`, { id: 'plan-tenant', name: 'Plan', plan: 'starter' })).status).toBe(201);
    for (let n = 1; n <= 10; n++) expect((await upload(n)).status).toBe(201);
    expect((await admin.patch(`/v1/accounts/${ACCOUNT}/tenants/plan-tenant`, { plan: 'free' })).status).toBe(200);
    const refused = await upload(11);
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe('CERTIFICATE_LIMIT_EXCEEDED');
    expect((await admin.patch(`/v1/accounts/${ACCOUNT}/tenants/plan-tenant`, { plan: 'starter' })).status).toBe(200);
    expect((await upload(12)).status).toBe(201);
  }, 60_000);
});
