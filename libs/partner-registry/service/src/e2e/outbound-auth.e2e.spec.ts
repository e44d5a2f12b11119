import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { apiAs, freshTenant, partnerInput } from './partner-api.spec-support';

// GET /internal/v1/partners/{id}/outbound-auth: the one place a partner's outbound password leaves its seal.
describe('GET /internal/v1/partners/{id}/outbound-auth', () => {
  let t: EmbeddedTestApp;
  const logs: string[] = [];
  const account = `oa-${process.pid}`;
  const PASSWORD = 'Pw-outbound-5ecret!';

  beforeAll(async () => {
    t = await createEmbeddedTestApp({
      imports: [PartnerRegistryModule],
      env: { LOG_LEVEL: 'trace' },
      logDestination: { write: (chunk: string) => void logs.push(chunk) },
    });
  });
  afterAll(() => t?.close());

  const gateway = (claims: { account?: string; tenant?: string | null } = {}) =>
    apiAs(t, { sub: 'gw-1', account: claims.account ?? account, tenant: claims.tenant ?? null, roles: ['gateway'] });
  const url = (id: string, query: Record<string, string> = {}) => `/internal/v1/partners/${id}/outbound-auth?${new URLSearchParams(query)}`;

  async function tenantPartnerWithAuth(tenant: string, as2Id: string, httpAuth: object = { enabled: true, username: 'acme-user', password: PASSWORD }) {
    const res = await apiAs(t, { account, tenant }).post('/v1/partners', partnerInput(as2Id, { http_auth: httpAuth }));
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  }

  it("answers the unsealed credential to the account's gateway naming the tenant, never cached", async () => {
    const tenant = freshTenant();
    const id = await tenantPartnerWithAuth(tenant, 'OA-OWN');
    const res = await t.app.inject({ method: 'GET', url: url(id, { tenant }), headers: { authorization: `Bearer ${t.token({ sub: 'gw-1', account, tenant: null, roles: ['gateway'] })}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ data: { partner_id: id, tenant, enabled: true, username: 'acme-user', password: PASSWORD } });
    // A gateway token with the tenant claim needs no query.
    expect((await gateway({ tenant }).get(url(id))).body.data.password).toBe(PASSWORD);
  });

  it('says disabled (no username, no password) when the partner does not use HTTP auth', async () => {
    const tenant = freshTenant();
    const id = await tenantPartnerWithAuth(tenant, 'OA-OFF', { enabled: false, username: 'u', password: 'p-unused' });
    expect((await gateway().get(url(id, { tenant }))).body.data).toEqual({ partner_id: id, tenant, enabled: false, username: null, password: null });
  });

  it("gives an inherited master partner's credential as the tenant overrode it, and the master's to other tenants", async () => {
    const admin = apiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const master = await admin.post(`/v1/accounts/${account}/partners`, partnerInput('OA-MASTER', { http_auth: { enabled: true, username: 'master-user', password: 'master-pass' } }));
    expect(master.status).toBe(201);
    const id = master.body.data.id as string;
    const overriding = freshTenant();
    const other = freshTenant();
    for (const tenant of [overriding, other]) {
      expect((await apiAs(t, { account, tenant: null, roles: ['account_admin'] }).post(`/v1/accounts/${account}/tenants`, { id: tenant, name: tenant, plan: 'free' })).status).toBe(201);
    }
    const patched = await apiAs(t, { account, tenant: overriding }).patch(`/v1/partners/${id}`, { http_auth: { username: 'tenant-user', password: 'tenant-pass' } });
    expect(patched.status).toBe(200);
    expect((await gateway().get(url(id, { tenant: overriding }))).body.data).toMatchObject({ enabled: true, username: 'tenant-user', password: 'tenant-pass' });
    expect((await gateway().get(url(id, { tenant: other }))).body.data).toMatchObject({ enabled: true, username: 'master-user', password: 'master-pass' });
  });

  it("never sends the account's password to a URL a tenant chose: a tenant that overrides the URL gives its own password", async () => {
    const admin = apiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const master = await admin.post(`/v1/accounts/${account}/partners`, partnerInput('OA-MASTER-URL', { http_auth: { enabled: true, username: 'master-user', password: 'master-secret' } }));
    expect(master.status).toBe(201);
    const id = master.body.data.id as string;
    const tenant = freshTenant();
    expect((await admin.post(`/v1/accounts/${account}/tenants`, { id: tenant, name: tenant, plan: 'free' })).status).toBe(201);
    const tenantAdmin = apiAs(t, { account, tenant });
    const viewsSay = async () => {
      const [details, list] = await Promise.all([tenantAdmin.get(`/v1/partners/${id}`), tenantAdmin.get('/v1/partners')]);
      return [details.body.data.http_auth.has_password, list.body.data.find((p: { id: string }) => p.id === id).http_auth.has_password];
    };
    expect(await viewsSay()).toEqual([true, true]);
    const overridden = await tenantAdmin.patch(`/v1/partners/${id}`, { url: 'https://collector.example.net/as2' });
    expect([overridden.status, overridden.body.data.http_auth]).toEqual([200, { enabled: true, username: 'master-user', has_password: false }]);
    // Its views say so too: no password is sent to its URL.
    expect(await viewsSay()).toEqual([false, false]);
    const withheld = await gateway().get(url(id, { tenant }));
    expect([withheld.status, withheld.body.error?.code]).toEqual([409, 'OUTBOUND_SECRET_UNAVAILABLE']);
    expect(JSON.stringify(withheld.body)).not.toContain('master-secret');
    // Its own username alone does not make the account's password its own.
    expect((await tenantAdmin.patch(`/v1/partners/${id}`, { http_auth: { username: 'tenant-user' } })).status).toBe(200);
    expect((await gateway().get(url(id, { tenant }))).status).toBe(409);
    expect(await viewsSay()).toEqual([false, false]);
    expect((await tenantAdmin.patch(`/v1/partners/${id}`, { http_auth: { password: 'tenant-secret' } })).status).toBe(200);
    expect((await gateway().get(url(id, { tenant }))).body.data).toMatchObject({ enabled: true, username: 'tenant-user', password: 'tenant-secret' });
    expect(await viewsSay()).toEqual([true, true]);
  });

  it("refuses another tenant's partner and another account's gateway like an unknown partner", async () => {
    const tenant = freshTenant();
    const id = await tenantPartnerWithAuth(tenant, 'OA-SCOPE');
    const asOtherTenant = await gateway().get(url(id, { tenant: freshTenant() }));
    expect([asOtherTenant.status, asOtherTenant.body.error.code]).toEqual([404, 'PARTNER_NOT_FOUND']);
    const tenantClaim = await gateway({ tenant: freshTenant() }).get(url(id));
    expect([tenantClaim.status, tenantClaim.body.error.code]).toEqual([404, 'PARTNER_NOT_FOUND']);
    const otherAccount = await gateway({ account: 'another-account' }).get(url(id, { tenant }));
    expect([otherAccount.status, otherAccount.body.error.code]).toEqual([404, 'PARTNER_NOT_FOUND']);
    const namingAnotherAccount = await gateway({ account: 'another-account' }).get(url(id, { tenant, account }));
    expect([namingAnotherAccount.status, namingAnotherAccount.body.error.code]).toEqual([403, 'ACCOUNT_FORBIDDEN']);
    const tenantClaimNamingAnother = await gateway({ tenant: freshTenant() }).get(url(id, { tenant }));
    expect([tenantClaimNamingAnother.status, tenantClaimNamingAnother.body.error.code]).toEqual([403, 'TENANT_FORBIDDEN']);
    for (const res of [asOtherTenant, tenantClaim, otherAccount, namingAnotherAccount, tenantClaimNamingAnother]) expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
  });

  it('a gateway of every account names the account', async () => {
    const tenant = freshTenant();
    const id = await tenantPartnerWithAuth(tenant, 'OA-STAR');
    expect((await gateway({ account: '*' }).get(url(id, { tenant, account }))).body.data.password).toBe(PASSWORD);
    const unnamed = await gateway({ account: '*' }).get(url(id, { tenant }));
    expect([unnamed.status, unnamed.body.error.code]).toEqual([403, 'ACCOUNT_REQUIRED']);
    // An account no token can be for is refused as spelled, as resolve's ?account= is.
    for (const spelled of [`${account}|${tenant}`, `${account}/x`, 'a%2Fb', ' ', 'x'.repeat(129)]) {
      const res = await gateway({ account: '*' }).get(url(id, { tenant, account: spelled }));
      expect([spelled, res.status, res.body.error.code]).toEqual([spelled, 422, 'VALIDATION_FAILED']);
    }
  });

  it('is for gateways only: tenant users, tenant and account admins get 403, no token 401, a gateway without a tenant 403', async () => {
    const tenant = freshTenant();
    const id = await tenantPartnerWithAuth(tenant, 'OA-ROLES');
    for (const roles of [['tenant_user'], ['tenant_admin'], ['account_admin'], ['operator']]) {
      const res = await apiAs(t, { account, tenant, roles }).get(url(id, { tenant }));
      expect([roles, res.status, res.body.error.code]).toEqual([roles, 403, 'FORBIDDEN']);
    }
    const anonymous = await t.app.inject({ method: 'GET', url: url(id, { tenant }) });
    expect(anonymous.statusCode).toBe(401);
    const noTenant = await gateway().get(url(id));
    expect([noTenant.status, noTenant.body.error.code]).toEqual([403, 'TENANT_REQUIRED']);
  });

  it('refuses hostile input with 4xx and no credential', async () => {
    const tenant = freshTenant();
    const id = await tenantPartnerWithAuth(tenant, 'OA-HOSTILE');
    const cases = [
      url('..%2F..%2Fv1%2Fpartners', { tenant }),
      url(`${id}%00`, { tenant }),
      url("prt_' OR 1=1 --", { tenant }),
      url(id, { tenant: 'x'.repeat(65) }),
      url(id, { tenant: `${tenant}|x` }),
      url(id, { tenant: '_account' }),
      url(id, { tenant, extra: '1' }),
      `/internal/v1/partners/${id}/outbound-auth?tenant[$ne]=x`,
      `/internal/v1/partners/${id}/outbound-auth?tenant=${tenant}&tenant=${freshTenant()}`,
    ];
    for (const path of cases) {
      const res = await gateway().get(path);
      expect([path, res.status >= 400 && res.status < 500]).toEqual([path, true]);
      expect(JSON.stringify(res.body ?? '')).not.toContain(PASSWORD);
    }
  });

  it("refuses a deleted tenant's credentials: its data key is gone and so is the tenant", async () => {
    const tenant = freshTenant();
    const admin = apiAs(t, { account, tenant: null, roles: ['account_admin'] });
    expect((await admin.post(`/v1/accounts/${account}/tenants`, { id: tenant, name: tenant, plan: 'free' })).status).toBe(201);
    const id = await tenantPartnerWithAuth(tenant, 'OA-DELETED');
    expect((await gateway().get(url(id, { tenant }))).body.data.password).toBe(PASSWORD);
    expect((await admin.delete(`/v1/accounts/${account}/tenants/${tenant}`)).status).toBe(200);
    const res = await gateway().get(url(id, { tenant }));
    expect([res.status, res.body.error.code]).toEqual([403, 'TENANT_DELETED']);
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
  });

  it('audits each disclosure and never logs the password', async () => {
    const tenant = freshTenant();
    const id = await tenantPartnerWithAuth(tenant, 'OA-AUDIT');
    logs.length = 0;
    expect((await gateway().get(url(id, { tenant }))).status).toBe(200);
    const text = logs.join('');
    expect(text).toContain(`Outbound credential of partner ${id} (account ${account}, tenant ${tenant}, enabled) disclosed to gateway token gw-1`);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(`acme-user:${PASSWORD}`).toString('base64'));
  });
});
