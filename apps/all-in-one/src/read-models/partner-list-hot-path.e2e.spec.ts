import type { AddressInfo } from 'node:net';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { HotPathRoutes } from '@as2-partners/platform';
import { createEmbeddedTestApp, type EmbeddedTestApp, type TestTokenClaims } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

const ACCOUNT = `acct-list-${process.pid}`;
const TENANT = `list-${process.pid}`;
const OTHER = `list-other-${process.pid}`;
const ROUTES = ['/v1/partners', '/v1/accounts/:account/partners'];

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly correlationId: string | null;
  readonly wwwAuthenticate: string | null;
  /** Every header but the date, the connection's and the CORS ones (the Nest request carried an Origin). */
  readonly headers: Record<string, string>;
}

const PER_CONNECTION = /^(date|connection|keep-alive|vary|access-control-.*)$/;

// GET /v1/partners and the masters' list are served beside Nest (list-partners.route.ts) once a token is known; the Nest
// routes answer the rest. Over a socket, the same request is asked of both (an Origin header sends it to Nest) and must
// answer the same bytes.
describe('partner lists: the hot path answers byte for byte what the Nest routes answer', () => {
  let t: EmbeddedTestApp;
  let base: string;
  let hotPath: HotPathRoutes;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule] });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    hotPath = t.app.get(HotPathRoutes);
    const admin = tokenOf({ roles: ['tenant_admin'] });
    for (const [key, body, token] of [
      ['master1', { name: 'Master Alpha List', as2_id: `MASTER-A-${process.pid}` }, accountAdmin()],
      ['master2', { name: 'Master Beta List', as2_id: `MASTER-B-${process.pid}`, active: false }, accountAdmin()],
      ['own1', { name: 'Acme Corp List', as2_id: `ACME-${process.pid}` }, admin],
      ['own2', { name: 'Globex List', as2_id: `GLOBEX-${process.pid}`, active: false }, admin],
      ['own3', { name: 'Initech List', as2_id: `INITECH-${process.pid}` }, admin],
      ['theirs', { name: 'Acme Corp Theirs', as2_id: `THEIRS-${process.pid}` }, tokenOf({ tenant: OTHER })],
    ] as const) {
      const path = key.startsWith('master') ? `/v1/accounts/${ACCOUNT}/partners` : '/v1/partners';
      const created = await call(path, token, { method: 'POST', body: { url: `https://${key}.example.com/as2`, ...body } });
      expect(created.status).toBe(201);
      ids[key] = JSON.parse(created.text).data.id as string;
    }
    expect((await call(`/v1/partners/${ids['master1']}`, admin, { method: 'PATCH', body: { url: 'https://override.example.com/as2' } })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  function tokenOf(claims: Partial<TestTokenClaims>): string {
    return t.token({ account: ACCOUNT, tenant: TENANT, ...claims });
  }
  function accountAdmin(): string {
    return tokenOf({ tenant: null, roles: ['account_admin'] });
  }

  async function call(path: string, token: string | null, options: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      method: options.method ?? 'GET',
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return {
      status: res.status,
      text: await res.text(),
      correlationId: res.headers.get('x-correlation-id'),
      wwwAuthenticate: res.headers.get('www-authenticate'),
      headers: Object.fromEntries([...res.headers.entries()].filter(([name]) => !PER_CONNECTION.test(name) && name !== 'x-correlation-id')),
    };
  }

  const hotAnswers = (): number => hotPath.drainCounts().filter((c) => ROUTES.includes(c.route) && c.method === 'GET').reduce((sum, c) => sum + c.count, 0);

  /** The Nest route's answer, then the hot path's (the token is known by then), for the same request: the same bytes. */
  async function expectSame(path: string, token: string): Promise<Answer> {
    hotAnswers();
    const nest = await call(path, token, { headers: { origin: 'https://admin.example.com', 'x-correlation-id': 'corr-nest' } });
    expect(hotAnswers()).toBe(0);
    const hot = await call(path, token, { headers: { 'x-correlation-id': 'corr-hot' } });
    expect(hotAnswers()).toBe(1);
    expect([nest.correlationId, hot.correlationId]).toEqual(['corr-nest', 'corr-hot']);
    expect({ path, status: hot.status, text: hot.text, headers: hot.headers }).toEqual({ path, status: nest.status, text: nest.text, headers: nest.headers });
    return hot;
  }

  /** A request the hot path leaves to the Nest route (the token known): its status and error code. */
  async function expectNestOnly(path: string, token: string | null): Promise<{ status: number; code: string | undefined }> {
    if (token !== null) await call('/v1/partners', token, { headers: { origin: 'https://admin.example.com' } });
    hotAnswers();
    const answer = await call(path, token);
    expect({ path, hot: hotAnswers() }).toEqual({ path, hot: 0 });
    return { status: answer.status, code: (JSON.parse(answer.text) as { error?: { code?: string } }).error?.code };
  }

  const namesOf = (answer: Answer): string[] => (JSON.parse(answer.text).data as { name: string }[]).map((p) => p.name);

  it("a tenant's list: page 1, page N, past the end, search, ?active=false, by type and station", async () => {
    const token = tokenOf({ roles: ['tenant_admin'] });
    const first = await expectSame('/v1/partners', token);
    expect(namesOf(first)).toEqual(['Acme Corp List', 'Globex List', 'Initech List', 'Master Alpha List', 'Master Beta List']);
    expect(JSON.parse(first.text).data[3]).toMatchObject({ type: 'inherited', has_overrides: true, url: 'https://override.example.com/as2' });
    expect(JSON.parse((await expectSame('/v1/partners?per_page=2&page=2', token)).text).pagination).toEqual({ current_page: 2, last_page: 3, per_page: 2, total: 5, from: 3, to: 4 });
    await expectSame('/v1/partners?per_page=2&page=3', token);
    expect(JSON.parse((await expectSame('/v1/partners?page=50', token)).text)).toMatchObject({ data: [], pagination: { total: 5, from: null } });
    expect(namesOf(await expectSame('/v1/partners?search=acme', token))).toEqual(['Acme Corp List']);
    expect(namesOf(await expectSame('/v1/partners?search=ACME%20corp', token))).toEqual(['Acme Corp List']);
    expect(namesOf(await expectSame('/v1/partners?search=acme+corp&per_page=1', token))).toEqual(['Acme Corp List']);
    expect(namesOf(await expectSame(`/v1/partners?search=globex-${process.pid}`, token))).toEqual(['Globex List']);
    expect(namesOf(await expectSame('/v1/partners?search=Li', token))).toHaveLength(5);
    expect(namesOf(await expectSame('/v1/partners?active=false', token))).toEqual(['Globex List', 'Master Beta List']);
    expect(namesOf(await expectSame('/v1/partners?active=true&type=tenant', token))).toEqual(['Acme Corp List', 'Initech List']);
    expect(namesOf(await expectSame('/v1/partners?type=inherited&search=master', token))).toEqual(['Master Alpha List', 'Master Beta List']);
    expect(namesOf(await expectSame('/v1/partners?station_id=stn_none', token))).toEqual([]);
  });

  it('what a PATCH changed is listed at once (the kept items are dropped by the write)', async () => {
    const token = tokenOf({ roles: ['tenant_admin'] });
    await expectSame('/v1/partners?search=initech', token);
    expect((await call(`/v1/partners/${ids['own3']}`, token, { method: 'PATCH', body: { name: 'Initech Renamed List', active: false } })).status).toBe(200);
    const after = await call('/v1/partners?search=initech', token);
    expect(JSON.parse(after.text).data[0]).toMatchObject({ name: 'Initech Renamed List', active: false });
    expect(namesOf(await expectSame('/v1/partners?active=false', token))).toEqual(['Globex List', 'Initech Renamed List', 'Master Beta List']);
    expect((await call(`/v1/accounts/${ACCOUNT}/partners/${ids['master2']}`, accountAdmin(), { method: 'PATCH', body: { name: 'Master Beta Renamed' } })).status).toBe(200);
    expect(namesOf(await call('/v1/partners?type=inherited', token))).toEqual(['Master Alpha List', 'Master Beta Renamed']);
  });

  it('a kept page is answered again until a write changes its list: a master renamed, a tenant seen for the first time', async () => {
    const unseen = tokenOf({ tenant: `list-later-${process.pid}`, roles: ['tenant_admin'] });
    const before = await expectSame('/v1/partners', unseen);
    expect((await call('/v1/partners', unseen)).text).toBe(before.text);
    expect((await call(`/v1/accounts/${ACCOUNT}/partners/${ids['master1']}`, accountAdmin(), { method: 'PATCH', body: { name: 'Master Alpha Renamed' } })).status).toBe(200);
    expect(namesOf(await call('/v1/partners', unseen))).toEqual(['Master Alpha Renamed', 'Master Beta Renamed']);
    expect(namesOf(await call(`/v1/accounts/${ACCOUNT}/partners`, accountAdmin()))).toEqual(['Master Alpha Renamed', 'Master Beta Renamed']);
    expect((await call('/v1/partners', unseen, { method: 'POST', body: { name: 'Later Own', as2_id: `LATER-${process.pid}`, url: 'https://later.example.com/as2' } })).status).toBe(201);
    const after = await expectSame('/v1/partners', unseen);
    expect(namesOf(after)).toEqual(['Later Own', 'Master Alpha Renamed', 'Master Beta Renamed']);
    // a write in another tenant leaves this list's answer as it was
    expect((await call('/v1/partners', tokenOf({ tenant: OTHER }), { method: 'POST', body: { name: 'Elsewhere', as2_id: `ELSE-${process.pid}`, url: 'https://else.example.com/as2' } })).status).toBe(201);
    expect((await call('/v1/partners', unseen)).text).toBe(after.text);
  });

  it('a repeated search is a kept page until a write in its tenant: a create that matches, a delete, not a write elsewhere', async () => {
    const token = tokenOf({ roles: ['tenant_admin'] });
    const path = `/v1/partners?search=umbrella-${process.pid}`;
    const before = await expectSame(path, token);
    expect(namesOf(before)).toEqual([]);
    expect((await call(path, token)).text).toBe(before.text);
    const created = await call('/v1/partners', token, { method: 'POST', body: { name: 'Umbrella List', as2_id: `UMBRELLA-${process.pid}`, url: 'https://umbrella.example.com/as2' } });
    expect(created.status).toBe(201);
    const found = await expectSame(path, token);
    expect(namesOf(found)).toEqual(['Umbrella List']);
    expect(JSON.parse(found.text).pagination).toMatchObject({ total: 1 });
    // another tenant's partner with the same term: its create leaves this tenant's kept page as it was, and is not in it
    expect((await call('/v1/partners', tokenOf({ tenant: OTHER }), { method: 'POST', body: { name: 'Umbrella Theirs', as2_id: `T-UMBRELLA-${process.pid}`, url: 'https://umbrella-t.example.com/as2' } })).status).toBe(201);
    expect((await call(path, token)).text).toBe(found.text);
    expect(namesOf(await expectSame(path, tokenOf({ tenant: OTHER, roles: ['tenant_user'] })))).toEqual(['Umbrella Theirs']);
    expect((await call(`/v1/partners/${JSON.parse(created.text).data.id as string}`, token, { method: 'DELETE' })).status).toBe(200);
    const gone = await expectSame(path, token);
    expect(namesOf(gone)).toEqual([]);
    expect((await call(path, token)).text).toBe(gone.text);
  });

  it('a tenant_user, another tenant and a tenant never seen in any event each get their own list', async () => {
    expect(namesOf(await expectSame('/v1/partners', tokenOf({ roles: ['tenant_user'] })))).toHaveLength(5);
    const theirs = await expectSame('/v1/partners?search=acme', tokenOf({ tenant: OTHER, roles: ['tenant_user'] }));
    expect(namesOf(theirs)).toEqual(['Acme Corp Theirs']);
    const unseen = await expectSame('/v1/partners', tokenOf({ tenant: `list-unseen-${process.pid}`, roles: ['tenant_user'] }));
    expect(JSON.parse(unseen.text).data.map((p: { type: string }) => p.type)).toEqual(['inherited', 'inherited']);
    expect(JSON.parse((await expectSame('/v1/partners?type=tenant', tokenOf({ tenant: `list-unseen-${process.pid}` }))).text).data).toEqual([]);
  });

  it("the account's master partners: a page, search, ?active=false, type=tenant, station_id", async () => {
    const token = accountAdmin();
    const masters = await expectSame(`/v1/accounts/${ACCOUNT}/partners`, token);
    expect(JSON.parse(masters.text).data.map((p: { type: string; url: string }) => [p.type, p.url])).toEqual([
      ['master', 'https://master1.example.com/as2'],
      ['master', 'https://master2.example.com/as2'],
    ]);
    await expectSame(`/v1/accounts/${ACCOUNT}/partners?search=alpha&per_page=1`, token);
    await expectSame(`/v1/accounts/${ACCOUNT}/partners?active=false`, token);
    expect(JSON.parse((await expectSame(`/v1/accounts/${ACCOUNT}/partners?type=tenant`, token)).text).data).toEqual([]);
    // Master partners belong to no station (a tenant's station for one is the tenant's override): none is a station's.
    expect(JSON.parse((await expectSame(`/v1/accounts/${ACCOUNT}/partners?station_id=stn_none`, token)).text)).toMatchObject({ data: [], pagination: { total: 0 } });
    await expectSame(`/v1/accounts/${ACCOUNT}/partners?page=2&per_page=1`, token);
    // the type every item of this list has
    expect((await expectSame(`/v1/accounts/${ACCOUNT}/partners?type=master`, token)).text).toBe(masters.text);
  });

  it('a query the DTO refuses, or reads in another spelling, stays with the Nest route (422 VALIDATION_FAILED)', async () => {
    const token = tokenOf({ roles: ['tenant_admin'] });
    for (const query of ['page=0', 'page=abc', 'page=1000001', 'per_page=101', 'per_page=1.5', 'per_page=2.0', 'per_page=0x10', 'unknown=1', 'search=', 'search', 'active=yes', 'type=master', 'search=a&search=b']) {
      expect({ query, ...(await expectNestOnly(`/v1/partners?${query}`, token)) }).toEqual({ query, status: 422, code: 'VALIDATION_FAILED' });
    }
    expect(await expectNestOnly(`/v1/accounts/${ACCOUNT}/partners?per_page=0`, accountAdmin())).toEqual({ status: 422, code: 'VALIDATION_FAILED' });
    expect(await expectNestOnly(`/v1/accounts/${ACCOUNT}/partners?type=other`, accountAdmin())).toEqual({ status: 422, code: 'VALIDATION_FAILED' });
    // other spellings the DTO accepts: the Nest route answers them, as before
    expect((await expectNestOnly('/v1/partners?page=01&per_page=02', token)).status).toBe(200);
    // a query string with an invalid percent-encoding is neither's: the server refuses it, as it refuses such a path
    expect(await expectNestOnly('/v1/partners?search=%E0%A4%A', token)).toEqual({ status: 400, code: 'MALFORMED_URL' });
  });

  it('no token, a wrong role, no tenant claim, another account: the Nest route (401, 403, TENANT_REQUIRED, ACCOUNT_FORBIDDEN)', async () => {
    const none = await call('/v1/partners', null);
    expect(none.status).toBe(401);
    expect(none.wwwAuthenticate).toBe('Bearer realm="as2-partners"');
    expect(await expectNestOnly('/v1/partners', null)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect((await expectNestOnly('/v1/partners', tokenOf({ roles: ['gateway'] }))).status).toBe(403);
    expect(await expectNestOnly('/v1/partners', accountAdmin())).toEqual({ status: 403, code: 'TENANT_REQUIRED' });
    expect((await expectNestOnly(`/v1/accounts/${ACCOUNT}/partners`, tokenOf({ roles: ['tenant_admin'] }))).status).toBe(403);
    const stranger = t.token({ account: `acct-stranger-${process.pid}`, tenant: null, roles: ['account_admin'] });
    expect(await expectNestOnly(`/v1/accounts/${ACCOUNT}/partners`, stranger)).toEqual({ status: 403, code: 'ACCOUNT_FORBIDDEN' });
  });

  it("a deleted tenant's known token is refused 403 TENANT_DELETED by the hot path as by the Nest route", async () => {
    const gone = `list-gone-${process.pid}`;
    expect((await call(`/v1/accounts/${ACCOUNT}/tenants`, accountAdmin(), { method: 'POST', body: { id: gone, name: gone, plan: 'starter' } })).status).toBe(201);
    const token = tokenOf({ tenant: gone });
    expect((await call('/v1/partners', token, { method: 'POST', body: { name: 'Gone List', as2_id: `GONE-${process.pid}`, url: 'https://gone.example.com/as2' } })).status).toBe(201);
    expect(namesOf(await expectSame('/v1/partners?type=tenant', token))).toEqual(['Gone List']);
    expect((await call(`/v1/accounts/${ACCOUNT}/tenants/${gone}`, accountAdmin(), { method: 'DELETE' })).status).toBe(200);
    const refused = await expectSame('/v1/partners?type=tenant', token);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text).error.code).toBe('TENANT_DELETED');
  });
});
