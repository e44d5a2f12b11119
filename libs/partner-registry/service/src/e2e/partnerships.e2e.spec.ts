import { EVENT_STORE, READ_MODEL_STORE, type EventStore, type ReadModelStore } from '@as2-partners/kernel';
import { PartnerCertificateCollections, type PartnerCertificateDocument } from '../queries/partner-certificates/partner-certificate.documents';
import { eventually } from '@as2-partners/kernel-testing';
import { requestMetadata } from '@as2-partners/platform';
import { PartnershipRemoval } from '../write-model/partnership-removal';
import { API_TIMESTAMP, apiAs, freshTenant, instanceInput, partnerApiFixture, partnerInput, type Api } from './partner-api.spec-support';

const PARTNERSHIP_ID = /^pts_[0-9A-HJKMNP-TV-Z]{26}$/;

describe('partnerships (/v1/partnerships) and the routing question (/v1/partnerships/resolve)', () => {
  const ctx = partnerApiFixture('pship-account');

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

  it("shows an instance's first hundred partnerships in its details, oldest first, and how many there are: a hub's instance pairs with thousands", async () => {
    expect((await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { id: ctx.tenant, name: 'Hub', plan: 'enterprise' })).status).toBe(201);
    const ours = await instance(ctx.api, 'hub');
    const ids: string[] = [];
    for (let i = 0; i < 102; i++) ids.push((await pair(ctx.api, ours.id, (await partner(ctx.api, `supplier-${i}`)).id)).id);
    const details = (await ctx.api.get(`/v1/as2-instances/${ours.id}`)).body.data;
    expect([details.partnerships.map((p: { id: string }) => p.id), details.partnerships_total]).toEqual([ids.slice(0, 100), 102]);
    // All of them, in pages.
    expect((await ctx.api.get(`/v1/partnerships?as2_instance_id=${ours.id}&page=2&per_page=100`)).body.data.map((p: { id: string }) => p.id)).toEqual(ids.slice(100));
    // Its deletion's refusal names a hundred of them too, and counts them all.
    const refused = await ctx.api.delete(`/v1/as2-instances/${ours.id}`);
    expect([refused.status, refused.body.error.details.partnership_ids.length, refused.body.error.details.partnerships_total]).toEqual([409, 100, 102]);
  }, 60_000);

  it('creates, reads, lists, updates and deletes a partnership; the instance shows it as a related partnership', async () => {
    const ours = await instance(ctx.api, 'mycompany');
    const amazon = await partner(ctx.api, 'amazon', { name: 'Amazon' });
    const res = await ctx.api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: amazon.id, subject: 'EDI for Amazon' });
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
    expect((await ctx.api.get(`/v1/partnerships/${created.id}`)).body.data).toEqual(created);
    expect(await partnershipsIn(ctx.api)).toEqual([created.id]);
    expect((await ctx.api.get(`/v1/partnerships?partner_id=${amazon.id}`)).body.data).toHaveLength(1);
    expect((await ctx.api.get(`/v1/partnerships?as2_instance_id=${ours.id}`)).body.data).toHaveLength(1);
    expect((await ctx.api.get('/v1/partnerships?partner_id=prt_01ARZ3NDEKTSV4RRFFQ69G5FAV')).body.data).toHaveLength(0);
    expect((await ctx.api.get(`/v1/as2-instances/${ours.id}`)).body.data.partnerships).toEqual([
      { id: created.id, tenant: ctx.tenant, my_as2_id: 'mycompany', my_name: 'Us as mycompany', partner_id: amazon.id, partner_as2_id: 'amazon', partner_name: 'Amazon' },
    ]);
    const updated = await ctx.api.patch(`/v1/partnerships/${created.id}`, { subject: null, mdn_mode: 'sync', sign: true });
    expect(updated.body.data.overrides).toEqual({ mdn_mode: 'sync', sign: true });
    const deleted = await ctx.api.delete(`/v1/partnerships/${created.id}`);
    expect(deleted.body).toEqual({ message: 'Partnership deleted successfully', data: { id: created.id, deleted_at: expect.stringMatching(API_TIMESTAMP) } });
    expect((await ctx.api.get(`/v1/partnerships/${created.id}`)).status).toBe(404);
    // The pair is free again.
    await pair(ctx.api, ours.id, amazon.id);
    const events = await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`partnership-${created.id}`);
    expect(events.map((e) => e.type)).toEqual(['partnership.created.v1', 'partnership.updated.v1', 'partnership.deleted.v1']);
    expect(events[0]!.data).toEqual({
      partnershipId: created.id,
      account: ctx.account,
      tenant: ctx.tenant,
      as2InstanceId: ours.id,
      partnerId: amazon.id,
      overrides: { subject: 'EDI for Amazon' },
      createdAt: expect.any(String),
    });
    expect(events[2]!.data).toMatchObject({ reason: 'deleted' });
  });

  it('keeps the pair unique (DUPLICATE_PARTNERSHIP), also under concurrent creates', async () => {
    const ours = await instance(ctx.api, 'UNIQUE-PAIR');
    const them = await partner(ctx.api, 'THEM');
    await pair(ctx.api, ours.id, them.id);
    const dup = await ctx.api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: them.id });
    expect(dup.status).toBe(422);
    expect(dup.body.error.code).toBe('DUPLICATE_PARTNERSHIP');
    const other = await partner(ctx.api, 'RACE');
    const results = await Promise.all(Array.from({ length: 8 }, () => ctx.api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: other.id })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.body.error?.code === 'DUPLICATE_PARTNERSHIP')).toHaveLength(7);
  });

  it('allows an inherited master partner and an inherited master instance; each tenant pairs them on its own', async () => {
    const masterInstance = await ok<{ id: string }>(ctx.admin.post(`/v1/accounts/${ctx.account}/as2-instances`, instanceInput('GROUP')));
    const masterPartner = await ok<{ id: string }>(ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('MCKESSON')));
    const mine = await pair(ctx.api, masterInstance.id, masterPartner.id);
    const other = apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() });
    const theirs = await pair(other, masterInstance.id, masterPartner.id);
    expect(await partnershipsIn(ctx.api)).toEqual([mine.id]);
    expect(await partnershipsIn(other)).toEqual([theirs.id]);
    const masterDetails = (await ctx.admin.get(`/v1/accounts/${ctx.account}/as2-instances/${masterInstance.id}`)).body.data;
    expect(masterDetails.partnerships.map((p: { id: string }) => p.id).sort()).toEqual([mine.id, theirs.id].sort());
    expect((await ctx.api.get(`/v1/as2-instances/${masterInstance.id}`)).body.data.partnerships.map((p: { id: string }) => p.id)).toEqual([mine.id]);
  });

  it('refuses ends the tenant cannot see (404 with the field), a missing field, unknown overrides', async () => {
    const ours = await instance(ctx.api, 'MINE');
    const them = await partner(ctx.api, 'THEIRS');
    const stranger = apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() });
    const foreignInstance = await instance(stranger, 'FOREIGN');
    const foreignPartner = await partner(stranger, 'FOREIGN-P');
    const badInstance = await ctx.api.post('/v1/partnerships', { as2_instance_id: foreignInstance.id, partner_id: them.id });
    expect(badInstance.status).toBe(404);
    expect(badInstance.body.error.code).toBe('AS2_INSTANCE_NOT_FOUND');
    const badPartner = await ctx.api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: foreignPartner.id });
    expect(badPartner.status).toBe(404);
    expect(badPartner.body.error.code).toBe('PARTNER_NOT_FOUND');
    expect((await ctx.api.post('/v1/partnerships', { as2_instance_id: 'ins_../../x', partner_id: them.id })).status).toBe(404);
    expect((await ctx.api.post('/v1/partnerships', { partner_id: them.id })).status).toBe(422);
    expect((await ctx.api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: them.id, url: 'https://evil.example.com' })).status).toBe(422);
    const bad = await ctx.api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: them.id, sign_algorithm: 'MD5' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('UNSUPPORTED_ALGORITHM');
    expect(await partnershipsIn(ctx.api)).toEqual([]);
  });

  describe('deleting an end', () => {
    it('an instance with partnerships is refused (409 AS2_INSTANCE_IN_USE with the ids) unless ?cascade=true', async () => {
      const ours = await instance(ctx.api, 'IN-USE');
      const a = await pair(ctx.api, ours.id, (await partner(ctx.api, 'P-A')).id);
      const b = await pair(ctx.api, ours.id, (await partner(ctx.api, 'P-B')).id);
      const refused = await ctx.api.delete(`/v1/as2-instances/${ours.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('AS2_INSTANCE_IN_USE');
      expect([...refused.body.error.details.partnership_ids].sort()).toEqual([a.id, b.id].sort());
      expect(refused.body.error.details.partnerships_total).toBe(2);
      expect((await ctx.api.get(`/v1/as2-instances/${ours.id}`)).status).toBe(200);
      expect((await ctx.api.delete(`/v1/as2-instances/${ours.id}?cascade=true`)).status).toBe(200);
      expect(await partnershipsIn(ctx.api)).toEqual([]);
      const events = await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`partnership-${a.id}`);
      expect(events.at(-1)).toMatchObject({ type: 'partnership.deleted.v1', data: { reason: 'as2_instance_deleted' } });
    });

    it('a deleted partner takes its partnerships with it, each by its own event', async () => {
      const ours = await instance(ctx.api, 'KEEP');
      const gone = await partner(ctx.api, 'GONE');
      const stays = await partner(ctx.api, 'STAYS');
      const p1 = await pair(ctx.api, ours.id, gone.id);
      const p2 = await pair(ctx.api, ours.id, stays.id);
      expect((await ctx.api.delete(`/v1/partners/${gone.id}`)).status).toBe(200);
      await eventually('the partnership of the deleted partner to go', async () => ((await partnershipsIn(ctx.api)).length === 1 ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
      expect(await partnershipsIn(ctx.api)).toEqual([p2.id]);
      const events = await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`partnership-${p1.id}`);
      expect(events.at(-1)).toMatchObject({
        type: 'partnership.deleted.v1',
        data: { reason: 'partner_deleted', tenant: ctx.tenant },
        metadata: { tenant: ctx.tenant, actor: { type: 'service' } },
      });
      // The pair is free: a new partner with the same AS2 id can be paired again.
      await pair(ctx.api, ours.id, (await partner(ctx.api, 'GONE')).id);
    });

    it('a create racing the delete of its partner answers 201 or 404 PARTNER_NOT_FOUND, never PARTNERSHIP_NOT_FOUND, and leaves no pair', async () => {
      const ours = await instance(ctx.api, 'RACE-INST');
      for (let round = 0; round < 12; round++) {
        const doomed = await partner(ctx.api, `DOOMED-${round}`);
        const later = <T>(ms: number, request: () => Promise<T>) => new Promise<T>((resolve, reject) => setTimeout(() => request().then(resolve, reject), ms));
        const [created] = await Promise.all([
          later(round % 3, () => ctx.api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: doomed.id })),
          later(round % 4, () => ctx.api.delete(`/v1/partners/${doomed.id}`)),
        ]);
        expect({ round, status: created.status, code: created.body.error?.code ?? null }).toEqual(
          created.status === 201 ? { round, status: 201, code: null } : { round, status: 404, code: 'PARTNER_NOT_FOUND' },
        );
      }
      await eventually('every partnership of a deleted partner to go', async () => ((await partnershipsIn(ctx.api)).length === 0 ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
    });

    it('two removals of one partnership at once (a delete reactor and a create clean-up) both end well, and free its pair', async () => {
      const ours = await instance(ctx.api, 'TWICE-INST');
      const end = await partner(ctx.api, 'TWICE-PARTNER');
      const p = await pair(ctx.api, ours.id, end.id);
      const removal = ctx.t.app.get(PartnershipRemoval);
      const now = new Date();
      const metadata = requestMetadata({ caller: { sub: 'test', account: ctx.account, tenant: ctx.tenant, roles: ['tenant_admin'] }, correlationId: 'c', requestId: 'r' }, ctx.tenant, now);
      const outcomes = await Promise.allSettled([removal.remove(ctx.account, p.id, 'partner_deleted', now, metadata), removal.remove(ctx.account, p.id, 'partner_deleted', now, metadata)]);
      expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : o.status))).toEqual(['fulfilled', 'fulfilled']);
      const events = await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`partnership-${p.id}`);
      expect(events.filter((e) => e.type === 'partnership.deleted.v1')).toHaveLength(1);
      await pair(ctx.api, ours.id, end.id);
    });

    it("a deleted master partner ends every tenant's partnership with it", async () => {
      const masterPartner = await ok<{ id: string }>(ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('SHARED')));
      const other = apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() });
      await pair(ctx.api, (await instance(ctx.api, 'T1')).id, masterPartner.id);
      await pair(other, (await instance(other, 'T2')).id, masterPartner.id);
      expect((await ctx.admin.delete(`/v1/accounts/${ctx.account}/partners/${masterPartner.id}`)).status).toBe(200);
      await eventually('both partnerships to go', async () => ((await partnershipsIn(ctx.api)).length + (await partnershipsIn(other)).length === 0 ? true : undefined), {
        timeoutMs: 10_000,
        intervalMs: 50,
      });
    });
  });

  describe('resolve', () => {
    it("lists the partner's certificates as its details do: at most 100, every one in a slot first, and how many it holds", async () => {
      const ours = await instance(ctx.api, 'bounded-us');
      const holder = await partner(ctx.api, 'bounded-them');
      await pair(ctx.api, ours.id, holder.id);
      const copies = ctx.t.app.get<ReadModelStore>(READ_MODEL_STORE).collection<PartnerCertificateDocument>(PartnerCertificateCollections.partnerCertificates);
      const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
      await copies.putMany(
        Array.from({ length: 150 }, (_, i) => ({
          _id: `${holder.id}:crt_${String(i).padStart(4, '0')}`,
          partnerId: holder.id,
          certificateId: `crt_${String(i).padStart(4, '0')}`,
          account: ctx.account,
          tenant: ctx.tenant,
          name: `c${i}`,
          type: 'partner',
          usage: 'both',
          subject: `CN=c${i}`,
          notAfter: '2030-01-01T00:00:00.000Z',
          createdAt: at(i),
          attachedAt: at(i),
          retired: false,
        })),
      );
      const resolved = (await ctx.api.get('/v1/partnerships/resolve?as2_from=bounded-us&as2_to=bounded-them')).body.data.partner;
      expect(resolved.certificates_total).toBe(150);
      expect(resolved.certificates).toHaveLength(100);
      // none in a slot here: the newest 100, oldest first
      expect(resolved.certificates.map((c: { id: string }) => c.id)).toEqual(Array.from({ length: 100 }, (_, i) => `crt_${String(i + 50).padStart(4, '0')}`));
    });

    it('answers the pair of a message by its AS2 ids in both directions, with the effective settings', async () => {
      const ours = await instance(ctx.api, 'mycompany');
      const amazon = await partner(ctx.api, 'amazon', { name: 'Amazon', sign: false, encrypt: true, encrypt_algorithm: 'AES128_CBC', subject: 'Partner subject', mdn_mode: 'async' });
      const created = await pair(ctx.api, ours.id, amazon.id, { sign: true, sign_algorithm: 'SHA512withRSA', mdn_mode: 'sync' });
      const out = await ctx.api.get('/v1/partnerships/resolve?as2_from=mycompany&as2_to=amazon');
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
      const inbound = await ctx.api.get('/v1/partnerships/resolve?as2_from=amazon&as2_to=mycompany');
      expect(inbound.body.data).toMatchObject({ partnership_id: created.id, direction: 'inbound' });
      await ctx.api.patch(`/v1/as2-instances/${ours.id}`, { status: 'off' });
      expect((await ctx.api.get('/v1/partnerships/resolve?as2_from=mycompany&as2_to=amazon')).body.data.can_exchange).toBe(false);
      const unknown = await ctx.api.get('/v1/partnerships/resolve?as2_from=mycompany&as2_to=nobody');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('PARTNERSHIP_NOT_FOUND');
      expect((await ctx.api.get('/v1/partnerships/resolve?as2_from=mycompany')).status).toBe(422);
      expect((await ctx.api.get('/v1/partnerships/resolve?as2_from=my%20company&as2_to=amazon')).status).toBe(422);
    });

    it('takes the direction the gateway names when two of our identities are partners of each other (both readings name a pair)', async () => {
      const hq = await instance(ctx.api, 'LOOP-HQ');
      const plant = await instance(ctx.api, 'LOOP-PLANT');
      const plantAsPartner = await partner(ctx.api, 'LOOP-PLANT', { name: 'Plant as partner', encrypt: true });
      const hqAsPartner = await partner(ctx.api, 'LOOP-HQ', { name: 'HQ as partner' });
      const hqToPlant = await pair(ctx.api, hq.id, plantAsPartner.id);
      const plantToHq = await pair(ctx.api, plant.id, hqAsPartner.id);
      const resolve = (direction: string) => ctx.api.get(`/v1/partnerships/resolve?as2_from=LOOP-PLANT&as2_to=LOOP-HQ${direction}`);
      // A message from the partner LOOP-PLANT to our LOOP-HQ, and one from our LOOP-PLANT to the partner LOOP-HQ.
      expect((await resolve('&direction=inbound')).body.data).toMatchObject({ partnership_id: hqToPlant.id, direction: 'inbound', partner: { id: plantAsPartner.id }, effective: { encrypt: true } });
      expect((await resolve('&direction=outbound')).body.data).toMatchObject({ partnership_id: plantToHq.id, direction: 'outbound', partner: { id: hqAsPartner.id } });
      // Unnamed: the outbound reading first, as before.
      expect((await resolve('')).body.data).toMatchObject({ partnership_id: plantToHq.id, direction: 'outbound' });
      const none = await ctx.api.get('/v1/partnerships/resolve?as2_from=LOOP-HQ&as2_to=LOOP-PLANT&direction=sideways');
      expect([none.status, Object.keys(none.body.errors)]).toEqual([422, ['direction']]);
      expect((await ctx.api.get('/v1/partnerships/resolve?as2_from=mycompany-none&as2_to=LOOP-HQ&direction=inbound')).status).toBe(404);
    });

    it('finds the pair when an AS2 id names both an own and an inherited end', async () => {
      await ok(ctx.admin.post(`/v1/accounts/${ctx.account}/as2-instances`, instanceInput('TWIN-US')));
      const masterPartner = await ok<{ id: string }>(ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('TWIN-THEM')));
      await instance(ctx.api, 'TWIN-US');
      await partner(ctx.api, 'TWIN-THEM');
      const masterInstance = (await ctx.api.get('/v1/as2-instances?type=inherited')).body.data.find((i: { my_as2_id: string }) => i.my_as2_id === 'TWIN-US');
      const created = await pair(ctx.api, masterInstance.id, masterPartner.id);
      const res = await ctx.api.get('/v1/partnerships/resolve?as2_from=TWIN-US&as2_to=TWIN-THEM');
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ partnership_id: created.id, as2_instance: { type: 'inherited' }, partner: { type: 'inherited' } });
    });

    it('resolves inherited ends, and a gateway token names the tenant', async () => {
      await ok(ctx.admin.post(`/v1/accounts/${ctx.account}/as2-instances`, instanceInput('GROUP-GW')));
      const masterPartner = await ok<{ id: string }>(ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('MCK-GW')));
      const masterInstance = (await ctx.api.get('/v1/as2-instances?type=inherited')).body.data[0];
      const created = await pair(ctx.api, masterInstance.id, masterPartner.id);
      const gateway = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['gateway'] });
      const res = await gateway.get(`/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW&tenant=${ctx.tenant}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ partnership_id: created.id, as2_instance: { type: 'inherited' }, partner: { type: 'inherited' } });
      expect((await gateway.get('/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW')).status).toBe(403);
      const notATenant = await gateway.get(`/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW&tenant=${ctx.tenant}.x`);
      expect([notATenant.status, notATenant.body.error.code]).toEqual([422, 'VALIDATION_FAILED']);
      // The gateway of another account finds nothing; a tenant token cannot name another tenant.
      const foreignGateway = apiAs(ctx.t, { account: ctx.freshAccount(), tenant: null, roles: ['gateway'] });
      expect((await foreignGateway.get(`/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW&tenant=${ctx.tenant}`)).status).toBe(404);
      const otherTenant = apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() });
      expect((await otherTenant.get(`/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW&tenant=${ctx.tenant}`)).status).toBe(403);
      expect((await otherTenant.get('/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW')).status).toBe(404);
      // A gateway token of every account names the account, as on the other internal routes; a token of one account names no other.
      const everyAccount = apiAs(ctx.t, { account: '*', tenant: null, roles: ['gateway'] });
      const unnamed = await everyAccount.get(`/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW&tenant=${ctx.tenant}`);
      expect([unnamed.status, unnamed.body.error?.code]).toEqual([403, 'ACCOUNT_REQUIRED']);
      const notAnAccount = await everyAccount.get(`/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW&tenant=${ctx.tenant}&account=${ctx.account}%7Cx`);
      expect([notAnAccount.status, Object.keys(notAnAccount.body.errors ?? {})]).toEqual([422, ['account']]);
      const named = await everyAccount.get(`/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW&tenant=${ctx.tenant}&account=${ctx.account}`);
      expect([named.status, named.body.data?.partnership_id]).toEqual([200, res.body.data.partnership_id]);
      const elsewhere = await gateway.get(`/v1/partnerships/resolve?as2_from=GROUP-GW&as2_to=MCK-GW&tenant=${ctx.tenant}&account=${ctx.freshAccount()}`);
      expect([elsewhere.status, elsewhere.body.error?.code]).toEqual([403, 'ACCOUNT_FORBIDDEN']);
      // A gateway token reaches no other partnership route.
      expect((await gateway.get('/v1/partnerships')).status).toBe(403);
    });

    it("answers a gateway naming a deleted tenant 403 TENANT_DELETED, as its other routes do, not as a pair it does not know", async () => {
      const closing = freshTenant();
      expect((await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { id: closing, name: closing, plan: 'enterprise' })).status).toBe(201);
      const closingApi = apiAs(ctx.t, { account: ctx.account, tenant: closing });
      await pair(closingApi, (await instance(closingApi, 'CLOSING-US')).id, (await partner(closingApi, 'CLOSING-THEM')).id);
      const gateway = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['gateway'] });
      const resolve = () => gateway.get(`/v1/partnerships/resolve?as2_from=CLOSING-US&as2_to=CLOSING-THEM&tenant=${closing}`);
      expect((await resolve()).status).toBe(200);
      expect((await ctx.admin.delete(`/v1/accounts/${ctx.account}/tenants/${closing}`)).status).toBe(200);
      const refused = await resolve();
      expect([refused.status, refused.body.error?.code]).toEqual([403, 'TENANT_DELETED']);
    });
  });

  describe('security', () => {
    it('another tenant and another account see nothing and change nothing', async () => {
      const created = await pair(ctx.api, (await instance(ctx.api, 'SEC-I')).id, (await partner(ctx.api, 'SEC-P')).id);
      for (const other of [apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() }), apiAs(ctx.t, { account: ctx.freshAccount(), tenant: ctx.tenant })]) {
        expect((await other.get(`/v1/partnerships/${created.id}`)).status).toBe(404);
        expect(await partnershipsIn(other)).toEqual([]);
        expect((await other.patch(`/v1/partnerships/${created.id}`, { sign: true })).status).toBe(404);
        expect((await other.delete(`/v1/partnerships/${created.id}`)).status).toBe(404);
        expect((await other.get('/v1/partnerships/resolve?as2_from=SEC-I&as2_to=SEC-P')).status).toBe(404);
      }
      expect((await ctx.api.get(`/v1/partnerships/${created.id}`)).status).toBe(200);
    });

    it('tenant_user reads and resolves but cannot write; no token is 401; hostile input is a 4xx', async () => {
      const created = await pair(ctx.api, (await instance(ctx.api, 'RO-I')).id, (await partner(ctx.api, 'RO-P')).id);
      const reader = apiAs(ctx.t, { account: ctx.account, tenant: ctx.tenant, roles: ['tenant_user'] });
      expect((await reader.get(`/v1/partnerships/${created.id}`)).status).toBe(200);
      expect((await reader.get('/v1/partnerships/resolve?as2_from=RO-I&as2_to=RO-P')).status).toBe(200);
      expect((await reader.post('/v1/partnerships', { as2_instance_id: 'x', partner_id: 'y' })).status).toBe(403);
      expect((await reader.patch(`/v1/partnerships/${created.id}`, { sign: true })).status).toBe(403);
      expect((await reader.delete(`/v1/partnerships/${created.id}`)).status).toBe(403);
      expect((await ctx.t.app.inject({ method: 'GET', url: '/v1/partnerships/resolve?as2_from=RO-I&as2_to=RO-P' })).statusCode).toBe(401);
      for (const body of [[], { as2_instance_id: { $gt: '' }, partner_id: { $gt: '' } }, { as2_instance_id: 'x'.repeat(10_000), partner_id: 'y' }]) {
        const res = await ctx.api.post('/v1/partnerships', body);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
      expect((await ctx.api.patch(`/v1/partnerships/${created.id}`, {})).status).toBe(422);
      expect((await ctx.api.get('/v1/partnerships/resolve?as2_from[$ne]=x&as2_to=RO-P')).status).toBe(422);
    });
  });
});
