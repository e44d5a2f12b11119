import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { PartnerQueries } from '../queries/partner-views/partner-queries';
import { API_TIMESTAMP, apiAs, freshTenant, PARTNER_ID, partnerInput, type Api } from './partner-api.spec-support';

const PARTNER_FIELDS = [
  'id', 'name', 'as2_id', 'url', 'active', 'type', 'master_partner_id', 'has_overrides', 'sign', 'encrypt', 'compress',
  'mdn_mode', 'sign_algorithm', 'encrypt_algorithm', 'created_at', 'updated_at',
];

describe('tenant partners API (/v1/partners)', () => {
  let t: EmbeddedTestApp;
  let api: Api;
  let tenant: string;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule], env: { BODY_LIMIT_BYTES: '16384' } });
  });
  afterAll(() => t?.close());
  beforeEach(() => {
    tenant = freshTenant();
    api = apiAs(t, { tenant });
  });

  describe('POST', () => {
    it('creates a partner with the seed shape and defaults', async () => {
      const res = await api.post('/v1/partners', partnerInput('ACME-CORP-AS2'));
      expect(res.status).toBe(201);
      expect(res.body.message).toBe('Partner created successfully');
      const p = res.body.data;
      for (const field of PARTNER_FIELDS) expect(p).toHaveProperty(field);
      expect(p).toMatchObject({
        name: 'Partner ACME-CORP-AS2',
        as2_id: 'ACME-CORP-AS2',
        url: 'https://acme-corp-as2.example.com/as2',
        active: true,
        type: 'tenant',
        master_partner_id: null,
        has_overrides: false,
        sign: false,
        encrypt: false,
        compress: false,
        mdn_mode: 'async',
        sign_algorithm: null,
        encrypt_algorithm: null,
        email: null,
        subject: null,
        mdn: { url: null, signed: false, algorithm: null },
        connection: { timeout_seconds: 60, retry_attempts: 3, retry_interval_seconds: 300 },
        http_auth: { enabled: false, username: null, has_password: false },
      });
      expect(p.id).toMatch(PARTNER_ID);
      expect(p.created_at).toMatch(API_TIMESTAMP);
      expect(p.updated_at).toBe(p.created_at);
    });

    it('takes every option, and never returns nor stores the outbound password in clear', async () => {
      const res = await api.post(
        '/v1/partners',
        partnerInput('FULL', {
          sign: true,
          encrypt: true,
          compress: true,
          mdn_mode: 'sync',
          sign_algorithm: 'SHA256withRSA',
          encrypt_algorithm: 'AES256_CBC',
          email: 'as2@full.example.com',
          subject: 'EDI from us',
          mdn: { url: 'https://us.example.com/mdn', signed: true, algorithm: 'SHA512withRSA' },
          connection: { timeout_seconds: 30, retry_attempts: 5, retry_interval_seconds: 60 },
          http_auth: { enabled: true, username: 'edi', password: 'Sup3r-Secret-Pw' },
        }),
      );
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({
        sign: true,
        encrypt: true,
        compress: true,
        mdn_mode: 'sync',
        sign_algorithm: 'SHA256withRSA',
        encrypt_algorithm: 'AES256_CBC',
        email: 'as2@full.example.com',
        subject: 'EDI from us',
        mdn: { url: 'https://us.example.com/mdn', signed: true, algorithm: 'SHA512withRSA' },
        connection: { timeout_seconds: 30, retry_attempts: 5, retry_interval_seconds: 60 },
        http_auth: { enabled: true, username: 'edi', has_password: true },
      });
      const detail = await api.get(`/v1/partners/${res.body.data.id}`);
      expect(JSON.stringify(detail.body)).not.toContain('Sup3r-Secret-Pw');
      expect(JSON.stringify(res.body)).not.toContain('Sup3r-Secret-Pw');
      const events = await t.app.get<EventStore>(EVENT_STORE).readAll();
      expect(JSON.stringify(events)).not.toContain('Sup3r-Secret-Pw');
    });

    it('answers 422 with a message per missing field', async () => {
      const res = await api.post('/v1/partners', {});
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        message: 'Validation failed',
        errors: { name: ['The name field is required'], as2_id: ['The AS2 ID field is required'], url: ['The URL field is required'] },
      });
    });

    it.each([
      ['ACME CORP', 'The AS2 ID must not contain spaces'],
      ['PARTNER@PROD', 'The AS2 ID may only contain letters, digits, hyphens and underscores'],
      ['X'.repeat(51), 'The AS2 ID must be between 1 and 50 characters'],
      ['', 'The AS2 ID must be between 1 and 50 characters'],
    ])('rejects the AS2 id %j with INVALID_AS2_ID_FORMAT', async (as2Id, message) => {
      const res = await api.post('/v1/partners', partnerInput('X', { as2_id: as2Id }));
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ message: 'Validation failed', errors: { as2_id: [message] }, error: { type: 'validation_error', code: 'INVALID_AS2_ID_FORMAT' } });
    });

    it.each(['http://plain.example.com/as2', 'not a url', 'ftp://files.example.com'])('rejects the URL %j with INVALID_ENDPOINT_URL', async (url) => {
      const res = await api.post('/v1/partners', partnerInput('URLTEST', { url }));
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        message: 'Validation failed',
        errors: { url: ['The URL must be a valid HTTPS endpoint'] },
        error: { type: 'validation_error', code: 'INVALID_ENDPOINT_URL' },
      });
    });

    it('counts a name\'s characters, not UTF-16 units: 255 emoji fit "1-255 characters" (and the schema\'s maxLength), 256 do not', async () => {
      const fits = await api.post('/v1/partners', partnerInput('EMOJI-255', { name: '😀'.repeat(255), subject: '😀'.repeat(255) }));
      expect([fits.status, fits.body.errors]).toEqual([201, undefined]);
      expect(fits.body.data.name).toBe('😀'.repeat(255));
      const over = await api.post('/v1/partners', partnerInput('EMOJI-256', { name: '😀'.repeat(256) }));
      expect(over.status).toBe(422);
      expect(over.body.errors).toHaveProperty('name');
    });

    it.each([
      ['sign_algorithm', 'MD5withRSA', 'The selected signing algorithm is invalid'],
      ['encrypt_algorithm', 'RC2', 'The selected encryption algorithm is invalid'],
    ])('rejects %s %j with UNSUPPORTED_ALGORITHM', async (field, value, message) => {
      const res = await api.post('/v1/partners', partnerInput('ALGO', { [field]: value }));
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ message: 'Validation failed', errors: { [field]: [message] }, error: { type: 'validation_error', code: 'UNSUPPORTED_ALGORITHM' } });
    });

    it.each([
      [{ mdn_mode: 'later' }, 'mdn_mode'],
      [{ name: 'x'.repeat(256) }, 'name'],
      [{ sign: 'yes' }, 'sign'],
      [{ connection: { timeout_seconds: 0 } }, 'connection.timeout_seconds'],
      [{ email: 'nope' }, 'email'],
      [{ unknown_field: 1 }, 'unknown_field'],
      // null is no value of these (the schema's are not nullable): `auth: null` stored http_auth.enabled = null
      [{ auth: null }, 'auth'],
      [{ firewall: null }, 'firewall'],
      [{ firewall: { enabled: true, allowed_ips: null } }, 'firewall.allowed_ips'],
    ])('rejects %j naming the field', async (extra, field) => {
      const res = await api.post('/v1/partners', partnerInput('FIELDS', extra));
      expect(res.status).toBe(422);
      expect(res.body.message).toBe('Validation failed');
      expect(Object.keys(res.body.errors)).toEqual([field]);
    });

    it('answers 4xx, never 500, to malformed JSON, a non-object body and an oversized body', async () => {
      const headers = { authorization: `Bearer ${t.token({ tenant })}`, 'content-type': 'application/json' };
      const malformed = await t.app.inject({ method: 'POST', url: '/v1/partners', headers, payload: '{"name": ' });
      expect(malformed.statusCode).toBe(400);
      const array = await t.app.inject({ method: 'POST', url: '/v1/partners', headers, payload: '[1,2]' });
      expect(array.statusCode).toBe(400);
      const huge = await t.app.inject({ method: 'POST', url: '/v1/partners', headers, payload: JSON.stringify(partnerInput('BIG', { name: 'x'.repeat(20000) })) });
      expect(huge.statusCode).toBe(413);
      // Invalid UTF-8 is a malformed body, whatever its Content-Length says (it was told the length did not match).
      const invalidUtf8 = Buffer.concat([Buffer.from('{"name":"A'), Buffer.from([0xff, 0xc3]), Buffer.from('","as2_id":"UTF8","url":"https://utf8.example.com/as2"}')]);
      for (const url of ['/v1/partners', '/v1/stations']) {
        const res = await t.app.inject({ method: 'POST', url, headers: { ...headers, 'content-length': String(invalidUtf8.length) }, payload: invalidUtf8 });
        expect([url, res.statusCode, res.json().error?.code]).toEqual([url, 400, 'MALFORMED_JSON']);
      }
    });

    it('refuses a duplicate AS2 id in the tenant with DUPLICATE_AS2_ID, case-sensitively', async () => {
      expect((await api.post('/v1/partners', partnerInput('DUP'))).status).toBe(201);
      const dup = await api.post('/v1/partners', partnerInput('DUP'));
      expect(dup.status).toBe(422);
      expect(dup.body).toEqual({
        message: 'Validation failed',
        errors: { as2_id: ['The AS2 ID DUP already exists'] },
        error: { type: 'validation_error', code: 'DUPLICATE_AS2_ID' },
      });
      expect((await api.post('/v1/partners', partnerInput('dup'))).status).toBe(201);
    });

    it('answers the partner as decided, as every read then shows it, without reading its view back', async () => {
      const readBack = jest.spyOn(PartnerQueries.prototype, 'findForTenant');
      const created = await api.post('/v1/partners', partnerInput('DECIDED', { sign: true, sign_algorithm: 'SHA256withRSA', http_auth: { enabled: true, username: 'edi', password: 'Sup3r-Secret-Pw' } }));
      const calls = readBack.mock.calls.length;
      readBack.mockRestore();
      expect(created.status).toBe(201);
      expect(calls).toBe(0);
      const listed = (await api.get('/v1/partners')).body.data.find((partner: { id: string }) => partner.id === created.body.data.id);
      expect(listed).toEqual(created.body.data);
      expect((await api.get(`/v1/partners/${created.body.data.id}`)).body.data).toMatchObject(created.body.data);
    });

    it('allows the same AS2 id in another tenant', async () => {
      expect((await api.post('/v1/partners', partnerInput('SHARED'))).status).toBe(201);
      expect((await apiAs(t, { tenant: freshTenant() }).post('/v1/partners', partnerInput('SHARED'))).status).toBe(201);
    });
  });

  describe('GET /{id}', () => {
    it('returns the extended object', async () => {
      const created = (await api.post('/v1/partners', partnerInput('DETAIL'))).body.data;
      const res = await api.get(`/v1/partners/${created.id}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ ...created, certificates: [],
        message_stats: { total_sent: 0, total_received: 0, success_rate: null, last_message_at: null },
        last_message_at: null,
        connection_status: null,
      });
    });

    it.each(['prt_00000000000000000000000000', 'nonsense', 'prt_%2e%2e'])('answers 404 PARTNER_NOT_FOUND for %s', async (id) => {
      const res = await api.get(`/v1/partners/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ type: 'not_found_error', code: 'PARTNER_NOT_FOUND' });
    });

    it('answers an id longer than 100 characters as any unknown id: 404 PARTNER_NOT_FOUND on every route, not a bare 404', async () => {
      const id = `prt_${'X'.repeat(130)}`;
      for (const res of [await api.get(`/v1/partners/${id}`), await api.patch(`/v1/partners/${id}`, { name: 'x' }), await api.delete(`/v1/partners/${id}`)]) {
        expect([res.status, res.body.error.code]).toEqual([404, 'PARTNER_NOT_FOUND']);
      }
    });

    it("answers 404 for another tenant's partner, on every route", async () => {
      const created = (await api.post('/v1/partners', partnerInput('MINE'))).body.data;
      const other = apiAs(t, { tenant: freshTenant() });
      for (const res of [
        await other.get(`/v1/partners/${created.id}`),
        await other.patch(`/v1/partners/${created.id}`, { name: 'Stolen' }),
        await other.delete(`/v1/partners/${created.id}`),
        await other.get(`/v1/partners/${created.id}/overrides`),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('PARTNER_NOT_FOUND');
      }
      const otherAccount = apiAs(t, { account: 'another-account', tenant });
      expect((await otherAccount.get(`/v1/partners/${created.id}`)).status).toBe(404);
      expect((await api.get(`/v1/partners/${created.id}`)).body.data.name).toBe('Partner MINE');
    });
  });

  describe('PATCH /{id}', () => {
    it('updates the given fields only, and the next GET sees it', async () => {
      const created = (await api.post('/v1/partners', partnerInput('PATCHME', { sign: true }))).body.data;
      const res = await api.patch(`/v1/partners/${created.id}`, { name: 'Renamed', mdn_mode: 'none', connection: { retry_attempts: 7 } });
      expect(res.status).toBe(200);
      expect(res.body.message).toBe('Partner updated successfully');
      expect(res.body.data).toMatchObject({ name: 'Renamed', mdn_mode: 'none', sign: true, as2_id: 'PATCHME', connection: { retry_attempts: 7, timeout_seconds: 60 } });
      expect((await api.get(`/v1/partners/${created.id}`)).body.data).toMatchObject({ name: 'Renamed', mdn_mode: 'none' });
    });

    it('refuses to change the AS2 id and validates like create', async () => {
      const created = (await api.post('/v1/partners', partnerInput('FIXEDID'))).body.data;
      const asId = await api.patch(`/v1/partners/${created.id}`, { as2_id: 'OTHER' });
      expect(asId.status).toBe(422);
      expect(asId.body.errors).toHaveProperty('as2_id');
      const url = await api.patch(`/v1/partners/${created.id}`, { url: 'http://insecure.example.com' });
      expect(url.status).toBe(422);
      expect(url.body.error.code).toBe('INVALID_ENDPOINT_URL');
      const algo = await api.patch(`/v1/partners/${created.id}`, { encrypt_algorithm: 'DES' });
      expect(algo.body.error.code).toBe('UNSUPPORTED_ALGORITHM');
      expect((await api.get(`/v1/partners/${created.id}`)).body.data.as2_id).toBe('FIXEDID');
    });
  });

  describe('DELETE /{id}', () => {
    it('deletes: gone from queries, history kept, AS2 id reusable', async () => {
      const created = (await api.post('/v1/partners', partnerInput('GONE'))).body.data;
      const res = await api.delete(`/v1/partners/${created.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Partner deleted successfully', data: { id: created.id, deleted_at: expect.stringMatching(API_TIMESTAMP) } });
      expect((await api.get(`/v1/partners/${created.id}`)).status).toBe(404);
      expect((await api.get('/v1/partners')).body.data.map((p: any) => p.id)).not.toContain(created.id);
      expect((await api.delete(`/v1/partners/${created.id}`)).status).toBe(404);
      const history = await t.app.get<EventStore>(EVENT_STORE).readStream(`partner-${created.id}`);
      expect(history.map((e) => e.type)).toEqual(['partner.created.v1', 'partner.deleted.v1']);
      expect((await api.post('/v1/partners', partnerInput('GONE'))).status).toBe(201);
    });
  });

  describe('GET (list)', () => {
    async function createMany(...ids: string[]) {
      const created = [];
      for (const id of ids) created.push((await api.post('/v1/partners', partnerInput(id))).body.data);
      return created;
    }

    it('paginates with from/to, and null from/to on an empty page', async () => {
      await createMany('P1', 'P2', 'P3');
      const first = await api.get('/v1/partners?per_page=2');
      expect(first.status).toBe(200);
      expect(first.body.data.map((p: any) => p.as2_id)).toEqual(['P1', 'P2']);
      expect(first.body.pagination).toEqual({ current_page: 1, last_page: 2, per_page: 2, total: 3, from: 1, to: 2 });
      const second = await api.get('/v1/partners?per_page=2&page=2');
      expect(second.body.data.map((p: any) => p.as2_id)).toEqual(['P3']);
      expect(second.body.pagination).toEqual({ current_page: 2, last_page: 2, per_page: 2, total: 3, from: 3, to: 3 });
      const beyond = await api.get('/v1/partners?per_page=2&page=5');
      expect(beyond.body).toEqual({ data: [], pagination: { current_page: 5, last_page: 2, per_page: 2, total: 3, from: null, to: null } });
    });

    it('answers an empty first page for a tenant without partners', async () => {
      const res = await api.get('/v1/partners');
      expect(res.body).toEqual({ data: [], pagination: { current_page: 1, last_page: 1, per_page: 20, total: 0, from: null, to: null } });
    });

    it('searches name and AS2 id, case-insensitively, as a literal substring', async () => {
      await api.post('/v1/partners', { ...partnerInput('MCKESSON'), name: 'McKesson Corporation' });
      await api.post('/v1/partners', { ...partnerInput('CARDINAL-01'), name: 'Cardinal Health' });
      await api.post('/v1/partners', { ...partnerInput('ABC'), name: 'Regional a.c supplier' });
      const ids = async (q: string) => (await api.get(`/v1/partners?search=${encodeURIComponent(q)}`)).body.data.map((p: any) => p.as2_id);
      expect(await ids('kesson')).toEqual(['MCKESSON']);
      expect(await ids('cardinal-')).toEqual(['CARDINAL-01']);
      expect(await ids('HEALTH')).toEqual(['CARDINAL-01']);
      expect(await ids('a.c')).toEqual(['ABC']);
      expect(await ids('.*')).toEqual([]);
    });

    it('searches only the caller\'s tenant, and follows a rename and a removal', async () => {
      const other = apiAs(t, { tenant: freshTenant() });
      await other.post('/v1/partners', { ...partnerInput('SHARED-NAME-OTHER'), name: 'Walgreens Boots' });
      const [mine] = await createMany('SHARED-NAME-MINE');
      await api.patch(`/v1/partners/${mine.id}`, { name: 'Walgreens Boots Alliance' });
      const search = async (client: Api, q: string) => (await client.get(`/v1/partners?search=${encodeURIComponent(q)}`)).body;
      expect((await search(api, 'greens boots')).data.map((p: any) => p.as2_id)).toEqual(['SHARED-NAME-MINE']);
      expect((await search(api, 'greens boots')).pagination.total).toBe(1);
      expect((await search(other, 'GREENS')).data.map((p: any) => p.as2_id)).toEqual(['SHARED-NAME-OTHER']);
      expect((await search(api, 'partner shared-name')).data).toEqual([]);
      expect((await api.delete(`/v1/partners/${mine.id}`)).status).toBe(200);
      expect((await search(api, 'walgreens')).data).toEqual([]);
    });

    it('filters by active', async () => {
      const [a] = await createMany('ACT-1', 'ACT-2');
      await api.patch(`/v1/partners/${a.id}`, { active: false });
      expect((await api.get('/v1/partners?active=false')).body.data.map((p: any) => p.as2_id)).toEqual(['ACT-1']);
      expect((await api.get('/v1/partners?active=true')).body.data.map((p: any) => p.as2_id)).toEqual(['ACT-2']);
    });

    it.each([
      ['per_page=101', 'per_page'],
      ['per_page=0', 'per_page'],
      ['page=0', 'page'],
      ['page=abc', 'page'],
      ['type=master', 'type'],
      ['active=yes', 'active'],
      ['search=', 'search'],
      [`search=${'s'.repeat(256)}`, 'search'],
    ])('rejects ?%s with 422', async (query, field) => {
      const res = await api.get(`/v1/partners?${query}`);
      expect(res.status).toBe(422);
      expect(res.body.errors).toHaveProperty(field);
    });
  });

  describe('roles', () => {
    it('lets tenant users read but not write', async () => {
      const created = (await api.post('/v1/partners', partnerInput('ROLES'))).body.data;
      const user = apiAs(t, { tenant, roles: ['tenant_user'] });
      expect((await user.get('/v1/partners')).body.pagination.total).toBe(1);
      expect((await user.get(`/v1/partners/${created.id}`)).status).toBe(200);
      expect((await user.post('/v1/partners', partnerInput('NOPE'))).status).toBe(403);
      expect((await user.patch(`/v1/partners/${created.id}`, { name: 'x' })).status).toBe(403);
      expect((await user.delete(`/v1/partners/${created.id}`)).status).toBe(403);
    });

    it('lets an account admin with a tenant claim write in that tenant', async () => {
      const admin = apiAs(t, { tenant, roles: ['account_admin'] });
      expect((await admin.post('/v1/partners', partnerInput('BYADMIN'))).status).toBe(201);
    });

    it('answers 403 TENANT_REQUIRED to a token without a tenant, and 401 without a token', async () => {
      const res = await apiAs(t, { tenant: null, roles: ['account_admin'] }).get('/v1/partners');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('TENANT_REQUIRED');
      expect((await t.app.inject({ method: 'GET', url: '/v1/partners' })).statusCode).toBe(401);
    });

    it('answers 401 to a user token for account "*" (every account is for gateway tokens only), reads and writes alike', async () => {
      for (const roles of [['tenant_admin'], ['tenant_user'], ['account_admin']] as const) {
        const everyAccount = apiAs(t, { account: '*', tenant, roles: [...roles] });
        expect([roles[0], (await everyAccount.get('/v1/partners')).status]).toEqual([roles[0], 401]);
        expect([roles[0], (await everyAccount.post('/v1/partners', partnerInput('EVERY-ACCOUNT'))).status]).toEqual([roles[0], 401]);
      }
      expect((await apiAs(t, { account: '*', tenant: null, roles: ['account_admin'] }).get('/v1/accounts/*/tenants')).status).toBe(401);
    });
  });
});
