import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { apiAs, partnerApiFixture, partnerInput } from './partner-api.spec-support';

/** `{"name": [[…]]}` nested `depth` levels deep in all (the outer object is level 1). */
function nestedBody(depth: number): string {
  return `{"name":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
}

const NON_PUBLIC_URLS = [
  'https://127.0.0.1:22/',
  'https://169.254.169.254/latest/meta-data/iam/',
  'https://localhost/as2',
  'https://localhost./as2',
  'https://as2.localhost/',
  'https://[::1]/',
  'https://[::ffff:127.0.0.1]/',
  'https://0x7f.1/',
  'https://2130706433/',
  'https://0177.0.0.1/',
  'https://0.0.0.0/',
  'https://10.0.0.5/as2',
  'https://192.168.1.10/',
  'https://100.64.0.1/',
  'https://[fd00::1]/',
  'https://[fe80::1]/',
  'https://224.0.0.1/',
];

describe('hostile input on the partner-registry routes', () => {
  const ctx = partnerApiFixture('hostile');

  const createPartner = async (as2Id: string, extra: Record<string, unknown> = {}) => {
    const res = await ctx.api.post('/v1/partners', partnerInput(as2Id, extra));
    expect(res.status).toBe(201);
    return res.body.data;
  };
  const createMaster = async (as2Id: string) => {
    const res = await ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput(as2Id));
    expect(res.status).toBe(201);
    return res.body.data;
  };
  const raw = (method: 'POST' | 'PATCH', url: string, payload?: string, headers: Record<string, string> = {}) =>
    ctx.t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${ctx.t.token({ account: ctx.account, tenant: ctx.tenant })}`, ...headers } });
  const rawAsAdmin = (method: 'POST' | 'PATCH', url: string, payload?: string, headers: Record<string, string> = {}) =>
    ctx.t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${ctx.t.token({ account: ctx.account, tenant: null, roles: ['account_admin'] })}`, ...headers } });

  describe('null for a setting that has no null', () => {
    it.each([
      ['active', { active: null }],
      ['sign', { sign: null }],
      ['mdn_mode', { mdn_mode: null }],
      ['http_auth.enabled', { http_auth: { enabled: null } }],
      ['connection.timeout_seconds', { connection: { timeout_seconds: null } }],
      ['mdn', { mdn: null }],
    ])('refuses %s: null at create and update (it used to be stored and answered as null), and changes nothing', async (field, body) => {
      const created = await ctx.api.post('/v1/partners', partnerInput('NULL-CREATE', body));
      expect(created.status).toBe(422);
      expect(Object.keys(created.body.errors)).toEqual([field]);
      const partner = await createPartner('NULL-UPDATE');
      const updated = await ctx.api.patch(`/v1/partners/${partner.id}`, body);
      expect(updated.status).toBe(422);
      expect(Object.keys(updated.body.errors)).toEqual([field]);
      expect((await ctx.api.get(`/v1/partners/${partner.id}`)).body.data).toMatchObject({ active: true, sign: false, mdn_mode: 'async', http_auth: { enabled: false } });
    });

    it('still takes null where the setting has it (sign_algorithm, subject, http_auth.username)', async () => {
      const partner = await createPartner('NULL-ALLOWED', { subject: 'Orders', sign_algorithm: 'SHA256withRSA' });
      const updated = await ctx.api.patch(`/v1/partners/${partner.id}`, { subject: null, sign_algorithm: null, http_auth: { username: null } });
      expect(updated.status).toBe(200);
      expect(updated.body.data).toMatchObject({ subject: null, sign_algorithm: null, http_auth: { username: null } });
    });
  });

  describe('partner endpoints on non-public addresses', () => {
    it.each(NON_PUBLIC_URLS)('refuses %s at create, for tenant and master partners', async (url) => {
      const tenantPartner = await ctx.api.post('/v1/partners', partnerInput('NONPUBLIC', { url }));
      expect(tenantPartner.status).toBe(422);
      expect(tenantPartner.body).toEqual({ message: 'Validation failed', errors: { url: [expect.stringMatching(/localhost|public address/)] }, error: { type: 'validation_error', code: 'INVALID_ENDPOINT_URL' } });
      const master = await ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('NONPUBLIC', { url }));
      expect(master.status).toBe(422);
      expect(master.body.error.code).toBe('INVALID_ENDPOINT_URL');
      expect((await ctx.api.get('/v1/partners')).body.data).toEqual([]);
    });

    it('refuses them at patch: tenant partner, master partner and a tenant override, and nothing changes', async () => {
      const own = await createPartner('OWN');
      const master = await createMaster('MASTER');
      for (const url of ['https://127.0.0.1:22/', 'https://[::1]/', 'https://169.254.169.254/']) {
        const patched = await ctx.api.patch(`/v1/partners/${own.id}`, { url });
        expect(patched.status).toBe(422);
        expect(patched.body.errors).toEqual({ url: [expect.any(String)] });
        expect(patched.body.error.code).toBe('INVALID_ENDPOINT_URL');
        const mdn = await ctx.api.patch(`/v1/partners/${own.id}`, { mdn: { url: url + 'mdn' } });
        expect(mdn.status).toBe(422);
        expect(mdn.body.errors).toEqual({ 'mdn.url': [expect.any(String)] });
        const masterPatch = await ctx.admin.patch(`/v1/accounts/${ctx.account}/partners/${master.id}`, { url });
        expect(masterPatch.status).toBe(422);
        expect(masterPatch.body.error.code).toBe('INVALID_ENDPOINT_URL');
        const override = await ctx.api.patch(`/v1/partners/${master.id}`, { url });
        expect(override.status).toBe(422);
        expect(override.body.error.code).toBe('INVALID_ENDPOINT_URL');
      }
      expect((await ctx.api.get(`/v1/partners/${own.id}`)).body.data).toMatchObject({ url: own.url, mdn: { url: null } });
      expect((await ctx.api.get(`/v1/partners/${master.id}`)).body.data).toMatchObject({ url: master.url, has_overrides: false });
      expect((await ctx.admin.get(`/v1/accounts/${ctx.account}/partners/${master.id}`)).body.data.url).toBe(master.url);
    });

    it('still takes public addresses and names', async () => {
      const own = await createPartner('PUBLIC', { url: 'https://93.184.216.34:8443/as2' });
      expect((await ctx.api.patch(`/v1/partners/${own.id}`, { url: 'https://[2606:4700::1111]/as2' })).status).toBe(200);
      expect((await ctx.api.patch(`/v1/partners/${own.id}`, { url: 'https://localhost.example.com/as2' })).status).toBe(200);
    });

    describe('with PRIVATE_ENDPOINTS_ALLOW', () => {
      let onPremise: EmbeddedTestApp;
      beforeAll(async () => {
        onPremise = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], env: { PRIVATE_ENDPOINTS_ALLOW: '10.20.0.0/16,fd00:20::/32' } });
      });
      afterAll(() => onPremise?.close());

      it('lets the allowed ranges through, and only them', async () => {
        const local = apiAs(onPremise, { account: ctx.account, tenant: ctx.tenant });
        const created = await local.post('/v1/partners', partnerInput('ONPREM', { url: 'https://10.20.4.5/as2' }));
        expect(created.status).toBe(201);
        expect((await local.patch(`/v1/partners/${created.body.data.id}`, { url: 'https://[fd00:20::7]/as2' })).status).toBe(200);
        for (const url of ['https://10.21.0.1/as2', 'https://127.0.0.1/', 'https://localhost/', 'https://169.254.169.254/']) {
          const refused = await local.patch(`/v1/partners/${created.body.data.id}`, { url });
          expect(refused.status).toBe(422);
          expect(refused.body.error.code).toBe('INVALID_ENDPOINT_URL');
        }
      });
    });
  });

  describe('fields that end up in AS2/MIME headers refuse control characters', () => {
    it.each([
      ['subject', { subject: 'Orders\r\nBcc: attacker@evil.example' }, 'subject'],
      ['subject (lone LF)', { subject: 'Orders\nX-Injected: 1' }, 'subject'],
      ['subject (tab)', { subject: 'Orders\tnow' }, 'subject'],
      ['name', { name: 'Acme\r\nX-Injected: 1' }, 'name'],
      ['email (quoted local part)', { email: '"a\r\nbcc:x"@example.com' }, 'email'],
      ['url', { url: 'https://acme.example.com/as2\r\nX-Injected: 1' }, 'url'],
      ['mdn.url', { mdn: { url: 'https://acme.example.com/mdn\r\nX-Injected: 1' } }, 'mdn.url'],
      ['http_auth.username', { http_auth: { username: 'edi\r\nX-Injected: 1' } }, 'http_auth.username'],
      ['http_auth.username (colon, RFC 7617)', { http_auth: { username: 'edi:admin' } }, 'http_auth.username'],
      ['http_auth.password', { http_auth: { password: 'pw\r\nX-Injected: 1' } }, 'http_auth.password'],
      ['subject (DEL)', { subject: 'Orders\u007f' }, 'subject'],
      ['subject (C1 control)', { subject: 'Orders\u0085next' }, 'subject'],
      ['subject (line separator)', { subject: 'Orders\u2028next' }, 'subject'],
      ['name (right-to-left override)', { name: '\u202eevil.exe' }, 'name'],
      ['subject (left-to-right isolate)', { subject: 'Orders \u2066x\u2069' }, 'subject'],
    ])('%s: 422 naming the field, at create and patch', async (_case, fields, field) => {
      const created = await ctx.api.post('/v1/partners', partnerInput('HDR', fields));
      expect(created.status).toBe(422);
      expect(created.body.message).toBe('Validation failed');
      expect(Object.keys(created.body.errors)).toEqual([field]);
      const own = await createPartner('HDR-OK');
      const patched = await ctx.api.patch(`/v1/partners/${own.id}`, fields);
      expect(patched.status).toBe(422);
      expect(Object.keys(patched.body.errors)).toEqual([field]);
      const master = await createMaster('HDR-M');
      const masterPatch = await ctx.admin.patch(`/v1/accounts/${ctx.account}/partners/${master.id}`, fields);
      expect(masterPatch.status).toBe(422);
      expect(Object.keys(masterPatch.body.errors)).toEqual([field]);
    });

    it("a tenant's name: 422 naming it at create and rename, the stored name kept", async () => {
      const tenants = `/v1/accounts/${ctx.account}/tenants`;
      const id = `hdr-${Date.now().toString(36)}`;
      const created = await ctx.admin.post(tenants, { id, name: 'Plant\r\nBcc: attacker@evil.example' });
      expect([created.status, created.body.error?.code, Object.keys(created.body.errors ?? {})]).toEqual([422, 'VALIDATION_FAILED', ['name']]);
      expect((await ctx.admin.post(tenants, { id, name: 'Plant 1' })).status).toBe(201);
      for (const name of ['Plant\nX-Injected: 1', 'Plant\t1', 'Plant\u0085']) {
        const renamed = await ctx.admin.patch(`${tenants}/${id}`, { name });
        expect([name, renamed.status, Object.keys(renamed.body.errors ?? {})]).toEqual([name, 422, ['name']]);
      }
      expect((await ctx.admin.get(`${tenants}/${id}`)).body.data.name).toBe('Plant 1');
    });

    it('still takes ordinary text, with non-ASCII letters', async () => {
      const res = await ctx.api.post('/v1/partners', partnerInput('TEXT-OK', { name: 'Müller & Søn — Ελλάδα — שלום — مرحبا', subject: 'EDI from Müller (café) #42', http_auth: { username: 'edi-user', password: 'p@ss w:rd' } }));
      expect(res.status).toBe(201);
    });
  });

  describe('NUL and lone surrogates, in any string of any JSON body', () => {
    it.each([
      ['a NUL in the name', '{"name":"Acme\\u0000Corp","as2_id":"NUL1","url":"https://acme.example.com/as2"}', 'name'],
      ['a lone high surrogate in the subject', '{"name":"Acme","as2_id":"NUL2","url":"https://acme.example.com/as2","subject":"x\\ud800y"}', 'subject'],
      ['a lone low surrogate at the end', '{"name":"Acme\\udc00","as2_id":"NUL3","url":"https://acme.example.com/as2"}', 'name'],
      ['a NUL in a nested field', '{"name":"Acme","as2_id":"NUL4","url":"https://acme.example.com/as2","mdn":{"url":"https://a.example/\\u0000"}}', 'mdn.url'],
    ])('%s: 422 INVALID_CHARACTERS naming the field', async (_case, payload, field) => {
      const res = await raw('POST', '/v1/partners', payload, { 'content-type': 'application/json' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Validation failed',
        errors: { [field]: ['The field must not contain NUL characters or unpaired UTF-16 surrogates'] },
        error: { type: 'validation_error', code: 'INVALID_CHARACTERS' },
      });
    });

    it('checks every JSON route, the tenants of an account too', async () => {
      const res = await rawAsAdmin('POST', `/v1/accounts/${ctx.account}/tenants`, '{"name":"Plant\\u0000 1"}', { 'content-type': 'application/json' });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual({ name: [expect.any(String)] });
      expect(res.json().error.code).toBe('INVALID_CHARACTERS');
    });

    it('takes a well-formed surrogate pair (an emoji)', async () => {
      const res = await raw('POST', '/v1/partners', '{"name":"Acme \\ud83d\\ude00","as2_id":"EMOJI","url":"https://acme.example.com/as2"}', { 'content-type': 'application/json' });
      expect(res.statusCode).toBe(201);
      expect(res.json().data.name).toBe('Acme \u{1F600}');
    });
  });

  describe('JSON nested too deeply', () => {
    it('answers 400 JSON_TOO_DEEP to 2,000 levels (4 KB) on every JSON route, with no stack trace', async () => {
      const own = await createPartner('DEEP');
      const body = nestedBody(2000);
      expect(body.length).toBeLessThan(4100);
      for (const [method, url, call] of [
        ['POST', '/v1/partners', raw],
        ['PATCH', `/v1/partners/${own.id}`, raw],
        ['POST', `/v1/accounts/${ctx.account}/partners`, rawAsAdmin],
        ['POST', `/v1/accounts/${ctx.account}/tenants`, rawAsAdmin],
      ] as const) {
        const res = await call(method, url, body, { 'content-type': 'application/json' });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({ message: 'The JSON body is nested more than 32 levels deep', error: { type: 'invalid_request_error', code: 'JSON_TOO_DEEP' } });
      }
    });

    it('answers 413 to a body of more than 25,000 values (a field the whitelist refuses anyway, walked first), on every JSON route, and stores nothing', async () => {
      const own = await createPartner('MANY');
      const body = JSON.stringify({ ...partnerInput('MANY-VALUES'), x: Array.from({ length: 30_000 }, () => []) });
      for (const [method, url, call] of [
        ['POST', '/v1/partners', raw],
        ['PATCH', `/v1/partners/${own.id}`, raw],
        ['POST', `/v1/accounts/${ctx.account}/tenants`, rawAsAdmin],
      ] as const) {
        const res = await call(method, url, body, { 'content-type': 'application/json' });
        expect([url, res.statusCode, res.json()]).toEqual([url, 413, { message: 'The JSON body holds more than 25000 values', error: { type: 'invalid_request_error', code: 'PAYLOAD_TOO_LARGE' } }]);
      }
      expect((await ctx.api.get('/v1/partners?search=MANY-VALUES')).body.data).toEqual([]);
    });

    it('draws the line at 32 levels', async () => {
      const at32 = await raw('POST', '/v1/partners', nestedBody(32), { 'content-type': 'application/json' });
      expect(at32.statusCode).toBe(422);
      const at33 = await raw('POST', '/v1/partners', nestedBody(33), { 'content-type': 'application/json' });
      expect(at33.statusCode).toBe(400);
      expect(at33.json().error.code).toBe('JSON_TOO_DEEP');
    });

    it('does not count brackets inside strings', async () => {
      const res = await raw('POST', '/v1/partners', JSON.stringify(partnerInput('BRACKETS', { name: '['.repeat(40) + '{"\\"'.repeat(40) })), { 'content-type': 'application/json' });
      expect(res.statusCode).toBe(201);
    });
  });

  describe('PATCH with no change given', () => {
    const NO_CHANGE = { message: 'No change given: send at least one field to change', error: { type: 'validation_error', code: 'NO_CHANGE_GIVEN' } };

    it('answers 422 for no body, an empty body, {} and empty groups on every PATCH route', async () => {
      const own = await createPartner('NOCHANGE');
      const master = await createMaster('NOCHANGE-M');
      const tenantId = `t-${ctx.account}`;
      expect((await ctx.admin.post(`/v1/accounts/${ctx.account}/tenants`, { id: tenantId, name: 'Plant' })).status).toBe(201);
      const routes = [
        [raw, `/v1/partners/${own.id}`],
        [raw, `/v1/partners/${master.id}`],
        [rawAsAdmin, `/v1/accounts/${ctx.account}/partners/${master.id}`],
        [rawAsAdmin, `/v1/accounts/${ctx.account}/tenants/${tenantId}`],
      ] as const;
      for (const [call, url] of routes) {
        for (const [payload, headers] of [
          [undefined, {}],
          ['', { 'content-type': 'application/json', 'content-length': '0' }],
          ['', {}],
          ['{}', { 'content-type': 'application/json' }],
          ['  \n', { 'content-type': 'application/json' }],
        ] as const) {
          const res = await call('PATCH', url, payload, headers);
          expect({ url, payload, status: res.statusCode }).toEqual({ url, payload, status: 422 });
          expect(res.json()).toEqual(NO_CHANGE);
        }
      }
      for (const payload of ['{"mdn":{}}', '{"connection":{},"http_auth":{}}']) {
        expect((await raw('PATCH', `/v1/partners/${own.id}`, payload, { 'content-type': 'application/json' })).json()).toEqual(NO_CHANGE);
      }
      // A nested field named as an inherited property is an unknown field, not an empty group taken as a change.
      for (const [call, url] of routes.slice(0, 3)) {
        for (const payload of ['{"mdn":{"toString":1}}', '{"connection":{"valueOf":1}}', '{"firewall":{"enabled":true,"constructor":"x"}}']) {
          const res = await call('PATCH', url, payload, { 'content-type': 'application/json' });
          expect({ url, payload, status: res.statusCode, code: res.json().error?.code }).toEqual({ url, payload, status: 422, code: 'VALIDATION_FAILED' });
        }
      }
      expect((await ctx.api.get(`/v1/partners/${master.id}`)).body.data.has_overrides).toBe(false);
    });

    it('still refuses unknown fields first, and still takes a real change, null included', async () => {
      const own = await createPartner('CHANGE', { email: 'edi@change.example.com' });
      const unknown = await ctx.api.patch(`/v1/partners/${own.id}`, { bogus: 1 });
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors).toEqual({ bogus: ['The bogus field is not allowed'] });
      const cleared = await ctx.api.patch(`/v1/partners/${own.id}`, { email: null });
      expect(cleared.status).toBe(200);
      expect(cleared.body.data.email).toBeNull();
      expect((await ctx.api.patch(`/v1/partners/${own.id}`, { mdn: { signed: true } })).status).toBe(200);
    });

    it('answers the role check first: a read-only user gets 403', async () => {
      const own = await createPartner('RO');
      const user = apiAs(ctx.t, { account: ctx.account, tenant: ctx.tenant, roles: ['tenant_user'] });
      expect((await user.patch(`/v1/partners/${own.id}`, undefined)).status).toBe(403);
    });
  });

  it("an id of any length a request line can carry is the route's 404 PARTNER_NOT_FOUND, never the router's bare 404", async () => {
    for (const length of [1_100, 4_000, 12_000]) {
      const id = 'a'.repeat(length);
      const read = await ctx.api.get(`/v1/partners/${id}`);
      const patched = await ctx.api.patch(`/v1/partners/${id}`, { name: 'x' });
      expect([length, read.status, read.body.error.code, patched.status, patched.body.error.code]).toEqual([length, 404, 'PARTNER_NOT_FOUND', 404, 'PARTNER_NOT_FOUND']);
    }
  });

  describe('a list where an object belongs', () => {
    it('refuses it in every nested partner setting with 422, and nothing changes', async () => {
      const own = await createPartner('LISTS', { firewall: { enabled: true, allowed_ips: ['203.0.113.0/24'] } });
      for (const field of ['mdn', 'connection', 'http_auth', 'firewall']) {
        for (const value of [[], [[]], [{}]]) {
          const res = await ctx.api.patch(`/v1/partners/${own.id}`, { [field]: value });
          expect({ field, value, status: res.status }).toEqual({ field, value, status: 422 });
          expect(res.body).toEqual({ message: 'Validation failed', errors: { [field]: [`The ${field} must be an object, not a list`] }, error: { type: 'validation_error', code: 'VALIDATION_FAILED' } });
        }
        expect((await ctx.api.post('/v1/partners', partnerInput(`LISTS-${field}`.toUpperCase(), { [field]: [] }))).status).toBe(422);
      }
      const after = (await ctx.api.get(`/v1/partners/${own.id}`)).body.data;
      expect(after.firewall).toEqual({ enabled: true, allowed_ips: ['203.0.113.0/24'] });
      expect(after.mdn).toEqual(own.mdn);
      expect(after.connection).toEqual(own.connection);
      expect((await ctx.api.get(`/v1/partners?search=LISTS-`)).body.data).toEqual([]);
    });

    it('refuses a list as a gateway message record (422, not a 500), with a tenant token or without', async () => {
      for (const tenant of [ctx.tenant, null]) {
        const gateway = apiAs(ctx.t, { account: ctx.account, tenant, roles: ['gateway'] });
        for (const events of [[[]], [[{ message_id: 'm' }]]]) {
          const res = await gateway.post('/v1/gateway/message-events', { events });
          expect({ tenant, events, status: res.status }).toEqual({ tenant, events, status: 422 });
          expect(res.body.errors).toEqual({ 'events.0': ['Each events entry must be an object, not a list'] });
        }
      }
    });
  });

  describe('a list longer than the route allows', () => {
    it('refuses 20,000 gateway message records with one message, not a set of errors for each', async () => {
      const gateway = apiAs(ctx.t, { account: ctx.account, tenant: ctx.tenant, roles: ['gateway'] });
      const res = await gateway.post('/v1/gateway/message-events', { events: Array.from({ length: 20_000 }, () => ({})) });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ message: 'Validation failed', errors: { events: ['The events may hold at most 1000 records'] }, error: { type: 'validation_error', code: 'VALIDATION_FAILED' } });
    });
  });
});
