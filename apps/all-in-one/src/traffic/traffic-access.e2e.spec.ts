import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';
import { createInstance, fresh, gatewayAs, partnerInput, trafficApiAs } from './traffic-api.spec-support';

const ACCOUNT = 'acct-access';

describe('traffic control: master partners and who may do what', () => {
  let t: EmbeddedTestApp;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule] });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const accountAdmin = () => trafficApiAs(t, { sub: 'boss', account: ACCOUNT, tenant: null, roles: ['account_admin'] });

  async function masterPartner() {
    const as2Id = fresh('MASTER').toUpperCase();
    const created = await accountAdmin().post(`/v1/accounts/${ACCOUNT}/partners`, partnerInput(as2Id));
    expect(created.status).toBe(201);
    return { partnerId: created.body.data.id as string, as2Id };
  }

  async function tenantWithInstance() {
    const tenant = fresh('ten');
    const ours = fresh('US').toUpperCase();
    await createInstance(t, { instanceId: fresh('ins'), account: ACCOUNT, tenant, myAs2Id: ours });
    return { tenant, ours, admin: trafficApiAs(t, { account: ACCOUNT, tenant, roles: ['tenant_admin'] }) };
  }

  it('an account pause of a master partner applies to every tenant; a tenant pause only to itself; either pauses', async () => {
    const { partnerId, as2Id } = await masterPartner();
    const one = await tenantWithInstance();
    const two = await tenantWithInstance();
    const gateway = gatewayAs(t, ACCOUNT);
    const outbound = (ours: string) => gateway.decide({ direction: 'outbound', as2_from: ours, as2_to: as2Id, message_id: fresh('m') }).then((r) => r.body);

    expect((await one.admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'tenant one only' })).status).toBe(200);
    expect(await outbound(one.ours)).toMatchObject({ decision: 'block', reason_code: 'TENANT_PAUSE', partner_id: partnerId });
    expect((await outbound(two.ours)).decision).toBe('accept');

    const accountPause = await accountAdmin().put(`/v1/accounts/${ACCOUNT}/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'for everyone' });
    expect(accountPause.status).toBe(200);
    expect(accountPause.body.data.outgoing).toMatchObject({ paused: true, paused_by: 'boss', paused_by_level: 'account' });
    expect(await outbound(one.ours)).toMatchObject({ decision: 'block', reason_code: 'ACCOUNT_PAUSE' });
    expect(await outbound(two.ours)).toMatchObject({ decision: 'block', reason_code: 'ACCOUNT_PAUSE' });
    const seenByTwo = await two.admin.get(`/v1/partners/${partnerId}/traffic`);
    expect(seenByTwo.body.data.outgoing).toMatchObject({ paused: true, paused_by_level: 'account', pause: null, account_pause: { reason: 'for everyone' } });
    expect((await two.admin.get('/v1/traffic/paused')).body.data.map((p: { partner_id: string; level: string }) => [p.partner_id, p.level])).toEqual([[partnerId, 'account']]);

    await accountAdmin().put(`/v1/accounts/${ACCOUNT}/partners/${partnerId}/traffic/outgoing`, { paused: false });
    expect((await outbound(one.ours)).reason_code).toBe('TENANT_PAUSE');
    expect((await outbound(two.ours)).decision).toBe('accept');
  });

  it('GET /v1/traffic/paused names a master paused by both the tenant and the account once, combined; a deleted partner drops out', async () => {
    const { partnerId } = await masterPartner();
    const one = await tenantWithInstance();
    const own = await one.admin.post('/v1/partners', partnerInput(fresh('OWN').toUpperCase()));
    const ownId = own.body.data.id as string;
    expect((await one.admin.put(`/v1/partners/${ownId}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'before deletion' })).status).toBe(200);
    expect((await one.admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'tenant one only' })).status).toBe(200);
    expect((await accountAdmin().put(`/v1/accounts/${ACCOUNT}/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'error_mdn', reason: 'for everyone' })).status).toBe(200);

    const both = await one.admin.get('/v1/traffic/paused');
    expect(both.status).toBe(200);
    expect(both.body.data.map((p: { partner_id: string; level: string }) => [p.partner_id, p.level])).toEqual([
      [partnerId, 'account'],
      [ownId, 'tenant'],
    ]);
    expect(both.body.data[0]).toMatchObject({ incoming: { paused: true, paused_by_level: 'account' }, outgoing: { paused: true, paused_by_level: 'tenant', reason: 'tenant one only' } });
    expect(both.body.pagination).toMatchObject({ total: 2 });

    // Deleted, the partner is 404 on every traffic route: the list no longer names it either.
    expect((await one.admin.delete(`/v1/partners/${ownId}`)).status).toBe(200);
    expect((await one.admin.put(`/v1/partners/${ownId}/traffic/incoming`, { paused: false })).status).toBe(404);
    const after = await one.admin.get('/v1/traffic/paused');
    expect(after.body.data.map((p: { partner_id: string }) => p.partner_id)).toEqual([partnerId]);
    expect(after.body.pagination).toMatchObject({ total: 1 });
  });

  it("an account admin reads a master partner's account-level timeline, with actor and reason, and no tenant's own pauses", async () => {
    const { partnerId } = await masterPartner();
    const one = await tenantWithInstance();
    const url = `/v1/accounts/${ACCOUNT}/partners/${partnerId}/traffic`;
    await accountAdmin().put(`${url}/outgoing`, { paused: true, reason: 'account audit' });
    await accountAdmin().put(`${url}/outgoing`, { paused: false, reason: 'audit over' });
    await one.admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'tenant one only' });

    const timeline = await accountAdmin().get(`${url}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.data.map((e: { type: string; level: string; data: { reason?: string } }) => [e.type, e.level, e.data.reason])).toEqual([
      ['traffic.resumed.v1', 'account', 'audit over'],
      ['traffic.paused.v1', 'account', 'account audit'],
    ]);
    expect(timeline.body.data[1].actor).toEqual({ type: 'user', id: 'boss' });
    // The tenant's own timeline of the inherited partner shows both levels.
    expect((await one.admin.get(`/v1/partners/${partnerId}/traffic/timeline`)).body.data.map((e: { level: string }) => e.level)).toEqual(['tenant', 'account', 'account']);

    expect((await trafficApiAs(t, { account: 'someone-else', tenant: null, roles: ['account_admin'] }).get(`${url}/timeline`)).status).toBe(403);
    expect((await one.admin.get(`${url}/timeline`)).status).toBe(403);
    expect((await trafficApiAs(t, null).get(`${url}/timeline`)).status).toBe(401);
    const own = await one.admin.post('/v1/partners', partnerInput(fresh('OWN').toUpperCase()));
    expect((await accountAdmin().get(`/v1/accounts/${ACCOUNT}/partners/${own.body.data.id}/traffic/timeline`)).status).toBe(404);
  });

  it("a tenant's windows of an inherited master partner list the account's beside its own, each with its level, in both routes", async () => {
    const { partnerId } = await masterPartner();
    const one = await tenantWithInstance();
    const two = await tenantWithInstance();
    const hour = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();
    const accountWindow = await accountAdmin().post(`/v1/accounts/${ACCOUNT}/partners/${partnerId}/traffic/windows`, { direction: 'outgoing', starts_at: hour(5), ends_at: hour(6), reason: 'account upgrade' });
    expect([accountWindow.status, accountWindow.body.data.level]).toEqual([201, 'account']);
    const ownWindow = await one.admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'incoming', starts_at: hour(2), ends_at: hour(3), response: 'http_503_retry', reason: 'tenant one only' });
    expect([ownWindow.status, ownWindow.body.data.level]).toEqual([201, 'tenant']);
    const expected = [
      [ownWindow.body.data.id, 'tenant', 'tenant one only'],
      [accountWindow.body.data.id, 'account', 'account upgrade'],
    ];
    const listed = (res: { body: { data: { id: string; level: string; reason: string }[] } }) => res.body.data.map((w) => [w.id, w.level, w.reason]);
    expect(listed(await one.admin.get(`/v1/partners/${partnerId}/traffic/windows`))).toEqual(expected);
    const state = await one.admin.get(`/v1/partners/${partnerId}/traffic`);
    expect(state.body.data.windows.map((w: { id: string; level: string; reason: string }) => [w.id, w.level, w.reason])).toEqual(expected);
    // The other tenant sees the account's window only; the account admin its own only; nobody cancels the account's from a tenant.
    expect(listed(await two.admin.get(`/v1/partners/${partnerId}/traffic/windows`))).toEqual([expected[1]]);
    expect(listed(await accountAdmin().get(`/v1/accounts/${ACCOUNT}/partners/${partnerId}/traffic/windows`))).toEqual([expected[1]]);
    // Refused as the account's (as an inherited key or AS2 instance is), not as a window that does not exist.
    const cancelled = await one.admin.delete(`/v1/partners/${partnerId}/traffic/windows/${accountWindow.body.data.id}`);
    expect([cancelled.status, cancelled.body.error.code]).toEqual([403, 'INHERITED_WINDOW_READ_ONLY']);
    const unknown = await one.admin.delete(`/v1/partners/${partnerId}/traffic/windows/win_01JD0000000000000000000000`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'WINDOW_NOT_FOUND']);
    // Another tenant's window on the same master partner is not the account's: unknown to this tenant.
    const twosWindow = await two.admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'outgoing', starts_at: hour(7), ends_at: hour(8), reason: 'tenant two only' });
    const notMine = await one.admin.delete(`/v1/partners/${partnerId}/traffic/windows/${twosWindow.body.data.id}`);
    expect([notMine.status, notMine.body.error.code]).toEqual([404, 'WINDOW_NOT_FOUND']);
    expect((await two.admin.delete(`/v1/partners/${partnerId}/traffic/windows/${twosWindow.body.data.id}`)).status).toBe(200);
    expect(listed(await two.admin.get(`/v1/partners/${partnerId}/traffic/windows`))).toEqual([expected[1]]);
    // A tenant's own partner has no account level.
    const own = await one.admin.post('/v1/partners', partnerInput(fresh('OWN').toUpperCase()));
    const plain = await one.admin.post(`/v1/partners/${own.body.data.id}/traffic/windows`, { direction: 'outgoing', starts_at: hour(2), ends_at: hour(3), reason: 'own' });
    expect(listed(await one.admin.get(`/v1/partners/${own.body.data.id}/traffic/windows`))).toEqual([[plain.body.data.id, 'tenant', 'own']]);
  });

  it("a tenant partner is 404 on the account routes; another account's path is 403", async () => {
    const { admin } = await tenantWithInstance();
    const own = await admin.post('/v1/partners', partnerInput(fresh('OWN').toUpperCase()));
    const viaAccount = await accountAdmin().put(`/v1/accounts/${ACCOUNT}/partners/${own.body.data.id}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'x' });
    expect(viaAccount.status).toBe(404);
    expect(viaAccount.body.error.code).toBe('PARTNER_NOT_FOUND');
    const { partnerId } = await masterPartner();
    const other = await trafficApiAs(t, { account: 'someone-else', tenant: null, roles: ['account_admin'] }).put(`/v1/accounts/${ACCOUNT}/partners/${partnerId}/traffic/incoming`, { paused: false });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('ACCOUNT_FORBIDDEN');
  });

  describe('every operator route, as the wrong caller', () => {
    let partnerId: string;
    let windowId: string;
    let owner: ReturnType<typeof trafficApiAs>;
    let ownerTenant: string;

    beforeAll(async () => {
      const { admin, tenant } = await tenantWithInstance();
      owner = admin;
      ownerTenant = tenant;
      partnerId = (await admin.post('/v1/partners', partnerInput(fresh('SEC').toUpperCase()))).body.data.id;
      const w = await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'outgoing', starts_at: new Date(Date.now() + 3_600_000).toISOString(), ends_at: new Date(Date.now() + 7_200_000).toISOString(), reason: 'sec' });
      windowId = w.body.data.id;
    });

    const routes = () =>
      [
        ['GET', `/v1/partners/${partnerId}/traffic`, undefined],
        ['GET', `/v1/partners/${partnerId}/traffic/windows`, undefined],
        ['GET', `/v1/partners/${partnerId}/traffic/timeline`, undefined],
        ['PUT', `/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'evil' }],
        ['PUT', `/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'evil' }],
        ['POST', `/v1/partners/${partnerId}/traffic/windows`, { direction: 'both', starts_at: new Date(Date.now() + 3_600_000).toISOString(), ends_at: new Date(Date.now() + 7_200_000).toISOString(), response: 'http_422', reason: 'evil' }],
        ['DELETE', `/v1/partners/${partnerId}/traffic/windows/${windowId}`, undefined],
      ] as const;

    async function call(api: ReturnType<typeof trafficApiAs>, method: string, url: string, body: unknown) {
      if (method === 'GET') return api.get(url);
      if (method === 'PUT') return api.put(url, body);
      if (method === 'POST') return api.post(url, body);
      return api.delete(url);
    }

    it('another tenant of the account gets 404 PARTNER_NOT_FOUND and changes nothing', async () => {
      const stranger = trafficApiAs(t, { account: ACCOUNT, tenant: fresh('stranger'), roles: ['tenant_admin'] });
      for (const [method, url, body] of routes()) {
        const res = await call(stranger, method, url, body);
        // as the registry's and every other service's 404 of the partner: its id, nothing of who holds it
        expect([method, url, res.status, res.body]).toEqual([method, url, 404, { message: `Partner ${partnerId} not found`, error: { type: 'not_found_error', code: 'PARTNER_NOT_FOUND' } }]);
      }
      expect((await owner.get(`/v1/partners/${partnerId}/traffic`)).body.data.incoming.paused).toBe(false);
      expect((await owner.get(`/v1/partners/${partnerId}/traffic/windows`)).body.data).toHaveLength(1);
    });

    it('another account with the same tenant name gets 404', async () => {
      const elsewhere = trafficApiAs(t, { account: 'other-account', roles: ['tenant_admin'] });
      for (const [method, url, body] of routes()) expect((await call(elsewhere, method, url, body)).status).toBe(404);
    });

    it('a tenant_user reads but may not change (403)', async () => {
      const reader = trafficApiAs(t, { account: ACCOUNT, tenant: ownerTenant, roles: ['tenant_user'] });
      for (const [method, url, body] of routes()) {
        const res = await call(reader, method, url, body);
        expect([method, res.status]).toEqual([method, method === 'GET' ? 200 : 403]);
      }
    });

    it('no token is 401 everywhere', async () => {
      const anonymous = trafficApiAs(t, null);
      for (const [method, url, body] of routes()) expect((await call(anonymous, method, url, body)).status).toBe(401);
      expect((await anonymous.get('/v1/traffic/paused')).status).toBe(401);
    });

    it.each([
      ['an unknown response mode', { paused: true, response: 'drop_silently', reason: 'x' }, 'response'],
      ['no reason', { paused: true, response: 'http_422' }, 'reason'],
      ['a non-boolean paused', { paused: 'yes', response: 'http_422', reason: 'x' }, 'paused'],
      ['an unknown field', { paused: true, response: 'http_422', reason: 'x', tenant: 'other' }, 'tenant'],
      ['a naive until', { paused: true, response: 'http_422', reason: 'x', until: '2031-01-01 10:00' }, 'until'],
      ['an until on a day February lacks', { paused: true, response: 'http_422', reason: 'x', until: '2031-02-30T00:00:00Z' }, 'until'],
      ['retry_after without 503', { paused: true, response: 'http_422', reason: 'x', retry_after_seconds: 5 }, 'retry_after_seconds'],
      ['a retry_after of "30" (a string)', { paused: true, response: 'http_503_retry', reason: 'x', retry_after_seconds: '30' }, 'retry_after_seconds'],
      ['a retry_after of 0', { paused: true, response: 'http_503_retry', reason: 'x', retry_after_seconds: 0 }, 'retry_after_seconds'],
      ['settings with a resume', { paused: false, response: 'http_422' }, 'response'],
      ['a huge reason', { paused: true, response: 'http_422', reason: 'x'.repeat(501) }, 'reason'],
      ['a NUL in the reason', { paused: true, response: 'http_422', reason: 'a\u0000b' }, 'reason'],
    ])('a hostile pause body (%s) is a 422 naming the field', async (_name, body, field) => {
      const res = await owner.put(`/v1/partners/${partnerId}/traffic/incoming`, body);
      expect(res.status).toBe(422);
      // Class-validator failures list the field under `errors`; domain rules name it in the message.
      expect(res.body.errors ? Object.keys(res.body.errors) : [res.body.message]).toEqual([res.body.errors ? field : expect.stringContaining(field)]);
      // One message per field, saying what is wrong (a missing reason was also told it was too long).
      if (res.body.errors) expect(res.body.errors[field]).toHaveLength(1);
      expect((await owner.get(`/v1/partners/${partnerId}/traffic`)).body.data.incoming.paused).toBe(false);
    });

    it.each([
      ['no direction', { starts_at: '2031-01-01T00:00:00Z', ends_at: '2031-01-01T01:00:00Z', response: 'http_422', reason: 'x' }],
      ['ends before it starts', { direction: 'both', starts_at: '2031-01-01T02:00:00Z', ends_at: '2031-01-01T01:00:00Z', response: 'http_422', reason: 'x' }],
      ['not a date', { direction: 'both', starts_at: 'tomorrow', ends_at: '2031-01-01T01:00:00Z', response: 'http_422', reason: 'x' }],
      ['a start on a day February lacks', { direction: 'both', starts_at: '2031-02-30T00:00:00Z', ends_at: '2031-03-05T00:00:00Z', response: 'http_422', reason: 'x' }],
      ['an end at hour 24', { direction: 'both', starts_at: '2031-01-01T00:00:00Z', ends_at: '2031-01-01T24:00:00Z', response: 'http_422', reason: 'x' }],
      ['incoming without a response', { direction: 'incoming', starts_at: '2031-01-01T00:00:00Z', ends_at: '2031-01-01T01:00:00Z', reason: 'x' }],
    ])('a hostile window body (%s) is a 422', async (_name, body) => {
      const res = await owner.post(`/v1/partners/${partnerId}/traffic/windows`, body);
      expect(res.status).toBe(422);
      // Nothing scheduled beside the fixture's window (a rolled-over date would have been kept as another day).
      expect((await owner.get(`/v1/partners/${partnerId}/traffic/windows`)).body.data.map((w: { id: string }) => w.id)).toEqual([windowId]);
    });
  });
});
