import type { AddressInfo } from 'node:net';
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HotPathRoutes } from '@as2-partners/platform';
import { capturedLogLines } from './captured-log-lines';
import { createEmbeddedTestApp, type EmbeddedTestApp } from './create-embedded-test-app';
import { DemoModule } from './demo.module';

/** A hot-path route of the kind a service registers: exact path, JSON Schema, no app hooks. */
@Injectable()
class HotPingRoute implements OnModuleInit {
  constructor(private readonly hotPath: HotPathRoutes) {}

  onModuleInit(): void {
    this.hotPath.route({
      method: 'POST',
      url: '/demo/hot::ping',
      schema: { body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } },
      handler: async (request) => ({ pong: (request.body as { n: number }).n + 1 }),
    });
    // A path with a parameter, beside the app's own GET /demo/things/:id: taken only when `when` says so, in-process too.
    this.hotPath.route(
      { method: 'GET', url: '/demo/things/:id', handler: async (request) => ({ hot: (request.params as { id: string }).id }) },
      { when: (request) => request.headers['x-hot'] === 'yes', inProcess: true },
    );
    // An exact path beside the app's own GET /demo/whoami, taken only when `when` says so.
    this.hotPath.route(
      { method: 'GET', url: '/demo/whoami', handler: async () => ({ hot: 'whoami' }) },
      { when: (request) => request.headers['x-hot'] === 'yes', inProcess: true },
    );
  }
}

@Module({ providers: [HotPingRoute] })
class HotPingModule {}

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('hot-path routes: a second Fastify instance on the same HTTP server', () => {
  const log = capturedLogLines();
  let t: EmbeddedTestApp;
  let base: string;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [DemoModule, HotPingModule], env: { LOG_LEVEL: 'info' }, logDestination: log.stream });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(() => t?.close());

  const post = (path: string, body: string, contentType = 'application/json') => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('answers its route over a socket without the app hooks (no access log line, no auth guard, no request-id header)', async () => {
    const res = await post('/demo/hot:ping?x=1', '{"n": 41}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ pong: 42 });
    expect(res.headers.get('x-correlation-id')).toBeNull();
    expect(log.json().filter((line) => line['msg'] === 'request completed' && String(line['url']).startsWith('/demo/hot'))).toEqual([]);
  });

  it('keeps the platform JSON-only body parser: other media types 415, malformed JSON 400, NUL in a string 422', async () => {
    expect((await post('/demo/hot:ping', 'n=1', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await post('/demo/hot:ping', '{"n":')).status).toBe(400);
    expect((await post('/demo/hot:ping', '{"n": 1, "s": "a\\u0000b"}')).status).toBe(422);
    expect((await post('/demo/hot:ping', '{"n": 1, "s": "a\\ud800b"}')).status).toBe(422);
    // A raw NUL or an invalid UTF-8 sequence never gets past the parser as text (JSON refuses the one, UTF-8 decoding replaces the other).
    expect((await post('/demo/hot:ping', '{"n": 1, "s": "a\u0000b"}')).status).toBe(400);
  });

  it('leaves every other method and path to the app (its 404, its guard, its correlation id)', async () => {
    const get = await fetch(`${base}/demo/hot:ping`);
    expect(get.status).toBe(404);
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const guarded = await post('/demo/things', '{"as2_id":"X1"}');
    expect(guarded.status).toBe(401);
    expect(guarded.headers.get('x-correlation-id')).not.toBeNull();
  });

  it('a :parameter route takes one non-empty segment when `when` agrees, over a socket and in-process; the app answers the rest', async () => {
    const hot = { 'x-hot': 'yes' };
    const viaSocket = await fetch(`${base}/demo/things/t%20one?q=1`, { headers: hot });
    expect(await viaSocket.json()).toEqual({ hot: 't one' });
    const inProcess = await t.app.inject({ method: 'GET', url: '/demo/things/t2', headers: hot });
    expect(inProcess.json()).toEqual({ hot: 't2' });
    // `when` declines, another segment count, an empty segment, another method: the app's route and guard (401).
    for (const [path, headers, method] of [
      ['/demo/things/t1', {}, 'GET'],
      ['/demo/things/t1/more', hot, 'GET'],
      ['/demo/things/', hot, 'GET'],
      ['/demo/things/t1', hot, 'DELETE'],
    ] as const) {
      const res = await fetch(`${base}${path}`, { method, headers });
      expect(res.status).not.toBe(200);
      expect(res.headers.get('x-correlation-id')).not.toBeNull();
      const injected = await t.app.inject({ method, url: path, headers });
      expect(injected.statusCode).toBe(res.status);
    }
  });

  it('an exact path with `when` takes only the requests it agrees to, over a socket and in-process; the app answers the rest', async () => {
    const hot = { 'x-hot': 'yes' };
    expect(await (await fetch(`${base}/demo/whoami?x=1`, { headers: hot })).json()).toEqual({ hot: 'whoami' });
    expect((await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: hot })).json()).toEqual({ hot: 'whoami' });
    for (const [path, headers] of [
      ['/demo/whoami', {}],
      ['/demo/whoami/', hot],
    ] as const) {
      const res = await fetch(`${base}${path}`, { headers });
      expect(res.status).not.toBe(200);
      expect(res.headers.get('x-correlation-id')).not.toBeNull();
      expect((await t.app.inject({ method: 'GET', url: path, headers })).statusCode).toBe(res.status);
    }
    expect(() => new HotPathRoutes(1024).route({ method: 'GET', url: '/demo/x::y', handler: async () => ({}) }, { when: () => true })).toThrow(/no literal colon/);
  });

  it('refuses paths it cannot match exactly or by segment', () => {
    const hotPath = new HotPathRoutes(1024);
    expect(() => hotPath.route({ method: 'GET', url: '/demo/*', handler: async () => ({}) })).toThrow(/exact or :parameter/);
    expect(() => hotPath.route({ method: 'GET', url: '/demo/:id/x::y', handler: async () => ({}) })).toThrow(/no literal colon/);
  });

  it('counts its requests in as2_http_requests_total when /metrics is scraped, and times each in as2_http_request_duration_seconds', async () => {
    await post('/demo/hot:ping', '{"n": 1}');
    await post('/demo/hot:ping', '{"n": "one"}');
    await post('/demo/hot:ping', '{"n": "two"}');
    const text = await (await fetch(`${base}/metrics`)).text();
    // Named as the path is (`:`), not as Fastify registers a literal colon (`::`).
    const ok = sample(text, 'as2_http_requests_total', { method: 'POST', route: '/demo/hot:ping', status_code: '200' });
    const refused = sample(text, 'as2_http_requests_total', { method: 'POST', route: '/demo/hot:ping', status_code: '422' });
    expect(ok).toBeGreaterThanOrEqual(2);
    expect(refused).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'as2_http_request_duration_seconds_count', { method: 'POST', route: '/demo/hot:ping', status_code: '200' })).toBe(ok);
    expect(sample(text, 'as2_http_request_duration_seconds_count', { method: 'POST', route: '/demo/hot:ping', status_code: '422' })).toBe(refused);
    expect(sample(text, 'as2_http_request_duration_seconds_sum', { method: 'POST', route: '/demo/hot:ping', status_code: '200' })).toBeGreaterThan(0);
    expect(text).not.toContain('hot::ping');
  });
});
