import { connect, type AddressInfo } from 'node:net';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { HotPathRoutes } from '@as2-partners/platform';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { OutboundBlockRecorder, TrafficControlModule } from '@as2-partners/traffic-control-service';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { createInstance, fresh, gatewayAs, partnerInput, publishRegistryEvent, trafficApiAs } from './traffic-api.spec-support';

const ACCOUNT = 'acct-decisions';

describe('traffic decisions: the gateway route', () => {
  let t: EmbeddedTestApp;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule] });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  async function setUp(account = ACCOUNT) {
    const tenant = fresh('ten');
    const admin = trafficApiAs(t, { account, tenant, roles: ['tenant_admin'] });
    const as2Id = fresh('ACME').toUpperCase();
    const ours = fresh('US').toUpperCase();
    const instanceId = fresh('ins');
    const created = await admin.post('/v1/partners', partnerInput(as2Id));
    expect(created.status).toBe(201);
    await createInstance(t, { instanceId, account, tenant, myAs2Id: ours });
    return { tenant, admin, partnerId: created.body.data.id as string, as2Id, ours, instanceId };
  }
  const inbound = (from: string, to: string, messageId = `<${fresh('m')}@x>`) => ({ direction: 'inbound', as2_from: from, as2_to: to, message_id: messageId });
  const outbound = (from: string, to: string, messageId = `<${fresh('m')}@x>`) => ({ direction: 'outbound', as2_from: from, as2_to: to, message_id: messageId, channel: 'rest' });

  it.each([['lower case', (id: string) => id.toLowerCase()], ['spaces', (id: string) => ` ${id} `], ['quotes', (id: string) => `"${id}"`]])(
    'an AS2-From that differs by %s is rejected with a did-you-mean',
    async (_name, spell) => {
      const { as2Id, ours } = await setUp();
      const answer = await gatewayAs(t, ACCOUNT).decide(inbound(spell(as2Id), ours));
      expect(answer.body).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND', partner_id: null });
      expect(answer.body.reason).toContain(`did you mean "${as2Id}"?`);
    },
  );

  it('an unknown pair is rejected with PARTNER_NOT_FOUND and no hint', async () => {
    const { ours } = await setUp();
    const answer = await gatewayAs(t, ACCOUNT).decide(inbound('NOBODY-AT-ALL', ours));
    expect(answer.body).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND' });
    expect(answer.body.reason).not.toContain('did you mean');
  });

  it('an instance turned off rejects both directions, and accepts again when on', async () => {
    const { tenant, as2Id, ours, instanceId } = await setUp();
    const gateway = gatewayAs(t, ACCOUNT);
    await publishRegistryEvent(t, 'as2_instance.status_changed.v1', { instanceId, account: ACCOUNT, tenant, myAs2Id: ours, status: 'off', changedAt: new Date().toISOString() }, { account: ACCOUNT, tenant });
    expect((await gateway.decide(inbound(as2Id, ours))).body).toMatchObject({ decision: 'reject', reason_code: 'AS2_INSTANCE_OFF' });
    expect((await gateway.decide(outbound(ours, as2Id))).body).toMatchObject({ decision: 'reject', reason_code: 'AS2_INSTANCE_OFF' });
    await publishRegistryEvent(t, 'as2_instance.status_changed.v1', { instanceId, account: ACCOUNT, tenant, myAs2Id: ours, status: 'on', changedAt: new Date().toISOString() }, { account: ACCOUNT, tenant });
    expect((await gateway.decide(inbound(as2Id, ours))).body.decision).toBe('accept');
  });

  it("a partner's AS2 id change moves the pair", async () => {
    const { tenant, partnerId, as2Id, ours } = await setUp();
    const gateway = gatewayAs(t, ACCOUNT);
    await publishRegistryEvent(t, 'partner.as2_id_changed.v1', { partnerId, account: ACCOUNT, tenant, oldAs2Id: as2Id, newAs2Id: `${as2Id}-NEW`, reason: 'rename', changedAt: new Date().toISOString() }, { account: ACCOUNT, tenant });
    expect((await gateway.decide(inbound(`${as2Id}-NEW`, ours))).body).toMatchObject({ decision: 'accept', partner_id: partnerId });
    expect((await gateway.decide(inbound(as2Id, ours))).body.decision).toBe('reject');
  });

  it("partnerships: once the tenant partners an instance, only its partnership partners pass; deleting the partnership restores the old rule", async () => {
    const { tenant, admin, partnerId, as2Id, ours, instanceId } = await setUp();
    const other = await admin.post('/v1/partners', partnerInput(fresh('OTHER').toUpperCase()));
    expect(other.status).toBe(201);
    const gateway = gatewayAs(t, ACCOUNT);
    const partnershipId = fresh('ps');
    const at = new Date().toISOString();
    await publishRegistryEvent(t, 'partnership.created.v1', { partnershipId, account: ACCOUNT, tenant, as2InstanceId: instanceId, partnerId: other.body.data.id, overrides: {}, createdAt: at }, { account: ACCOUNT, tenant });
    expect((await gateway.decide(inbound(other.body.data.as2_id, ours))).body).toMatchObject({ decision: 'accept', partner_id: other.body.data.id });
    const refused = (await gateway.decide(outbound(ours, as2Id))).body;
    expect(refused).toMatchObject({ decision: 'reject', reason_code: 'PARTNERSHIP_NOT_FOUND', partner_id: partnerId, as2_instance_id: instanceId });
    await publishRegistryEvent(t, 'partnership.deleted.v1', { partnershipId, account: ACCOUNT, tenant, as2InstanceId: instanceId, partnerId: other.body.data.id, reason: 'deleted', deletedAt: at }, { account: ACCOUNT, tenant });
    expect((await gateway.decide(outbound(ours, as2Id))).body).toMatchObject({ decision: 'accept', partner_id: partnerId });
  });

  it('a batch answers each item in order; more than 1,000 items is refused', async () => {
    const { admin, partnerId, as2Id, ours } = await setUp();
    await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'batch' });
    const gateway = gatewayAs(t, ACCOUNT);
    const answer = await gateway.batch({ decisions: [inbound(as2Id, ours, '<a@x>'), outbound(ours, as2Id, '<b@x>'), inbound('NOPE', ours, '<c@x>')] });
    expect(answer.status).toBe(200);
    expect(answer.body.decisions.map((d: { decision: string; message_id: string }) => [d.message_id, d.decision])).toEqual([
      ['<a@x>', 'accept'],
      ['<b@x>', 'block'],
      ['<c@x>', 'reject'],
    ]);
    expect(typeof answer.body.as_of.traffic_control).toBe('number');
    const tooMany = await gateway.batch({ decisions: Array.from({ length: 1001 }, () => inbound(as2Id, ours)) });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error).toMatchObject({ type: 'validation_error', code: 'VALIDATION_FAILED' });
  });

  it('a block records traffic.outbound_blocked.v1 with the message id and channel, never a payload', async () => {
    const { admin, partnerId, as2Id, ours } = await setUp();
    await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'record me' });
    const messageId = `<${fresh('blocked')}@x>`;
    expect((await gatewayAs(t, ACCOUNT).decide(outbound(ours, as2Id, messageId))).body.decision).toBe('block');
    await t.app.get(OutboundBlockRecorder).flush();
    const events = await t.app.get<EventStore>(EVENT_STORE).readStream(`traffic_block-${partnerId}`);
    expect(events.map((e) => e.type)).toEqual(['traffic.outbound_blocked.v1']);
    expect(events[0].data).toMatchObject({ partnerId, messageId, channel: 'rest', as2From: ours, as2To: as2Id });
    expect(Object.keys(events[0].data as object).sort()).toEqual(['account', 'as2From', 'as2InstanceId', 'as2To', 'blockedAt', 'channel', 'messageId', 'partnerId', 'reason', 'tenant']);
  });

  describe('who may ask', () => {
    it('no token, a bad token, or a token without role gateway is refused (401/403) in the house error shape', async () => {
      const { as2Id, ours } = await setUp();
      const gateway = gatewayAs(t, ACCOUNT);
      const none = await gateway.decide(inbound(as2Id, ours), {});
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ message: 'Unauthenticated.', error: { type: 'authentication_error', code: 'UNAUTHENTICATED' } });
      expect((await gateway.decide(inbound(as2Id, ours), { authorization: 'Bearer not.a.token' })).status).toBe(401);
      const forged = t.token({ account: ACCOUNT, tenant: null, roles: ['gateway'] }).slice(0, -3) + 'AAA';
      expect((await gateway.decide(inbound(as2Id, ours), { authorization: `Bearer ${forged}` })).status).toBe(401);
      const expired = t.token({ account: ACCOUNT, tenant: null, roles: ['gateway'], exp: Math.floor(Date.now() / 1000) - 3600 });
      expect((await gateway.decide(inbound(as2Id, ours), { authorization: `Bearer ${expired}` })).status).toBe(401);
      for (const roles of [['tenant_admin'], ['tenant_user'], ['account_admin'], ['operator']]) {
        const token = t.token({ account: ACCOUNT, roles });
        const answer = await gateway.decide(inbound(as2Id, ours), { authorization: `Bearer ${token}` });
        expect(answer.status).toBe(403);
        expect(answer.body.error.code).toBe('FORBIDDEN');
      }
    });

    it('the credential is checked before the body: no token is 401 with WWW-Authenticate, a wrong role 403, whatever the body', async () => {
      const tenantToken = t.token({ account: ACCOUNT, roles: ['tenant_admin'] });
      for (const url of ['/v1/traffic/decisions', '/v1/traffic/decisions:batch']) {
        for (const payload of ['{}', '{"direction":"sideways"}', 'not json', '{"decisions":[]}']) {
          const none = await t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
          expect([url, payload, none.statusCode, none.json()]).toEqual([url, payload, 401, { message: 'Unauthenticated.', error: { type: 'authentication_error', code: 'UNAUTHENTICATED' } }]);
          expect(none.headers['www-authenticate']).toBe('Bearer realm="as2-partners"');
          const wrongRole = await t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', authorization: `Bearer ${tenantToken}` }, payload });
          expect([url, payload, wrongRole.statusCode, wrongRole.json().error.code]).toEqual([url, payload, 403, 'FORBIDDEN']);
        }
      }
    });

    it("a gateway of another account never resolves this account's pairs; an all-accounts gateway does", async () => {
      const { partnerId, as2Id, ours } = await setUp();
      expect((await gatewayAs(t, 'another-account').decide(inbound(as2Id, ours))).body).toMatchObject({ decision: 'reject', partner_id: null });
      expect((await gatewayAs(t, '*').decide(inbound(as2Id, ours))).body).toMatchObject({ decision: 'accept', partner_id: partnerId });
    });

    it('a gateway token opens no operator route', async () => {
      const { partnerId } = await setUp();
      const gw = trafficApiAs(t, { account: ACCOUNT, tenant: null, roles: ['gateway'] });
      expect((await gw.get(`/v1/partners/${partnerId}/traffic`)).status).toBe(403);
      expect((await gw.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: false })).status).toBe(403);
      expect((await gw.get('/v1/traffic/paused')).status).toBe(403);
    });

    it.each([
      ['a missing field', { direction: 'inbound', as2_from: 'A', message_id: 'm' }, 'as2_to'],
      ['an unknown field', { direction: 'inbound', as2_from: 'A', as2_to: 'B', message_id: 'm', payload: 'x' }, 'payload'],
      ['a wrong direction', { direction: 'sideways', as2_from: 'A', as2_to: 'B', message_id: 'm' }, 'direction'],
      ['a number for a string', { direction: 'inbound', as2_from: 123, as2_to: 'B', message_id: 'm' }, 'as2_from'],
      ['an oversized id', { direction: 'inbound', as2_from: 'A'.repeat(129), as2_to: 'B', message_id: 'm' }, 'as2_from'],
      ['a prototype key', JSON.parse('{"direction":"inbound","as2_from":"A","as2_to":"B","message_id":"m","__proto__":{"x":1}}'), '__proto__'],
    ])('a hostile body (%s) is a 4xx, never a 5xx', async (_name, body, field) => {
      const answer = await gatewayAs(t, ACCOUNT).decide(body);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.body.error.type).toMatch(/_error$/);
      if (field) expect(Object.keys(answer.body.errors)).toEqual([field]);
    });

    it('malformed JSON and other media types are 400 and 415', async () => {
      const authorization = `Bearer ${t.token({ account: ACCOUNT, tenant: null, roles: ['gateway'] })}`;
      const malformed = await t.app.inject({ method: 'POST', url: '/v1/traffic/decisions', headers: { authorization, 'content-type': 'application/json' }, payload: '{"direction":' });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().error.code).toBe('MALFORMED_JSON');
      const text = await t.app.inject({ method: 'POST', url: '/v1/traffic/decisions', headers: { authorization, 'content-type': 'text/plain' }, payload: 'hello' });
      expect(text.statusCode).toBe(415);
    });
  });

  describe('over a socket (the hot-path instance, none of the app hooks)', () => {
    let base: string;
    beforeAll(async () => {
      await t.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    });
    const post = (path: string, body: unknown, headers: Record<string, string>) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

    it('answers as in process: the decision, the batch, the refusals in the house shape, the correlation id, and /metrics counts them', async () => {
      const { admin, partnerId, as2Id, ours } = await setUp();
      await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'socket' });
      const authorization = `Bearer ${t.token({ sub: 'gateway-socket', account: ACCOUNT, tenant: null, roles: ['gateway'] })}`;
      for (let i = 0; i < 2; i += 1) {
        // The second request takes the verified token from the cache.
        const one = await post('/v1/traffic/decisions', inbound(as2Id, ours, '<s1@x>'), { authorization, 'x-correlation-id': 'corr-socket-1' });
        expect(one.status).toBe(200);
        expect(one.headers.get('x-correlation-id')).toBe('corr-socket-1');
        expect(await one.json()).toMatchObject({ decision: 'accept', partner_id: partnerId, message_id: '<s1@x>', as_of: { traffic_control: expect.any(Number) } });
      }
      const batch = await post('/v1/traffic/decisions:batch', { decisions: [outbound(ours, as2Id, '<s2@x>'), inbound('NOPE', ours, '<s3@x>')] }, { authorization });
      expect(batch.status).toBe(200);
      // The batch answer is written as JSON text: sent with the JSON content type, as any other answer.
      expect(batch.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(((await batch.json()) as { decisions: { decision: string }[] }).decisions.map((d) => d.decision)).toEqual(['block', 'reject']);

      const none = await post('/v1/traffic/decisions', inbound(as2Id, ours), {});
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual({ message: 'Unauthenticated.', error: { type: 'authentication_error', code: 'UNAUTHENTICATED' } });
      const user = await post('/v1/traffic/decisions', inbound(as2Id, ours), { authorization: `Bearer ${t.token({ account: ACCOUNT, roles: ['tenant_user'] })}` });
      expect(user.status).toBe(403);
      const hostile = await post('/v1/traffic/decisions', { ...inbound(as2Id, ours), payload: 'x' }, { authorization });
      expect(hostile.status).toBe(422);
      expect(await hostile.json()).toMatchObject({ errors: { payload: [expect.any(String)] }, error: { type: 'validation_error', code: 'VALIDATION_FAILED' } });
      const malformed = await post('/v1/traffic/decisions', '{"direction":', { authorization });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('MALFORMED_JSON');
      const nul = await post('/v1/traffic/decisions', { ...inbound(as2Id, ours), message_id: 'a\u0000b' }, { authorization });
      expect(nul.status).toBe(422);
      // Another method on the path is still the app's: 405 with Allow.
      const get = await fetch(`${base}/v1/traffic/decisions`, { headers: { authorization } });
      expect(get.status).toBe(405);

      const metrics = await (await fetch(`${base}/metrics`)).text();
      const count = (route: string, status: string) =>
        Number(metrics.split('\n').find((l) => l.startsWith('as2_http_requests_total{') && l.includes(`route="${route}"`) && l.includes(`status_code="${status}"`) && l.includes('method="POST"'))?.split(' ').pop() ?? 0);
      expect(count('/v1/traffic/decisions', '200')).toBeGreaterThanOrEqual(2);
      expect(count('/v1/traffic/decisions:batch', '200')).toBeGreaterThanOrEqual(1);
      expect(count('/v1/traffic/decisions', '401')).toBeGreaterThanOrEqual(1);
      // Their durations too, answered by the fast lane, the hot-path route or the app alike, and as decision latencies.
      const sample = (name: string, ...parts: string[]) => Number(metrics.split('\n').find((l) => l.startsWith(`${name}{`) && parts.every((p) => l.includes(p)))?.split(' ').pop() ?? 0);
      expect(sample('as2_http_request_duration_seconds_count', 'route="/v1/traffic/decisions"', 'status_code="200"')).toBe(count('/v1/traffic/decisions', '200'));
      expect(sample('as2_http_request_duration_seconds_count', 'route="/v1/traffic/decisions:batch"', 'status_code="200"')).toBe(count('/v1/traffic/decisions:batch', '200'));
      expect(sample('as2_decision_duration_seconds_count', 'decision="single"', 'outcome="answered"')).toBe(count('/v1/traffic/decisions', '200'));
      expect(sample('as2_decision_duration_seconds_count', 'decision="batch"', 'outcome="answered"')).toBe(count('/v1/traffic/decisions:batch', '200'));
      expect(sample('as2_decision_duration_seconds_count', 'decision="single"', 'outcome="refused"')).toBeGreaterThanOrEqual(3);
      expect(metrics).not.toContain('decisions::batch');
    });

    it("refuses as Nest's routes refuse the same caller: 401, 403 and TENANT_DELETED with the same headers and body, the correlation id echoed", async () => {
      const accountAdmin = trafficApiAs(t, { sub: 'boss-refusals', account: ACCOUNT, tenant: null, roles: ['account_admin'] });
      const closed = fresh('closed');
      expect((await accountAdmin.post(`/v1/accounts/${ACCOUNT}/tenants`, { id: closed, name: 'Closed plant', plan: 'starter' })).status).toBe(201);
      expect((await accountAdmin.delete(`/v1/accounts/${ACCOUNT}/tenants/${closed}`)).status).toBe(200);
      /** Status, body and header names but the date and the connection's; the correlation id's value. */
      const seen = async (res: Response) => ({
        status: res.status,
        body: (await res.json()) as { error: { code: string } },
        headers: [...res.headers.keys()].filter((name) => !/^(date|connection|keep-alive)$/.test(name)).sort(),
        correlationId: res.headers.get('x-correlation-id'),
        wwwAuthenticate: res.headers.get('www-authenticate'),
      });
      const nestRoute = (headers: Record<string, string>) => fetch(`${base}/v1/traffic/paused`, { headers: { 'x-correlation-id': 'corr-refused', ...headers } });
      for (const [caller, gatewayHeaders, nestHeaders, code] of [
        ['no token', {}, {}, 'UNAUTHENTICATED'],
        ['a bad token', { authorization: 'Bearer not.a.token' }, { authorization: 'Bearer not.a.token' }, 'UNAUTHENTICATED'],
        ['a token without the role', { authorization: `Bearer ${t.token({ account: ACCOUNT, roles: ['tenant_user'] })}` }, { authorization: `Bearer ${t.token({ account: ACCOUNT, roles: ['gateway'] })}` }, 'FORBIDDEN'],
        [
          'a deleted tenant',
          { authorization: `Bearer ${t.token({ sub: 'gw-closed', account: ACCOUNT, tenant: closed, roles: ['gateway'] })}` },
          { authorization: `Bearer ${t.token({ sub: 'admin-closed', account: ACCOUNT, tenant: closed, roles: ['tenant_admin'] })}` },
          'TENANT_DELETED',
        ],
        [
          "a deleted tenant's token without the role",
          { authorization: `Bearer ${t.token({ sub: 'user-closed', account: ACCOUNT, tenant: closed, roles: ['tenant_user'] })}` },
          { authorization: `Bearer ${t.token({ sub: 'gw-closed-nest', account: ACCOUNT, tenant: closed, roles: ['gateway'] })}` },
          'TENANT_DELETED',
        ],
      ] as const) {
        const nest = await seen(await nestRoute(nestHeaders));
        expect([caller, nest.body.error.code, nest.correlationId]).toEqual([caller, code, 'corr-refused']);
        for (const url of ['/v1/traffic/decisions', '/v1/traffic/decisions:batch']) {
          const body = url.endsWith('batch') ? { decisions: [inbound('A', 'B')] } : inbound('A', 'B');
          expect([caller, url, await seen(await post(url, body, { 'x-correlation-id': 'corr-refused', ...gatewayHeaders }))]).toEqual([caller, url, nest]);
        }
      }
    });

    describe('the fast lane: the same bytes as the Fastify route', () => {
      interface RawAnswer {
        readonly statusLine: string;
        /** Every header line but Date, in the order sent. */
        readonly headers: string[];
        readonly body: string;
      }
      let port: number;
      let routing: jest.SpyInstance;
      beforeAll(() => {
        port = (t.app.getHttpServer().address() as AddressInfo).port;
        // The hot-path Fastify instance: a request it routes was not taken by the fast lane.
        routing = jest.spyOn(t.app.get(HotPathRoutes).fastify, 'routing');
      });
      afterAll(() => routing.mockRestore());

      /** One request on a keep-alive socket, written byte by byte as given; the answer read up to its Content-Length (or the socket's end). */
      const exchange = (head: string, body: Buffer | string = '') =>
        new Promise<RawAnswer>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1');
          let received = Buffer.alloc(0);
          const answer = (): RawAnswer | null => {
            const end = received.indexOf('\r\n\r\n');
            if (end === -1) return null;
            const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
            const length = lines.find((l) => /^content-length:/i.test(l));
            const bodyBytes = received.subarray(end + 4);
            if (length !== undefined && bodyBytes.length < Number(length.split(':')[1])) return null;
            return { statusLine: statusLine as string, headers: lines.filter((l) => !/^date:/i.test(l)), body: bodyBytes.toString('utf8') };
          };
          socket.on('data', (chunk) => {
            received = Buffer.concat([received, chunk]);
            const done = answer();
            if (done) {
              socket.destroy();
              resolve(done);
            }
          });
          socket.on('end', () => (answer() ? resolve(answer() as RawAnswer) : reject(new Error(`no answer: ${received.toString('latin1')}`))));
          socket.on('error', reject);
          socket.write(head);
          socket.write(body);
        });
      const requestHead = (path: string, headers: Record<string, string>) =>
        `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n${Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('')}\r\n`;
      const gatewayToken = (sub: string, account = ACCOUNT) => `Bearer ${t.token({ sub, account, tenant: null, roles: ['gateway'] })}`;

      /**
       * The same request to the exact path (the fast lane's when it takes it) and with a query string (always the
       * Fastify route's, which ignores it): the two answers byte for byte but the Date header. Returns whether the lane took it.
       */
      async function bothWays(url: string, body: Buffer | string, headers: Record<string, string>): Promise<{ taken: boolean; answer: RawAnswer }> {
        const bytes = typeof body === 'string' ? Buffer.from(body) : body;
        const all = { 'content-type': 'application/json', 'content-length': String(bytes.length), 'x-correlation-id': 'corr-lane', ...headers };
        routing.mockClear();
        const lane = await exchange(requestHead(url, all), bytes);
        const taken = routing.mock.calls.length === 0;
        const route = await exchange(requestHead(`${url}?via=route`, all), bytes);
        expect(routing).toHaveBeenCalledTimes(taken ? 1 : 2);
        expect(lane).toEqual(route);
        return { taken, answer: lane };
      }
      const json = (answer: RawAnswer) => JSON.parse(answer.body) as Record<string, unknown> & { error: { code: string } };

      it('answers decisions as the route does: accept both ways, paused partners, unknown pairs, another account, the batch', async () => {
        const { admin, partnerId, as2Id, ours } = await setUp();
        const authorization = gatewayToken('gateway-lane');
        // The token's first sight is the route's (it verifies the token); remembered, the lane takes the next ones.
        expect((await bothWays('/v1/traffic/decisions', JSON.stringify(inbound(as2Id, ours, '<l0@x>')), { authorization })).answer.statusLine).toBe('HTTP/1.1 200 OK');
        const taken = async (body: unknown, headers: Record<string, string> = { authorization }, url = '/v1/traffic/decisions') => {
          const { taken: wasTaken, answer } = await bothWays(url, JSON.stringify(body), headers);
          expect(wasTaken).toBe(true);
          return answer;
        };
        const accepted = await taken(inbound(as2Id, ours, '<l1@x>'));
        expect(accepted.statusLine).toBe('HTTP/1.1 200 OK');
        expect(accepted.headers.map((h) => h.split(':')[0]!.toLowerCase())).toEqual(['x-content-type-options', 'x-correlation-id', 'content-type', 'content-length', 'connection', 'keep-alive']);
        expect(accepted.headers.slice(0, 2)).toEqual(['x-content-type-options: nosniff', 'x-correlation-id: corr-lane']);
        expect(json(accepted)).toMatchObject({ decision: 'accept', partner_id: partnerId, message_id: '<l1@x>' });
        expect(json(await taken(outbound(ours, as2Id, '<l2@x>')))).toMatchObject({ decision: 'accept', partner_id: partnerId });
        expect(json(await taken(inbound('NOBODY-HERE', ours, '<l3@x>')))).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND', partner_id: null });
        await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'error_mdn', reason: 'lane' });
        expect(json(await taken(inbound(as2Id, ours, '<l4@x>')))).toMatchObject({ decision: 'error_mdn', mdn: { disposition: expect.any(String) } });
        await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'http_503_retry', reason: 'lane', retry_after_seconds: 120 });
        expect(json(await taken(inbound(as2Id, ours, '<l5@x>')))).toMatchObject({ decision: 'defer_503', retry_after_seconds: 120 });
        // Charset spelled out, and no correlation id of the caller's (each answer then has a fresh one: compared by shape).
        const charset = await exchange(requestHead('/v1/traffic/decisions', { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(JSON.stringify(inbound(as2Id, ours)))), authorization }), JSON.stringify(inbound(as2Id, ours)));
        expect(charset.headers[1]).toMatch(/^x-correlation-id: [0-9a-f-]{36}$/);
        const otherAccount = gatewayToken('gateway-lane-other', 'another-account');
        await bothWays('/v1/traffic/decisions', JSON.stringify(inbound(as2Id, ours)), { authorization: otherAccount });
        expect(json(await taken(inbound(as2Id, ours, '<l6@x>'), { authorization: otherAccount }))).toMatchObject({ decision: 'reject', partner_id: null });
        const batch = await taken({ decisions: [inbound(as2Id, ours, '<b1@x>'), inbound('NOPE', ours, '<b2@x>')] }, { authorization }, '/v1/traffic/decisions:batch');
        expect((json(batch)['decisions'] as { decision: string }[]).map((d) => d.decision)).toEqual(['defer_503', 'reject']);
      });

      it('refuses bad bodies as the route does: malformed, __proto__, too deep, NUL, schema failures, blank, invalid UTF-8', async () => {
        const { as2Id, ours } = await setUp();
        const authorization = gatewayToken('gateway-lane-bad');
        await bothWays('/v1/traffic/decisions', JSON.stringify(inbound(as2Id, ours)), { authorization });
        const valid = JSON.stringify(inbound(as2Id, ours, '<bad@x>'));
        for (const [body, status, code] of [
          ['{"direction":', 400, 'MALFORMED_JSON'],
          // JSON, with a key no DTO takes (the parser's prototype-poisoning rule): refused as such a field, nothing polluted.
          [`${valid.slice(0, -1)},"__proto__":{"polluted":true}}`, 422, 'VALIDATION_FAILED'],
          [`${valid.slice(0, -1)},"constructor":{"prototype":{"polluted":true}}}`, 422, 'VALIDATION_FAILED'],
          [`${valid.slice(0, -1)},"x":${'['.repeat(40)}${']'.repeat(40)}}`, 400, 'JSON_TOO_DEEP'],
          [JSON.stringify({ ...inbound(as2Id, ours), message_id: 'a\u0000b' }), 422, 'INVALID_CHARACTERS'],
          [JSON.stringify({ ...inbound(as2Id, ours), payload: 'x' }), 422, 'VALIDATION_FAILED'],
          [JSON.stringify({ direction: 'sideways', as2_from: 'A', as2_to: 'B', message_id: 'm' }), 422, 'VALIDATION_FAILED'],
          [JSON.stringify({ direction: 'inbound', as2_from: 'A', message_id: 'm' }), 422, 'VALIDATION_FAILED'],
          ['   ', 422, 'VALIDATION_FAILED'],
          // JSON, but no object: a malformed request, as on the app's other routes.
          ['[]', 400, 'INVALID_BODY'],
          ['null', 400, 'INVALID_BODY'],
          [Buffer.concat([Buffer.from(valid.slice(0, -2)), Buffer.from([0xff]), Buffer.from('"}')]), 400, 'MALFORMED_JSON'],
        ] as const) {
          const { taken, answer } = await bothWays('/v1/traffic/decisions', body, { authorization });
          expect([String(body), taken, answer.statusLine.split(' ')[1], json(answer).error.code]).toEqual([String(body), true, String(status), code]);
        }
        expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
        const batch = await bothWays('/v1/traffic/decisions:batch', '{"decisions":[]}', { authorization });
        expect([batch.taken, json(batch.answer).error.code]).toEqual([true, 'VALIDATION_FAILED']);
        // More fields than any body has: refused on that alone, in the words every other route uses.
        const crowded = (extra: Record<string, unknown>) => JSON.stringify({ ...extra, ...Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 0])) });
        for (const [path, body] of [
          ['/v1/traffic/decisions', crowded({})],
          ['/v1/traffic/decisions:batch', crowded({ decisions: [inbound(as2Id, ours)] })],
        ] as const) {
          const { taken, answer } = await bothWays(path, body, { authorization });
          expect([path, taken, answer.statusLine.split(' ')[1], json(answer).errors]).toEqual([path, true, '422', { body: ['The body may not have more than 200 fields'] }]);
        }
      });

      it('leaves to the route what it cannot answer the same from the headers: other types, no or unknown or refused tokens, odd lengths', async () => {
        const { as2Id, ours } = await setUp();
        const body = JSON.stringify(inbound(as2Id, ours, '<decline@x>'));
        const authorization = gatewayToken('gateway-lane-decline');
        await bothWays('/v1/traffic/decisions', body, { authorization });
        const declined = async (headers: Record<string, string>, status: number, text: string | Buffer = body) => {
          const { taken, answer } = await bothWays('/v1/traffic/decisions', text, headers);
          expect([headers, taken, answer.statusLine.split(' ')[1]]).toEqual([headers, false, String(status)]);
          return answer;
        };
        await declined({ authorization, 'content-type': 'text/plain' }, 415);
        await declined({ authorization, 'content-type': 'application/merge-patch+json' }, 200);
        // A body in a content coding is refused 415 by the server before the lane and the route (nothing is decompressed).
        for (const path of ['/v1/traffic/decisions', '/v1/traffic/decisions?via=route']) {
          routing.mockClear();
          const gzipped = await exchange(requestHead(path, { 'content-type': 'application/json', 'content-length': String(body.length), 'content-encoding': 'gzip', authorization }), Buffer.from(body));
          expect([path, gzipped.statusLine, json(gzipped).error.code, routing.mock.calls.length]).toEqual([path, 'HTTP/1.1 415 Unsupported Media Type', 'UNSUPPORTED_MEDIA_TYPE', 0]);
        }
        await declined({ authorization, 'content-length': '0' }, 422, '');
        const none = await declined({}, 401);
        expect(none.headers.some((h) => /^www-authenticate: Bearer/i.test(h))).toBe(true);
        // A token never seen is verified by the route; each try of a refused token is the route's too (cached or not).
        const forbidden = `Bearer ${t.token({ sub: 'lane-user', account: ACCOUNT, roles: ['tenant_user'] })}`;
        await declined({ authorization: forbidden }, 403);
        await declined({ authorization: forbidden }, 403);
        await declined({ authorization: 'Bearer not.a.token' }, 401);
        const fresh1 = gatewayToken('gateway-lane-fresh');
        await declined({ authorization: fresh1 }, 200);
        expect((await bothWays('/v1/traffic/decisions', body, { authorization: fresh1 })).taken).toBe(true);
        // Over the body limit: the route's 413 before the body is read (the lane never waits for it).
        const limit = t.app.get(HotPathRoutes)['bodyLimitBytes'] as number;
        for (const path of ['/v1/traffic/decisions', '/v1/traffic/decisions?via=route']) {
          routing.mockClear();
          const answer = await exchange(requestHead(path, { 'content-type': 'application/json', 'content-length': String(limit + 1), authorization, 'x-correlation-id': 'corr-big' }));
          expect([path, answer.statusLine, json(answer).error.code, routing.mock.calls.length]).toEqual([path, 'HTTP/1.1 413 Payload Too Large', 'PAYLOAD_TOO_LARGE', 1]);
        }
        // The batch's largest legal body (1,000 decisions, every field at its longest: past the server's 1 MiB) is
        // answered, by the lane and by the route alike; a byte past the batch's own limit is 413.
        const longest = (i: number) => ({ direction: 'inbound', as2_from: as2Id.padEnd(128, 'X'), as2_to: ours.padEnd(128, 'Y'), message_id: `<${i}@x>`.padEnd(998, 'z'), channel: 'c'.repeat(64) });
        const batch = JSON.stringify({ decisions: Array.from({ length: 1000 }, (_, i) => longest(i)) });
        expect(batch.length).toBeGreaterThan(limit);
        const full = await bothWays('/v1/traffic/decisions:batch', batch, { authorization });
        expect([full.taken, full.answer.statusLine, (json(full.answer) as unknown as { decisions: unknown[] }).decisions.length]).toEqual([true, 'HTTP/1.1 200 OK', 1000]);
        const over = await exchange(requestHead('/v1/traffic/decisions:batch', { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024 + 1), authorization }));
        expect([over.statusLine, json(over).error.code]).toEqual(['HTTP/1.1 413 Payload Too Large', 'PAYLOAD_TOO_LARGE']);
      });

      it('a request aborted mid-body is dropped without an answer or a count; the server answers and counts the next one', async () => {
        const { as2Id, ours } = await setUp();
        const authorization = gatewayToken('gateway-lane-abort');
        const body = JSON.stringify(inbound(as2Id, ours, '<abort@x>'));
        await bothWays('/v1/traffic/decisions', body, { authorization });
        const scrape = async () => {
          const text = await (await fetch(`${base}/metrics`)).text();
          return text.split('\n').filter((l) => l.startsWith('as2_http_requests_total{') && l.includes('route="/v1/traffic/decisions"')).join('\n');
        };
        const before = await scrape();
        routing.mockClear();
        await new Promise<void>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.write(requestHead('/v1/traffic/decisions', { 'content-type': 'application/json', 'content-length': String(body.length), authorization }));
            socket.write(body.slice(0, 10), () => setImmediate(() => socket.destroy()));
          });
          socket.on('data', () => reject(new Error('an aborted request was answered')));
          socket.on('close', () => resolve());
        });
        expect(routing).not.toHaveBeenCalled();
        // Between the two scrapes only the aborted request came.
        expect(await scrape()).toBe(before);
        const next = await bothWays('/v1/traffic/decisions', body, { authorization });
        expect([next.taken, next.answer.statusLine]).toEqual([true, 'HTTP/1.1 200 OK']);
        // The lane's answer and the route's are both counted.
        const ok = (text: string) => Number(text.split('\n').find((l) => l.includes('status_code="200"') && l.includes('method="POST"'))?.split(' ').pop() ?? 0);
        expect(ok(await scrape()) - ok(before)).toBe(2);
      });

      it("refuses a gateway token claiming a deleted tenant with 403 TENANT_DELETED, lane and route alike, though it was remembered while the tenant lived", async () => {
        const accountAdmin = trafficApiAs(t, { sub: 'boss', account: ACCOUNT, tenant: null, roles: ['account_admin'] });
        const tenant = fresh('closing');
        expect((await accountAdmin.post(`/v1/accounts/${ACCOUNT}/tenants`, { id: tenant, name: 'Closing plant', plan: 'starter' })).status).toBe(201);
        const as2Id = fresh('GONE').toUpperCase();
        const ours = fresh('US').toUpperCase();
        expect((await trafficApiAs(t, { account: ACCOUNT, tenant, roles: ['tenant_admin'] }).post('/v1/partners', partnerInput(as2Id))).status).toBe(201);
        await createInstance(t, { instanceId: fresh('ins'), account: ACCOUNT, tenant, myAs2Id: ours });
        const authorization = `Bearer ${t.token({ sub: 'gateway-of-a-deleted-tenant', account: ACCOUNT, tenant, roles: ['gateway'] })}`;
        const body = JSON.stringify(inbound(as2Id, ours, '<deleted@x>'));
        const batch = JSON.stringify({ decisions: [inbound(as2Id, ours, '<deleted-b@x>')] });
        // remembered and answered by the lane while the tenant lives
        await bothWays('/v1/traffic/decisions', body, { authorization });
        expect((await bothWays('/v1/traffic/decisions', body, { authorization })).taken).toBe(true);
        expect((await accountAdmin.delete(`/v1/accounts/${ACCOUNT}/tenants/${tenant}`)).status).toBe(200);
        const refused = { message: `Tenant ${tenant} was deleted: its data is closed`, error: { type: 'authorization_error', code: 'TENANT_DELETED' } };
        for (const [url, sent] of [['/v1/traffic/decisions', body], ['/v1/traffic/decisions:batch', batch]] as const) {
          const { taken, answer } = await bothWays(url, sent, { authorization });
          expect(taken).toBe(false);
          expect([answer.statusLine, JSON.parse(answer.body)]).toEqual(['HTTP/1.1 403 Forbidden', refused]);
        }
        // in process too, and the account-wide gateway still decides (the tenant's partner is gone: not found)
        expect(await gatewayAs(t, ACCOUNT, tenant).decide(inbound(as2Id, ours))).toEqual({ status: 403, body: refused });
        expect((await gatewayAs(t, ACCOUNT).decide(inbound(as2Id, ours))).body).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND' });
      });
    });
  });
});
