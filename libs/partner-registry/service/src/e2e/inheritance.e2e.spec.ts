import { API_TIMESTAMP, apiAs, freshTenant, partnerApiFixture, partnerInput } from './partner-api.spec-support';

describe('master partners, inheritance, overrides and tenants', () => {
  const ctx = partnerApiFixture('account');

  const tenantApi = (tenant = freshTenant()) => apiAs(ctx.t, { account: ctx.account, tenant });
  const createMaster = async (as2Id: string, extra: Record<string, unknown> = {}) => {
    const res = await ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput(as2Id, extra));
    expect(res.status).toBe(201);
    return res.body.data;
  };

  describe('master partners (/v1/accounts/{account}/partners)', () => {
    it('creates, reads, lists, updates and deletes', async () => {
      const created = await ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('MCKESSON', { sign: true }));
      expect(created.status).toBe(201);
      expect(created.body.message).toBe('Master partner created successfully');
      const master = created.body.data;
      expect(master).toMatchObject({ as2_id: 'MCKESSON', type: 'master', master_partner_id: null, sign: true });
      expect((await ctx.admin.get(`/v1/accounts/${ctx.account}/partners/${master.id}`)).body.data).toMatchObject({ id: master.id, certificates: [] });
      const list = await ctx.admin.get(`/v1/accounts/${ctx.account}/partners`);
      expect(list.body.data.map((p: any) => p.id)).toEqual([master.id]);
      expect(list.body.pagination.total).toBe(1);
      const updated = await ctx.admin.patch(`/v1/accounts/${ctx.account}/partners/${master.id}`, { name: 'McKesson Corp' });
      expect(updated.body).toMatchObject({ message: 'Master partner updated successfully', data: { name: 'McKesson Corp' } });
      const deleted = await ctx.admin.delete(`/v1/accounts/${ctx.account}/partners/${master.id}`);
      expect(deleted.body).toEqual({ message: 'Master partner deleted successfully', data: { id: master.id, deleted_at: expect.stringMatching(API_TIMESTAMP) } });
      expect((await ctx.admin.get(`/v1/accounts/${ctx.account}/partners/${master.id}`)).status).toBe(404);
      expect((await ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('MCKESSON'))).status).toBe(201);
    });

    it('keeps AS2 ids unique among the account masters and validates like tenant partners', async () => {
      await createMaster('UNIQUE-M');
      const dup = await ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('UNIQUE-M'));
      expect(dup.status).toBe(422);
      expect(dup.body.error.code).toBe('DUPLICATE_AS2_ID');
      const bad = await ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('BAD ID'));
      expect(bad.body.error.code).toBe('INVALID_AS2_ID_FORMAT');
    });

    it('needs an account admin of that very account', async () => {
      const master = await createMaster('GUARDED');
      const tenantAdmin = apiAs(ctx.t, { account: ctx.account, tenant: freshTenant(), roles: ['tenant_admin'] });
      expect((await tenantAdmin.get(`/v1/accounts/${ctx.account}/partners`)).status).toBe(403);
      expect((await tenantAdmin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('X'))).status).toBe(403);
      const otherAdmin = apiAs(ctx.t, { account: ctx.freshAccount(), tenant: null, roles: ['account_admin'] });
      expect((await otherAdmin.get(`/v1/accounts/${ctx.account}/partners`)).status).toBe(403);
      expect((await otherAdmin.delete(`/v1/accounts/${ctx.account}/partners/${master.id}`)).status).toBe(403);
      const ownAccountOtherId = await apiAs(ctx.t, { account: 'x', tenant: null, roles: ['account_admin'] }).get(`/v1/accounts/x/partners/${master.id}`);
      expect(ownAccountOtherId.status).toBe(404);
    });
  });

  describe('inheritance', () => {
    it('shows masters to every tenant at once as inherited, after its own partners', async () => {
      const known = tenantApi();
      const own = (await known.post('/v1/partners', partnerInput('OWN'))).body.data;
      const master = await createMaster('MASTER-1');
      const expected = { id: master.id, type: 'inherited', master_partner_id: master.id, has_overrides: false, as2_id: 'MASTER-1' };
      const knownList = await known.get('/v1/partners');
      expect(knownList.body.data.map((p: any) => p.id)).toEqual([own.id, master.id]);
      expect(knownList.body.data[1]).toMatchObject(expected);
      const neverSeen = tenantApi();
      expect((await neverSeen.get('/v1/partners')).body.data).toEqual([expect.objectContaining(expected)]);
      expect((await neverSeen.get(`/v1/partners/${master.id}`)).body.data).toMatchObject(expected);
      const otherAccount = apiAs(ctx.t, { account: ctx.freshAccount(), tenant: freshTenant() });
      expect((await otherAccount.get('/v1/partners')).body.data).toEqual([]);
      expect((await otherAccount.get(`/v1/partners/${master.id}`)).status).toBe(404);
    });

    it('filters by type and orders tenant partners first, each oldest first', async () => {
      const tenant = tenantApi();
      const m1 = await createMaster('M1');
      const p1 = (await tenant.post('/v1/partners', partnerInput('T1'))).body.data;
      const m2 = await createMaster('M2');
      const p2 = (await tenant.post('/v1/partners', partnerInput('T2'))).body.data;
      const ids = async (query: string) => (await tenant.get(`/v1/partners${query}`)).body.data.map((p: any) => p.id);
      expect(await ids('')).toEqual([p1.id, p2.id, m1.id, m2.id]);
      expect(await ids('?type=all')).toEqual([p1.id, p2.id, m1.id, m2.id]);
      expect(await ids('?type=tenant')).toEqual([p1.id, p2.id]);
      expect(await ids('?type=inherited')).toEqual([m1.id, m2.id]);
      expect(await ids('?type=inherited&search=m2')).toEqual([m2.id]);
      expect((await tenantApi().get('/v1/partners?type=tenant')).body.data).toEqual([]);
    });

    it('gives a tenant registered later the existing masters', async () => {
      const master = await createMaster('EARLY');
      const res = await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { id: 'late-tenant', name: 'Late', plan: 'starter' });
      expect(res.status).toBe(201);
      const late = apiAs(ctx.t, { account: ctx.account, tenant: 'late-tenant' });
      expect((await late.get('/v1/partners')).body.data.map((p: any) => p.id)).toEqual([master.id]);
    });

    it('does not count inherited partners against the plan limit', async () => {
      for (const id of ['LM1', 'LM2', 'LM3']) await createMaster(id);
      const tenant = tenantApi();
      for (let i = 0; i < 5; i++) expect((await tenant.post('/v1/partners', partnerInput(`OWN-${i}`))).status).toBe(201);
      expect((await tenant.post('/v1/partners', partnerInput('OWN-6'))).status).toBe(402);
      expect((await tenant.get('/v1/partners')).body.pagination.total).toBe(8);
    });

    it('removes a deleted master from every tenant', async () => {
      const master = await createMaster('SHORT-LIVED');
      const known = tenantApi();
      await known.post('/v1/partners', partnerInput('KEEP'));
      await known.patch(`/v1/partners/${master.id}`, { mdn_mode: 'sync' });
      await ctx.admin.delete(`/v1/accounts/${ctx.account}/partners/${master.id}`);
      expect((await known.get('/v1/partners')).body.data.map((p: any) => p.as2_id)).toEqual(['KEEP']);
      expect((await known.get(`/v1/partners/${master.id}`)).status).toBe(404);
      expect((await tenantApi().get(`/v1/partners/${master.id}`)).status).toBe(404);
    });
  });

  describe('overrides', () => {
    it('records overrides without touching the master, and master changes show through elsewhere', async () => {
      const master = await createMaster('OVR', { mdn_mode: 'async', sign: false });
      const tenant = tenantApi();
      const bystander = tenantApi();
      await bystander.post('/v1/partners', partnerInput('BYSTANDER'));

      const res = await tenant.patch(`/v1/partners/${master.id}`, { url: 'https://tenant-specific.endpoint.com/as2', mdn_mode: 'sync' });
      expect(res.status).toBe(200);
      expect(res.body.message).toBe('Partner configuration overridden successfully');
      expect(res.body.data).toMatchObject({
        id: master.id,
        type: 'inherited',
        master_partner_id: master.id,
        has_overrides: true,
        url: 'https://tenant-specific.endpoint.com/as2',
        mdn_mode: 'sync',
        override_settings: { url: 'https://tenant-specific.endpoint.com/as2', mdn_mode: 'sync' },
      });

      const masterNow = (await ctx.admin.get(`/v1/accounts/${ctx.account}/partners/${master.id}`)).body.data;
      expect(masterNow).toMatchObject({ url: master.url, mdn_mode: 'async' });
      expect((await bystander.get(`/v1/partners/${master.id}`)).body.data).toMatchObject({ url: master.url, has_overrides: false });

      await ctx.admin.patch(`/v1/accounts/${ctx.account}/partners/${master.id}`, { mdn_mode: 'none', sign: true, name: 'Renamed master' });
      expect((await tenant.get(`/v1/partners/${master.id}`)).body.data).toMatchObject({ mdn_mode: 'sync', sign: true, name: 'Renamed master' });
      expect((await bystander.get(`/v1/partners/${master.id}`)).body.data).toMatchObject({ mdn_mode: 'none', sign: true, name: 'Renamed master' });
      expect((await tenant.get('/v1/partners?type=inherited')).body.data[0]).toMatchObject({ has_overrides: true, mdn_mode: 'sync' });
    });

    it('shows and resets overrides', async () => {
      const master = await createMaster('RESET');
      const tenant = tenantApi();
      await tenant.patch(`/v1/partners/${master.id}`, { compress: true });
      await tenant.patch(`/v1/partners/${master.id}`, { connection: { retry_attempts: 9 } });
      const shown = await tenant.get(`/v1/partners/${master.id}/overrides`);
      expect(shown.status).toBe(200);
      expect(shown.body.data).toMatchObject({
        partner_id: master.id,
        master_partner_id: master.id,
        has_overrides: true,
        override_settings: { compress: true, connection: { retry_attempts: 9 } },
      });
      const reset = await tenant.delete(`/v1/partners/${master.id}/overrides`);
      expect(reset.status).toBe(200);
      expect(reset.body).toMatchObject({ message: 'Partner overrides reset successfully', data: { has_overrides: false, compress: false } });
      expect((await tenant.get(`/v1/partners/${master.id}/overrides`)).body.data).toMatchObject({ has_overrides: false, override_settings: {} });
      expect((await tenant.get(`/v1/partners/${master.id}`)).body.data.connection.retry_attempts).toBe(3);
    });

    it('validates overrides and refuses them on tenant partners', async () => {
      const master = await createMaster('VALID-OVR');
      const tenant = tenantApi();
      const bad = await tenant.patch(`/v1/partners/${master.id}`, { url: 'http://nope.example.com' });
      expect(bad.status).toBe(422);
      expect(bad.body.error.code).toBe('INVALID_ENDPOINT_URL');
      const own = (await tenant.post('/v1/partners', partnerInput('NOT-INHERITED'))).body.data;
      const res = await tenant.get(`/v1/partners/${own.id}/overrides`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('NOT_AN_INHERITED_PARTNER');
    });

    it('refuses a tenant the deletion of an inherited partner', async () => {
      const master = await createMaster('UNDELETABLE');
      const res = await tenantApi().delete(`/v1/partners/${master.id}`);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('INHERITED_PARTNER_NOT_DELETABLE');
      expect((await ctx.admin.get(`/v1/accounts/${ctx.account}/partners/${master.id}`)).status).toBe(200);
    });

    it('lets tenant users read overrides but not change them', async () => {
      const master = await createMaster('RO-OVR');
      const user = apiAs(ctx.t, { account: ctx.account, tenant: freshTenant(), roles: ['tenant_user'] });
      expect((await user.get(`/v1/partners/${master.id}/overrides`)).status).toBe(200);
      expect((await user.patch(`/v1/partners/${master.id}`, { compress: true })).status).toBe(403);
      expect((await user.delete(`/v1/partners/${master.id}/overrides`)).status).toBe(403);
    });
  });

  describe('tenants (/v1/accounts/{account}/tenants)', () => {
    it('creates, lists, reads, updates and deletes tenants', async () => {
      const created = await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { id: 'acme-east', name: 'Acme East', plan: 'starter' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        message: 'Tenant created successfully',
        data: { id: 'acme-east', name: 'Acme East', plan: 'starter', partner_limit: 10, notification_email: null, created_at: expect.stringMatching(API_TIMESTAMP), updated_at: expect.stringMatching(API_TIMESTAMP) },
      });
      const generated = await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { name: 'Generated' });
      expect(generated.body.data).toMatchObject({ id: expect.stringMatching(/^ten_/), plan: 'free', partner_limit: 5 });
      expect((await ctx.admin.get(`/v1/accounts/${ctx.account}/tenants`)).body.data.map((x: any) => x.id)).toEqual(['acme-east', generated.body.data.id]);
      expect((await ctx.admin.get(`/v1/accounts/${ctx.account}/tenants/acme-east`)).body.data.name).toBe('Acme East');
      const updated = await ctx.admin.patch(`/v1/accounts/${ctx.account}/tenants/acme-east`, { plan: 'enterprise' });
      expect(updated.body).toMatchObject({ message: 'Tenant updated successfully', data: { plan: 'enterprise', partner_limit: null } });
      expect((await ctx.admin.delete(`/v1/accounts/${ctx.account}/tenants/acme-east`)).body).toMatchObject({ message: 'Tenant deleted successfully', data: { id: 'acme-east' } });
      expect((await ctx.admin.get(`/v1/accounts/${ctx.account}/tenants/acme-east`)).status).toBe(404);
    });

    it('refuses duplicates, bad plans and bad ids, and answers 404 TENANT_NOT_FOUND', async () => {
      await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { id: 'once', name: 'Once' });
      const dup = await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { id: 'once', name: 'Twice' });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('TENANT_ALREADY_EXISTS');
      expect((await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { name: 'x', plan: 'gold' })).body.errors).toHaveProperty('plan');
      expect((await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { id: 'has.dot', name: 'x' })).body.errors).toHaveProperty('id');
      // null is no id or plan (the schema's are not nullable): omit them for a generated id and the free plan
      expect((await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { id: null, name: 'x' })).body.errors).toHaveProperty('id');
      expect((await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { name: 'x', plan: null })).body.errors).toHaveProperty('plan');
      expect((await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { id: '_account', name: 'x' })).body.errors).toHaveProperty('id');
      const missing = await ctx.admin.patch(`/v1/accounts/${ctx.account}/tenants/nobody`, { plan: 'starter' });
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('TENANT_NOT_FOUND');
    });

    it('needs an account admin of that account', async () => {
      expect((await tenantApi().get(`/v1/accounts/${ctx.account}/tenants`)).status).toBe(403);
      expect((await apiAs(ctx.t, { account: ctx.freshAccount(), tenant: null, roles: ['account_admin'] }).get(`/v1/accounts/${ctx.account}/tenants`)).status).toBe(403);
    });
  });
});
