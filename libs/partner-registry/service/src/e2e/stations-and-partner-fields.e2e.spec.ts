import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { API_TIMESTAMP, apiAs, freshTenant, instanceInput, partnerApiFixture, partnerInput, type Api } from './partner-api.spec-support';

const STATION_ID = /^stn_[0-9A-HJKMNP-TV-Z]{26}$/;

describe('stations (/v1/stations) and the rest of seed 003 partner fields', () => {
  const ctx = partnerApiFixture('station-account');

  const station = async (caller: Api, name = 'EU', extra: Record<string, unknown> = {}) => {
    const res = await caller.post('/v1/stations', { name, notification_email: 'ops@us.example.com', ...extra });
    expect(res.status).toBe(201);
    return res.body.data as { id: string };
  };
  const partnerWith = (as2Id: string, extra: Record<string, unknown>) => ctx.api.post('/v1/partners', partnerInput(as2Id, extra));

  describe('stations', () => {
    it('a PATCH may clear the AS2 instance (null) but never the name or the notification email', async () => {
      const created = await station(ctx.api, 'NULLS');
      for (const field of ['name', 'notification_email']) {
        const res = await ctx.api.patch(`/v1/stations/${created.id}`, { [field]: null });
        expect([field, res.status, Object.keys(res.body.errors ?? {})]).toEqual([field, 422, [field]]);
      }
      expect((await ctx.api.patch(`/v1/stations/${created.id}`, { as2_instance_id: null })).status).toBe(200);
      expect((await ctx.api.get(`/v1/stations/${created.id}`)).body.data).toMatchObject({ name: 'NULLS', notification_email: 'ops@us.example.com' });
    });

    it("deleting an AS2 instance clears it as a station's default identity (station.updated.v1), a tenant's or the account's", async () => {
      const ours = (await ctx.api.post('/v1/as2-instances', instanceInput('DEFAULT-US'))).body.data;
      const named = await station(ctx.api, 'EU', { as2_instance_id: ours.id });
      expect((await ctx.api.delete(`/v1/as2-instances/${ours.id}`)).status).toBe(200);
      expect((await ctx.api.get(`/v1/stations/${named.id}`)).body.data.as2_instance_id).toBeNull();
      const events = await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`station-${named.id}`);
      expect(events.map((e) => [e.type, (e.data as { changes?: unknown }).changes])).toEqual([
        ['station.created.v1', undefined],
        ['station.updated.v1', { as2InstanceId: null }],
      ]);

      const admin = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['account_admin'] });
      const master = (await admin.post(`/v1/accounts/${ctx.account}/as2-instances`, instanceInput('DEFAULT-GROUP'))).body.data;
      const inherited = await station(ctx.api, 'US', { as2_instance_id: master.id });
      const untouched = await station(apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() }), 'Other', {});
      expect((await admin.delete(`/v1/accounts/${ctx.account}/as2-instances/${master.id}`)).status).toBe(200);
      expect((await ctx.api.get(`/v1/stations/${inherited.id}`)).body.data.as2_instance_id).toBeNull();
      expect((await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`station-${untouched.id}`)).map((e) => e.type)).toEqual(['station.created.v1']);
    });

    it('creates, reads, lists, updates and deletes a station; events carry account and tenant', async () => {
      const ours = (await ctx.api.post('/v1/as2-instances', instanceInput('STATION-US'))).body.data;
      const res = await ctx.api.post('/v1/stations', { name: 'EU warehouse', notification_email: 'edi-ops@us.example.com', as2_instance_id: ours.id });
      expect(res.status).toBe(201);
      const created = res.body.data;
      expect(created).toEqual({
        id: expect.stringMatching(STATION_ID),
        name: 'EU warehouse',
        notification_email: 'edi-ops@us.example.com',
        as2_instance_id: ours.id,
        created_at: expect.stringMatching(API_TIMESTAMP),
        updated_at: expect.stringMatching(API_TIMESTAMP),
      });
      expect((await ctx.api.get(`/v1/stations/${created.id}`)).body.data).toEqual(created);
      expect((await ctx.api.get('/v1/stations')).body.data).toEqual([created]);
      const updated = await ctx.api.patch(`/v1/stations/${created.id}`, { notification_email: 'night@us.example.com', as2_instance_id: null });
      expect(updated.body.data).toMatchObject({ notification_email: 'night@us.example.com', as2_instance_id: null });
      expect((await ctx.api.delete(`/v1/stations/${created.id}`)).status).toBe(200);
      expect((await ctx.api.get(`/v1/stations/${created.id}`)).status).toBe(404);
      const events = await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`station-${created.id}`);
      expect(events.map((e) => e.type)).toEqual(['station.created.v1', 'station.updated.v1', 'station.deleted.v1']);
      expect(events[0]!.data).toEqual({
        stationId: created.id,
        account: ctx.account,
        tenant: ctx.tenant,
        name: 'EU warehouse',
        notificationEmail: 'edi-ops@us.example.com',
        as2InstanceId: ours.id,
        createdAt: expect.any(String),
      });
      expect(events[1]!.data).toMatchObject({ changes: { notificationEmail: 'night@us.example.com', as2InstanceId: null } });
    });

    it('validates: name and notification_email required, a valid address, a visible instance', async () => {
      const missing = await ctx.api.post('/v1/stations', {});
      expect(missing.status).toBe(422);
      expect(Object.keys(missing.body.errors).sort()).toEqual(['name', 'notification_email']);
      expect((await ctx.api.post('/v1/stations', { name: 'x', notification_email: 'nope' })).status).toBe(422);
      const injected = await ctx.api.post('/v1/stations', { name: 'x', notification_email: 'a@b.example\r\nBcc: evil@x.example' });
      expect([injected.status, injected.body.error.code]).toEqual([422, 'VALIDATION_FAILED']);
      const foreign = (await apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() }).post('/v1/as2-instances', instanceInput('FOREIGN'))).body.data;
      const hidden = await ctx.api.post('/v1/stations', { name: 'x', notification_email: 'a@b.example', as2_instance_id: foreign.id });
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.code).toBe('AS2_INSTANCE_NOT_FOUND');
    });

    it('a station with partners cannot be deleted (409 STATION_IN_USE with the partner ids)', async () => {
      const eu = await station(ctx.api);
      const member = (await partnerWith('MEMBER', { station_id: eu.id, email: 'as2@member.example.com' })).body.data;
      const refused = await ctx.api.delete(`/v1/stations/${eu.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'STATION_IN_USE', details: { partner_ids: [member.id] } });
      expect((await ctx.api.patch(`/v1/partners/${member.id}`, { station_id: null })).status).toBe(200);
      expect((await ctx.api.delete(`/v1/stations/${eu.id}`)).status).toBe(200);
    });

    it("a create its own rules refuse (a station without an email) never joins the station: the station's stream is untouched", async () => {
      const eu = await station(ctx.api, 'NO-PHANTOMS');
      const refused = await partnerWith('NO-EMAIL', { station_id: eu.id });
      expect(refused.status).toBe(422);
      const events = await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`station-${eu.id}`);
      expect(events.map((e) => e.type)).toEqual(['station.created.v1']);
      expect((await ctx.api.delete(`/v1/stations/${eu.id}`)).status).toBe(200);
    });

    it('another tenant, another account, tenant_user, no token', async () => {
      const eu = await station(ctx.api);
      for (const other of [apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() }), apiAs(ctx.t, { account: ctx.freshAccount(), tenant: ctx.tenant })]) {
        expect((await other.get(`/v1/stations/${eu.id}`)).status).toBe(404);
        expect((await other.get('/v1/stations')).body.data).toEqual([]);
        expect((await other.patch(`/v1/stations/${eu.id}`, { name: 'x' })).status).toBe(404);
        expect((await other.delete(`/v1/stations/${eu.id}`)).status).toBe(404);
        // Nor can its partners join it.
        expect((await other.post('/v1/partners', partnerInput('JOINER', { station_id: eu.id, email: 'a@b.example.com' }))).status).toBe(404);
      }
      const reader = apiAs(ctx.t, { account: ctx.account, tenant: ctx.tenant, roles: ['tenant_user'] });
      expect((await reader.get(`/v1/stations/${eu.id}`)).status).toBe(200);
      expect((await reader.post('/v1/stations', { name: 'x', notification_email: 'a@b.example' })).status).toBe(403);
      expect((await reader.delete(`/v1/stations/${eu.id}`)).status).toBe(403);
      expect((await ctx.t.app.inject({ method: 'GET', url: '/v1/stations' })).statusCode).toBe(401);
      expect((await ctx.api.get('/v1/stations/stn_..%2F..')).status).toBe(404);
      expect((await ctx.api.post('/v1/stations', [])).status).toBe(400);
    });
  });

  describe('partner station_id and email', () => {
    it('a partner joins a station, is filtered by it, and needs an email then (seed 003)', async () => {
      const eu = await station(ctx.api, 'EU');
      const us = await station(ctx.api, 'US');
      const noEmail = await partnerWith('NO-EMAIL', { station_id: eu.id });
      expect(noEmail.status).toBe(422);
      expect(noEmail.body.errors).toHaveProperty('email');
      const a = (await partnerWith('IN-EU', { station_id: eu.id, email: 'as2@eu.example.com' })).body.data;
      const b = (await partnerWith('IN-US', { station_id: us.id, email: 'as2@us.example.com' })).body.data;
      await partnerWith('NOWHERE', {});
      expect(a.station_id).toBe(eu.id);
      expect((await ctx.api.get(`/v1/partners/${a.id}`)).body.data.station_id).toBe(eu.id);
      expect((await ctx.api.get(`/v1/partners?station_id=${eu.id}`)).body.data.map((p: { id: string }) => p.id)).toEqual([a.id]);
      expect((await ctx.api.get(`/v1/partners?station_id=${us.id}`)).body.data.map((p: { id: string }) => p.id)).toEqual([b.id]);
      const unknown = await partnerWith('UNKNOWN-STATION', { station_id: 'stn_01ARZ3NDEKTSV4RRFFQ69G5FAV', email: 'a@b.example.com' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('STATION_NOT_FOUND');
      // Removing the email of a partner in a station is refused as well.
      expect((await ctx.api.patch(`/v1/partners/${a.id}`, { email: null })).status).toBe(422);
      const event = (await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`partner-${a.id}`))[0]!;
      expect((event.data as { settings: { stationId: string } }).settings.stationId).toBe(eu.id);
    });

    it("a tenant's station and its account's removal of the master's email, sent at once, never both go through", async () => {
      const admin = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['account_admin'] });
      const eu = await station(ctx.api);
      for (let round = 0; round < 8; round++) {
        const master = (await admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput(`RACE-${round}`, { email: 'as2@race.example.com' }))).body.data;
        const [joined, removed] = await Promise.all([
          ctx.api.patch(`/v1/partners/${master.id}`, { station_id: eu.id }),
          admin.patch(`/v1/accounts/${ctx.account}/partners/${master.id}`, { email: null }),
        ]);
        expect([round, joined.status === 200 && removed.status === 200]).toEqual([round, false]);
        const seen = (await ctx.api.get(`/v1/partners/${master.id}`)).body.data;
        expect([round, seen.station_id !== null && seen.email === null]).toEqual([round, false]);
      }
    });

    it('a tenant sets its station on an inherited partner; master partners take no station', async () => {
      const admin = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['account_admin'] });
      const master = (await admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('SHARED', { email: 'as2@shared.example.com' }))).body.data;
      const eu = await station(ctx.api);
      expect((await ctx.api.patch(`/v1/partners/${master.id}`, { station_id: eu.id })).status).toBe(200);
      expect((await ctx.api.get(`/v1/partners?station_id=${eu.id}`)).body.data.map((p: { id: string }) => p.id)).toEqual([master.id]);
      // The station needs an email there too: the master's, the tenant's override of it, never none.
      const clearing = await ctx.api.patch(`/v1/partners/${master.id}`, { email: null });
      expect([clearing.status, Object.keys(clearing.body.errors ?? {})]).toEqual([422, ['email']]);
      const bare = (await admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('SHARED-NO-EMAIL'))).body.data;
      const joining = await ctx.api.patch(`/v1/partners/${bare.id}`, { station_id: eu.id });
      expect([joining.status, Object.keys(joining.body.errors ?? {})]).toEqual([422, ['email']]);
      expect((await ctx.api.patch(`/v1/partners/${bare.id}`, { station_id: eu.id, email: 'as2@bare.example.com' })).status).toBe(200);
      expect((await ctx.api.get(`/v1/partners/${master.id}`)).body.data.email).toBe('as2@shared.example.com');
      // Its account cannot take the master's email away while the tenant's station relies on it, the tenant named.
      const removal = await admin.patch(`/v1/accounts/${ctx.account}/partners/${master.id}`, { email: null });
      expect([removal.status, removal.body.error.code, Object.keys(removal.body.errors ?? {})]).toEqual([422, 'INVALID_PARTNER_SETTING', ['email']]);
      expect(removal.body.errors.email[0]).toContain(ctx.tenant);
      expect((await ctx.api.get(`/v1/partners/${master.id}`)).body.data.email).toBe('as2@shared.example.com');
      // Once the tenant's override has an email of its own, the master's goes; the tenant's edits go on.
      expect((await ctx.api.patch(`/v1/partners/${master.id}`, { email: 'as2@tenant.example.com' })).status).toBe(200);
      expect((await admin.patch(`/v1/accounts/${ctx.account}/partners/${master.id}`, { email: null })).status).toBe(200);
      expect((await ctx.api.get(`/v1/partners/${master.id}`)).body.data).toMatchObject({ email: 'as2@tenant.example.com', station_id: eu.id });
      expect((await ctx.api.patch(`/v1/partners/${master.id}`, { subject: 'Orders' })).status).toBe(200);
      expect((await ctx.api.delete(`/v1/stations/${eu.id}`)).status).toBe(409);
      const refused = await admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('M-STATION', { station_id: eu.id, email: 'a@b.example.com' }));
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toHaveProperty('station_id');
    });
  });

  describe('firewall', () => {
    it('stores normalised IPv4 and IPv6 CIDRs and answers them; defaults to disabled', async () => {
      const res = await partnerWith('FW', { firewall: { enabled: true, allowed_ips: ['203.0.113.7/24', '2001:DB8::1/32', '203.0.113.0/24'] } });
      expect(res.status).toBe(201);
      expect(res.body.data.firewall).toEqual({ enabled: true, allowed_ips: ['203.0.113.0/24', '2001:db8::/32'] });
      expect((await partnerWith('FW-DEFAULT', {})).body.data.firewall).toEqual({ enabled: false, allowed_ips: [] });
      const bool = await partnerWith('FW-BOOL', { firewall: true });
      expect(bool.body.data.firewall).toEqual({ enabled: true, allowed_ips: [] });
      const patched = await ctx.api.patch(`/v1/partners/${res.body.data.id}`, { firewall: { enabled: false, allowed_ips: ['10.0.0.0/8'] } });
      expect(patched.body.data.firewall).toEqual({ enabled: false, allowed_ips: ['10.0.0.0/8'] });
    });

    it('a patch without allowed_ips (or the boolean) switches the firewall and keeps its list: own, master and inherited partners', async () => {
      const admin = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['account_admin'] });
      const firewall = { enabled: true, allowed_ips: ['203.0.113.0/24', '2001:db8::/32'] };
      const own = (await partnerWith('FW-KEEP', { firewall })).body.data;
      const master = (await admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('FW-KEEP-MASTER', { firewall }))).body.data;
      const routes = [
        { caller: ctx.api, url: `/v1/partners/${own.id}` },
        { caller: admin, url: `/v1/accounts/${ctx.account}/partners/${master.id}` },
        // The tenant's override of its inherited master: the master's list, kept.
        { caller: ctx.api, url: `/v1/partners/${master.id}` },
      ];
      for (const { caller, url } of routes) {
        expect([url, (await caller.patch(url, { firewall: { enabled: false } })).body.data?.firewall]).toEqual([url, { ...firewall, enabled: false }]);
        expect([url, (await caller.patch(url, { firewall: true })).body.data?.firewall]).toEqual([url, firewall]);
        expect([url, (await caller.get(url)).body.data.firewall]).toEqual([url, firewall]);
      }
      expect((await ctx.api.patch(`/v1/partners/${own.id}`, { firewall: { enabled: true, allowed_ips: [] } })).body.data.firewall).toEqual({ enabled: true, allowed_ips: [] });
    });

    it.each([
      [['203.0.113.7']],
      [['300.0.0.0/8']],
      [['10.0.0.0/33']],
      [['2001:db8::/129']],
      [['not-an-ip/8']],
      // Forms readers take differently: ipaddr.js reads 010 as octal 8, a firewall may read 10.
      [['010.0.0.1/8']],
      [['0x0a.0.0.1/8']],
      [['127.1/8']],
      [['1.2.3.4/08']],
      [['fe80::1%eth0/64']],
      [['::ffff:010.0.0.1/128']],
      [[42]],
      [Array.from({ length: 101 }, (_, i) => `10.0.${i}.0/24`)],
    ])('refuses allowed_ips %j', async (allowed) => {
      const res = await partnerWith('FW-BAD', { firewall: { enabled: true, allowed_ips: allowed } });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors).join()).toContain('firewall');
    });

    it('takes 100 ranges', async () => {
      const res = await partnerWith('FW-100', { firewall: { enabled: true, allowed_ips: Array.from({ length: 100 }, (_, i) => `10.0.${i}.0/24`) } });
      expect(res.status).toBe(201);
      expect(res.body.data.firewall.allowed_ips).toHaveLength(100);
    });
  });

  describe('auth, auth_user, auth_password (seed 003 aliases of http_auth)', () => {
    it('set the outbound HTTP auth; the password is write-only and stored sealed', async () => {
      const res = await partnerWith('AUTH', { auth: true, auth_user: 'edi', auth_password: 'Alias-Secret-9' });
      expect(res.status).toBe(201);
      expect(res.body.data.http_auth).toEqual({ enabled: true, username: 'edi', has_password: true });
      expect(JSON.stringify(res.body)).not.toContain('Alias-Secret-9');
      expect(JSON.stringify((await ctx.api.get(`/v1/partners/${res.body.data.id}`)).body)).not.toContain('Alias-Secret-9');
      expect(JSON.stringify(await ctx.t.app.get<EventStore>(EVENT_STORE).readAll())).not.toContain('Alias-Secret-9');
      const off = await ctx.api.patch(`/v1/partners/${res.body.data.id}`, { auth: false, auth_password: null });
      expect(off.body.data.http_auth).toEqual({ enabled: false, username: 'edi', has_password: false });
    });

    it('refuses an alias that disagrees with http_auth, and a colon in auth_user', async () => {
      const clash = await partnerWith('AUTH-CLASH', { auth_user: 'a', http_auth: { username: 'b' } });
      expect(clash.status).toBe(422);
      expect(clash.body.errors).toHaveProperty('auth_user');
      expect((await partnerWith('AUTH-SAME', { auth: true, http_auth: { enabled: true } })).status).toBe(201);
      expect((await partnerWith('AUTH-COLON', { auth_user: 'a:b' })).status).toBe(422);
    });
  });
});
