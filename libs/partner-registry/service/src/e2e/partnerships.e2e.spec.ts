import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { API_TIMESTAMP, apiAs, freshTenant, instanceInput, partnerInput, type Api } from './partner-api.spec-support';

const PARTNERSHIP_ID = /^pts_[0-9A-HJKMNP-TV-Z]{26}$/;

let accounts = 0;
const freshAccount = () => `pship-account-${process.pid}-${++accounts}`;

describe('partnerships (/v1/partnerships) and the routing question (/v1/partnerships/resolve)', () => {
  let t: EmbeddedTestApp;
  let account: string;
  let tenant: string;
  let api: Api;
  let admin: Api;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
  }, 60_000);
  afterAll(() => t?.close());
  beforeEach(() => {
    account = freshAccount();
    tenant = freshTenant();
    api = apiAs(t, { account, tenant });
    admin = apiAs(t, { account, tenant: null, roles: ['account_admin'] });
  });

  const ok = async <T>(res: Promise<{ status: number; body: { data: T } }>, status = 201): Promise<T> => {
    const r = await res;
    expect(r.status).toBe(status);
    return r.body.data;
  };
  const instance = (caller: Api, myAs2Id: string) => ok<{ id: string }>(caller.post('/v1/as2-instances', instanceInput(myAs2Id)));
  const partner = (caller: Api, as2Id: string, extra: Record<string, unknown> = {}) => ok<{ id: string }>(caller.post('/v1/partners', partnerInput(as2Id, extra)));
  const pair = (caller: Api, as2InstanceId: string, partnerId: string, extra: Record<string, unknown> = {}) =>
    ok<{ id: string }>(caller.post('/v1/partnerships', { as2_instance_id: as2InstanceId, partner_id: partnerId, ...extra }));
  const partnershipsIn = async (caller: Api) => (await caller.get('/v1/partnerships')).body.data.map((p: { id: string }) => p.id);

  it('creates, reads, lists, updates and deletes a partnership; the instance shows it as a related partnership', async () => {
    const ours = await instance(api, 'mycompany');
    const amazon = await partner(api, 'amazon', { name: 'Amazon' });
    const res = await api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: amazon.id, subject: 'EDI for Amazon' });
    expect(res.status).toBe(201);
    expect(res.body.message).toBe('Partnership created successfully');
    const created = res.body.data;
    expect(created).toEqual({
      id: expect.stringMatching(PARTNERSHIP_ID),
      as2_instance_id: ours.id,
      partner_id: amazon.id,
      my_as2_id: 'mycompany',
      my_name: 'Us as mycompany',
      partner_as2_id: 'amazon',
      partner_name: 'Amazon',
      overrides: { subject: 'EDI for Amazon' },
      created_at: expect.stringMatching(API_TIMESTAMP),
      updated_at: expect.stringMatching(API_TIMESTAMP),
    });
    expect((await api.get(`/v1/partnerships/${created.id}`)).body.data).toEqual(created);
    expect(await partnershipsIn(api)).toEqual([created.id]);
    expect((await api.get(`/v1/partnerships?partner_id=${amazon.id}`)).body.data).toHaveLength(1);
    expect((await api.get(`/v1/partnerships?as2_instance_id=${ours.id}`)).body.data).toHaveLength(1);
    expect((await api.get('/v1/partnerships?partner_id=prt_01ARZ3NDEKTSV4RRFFQ69G5FAV')).body.data).toHaveLength(0);
    expect((await api.get(`/v1/as2-instances/${ours.id}`)).body.data.partnerships).toEqual([
      { id: created.id, tenant, my_as2_id: 'mycompany', my_name: 'Us as mycompany', partner_id: amazon.id, partner_as2_id: 'amazon', partner_name: 'Amazon' },
    ]);
    const updated = await api.patch(`/v1/partnerships/${created.id}`, { subject: null, mdn_mode: 'sync', sign: true });
    expect(updated.body.data.overrides).toEqual({ mdn_mode: 'sync', sign: true });
    const deleted = await api.delete(`/v1/partnerships/${created.id}`);
    expect(deleted.body).toEqual({ message: 'Partnership deleted successfully', data: { id: created.id, deleted_at: expect.stringMatching(API_TIMESTAMP) } });
    expect((await api.get(`/v1/partnerships/${created.id}`)).status).toBe(404);
    // The pair is free again.
    await pair(api, ours.id, amazon.id);
    const events = await t.app.get<EventStore>(EVENT_STORE).readStream(`partnership-${created.id}`);
    expect(events.map((e) => e.type)).toEqual(['partnership.created.v1', 'partnership.updated.v1', 'partnership.deleted.v1']);
    expect(events[0]!.data).toEqual({
      partnershipId: created.id,
      account,
      tenant,
      as2InstanceId: ours.id,
      partnerId: amazon.id,
      overrides: { subject: 'EDI for Amazon' },
      createdAt: expect.any(String),
    });
    expect(events[2]!.data).toMatchObject({ reason: 'deleted' });
  });

  it('keeps the pair unique (DUPLICATE_PARTNERSHIP), also under concurrent creates', async () => {
    const ours = await instance(api, 'UNIQUE-PAIR');
    const them = await partner(api, 'THEM');
    await pair(api, ours.id, them.id);
    const dup = await api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: them.id });
    expect(dup.status).toBe(422);
    expect(dup.body.error.code).toBe('DUPLICATE_PARTNERSHIP');
    const other = await partner(api, 'RACE');
    const results = await Promise.all(Array.from({ length: 8 }, () => api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: other.id })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.body.error?.code === 'DUPLICATE_PARTNERSHIP')).toHaveLength(7);
  });

  it('allows an inherited master partner and an inherited master instance; each tenant pairs them on its own', async () => {
    const masterInstance = await ok<{ id: string }>(admin.post(`/v1/accounts/${account}/as2-instances`, instanceInput('GROUP')));
    const masterPartner = await ok<{ id: string }>(admin.post(`/v1/accounts/${account}/partners`, partnerInput('MCKESSON')));
    const mine = await pair(api, masterInstance.id, masterPartner.id);
    const other = apiAs(t, { account, tenant: freshTenant() });
    const theirs = await pair(other, masterInstance.id, masterPartner.id);
    expect(await partnershipsIn(api)).toEqual([mine.id]);
    expect(await partnershipsIn(other)).toEqual([theirs.id]);
    const masterDetails = (await admin.get(`/v1/accounts/${account}/as2-instances/${masterInstance.id}`)).body.data;
    expect(masterDetails.partnerships.map((p: { id: string }) => p.id).sort()).toEqual([mine.id, theirs.id].sort());
    expect((await api.get(`/v1/as2-instances/${masterInstance.id}`)).body.data.partnerships.map((p: { id: string }) => p.id)).toEqual([mine.id]);
  });

  it('refuses ends the tenant cannot see (404 with the field), a missing field, unknown overrides', async () => {
    const ours = await instance(api, 'MINE');
    const them = await partner(api, 'THEIRS');
    const stranger = apiAs(t, { account, tenant: freshTenant() });
    const foreignInstance = await instance(stranger, 'FOREIGN');
    const foreignPartner = await partner(stranger, 'FOREIGN-P');
    const badInstance = await api.post('/v1/partnerships', { as2_instance_id: foreignInstance.id, partner_id: them.id });
    expect(badInstance.status).toBe(404);
    expect(badInstance.body.error.code).toBe('AS2_INSTANCE_NOT_FOUND');
    const badPartner = await api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: foreignPartner.id });
    expect(badPartner.status).toBe(404);
    expect(badPartner.body.error.code).toBe('PARTNER_NOT_FOUND');
    expect((await api.post('/v1/partnerships', { as2_instance_id: 'ins_../../x', partner_id: them.id })).status).toBe(404);
    expect((await api.post('/v1/partnerships', { partner_id: them.id })).status).toBe(422);
    expect((await api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: them.id, url: 'https://evil.example.com' })).status).toBe(422);
    const bad = await api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: them.id, sign_algorithm: 'MD5' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('UNSUPPORTED_ALGORITHM');
    expect(await partnershipsIn(api)).toEqual([]);
  });

  describe('deleting an end', () => {
    it('an instance with partnerships is refused (409 AS2_INSTANCE_IN_USE with the ids) unless ?cascade=true', async () => {
      const ours = await instance(api, 'IN-USE');
      const a = await pair(api, ours.id, (await partner(api, 'P-A')).id);
      const b = await pair(api, ours.id, (await partner(api, 'P-B')).id);
      const refused = await api.delete(`/v1/as2-instances/${ours.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('AS2_INSTANCE_IN_USE');
      expect([...refused.body.error.details.partnership_ids].sort()).toEqual([a.id, b.id].sort());
      expect((await api.get(`/v1/as2-instances/${ours.id}`)).status).toBe(200);
      expect((await api.delete(`/v1/as2-instances/${ours.id}?cascade=true`)).status).toBe(200);
      expect(await partnershipsIn(api)).toEqual([]);
      const events = await t.app.get<EventStore>(EVENT_STORE).readStream(`partnership-${a.id}`);
      expect(events.at(-1)).toMatchObject({ type: 'partnership.deleted.v1', data: { reason: 'as2_instance_deleted' } });
    });

    it('a deleted partner takes its partnerships with it, each by its own event', async () => {
      const ours = await instance(api, 'KEEP');
      const gone = await partner(api, 'GONE');
      const stays = await partner(api, 'STAYS');
      const p1 = await pair(api, ours.id, gone.id);
      const p2 = await pair(api, ours.id, stays.id);
      expect((await api.delete(`/v1/partners/${gone.id}`)).status).toBe(200);
      await eventually('the partnership of the deleted partner to go', async () => ((await partnershipsIn(api)).length === 1 ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
      expect(await partnershipsIn(api)).toEqual([p2.id]);
      const events = await t.app.get<EventStore>(EVENT_STORE).readStream(`partnership-${p1.id}`);
      expect(events.at(-1)).toMatchObject({
        type: 'partnership.deleted.v1',
        data: { reason: 'partner_deleted', tenant },
        metadata: { tenant, actor: { type: 'service' } },
      });
      // The pair is free: a new partner with the same AS2 id can be paired again.
      await pair(api, ours.id, (await partner(api, 'GONE')).id);
    });

    it("a deleted master partner ends every tenant's partnership with it", async () => {
      const masterPartner = await ok<{ id: string }>(admin.post(`/v1/accounts/${account}/partners`, partnerInput('SHARED')));
      const other = apiAs(t, { account, tenant: freshTenant() });
      await pair(api, (await instance(api, 'T1')).id, masterPartner.id);
      await pair(other, (await instance(other, 'T2')).id, masterPartner.id);
      expect((await admin.delete(`/v1/accounts/${account}/partners/${masterPartner.id}`)).status).toBe(200);
      await eventually('both partnerships to go', async () => ((await partnershipsIn(api)).length + (await partnershipsIn(other)).length === 0 ? true : undefined), {
        timeoutMs: 10_000,
        intervalMs: 50,
      });
    });
  });

  describe('resolve', () => {
    it('answers the pair of a message by its AS2 ids in both directions, with the effective settings', async () => {
      const ours = await instance(api, 'mycompany');
      const amazon = await partner(api, 'amazon', { name: 'Amazon', sign: false, encrypt: true, encrypt_algorithm: 'AES128_CBC', subject: 'Partner subject', mdn_mode: 'async' });
      const created = await pair(api, ours.id, amazon.id, { sign: true, sign_algorithm: 'SHA512withRSA', mdn_mode: 'sync' });
      const out = await api.get('/v1/partnerships/resolve?as2_from=mycompany&as2_to=amazon');
      expect(out.status).toBe(200);
      expect(out.body.data).toMatchObject({
        partnership_id: created.id,
        direction: 'outbound',
        can_exchange: true,
        as2_instance: { id: ours.id, my_as2_id: 'mycompany', my_as2_alias: 'mycompany-key' },
        partner: { id: amazon.id, as2_id: 'amazon', sign: false, mdn_mode: 'async', certificates: [] },
        overrides: { sign: true, sign_algorithm: 'SHA512withRSA', mdn_mode: 'sync' },
        effective: {
          my_as2_id: 'mycompany',
          my_as2_alias: 'mycompany-key',
          partner_as2_id: 'amazon',
          url: 'https://amazon.example.com/as2',
          sign: true,
          sign_algorithm: 'SHA512withRSA',
          mdn_mode: 'sync',
          encrypt: true,
          encrypt_algorithm: 'AES128_CBC',
          subject: 'Partner subject',
        },
      });
      const inbound = await api.get('/v1/partnerships/resolve?as2_from=amazon&as2_to=mycompany');
      expect(inbound.body.data).toMatchObject({ partnership_id: created.id, direction: 'inbound' });
      await api.patch(`/v1/as2-instances/${ours.id}`, { status: 'off' });
      expect((await api.get('/v1/partnerships/resolve?as2_from=mycompany&as2_to=amazon')).body.data.can_exchange).toBe(false);
      const unknown = await api.get('/v1/partnerships/resolve?as2_from=mycompany&as2_to=nobody');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('PARTNERSHIP_NOT_FOUND');
      expect((await api.get('/v1/partnerships/resolve?as2_from=mycompany')).status).toBe(422);
      expect((await api.get('/v1/partnerships/resolve?as2_from=my%20company&as2_to=amazon')).status).toBe(422);
    });

    it('finds the pair when an AS2 id names both an own and an inherited end', async () => {
      await ok(admin.post(`/v1/accounts/${account}/as2-instances`, instanceInput('TWIN-US')));
      const masterPartner = await ok<{ id: string }>(admin.post(`/v1/accounts/${account}/partners`, partnerInput('TWIN-THEM')));
      await instance(api, 'TWIN-US');
      await partner(api, 'TWIN-THEM');
      const masterInstance = (await api.get('/v1/as2-instances?type=inherited')).body.data.find((i: { my_as2_id: string }) => i.my_as2_id === 'TWIN-US');
      const created = await pair(api, masterInstance.id, masterPartner.id);
      const res = await api.get('/v1/partnerships/resolve?as2_from=TWIN-US&as2_to=TWIN-THEM');
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ partnership_id: created.id, as2_instance: { type: 'inherited' }, partner: { type: 'inherited' } });
    });

    it('resolves inherited ends, and a gateway token names the tenant', async () => {
      await ok(admin.post(`/v1/accounts/${account}/as2-instances`, instanceInput('GROUP-GW')));
      const masterPartner = await ok<{ id: string }>(admin.post(`/v1/accounts/${account}/partners`, partnerInput('MCK-GW')));
      const masterInstance = (await api.get('/v1/as2-instances?type=inherited')).body.data[0];
      const created = await pair(api, masterInstance.id, masterPartner.id);
      const gateway = apiAs(t, { account, tenant: null, roles: ['gateway'] });
      const res = await gateway.get(`/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW&tenant=${tenant}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ partnership_id: created.id, as2_instance: { type: 'inherited' }, partner: { type: 'inherited' } });
      expect((await gateway.get('/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW')).status).toBe(403);
      // The gateway of another account finds nothing; a tenant token cannot name another tenant.
      const foreignGateway = apiAs(t, { account: freshAccount(), tenant: null, roles: ['gateway'] });
      expect((await foreignGateway.get(`/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW&tenant=${tenant}`)).status).toBe(404);
      const otherTenant = apiAs(t, { account, tenant: freshTenant() });
      expect((await otherTenant.get(`/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW&tenant=${tenant}`)).status).toBe(403);
      expect((await otherTenant.get('/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW')).status).toBe(404);
      // A gateway token reaches no other partnership route.
      expect((await gateway.get('/v1/partnerships')).status).toBe(403);
    });
  });

  describe('security', () => {
    it('another tenant and another account see nothing and change nothing', async () => {
      const created = await pair(api, (await instance(api, 'SEC-I')).id, (await partner(api, 'SEC-P')).id);
      for (const other of [apiAs(t, { account, tenant: freshTenant() }), apiAs(t, { account: freshAccount(), tenant })]) {
        expect((await other.get(`/v1/partnerships/${created.id}`)).status).toBe(404);
        expect(await partnershipsIn(other)).toEqual([]);
        expect((await other.patch(`/v1/partnerships/${created.id}`, { sign: true })).status).toBe(404);
        expect((await other.delete(`/v1/partnerships/${created.id}`)).status).toBe(404);
        expect((await other.get('/v1/partnerships/resolve?as2_from=SEC-I&as2_to=SEC-P')).status).toBe(404);
      }
      expect((await api.get(`/v1/partnerships/${created.id}`)).status).toBe(200);
    });

    it('tenant_user reads and resolves but cannot write; no token is 401; hostile input is a 4xx', async () => {
      const created = await pair(api, (await instance(api, 'RO-I')).id, (await partner(api, 'RO-P')).id);
      const reader = apiAs(t, { account, tenant, roles: ['tenant_user'] });
      expect((await reader.get(`/v1/partnerships/${created.id}`)).status).toBe(200);
      expect((await reader.get('/v1/partnerships/resolve?as2_from=RO-I&as2_to=RO-P')).status).toBe(200);
      expect((await reader.post('/v1/partnerships', { as2_instance_id: 'x', partner_id: 'y' })).status).toBe(403);
      expect((await reader.patch(`/v1/partnerships/${created.id}`, { sign: true })).status).toBe(403);
      expect((await reader.delete(`/v1/partnerships/${created.id}`)).status).toBe(403);
      expect((await t.app.inject({ method: 'GET', url: '/v1/partnerships/resolve?as2_from=RO-I&as2_to=RO-P' })).statusCode).toBe(401);
      for (const body of [[], { as2_instance_id: { $gt: '' }, partner_id: { $gt: '' } }, { as2_instance_id: 'x'.repeat(10_000), partner_id: 'y' }]) {
        const res = await api.post('/v1/partnerships', body);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
      expect((await api.patch(`/v1/partnerships/${created.id}`, {})).status).toBe(422);
      expect((await api.get('/v1/partnerships/resolve?as2_from[$ne]=x&as2_to=RO-P')).status).toBe(422);
    });
  });
});
