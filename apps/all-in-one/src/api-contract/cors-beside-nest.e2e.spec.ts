import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { HotPathRoutes } from '@as2-partners/platform';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';
import { createInstance, fresh, partnerInput, trafficApiAs } from '../traffic/traffic-api.spec-support';

const ACCOUNT = `acct-cors-${process.pid}`;
const ALLOWED = 'https://app.example.com';
const OTHER_ORIGIN = 'https://evil.example.net';
/** The headers CORS is about: what the browser reads, and what a cache keys the answer by. */
const CORS_HEADER = /^(vary|access-control-.*)$/;

interface SocketAnswer {
  readonly status: number;
  /** Every header line but the date, in the order sent (name lower case). */
  readonly headers: [string, string][];
  readonly body: string;
}

const corsOf = (headers: [string, string][] | OutgoingHttpHeaders): Record<string, string> =>
  Object.fromEntries((Array.isArray(headers) ? headers : Object.entries(headers).map(([name, value]) => [name, String(value)])).filter(([name]) => CORS_HEADER.test(name)).sort());

// The routes beside Nest (the gateway's decisions and their fast lane, a partner by id, the partner lists) answer a
// browser's request with the CORS headers Nest's routes give the same request, whatever CORS_ORIGINS says.
describe.each([
  ['unset', undefined],
  ['a list of origins', `${ALLOWED}, https://admin.example.com:8443`],
  ['*', '*'],
] as const)('CORS on the routes beside Nest, CORS_ORIGINS %s', (_name, corsOrigins) => {
  let t: EmbeddedTestApp;
  let port: number;
  let hotPath: HotPathRoutes;
  let routing: jest.SpyInstance;
  let tenant: string;
  let partnerId: string;
  let decision: string;
  let batch: string;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule], env: corsOrigins ? { CORS_ORIGINS: corsOrigins } : {} });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    hotPath = t.app.get(HotPathRoutes);
    // The hot-path Fastify instance: a request it routes was not taken by a fast lane.
    routing = jest.spyOn(hotPath.fastify, 'routing');
    tenant = fresh('ten');
    const as2Id = fresh('CORS').toUpperCase();
    const ours = fresh('US').toUpperCase();
    const created = await trafficApiAs(t, { account: ACCOUNT, tenant, roles: ['tenant_admin'] }).post('/v1/partners', partnerInput(as2Id));
    expect(created.status).toBe(201);
    partnerId = created.body.data.id as string;
    await createInstance(t, { instanceId: fresh('ins'), account: ACCOUNT, tenant, myAs2Id: ours });
    const one = { direction: 'inbound', as2_from: as2Id, as2_to: ours, message_id: '<cors@x>' };
    decision = JSON.stringify(one);
    batch = JSON.stringify({ decisions: [one] });
  }, 60_000);

  afterAll(async () => {
    routing?.mockRestore();
    await t?.close();
  });

  const send = (method: string, path: string, headers: Record<string, string | undefined>, body?: string) =>
    new Promise<SocketAnswer>((resolve, reject) => {
      const sent = Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
      const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false, headers: { ...sent, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([(res.rawHeaders[i] as string).toLowerCase(), res.rawHeaders[i + 1] as string]);
          resolve({ status: res.statusCode as number, headers: headers.filter(([name]) => name !== 'date'), body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.on('error', reject);
      req.end(body);
    });

  /** What CORS_ORIGINS lets a browser at `origin` read: the Access-Control-Allow-Origin Nest's routes send it. */
  const allowedOriginFor = (origin: string | undefined): string | undefined => (corsOrigins === '*' ? '*' : corsOrigins && origin === ALLOWED ? ALLOWED : undefined);
  const ORIGINS = [['no Origin', undefined], ['an allowed Origin', ALLOWED], ['another Origin', OTHER_ORIGIN]] as const;

  const hotAnswers = (route: string): number => hotPath.drainCounts().filter((c) => c.route === route).reduce((sum, c) => sum + c.count, 0);

  it.each(ORIGINS)('a decision and a batch with %s: the CORS headers the app gives the same request in process, the fast lane for no Origin only', async (_case, origin) => {
    const authorization = `Bearer ${t.token({ sub: fresh('gateway'), account: ACCOUNT, tenant: null, roles: ['gateway'] })}`;
    // the token's first sight is the route's (it verifies it); the lane knows it from then on
    await send('POST', '/v1/traffic/decisions', { authorization }, decision);
    for (const [url, body] of [['/v1/traffic/decisions', decision], ['/v1/traffic/decisions:batch', batch]] as const) {
      const headers = { authorization, origin };
      routing.mockClear();
      const socket = await send('POST', url, headers, body);
      expect([url, socket.status, routing.mock.calls.length]).toEqual([url, 200, origin === undefined ? 0 : 1]);
      const inProcess = await t.app.inject({ method: 'POST', url, headers: { ...(origin ? { origin } : {}), authorization, 'content-type': 'application/json' }, payload: body });
      expect([url, corsOf(socket.headers)]).toEqual([url, corsOf(inProcess.headers)]);
      expect(Object.fromEntries(socket.headers)['access-control-allow-origin']).toBe(allowedOriginFor(origin));
      // the refusals too: no token is the route's 401, with its challenge readable by an allowed browser
      const refused = await send('POST', url, { origin }, body);
      const refusedInProcess = await t.app.inject({ method: 'POST', url, headers: { ...(origin ? { origin } : {}), 'content-type': 'application/json' }, payload: body });
      expect([url, refused.status, corsOf(refused.headers)]).toEqual([url, 401, corsOf(refusedInProcess.headers)]);
    }
  });

  it.each(ORIGINS)('a refusal before any route (malformed query or path, If-Match, content coding) with %s: the CORS headers a route\'s refusal gets', async (_case, origin) => {
    const authorization = `Bearer ${t.token({ account: ACCOUNT, tenant, roles: ['tenant_admin'] })}`;
    // A route's own refusal of the same origin (Nest's 422 for a page that is no number): the CORS headers to match.
    const routes = corsOf((await send('GET', '/v1/partners?page=abc', { authorization, origin })).headers);
    const refusals = [
      await send('GET', '/v1/partners?search=%zz', { authorization, origin }),
      await send('GET', '/v1/part%zzners', { authorization, origin }),
      await send('PATCH', `/v1/partners/${partnerId}`, { authorization, origin, 'if-match': '"v1"' }, '{"name":"x"}'),
      await send('POST', '/v1/partners', { authorization, origin, 'content-encoding': 'gzip' }, '{}'),
    ];
    expect(refusals.map((answer) => [answer.status, corsOf(answer.headers)])).toEqual([400, 400, 412, 415].map((status) => [status, routes]));
    expect(routes['access-control-allow-origin']).toBe(allowedOriginFor(origin));
    // The browser's preflight of such a request is answered as any preflight (the request itself is refused then).
    const preflight = (path: string) => send('OPTIONS', path, { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' });
    const [refusedQuery, fine] = [await preflight('/v1/partners?search=%zz'), await preflight('/v1/partners?search=abc')];
    expect([refusedQuery.status, corsOf(refusedQuery.headers)]).toEqual([fine.status, corsOf(fine.headers)]);
    // A path no route can match is refused for an OPTIONS as for any method: 400 MALFORMED_URL with the route's CORS headers.
    for (const answer of [await preflight('/v1/part%zzners'), await send('OPTIONS', '/v1/partners/%zz', { origin })]) {
      expect([answer.status, JSON.parse(answer.body).error.code, corsOf(answer.headers)]).toEqual([400, 'MALFORMED_URL', routes]);
    }
  });

  it('every answer, the routes beside Nest and the fast lane as Nest\'s, success and refusal, says X-Content-Type-Options: nosniff', async () => {
    const user = `Bearer ${t.token({ account: ACCOUNT, tenant, roles: ['tenant_admin'] })}`;
    const gateway = `Bearer ${t.token({ sub: fresh('gateway'), account: ACCOUNT, tenant: null, roles: ['gateway'] })}`;
    const answers = [
      await send('GET', `/v1/partners/${partnerId}`, { authorization: user }),
      await send('GET', '/v1/partners', { authorization: user }),
      await send('GET', '/v1/certificates', { authorization: user }),
      await send('POST', '/v1/partners', { authorization: user }, '{"name":1}'),
      await send('GET', '/v1/partners', {}),
      await send('GET', '/v1/nowhere', {}),
      await send('POST', '/v1/traffic/decisions', { authorization: gateway }, decision),
      await send('POST', '/v1/traffic/decisions', { authorization: gateway }, decision),
      await send('GET', '/health/live', {}),
    ];
    expect(answers.map((answer) => [answer.status, answer.headers.filter(([name]) => name === 'x-content-type-options')])).toEqual(
      [200, 200, 200, 422, 401, 404, 200, 200, 200].map((status) => [status, [['x-content-type-options', 'nosniff']]]),
    );
    // OPTIONS too: a preflight (answered by the CORS plugin when origins are set) and one that is none.
    const options = [
      await send('OPTIONS', '/v1/partners', { origin: 'https://app.example.com', 'access-control-request-method': 'GET' }),
      await send('OPTIONS', '/v1/partners', { origin: 'https://app.example.com' }),
      await send('OPTIONS', '/v1/partners', {}),
    ];
    expect(options.map((answer) => [answer.status, answer.headers.filter(([name]) => name === 'x-content-type-options')])).toEqual(
      options.map((answer) => [answer.status, [['x-content-type-options', 'nosniff']]]),
    );
  });

  it('the fast lane answers a gateway (no Origin) byte for byte as its route does, CORS headers included', async () => {
    const authorization = `Bearer ${t.token({ sub: fresh('gateway'), account: ACCOUNT, tenant: null, roles: ['gateway'] })}`;
    await send('POST', '/v1/traffic/decisions', { authorization }, decision);
    for (const [url, body, status] of [
      ['/v1/traffic/decisions', decision, 200],
      ['/v1/traffic/decisions:batch', batch, 200],
      ['/v1/traffic/decisions', '{"direction":', 400],
      ['/v1/traffic/decisions', '{}', 422],
    ] as const) {
      const headers = { authorization, 'x-correlation-id': 'corr-cors' };
      routing.mockClear();
      const lane = await send('POST', url, headers, body);
      expect([url, body, routing.mock.calls.length]).toEqual([url, body, 0]);
      // a query string: never the lane's, always the Fastify route's (which ignores it)
      const route = await send('POST', `${url}?via=route`, headers, body);
      expect(routing).toHaveBeenCalledTimes(1);
      expect([url, body, lane.status]).toEqual([url, body, status]);
      expect([url, body, lane]).toEqual([url, body, route]);
      const inProcess = await t.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: body });
      expect([url, body, corsOf(lane.headers)]).toEqual([url, body, corsOf(inProcess.headers)]);
    }
  });

  it.each(ORIGINS)('a partner by id and both partner lists with %s: the CORS headers of the Nest route', async (_case, origin) => {
    const admin = t.token({ sub: fresh('reader'), account: ACCOUNT, tenant, roles: ['tenant_admin'] });
    const accountAdmin = t.token({ sub: fresh('boss'), account: ACCOUNT, tenant: null, roles: ['account_admin'] });
    for (const [path, route, token] of [
      [`/v1/partners/${partnerId}`, '/v1/partners/:id', admin],
      ['/v1/partners', '/v1/partners', admin],
      [`/v1/accounts/${ACCOUNT}/partners`, '/v1/accounts/:account/partners', accountAdmin],
    ] as const) {
      const fresh1 = t.token({ sub: fresh('first-sight'), account: ACCOUNT, tenant: token === admin ? tenant : null, roles: token === admin ? ['tenant_admin'] : ['account_admin'] });
      hotAnswers(route);
      // a token's first sight is the Nest route's; the same request with a known token is the hot path's when it has no Origin
      const nest = await send('GET', path, { authorization: `Bearer ${fresh1}`, origin });
      expect([path, hotAnswers(route)]).toEqual([path, 0]);
      await send('GET', path, { authorization: `Bearer ${token}` });
      hotAnswers(route);
      const beside = await send('GET', path, { authorization: `Bearer ${token}`, origin });
      expect([path, beside.status, nest.status, hotAnswers(route)]).toEqual([path, 200, 200, origin === undefined ? 1 : 0]);
      expect([path, corsOf(beside.headers)]).toEqual([path, corsOf(nest.headers)]);
      expect(Object.fromEntries(beside.headers)['access-control-allow-origin']).toBe(allowedOriginFor(origin));
      // a list of origins makes every answer depend on the Origin: a cache must key it by it
      expect(Object.fromEntries(beside.headers)['vary']).toBe(corsOrigins !== undefined && corsOrigins !== '*' ? 'Origin' : undefined);
    }
  });

  it.each(ORIGINS.slice(1))('a preflight with %s to a route beside Nest is answered as on a Nest route', async (_case, origin) => {
    const preflight = { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' };
    const nest = await send('OPTIONS', '/v1/traffic/paused', preflight);
    expect(nest.status).toBe(corsOrigins === undefined ? 405 : 204);
    for (const path of ['/v1/traffic/decisions', '/v1/traffic/decisions:batch', `/v1/partners/${partnerId}`, '/v1/partners', `/v1/accounts/${ACCOUNT}/partners`]) {
      const beside = await send('OPTIONS', path, preflight);
      expect([path, beside.status, corsOf(beside.headers)]).toEqual([path, nest.status, corsOf(nest.headers)]);
    }
    expect(Object.fromEntries(nest.headers)['access-control-allow-origin']).toBe(allowedOriginFor(origin));
  });
});
