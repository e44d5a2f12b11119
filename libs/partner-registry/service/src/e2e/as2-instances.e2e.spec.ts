import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { API_TIMESTAMP, apiAs, freshTenant, instanceInput, partnerApiFixture, type Api } from './partner-api.spec-support';

const INSTANCE_ID = /^ins_[0-9A-HJKMNP-TV-Z]{26}$/;

describe('AS2 instances (/v1/as2-instances, /v1/accounts/{account}/as2-instances)', () => {
  const ctx = partnerApiFixture('inst-account');

  const create = async (caller: Api, myAs2Id: string, extra: Record<string, unknown> = {}) => {
    const res = await caller.post('/v1/as2-instances', instanceInput(myAs2Id, extra));
    expect(res.status).toBe(201);
    return res.body.data;
  };

  it('creates, reads, lists, updates and deletes an instance with the seed 001 fields', async () => {
    const res = await ctx.api.post('/v1/as2-instances', instanceInput('mycompany'));
    expect(res.status).toBe(201);
    expect(res.body.message).toBe('AS2 instance created successfully');
    const instance = res.body.data;
    expect(instance).toEqual({
      id: expect.stringMatching(INSTANCE_ID),
      my_as2_id: 'mycompany',
      my_name: 'Us as mycompany',
      my_as2_alias: 'mycompany-key',
      my_email: 'as2@us.example.com',
      status: 'on',
      type: 'tenant',
      created_at: expect.stringMatching(API_TIMESTAMP),
      updated_at: expect.stringMatching(API_TIMESTAMP),
    });
    const details = await ctx.api.get(`/v1/as2-instances/${instance.id}`);
    expect(details.body.data).toEqual({ ...instance, partnerships: [], partnerships_total: 0, keys: [] });
    const list = await ctx.api.get('/v1/as2-instances');
    expect(list.body.data.map((i: { id: string }) => i.id)).toEqual([instance.id]);
    expect(list.body.pagination).toMatchObject({ total: 1, current_page: 1 });
    const updated = await ctx.api.patch(`/v1/as2-instances/${instance.id}`, { my_name: 'My Company Production', status: 'off' });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({ my_name: 'My Company Production', status: 'off' });
    const deleted = await ctx.api.delete(`/v1/as2-instances/${instance.id}`);
    expect(deleted.body).toEqual({ message: 'AS2 instance deleted successfully', data: { id: instance.id, deleted_at: expect.stringMatching(API_TIMESTAMP) } });
    expect((await ctx.api.get(`/v1/as2-instances/${instance.id}`)).status).toBe(404);
  });

  it('publishes the contract events: created, updated, status_changed (on/off) and deleted, with account and tenant', async () => {
    const instance = await create(ctx.api, 'EVENTS-1');
    await ctx.api.patch(`/v1/as2-instances/${instance.id}`, { status: 'off', my_email: 'ops@us.example.com' });
    await ctx.api.patch(`/v1/as2-instances/${instance.id}`, { status: 'off' });
    await ctx.api.delete(`/v1/as2-instances/${instance.id}`);
    const events = await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`as2_instance-${instance.id}`);
    expect(events.map((e) => e.type)).toEqual(['as2_instance.created.v1', 'as2_instance.updated.v1', 'as2_instance.status_changed.v1', 'as2_instance.deleted.v1']);
    expect(events[0]!.data).toEqual({
      instanceId: instance.id,
      account: ctx.account,
      tenant: ctx.tenant,
      myAs2Id: 'EVENTS-1',
      myName: 'Us as EVENTS-1',
      myAs2Alias: 'events-1-key',
      myEmail: 'as2@us.example.com',
      status: 'on',
      createdAt: expect.any(String),
    });
    expect(events[1]!.data).toMatchObject({ instanceId: instance.id, account: ctx.account, tenant: ctx.tenant, changes: { myEmail: 'ops@us.example.com' } });
    expect(events[2]!.data).toMatchObject({ instanceId: instance.id, account: ctx.account, tenant: ctx.tenant, myAs2Id: 'EVENTS-1', status: 'off', changedAt: expect.any(String) });
    expect(events[3]!.data).toMatchObject({ instanceId: instance.id, account: ctx.account, tenant: ctx.tenant, myAs2Id: 'EVENTS-1', deletedAt: expect.any(String) });
    expect(events.every((e) => e.metadata.account === ctx.account && e.metadata.tenant === ctx.tenant)).toBe(true);
  });

  describe('validation', () => {
    it('requires my_as2_id, my_name, my_as2_alias and my_email (422 with the field errors)', async () => {
      const res = await ctx.api.post('/v1/as2-instances', {});
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors).sort()).toEqual(['my_as2_alias', 'my_as2_id', 'my_email', 'my_name']);
      // A missing email is told it is missing, not also that it is too long.
      expect(res.body.errors.my_email.join(' ')).not.toMatch(/greater than/);
      // In the seed's words, one way for every field: "The AS2 ID field is required".
      expect(res.body.errors).toEqual({
        my_as2_id: ['The my AS2 ID field is required'],
        my_name: ['The my name field is required'],
        my_as2_alias: ['The my AS2 alias field is required'],
        my_email: ['The my email field is required'],
      });
    });

    it.each([
      ['my_as2_id', 'MY COMPANY', 'INVALID_AS2_ID_FORMAT'],
      ['my_as2_id', 'x'.repeat(51), 'INVALID_AS2_ID_FORMAT'],
      ['my_as2_alias', 'key alias', 'VALIDATION_FAILED'],
      ['my_as2_alias', 'k'.repeat(101), 'VALIDATION_FAILED'],
      ['my_as2_alias', '..', 'VALIDATION_FAILED'],
      ['my_as2_alias', '.', 'VALIDATION_FAILED'],
      ['my_email', 'not-an-address', 'VALIDATION_FAILED'],
      ['my_name', '', 'VALIDATION_FAILED'],
      ['my_name', 'line\r\nX-Injected: 1', 'VALIDATION_FAILED'],
      ['my_email', 'as2@us.example\r\nBcc: them@x.example', 'VALIDATION_FAILED'],
      ['status', 'maybe', 'VALIDATION_FAILED'],
    ])('refuses %s = %j', async (field, value, code) => {
      const res = await ctx.api.post('/v1/as2-instances', instanceInput('VALID-1', { [field]: value }));
      expect(res.status).toBe(422);
      expect(res.body.errors).toHaveProperty(field);
      // A rule's own code, else the plain one: never a partner's code (INVALID_PARTNER_SETTING) on an instance.
      expect(res.body.error.code).toBe(code);
      // Named as the instance's field, not as a partner's.
      if (field === 'my_as2_id') expect(res.body.errors.my_as2_id.every((message: string) => message.startsWith('The my AS2 ID '))).toBe(true);
    });

    it('refuses unknown fields and an empty PATCH', async () => {
      expect((await ctx.api.post('/v1/as2-instances', instanceInput('UNKNOWN-1', { private_key: 'x' }))).status).toBe(422);
      const instance = await create(ctx.api, 'EMPTY-PATCH');
      expect((await ctx.api.patch(`/v1/as2-instances/${instance.id}`, {})).status).toBe(422);
    });

    it('refuses null for a field that cannot be cleared, in a create and a PATCH, and changes nothing', async () => {
      expect((await ctx.api.post('/v1/as2-instances', instanceInput('NULL-STATUS', { status: null }))).status).toBe(422);
      const instance = await create(ctx.api, 'NULL-PATCH');
      for (const field of ['my_as2_alias', 'my_name', 'my_email', 'my_as2_id', 'status']) {
        const res = await ctx.api.patch(`/v1/as2-instances/${instance.id}`, { [field]: null });
        expect([field, res.status, Object.keys(res.body.errors ?? {})]).toEqual([field, 422, [field]]);
      }
      expect((await ctx.api.get(`/v1/as2-instances/${instance.id}`)).body.data).toMatchObject(instance);
    });
  });

  describe('my_as2_id uniqueness (DUPLICATE_MY_AS2_ID)', () => {
    it('is unique among the tenant instances; another tenant may use the same id; a deleted one is reusable', async () => {
      const first = await create(ctx.api, 'UNIQUE-US');
      const dup = await ctx.api.post('/v1/as2-instances', instanceInput('UNIQUE-US'));
      expect(dup.status).toBe(422);
      expect(dup.body.error.code).toBe('DUPLICATE_MY_AS2_ID');
      expect(dup.body.errors).toHaveProperty('my_as2_id');
      await create(apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() }), 'UNIQUE-US');
      await ctx.api.delete(`/v1/as2-instances/${first.id}`);
      await create(ctx.api, 'UNIQUE-US');
    });

    it('holds under concurrent creates: exactly one of ten wins', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => ctx.api.post('/v1/as2-instances', instanceInput('RACE-US'))));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 422 && r.body.error.code === 'DUPLICATE_MY_AS2_ID')).toHaveLength(9);
    });

    it('a renamed instance frees its old id and takes the new one', async () => {
      const a = await create(ctx.api, 'RENAME-A');
      await create(ctx.api, 'RENAME-B');
      const clash = await ctx.api.patch(`/v1/as2-instances/${a.id}`, { my_as2_id: 'RENAME-B' });
      expect(clash.status).toBe(422);
      expect(clash.body.error.code).toBe('DUPLICATE_MY_AS2_ID');
      const renamed = await ctx.api.patch(`/v1/as2-instances/${a.id}`, { my_as2_id: 'RENAME-C' });
      expect(renamed.body.data.my_as2_id).toBe('RENAME-C');
      await create(ctx.api, 'RENAME-A');
      expect((await ctx.api.post('/v1/as2-instances', instanceInput('RENAME-C'))).body.error.code).toBe('DUPLICATE_MY_AS2_ID');
    });
  });

  it('a rename racing a rename back never frees the id the instance ends with', async () => {
    for (let round = 0; round < 12; round++) {
      const [a, b] = [`BACK-${round}-A`, `BACK-${round}-B`];
      const instance = await create(ctx.api, a);
      const rename = (id: string) => ctx.api.patch(`/v1/as2-instances/${instance.id}`, { my_as2_id: id });
      const forth = rename(b);
      const back = (async () => {
        for (let tries = 0; tries < 20; tries++) {
          await rename(a);
          await new Promise((resolve) => setTimeout(resolve, tries % 3));
        }
      })();
      await Promise.all([forth, back]);
      const held = (await ctx.api.get(`/v1/as2-instances/${instance.id}`)).body.data.my_as2_id as string;
      const other = await ctx.api.post('/v1/as2-instances', instanceInput(held));
      expect({ round, held, status: other.status, code: other.body.error?.code }).toEqual({ round, held, status: 422, code: 'DUPLICATE_MY_AS2_ID' });
    }
  });

  it('one instance renamed many times at once ends with one id; the ids it left are free again', async () => {
    for (let round = 0; round < 5; round++) {
      const ids = ['OLD', 'X', 'Y', 'Z'].map((id) => `SOLO${round}-${id}`);
      const solo = await create(ctx.api, ids[0] as string);
      const renames = [1, 2, 1, 2, 3, 0, 3, 1, 2, 0, 1, 2].map((i) => ids[i] as string);
      const results = await Promise.all(renames.map((id) => ctx.api.patch(`/v1/as2-instances/${solo.id}`, { my_as2_id: id })));
      expect(results.map((r) => r.status)).toEqual(renames.map(() => 200));
      const final = (await ctx.api.get(`/v1/as2-instances/${solo.id}`)).body.data.my_as2_id;
      for (const id of ids.filter((x) => x !== final)) await create(ctx.api, id);
      expect((await ctx.api.post('/v1/as2-instances', instanceInput(final))).body.error.code).toBe('DUPLICATE_MY_AS2_ID');
    }
  });

  describe('master instances', () => {
    it('an account admin creates them; every tenant sees them as inherited and cannot change them', async () => {
      const res = await ctx.admin.post(`/v1/accounts/${ctx.account}/as2-instances`, instanceInput('GROUP-US'));
      expect(res.status).toBe(201);
      const master = res.body.data;
      expect(master).toMatchObject({ my_as2_id: 'GROUP-US', type: 'master' });
      const own = await create(ctx.api, 'OWN-US');
      const list = await ctx.api.get('/v1/as2-instances');
      expect(list.body.data.map((i: { id: string; type: string }) => [i.id, i.type])).toEqual([
        [own.id, 'tenant'],
        [master.id, 'inherited'],
      ]);
      expect((await ctx.api.get('/v1/as2-instances?type=inherited')).body.data.map((i: { id: string }) => i.id)).toEqual([master.id]);
      expect((await ctx.api.get(`/v1/as2-instances/${master.id}`)).body.data).toMatchObject({ id: master.id, type: 'inherited', partnerships: [], keys: [] });
      const patched = await ctx.api.patch(`/v1/as2-instances/${master.id}`, { my_name: 'Mine now' });
      expect(patched.status).toBe(403);
      expect(patched.body.error.code).toBe('INHERITED_AS2_INSTANCE_READ_ONLY');
      expect((await ctx.api.delete(`/v1/as2-instances/${master.id}`)).status).toBe(403);
      expect((await ctx.admin.get(`/v1/accounts/${ctx.account}/as2-instances`)).body.data.map((i: { id: string }) => i.id)).toEqual([master.id]);
      const updated = await ctx.admin.patch(`/v1/accounts/${ctx.account}/as2-instances/${master.id}`, { status: 'off' });
      expect(updated.body.data).toMatchObject({ status: 'off', type: 'master' });
      expect((await ctx.api.get(`/v1/as2-instances/${master.id}`)).body.data.status).toBe('off');
      const events = await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`as2_instance-${master.id}`);
      expect(events.map((e) => [e.type, (e.data as { tenant: unknown }).tenant])).toEqual([
        ['as2_instance.created.v1', null],
        ['as2_instance.status_changed.v1', null],
      ]);
      expect((await ctx.admin.delete(`/v1/accounts/${ctx.account}/as2-instances/${master.id}`)).status).toBe(200);
      expect((await ctx.api.get(`/v1/as2-instances/${master.id}`)).status).toBe(404);
    });

    it('keeps master my_as2_ids unique in the account', async () => {
      expect((await ctx.admin.post(`/v1/accounts/${ctx.account}/as2-instances`, instanceInput('M-UNIQUE'))).status).toBe(201);
      const dup = await ctx.admin.post(`/v1/accounts/${ctx.account}/as2-instances`, instanceInput('M-UNIQUE'));
      expect(dup.status).toBe(422);
      expect(dup.body.error.code).toBe('DUPLICATE_MY_AS2_ID');
    });
  });

  describe('security', () => {
    it('another tenant and another account see nothing and change nothing (404)', async () => {
      const instance = await create(ctx.api, 'PRIVATE-US');
      for (const other of [apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() }), apiAs(ctx.t, { account: ctx.freshAccount(), tenant: ctx.tenant })]) {
        expect((await other.get(`/v1/as2-instances/${instance.id}`)).status).toBe(404);
        expect((await other.get('/v1/as2-instances')).body.data).toEqual([]);
        expect((await other.patch(`/v1/as2-instances/${instance.id}`, { my_name: 'stolen' })).status).toBe(404);
        expect((await other.delete(`/v1/as2-instances/${instance.id}`)).status).toBe(404);
      }
      expect((await ctx.api.get(`/v1/as2-instances/${instance.id}`)).body.data.my_name).toBe('Us as PRIVATE-US');
    });

    it('a master instance of another account is invisible; account routes take the own account and an account admin', async () => {
      const other = ctx.freshAccount();
      const otherAdmin = apiAs(ctx.t, { account: other, tenant: null, roles: ['account_admin'] });
      const master = (await otherAdmin.post(`/v1/accounts/${other}/as2-instances`, instanceInput('THEIRS'))).body.data;
      expect((await ctx.api.get(`/v1/as2-instances/${master.id}`)).status).toBe(404);
      expect((await ctx.admin.get(`/v1/accounts/${other}/as2-instances`)).status).toBe(403);
      expect((await ctx.admin.get(`/v1/accounts/${ctx.account}/as2-instances/${master.id}`)).status).toBe(404);
      expect((await ctx.admin.patch(`/v1/accounts/${ctx.account}/as2-instances/${master.id}`, { my_name: 'x' })).status).toBe(404);
      expect((await ctx.api.post(`/v1/accounts/${ctx.account}/as2-instances`, instanceInput('TENANT-TRIES'))).status).toBe(403);
    });

    it('tenant_user reads but cannot write; no token is 401', async () => {
      const instance = await create(ctx.api, 'READ-ONLY');
      const reader = apiAs(ctx.t, { account: ctx.account, tenant: ctx.tenant, roles: ['tenant_user'] });
      expect((await reader.get(`/v1/as2-instances/${instance.id}`)).status).toBe(200);
      expect((await reader.post('/v1/as2-instances', instanceInput('READER'))).status).toBe(403);
      expect((await reader.patch(`/v1/as2-instances/${instance.id}`, { status: 'off' })).status).toBe(403);
      expect((await reader.delete(`/v1/as2-instances/${instance.id}`)).status).toBe(403);
      expect((await ctx.t.app.inject({ method: 'GET', url: '/v1/as2-instances' })).statusCode).toBe(401);
      expect((await ctx.t.app.inject({ method: 'POST', url: '/v1/as2-instances', payload: instanceInput('NO-TOKEN') })).statusCode).toBe(401);
    });

    it('hostile bodies and ids get a 4xx, never a 5xx', async () => {
      for (const body of [[], 'x', { my_as2_id: { $ne: null } }, JSON.parse('{"__proto__": {"my_as2_id": "H"}}'), instanceInput('H', { my_as2_id: ['a'] })]) {
        const res = await ctx.api.post('/v1/as2-instances', body);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
      for (const id of ['../etc', 'ins_', "ins_' OR 1=1", '%00']) {
        expect((await ctx.api.get(`/v1/as2-instances/${encodeURIComponent(id)}`)).status).toBe(404);
        expect((await ctx.api.patch(`/v1/as2-instances/${encodeURIComponent(id)}`, { my_name: 'x' })).status).toBe(404);
      }
      expect((await ctx.api.delete('/v1/as2-instances/ins_01ARZ3NDEKTSV4RRFFQ69G5FAV?cascade=maybe')).status).toBe(422);
    });
  });
});
