import type { AddressInfo } from 'node:net';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { HotPathRoutes } from '@as2-partners/platform';
import { capturedLogLines, createEmbeddedTestApp, type EmbeddedTestApp, type TestTokenClaims } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

const ACCOUNT = `acct-hot-${process.pid}`;
const TENANT = `hot-${process.pid}`;
const OTHER = `hot-other-${process.pid}`;
const ROUTE = '/v1/partners/:id';

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly contentType: string | null;
  readonly correlationId: string | null;
  readonly wwwAuthenticate: string | null;
  /** Every header but the date, the connection's and the CORS ones (the Nest request carried an Origin). */
  readonly headers: Record<string, string>;
}

const PER_CONNECTION = /^(date|connection|keep-alive|vary|access-control-.*)$/;

// GET /v1/partners/{id} is served beside Nest (get-partner.route.ts) once a token is known; the Nest route answers the
// rest. Over a socket, the same request is asked of both (an Origin header sends it to Nest) and must answer the same bytes.
describe('GET /v1/partners/{id}: the hot path answers byte for byte what the Nest route answers', () => {
  let t: EmbeddedTestApp;
  let base: string;
  let hotPath: HotPathRoutes;
  const log = capturedLogLines();

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule], env: { LOG_LEVEL: 'info' }, logDestination: log.stream });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    hotPath = t.app.get(HotPathRoutes);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const tokenOf = (claims: Partial<TestTokenClaims>) => t.token({ account: ACCOUNT, tenant: TENANT, ...claims });

  async function call(method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: res.status,
      text: await res.text(),
      contentType: res.headers.get('content-type'),
      correlationId: res.headers.get('x-correlation-id'),
      wwwAuthenticate: res.headers.get('www-authenticate'),
      headers: Object.fromEntries([...res.headers.entries()].filter(([name]) => !PER_CONNECTION.test(name) && name !== 'x-correlation-id')),
    };
  }

  const hotAnswers = (): number => hotPath.drainCounts().filter((c) => c.route === ROUTE && c.method === 'GET').reduce((sum, c) => sum + c.count, 0);

  /** The Nest route's answer, then the hot path's (the token is known by then), for the same request. */
  async function both(id: string, token: string): Promise<{ nest: Answer; hot: Answer }> {
    hotAnswers();
    const nest = await call('GET', `/v1/partners/${id}`, token, undefined, { origin: 'https://admin.example.com', 'x-correlation-id': 'corr-nest' });
    expect(hotAnswers()).toBe(0);
    const hot = await call('GET', `/v1/partners/${id}`, token, undefined, { 'x-correlation-id': 'corr-hot' });
    expect(hotAnswers()).toBe(1);
    expect(nest.correlationId).toBe('corr-nest');
    expect(hot.correlationId).toBe('corr-hot');
    return { nest, hot };
  }

  async function expectSame(id: string, token: string): Promise<Answer> {
    const { nest, hot } = await both(id, token);
    expect({ status: hot.status, text: hot.text, headers: hot.headers }).toEqual({ status: nest.status, text: nest.text, headers: nest.headers });
    return hot;
  }

  const admin = () => tokenOf({ roles: ['tenant_admin'] });
  const accountAdmin = () => tokenOf({ tenant: null, roles: ['account_admin'] });
  let n = 0;
  const partnerBody = (extra: Record<string, unknown> = {}) => {
    n += 1;
    return { name: `Hot ${n}`, as2_id: `HOT-${process.pid}-${n}`, url: `https://hot${n}.example.com/as2`, ...extra };
  };

  it('a tenant partner: its details, then what a PATCH changed at once (read-your-writes through the kept body)', async () => {
    const token = admin();
    const created = await call('POST', '/v1/partners', token, partnerBody({ email: 'ops@example.com', mdn_mode: 'async' }));
    expect(created.status).toBe(201);
    const id = JSON.parse(created.text).data.id as string;
    const before = await expectSame(id, token);
    expect(JSON.parse(before.text).data).toMatchObject({ id, type: 'tenant', message_stats: { total_sent: 0 }, traffic: { incoming: { paused: false } } });
    // Served again from the kept body, then changed: the next read shows the change.
    expect((await call('GET', `/v1/partners/${id}`, token)).text).toBe(before.text);
    expect((await call('PATCH', `/v1/partners/${id}`, token, { name: 'Renamed', active: false })).status).toBe(200);
    const after = await expectSame(id, token);
    expect(JSON.parse(after.text).data).toMatchObject({ name: 'Renamed', active: false });
  });

  it('an inherited master partner with the tenant overrides, a pending certificate link, message statistics and a traffic pause', async () => {
    const token = admin();
    const master = await call('POST', `/v1/accounts/${ACCOUNT}/partners`, accountAdmin(), partnerBody({ certificate_id: 'cert_01JD0000000000000000000000' }));
    expect(master.status).toBe(201);
    const id = JSON.parse(master.text).data.id as string;
    const inherited = await expectSame(id, token);
    expect(JSON.parse(inherited.text).data).toMatchObject({ type: 'inherited', has_overrides: false });
    expect((await call('PATCH', `/v1/partners/${id}`, token, { url: 'https://override.example.com/as2', http_auth: { enabled: true, username: 'gw', password: 'pw-secret' } })).status).toBe(200);
    const gateway = t.token({ account: ACCOUNT, tenant: null, roles: ['gateway'] });
    const as2Id = JSON.parse(master.text).data.as2_id as string;
    const events = [
      { message_id: `m1-${process.pid}`, tenant: TENANT, direction: 'outbound', as2_from: 'US', as2_to: as2Id, status: 'delivered', occurred_at: '2026-11-30T10:00:00.000Z' },
      { message_id: `m2-${process.pid}`, tenant: TENANT, direction: 'inbound', as2_from: as2Id, as2_to: 'US', status: 'failed', occurred_at: '2026-11-30T10:05:00.000Z' },
    ];
    expect((await call('POST', '/v1/gateway/message-events', gateway, { events })).status).toBe(200);
    const paused = await call('PUT', `/v1/partners/${id}/traffic/incoming`, token, { paused: true, response: 'http_422', reason: 'cut-over' });
    expect(paused.status).toBe(200);
    const rich = await expectSame(id, token);
    const data = JSON.parse(rich.text).data;
    expect(data).toMatchObject({
      type: 'inherited',
      has_overrides: true,
      url: 'https://override.example.com/as2',
      override_settings: { url: 'https://override.example.com/as2', http_auth: { enabled: true, username: 'gw', has_password: true } },
      message_stats: { total_sent: 1, total_received: 1, success_rate: 50, last_message_at: '2026-11-30T10:05:00.000000Z' },
      traffic: { incoming: { paused: true, level: 'tenant', reason: 'cut-over' } },
    });
    expect(data.certificate_link).toMatchObject({ certificate_id: 'cert_01JD0000000000000000000000' });
    expect(rich.text).not.toContain('pw-secret');
  });

  it("another tenant's partner is 404 PARTNER_NOT_FOUND from both, as is an unknown id", async () => {
    const theirs = await call('POST', '/v1/partners', tokenOf({ tenant: OTHER }), partnerBody());
    const id = JSON.parse(theirs.text).data.id as string;
    const token = tokenOf({ roles: ['tenant_user'] });
    for (const unknown of [id, 'prt_nothing', encodeURIComponent('a b')]) {
      const answer = await expectSame(unknown, token);
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.text).error).toEqual({ type: 'not_found_error', code: 'PARTNER_NOT_FOUND' });
    }
  });

  it('no token, a bad token, a wrong role and an account token without tenant stay with the Nest route (401 with WWW-Authenticate, 403, 403)', async () => {
    hotAnswers();
    const none = await call('GET', '/v1/partners/prt_x', null);
    expect(none.status).toBe(401);
    expect(none.wwwAuthenticate).toBe('Bearer realm="as2-partners"');
    expect((await call('GET', '/v1/partners/prt_x', `${admin()}x`)).status).toBe(401);
    const gateway = t.token({ account: ACCOUNT, tenant: TENANT, roles: ['gateway'] });
    for (let i = 0; i < 2; i++) expect((await call('GET', '/v1/partners/prt_x', gateway)).status).toBe(403);
    const noTenant = accountAdmin();
    for (let i = 0; i < 2; i++) expect(JSON.parse((await call('GET', '/v1/partners/prt_x', noTenant)).text).error.code).toBe('TENANT_REQUIRED');
    expect(hotAnswers()).toBe(0);
  });

  it("a deleted tenant's known token is refused 403 TENANT_DELETED by the hot path as by the Nest route", async () => {
    const gone = `hot-gone-${process.pid}`;
    expect((await call('POST', `/v1/accounts/${ACCOUNT}/tenants`, accountAdmin(), { id: gone, name: gone, plan: 'starter' })).status).toBe(201);
    const token = tokenOf({ tenant: gone });
    const created = await call('POST', '/v1/partners', token, partnerBody());
    const id = JSON.parse(created.text).data.id as string;
    expect((await expectSame(id, token)).status).toBe(200);
    expect((await call('DELETE', `/v1/accounts/${ACCOUNT}/tenants/${gone}`, accountAdmin())).status).toBe(200);
    const refused = await expectSame(id, token);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text).error.code).toBe('TENANT_DELETED');
    // Each hot path (one partner, the list) logs its refusal, as the Nest route's request line shows it (README: logs).
    for (const path of [`/v1/partners/${id}`, '/v1/partners?page=1']) {
      const correlationId = `gone-${path.length}`;
      expect((await call('GET', path, token, undefined, { 'x-correlation-id': correlationId })).status).toBe(403);
      const line = log.json().find((entry) => entry['correlationId'] === correlationId && String(entry['msg']).startsWith('403'));
      expect([line?.['reason'], line?.['account'], line?.['tenant'], line?.['url']]).toEqual(['the token names a deleted tenant', ACCOUNT, gone, path]);
    }
  });
});
