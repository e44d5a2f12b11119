import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlatformMetrics } from '@as2-partners/platform';
import { createEmbeddedTestApp, type EmbeddedTestApp } from './create-embedded-test-app';
import { DemoModule } from './demo.module';

/** The value of one sample line (`name{labels} value`), or undefined when the exposition has no such line. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics (embedded app with the demo module)', () => {
  let t: EmbeddedTestApp;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [DemoModule] });
  });

  afterAll(() => t?.close());

  it('counts requests by route template and status with a latency histogram, and shows append latency and follower lags', async () => {
    const bearer = { authorization: `Bearer ${t.token()}` };
    expect((await t.app.inject({ method: 'POST', url: '/demo/things', headers: bearer, payload: { as2_id: 'M1' } })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: '/demo/things', headers: bearer, payload: { as2_id: 'M2' } })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/demo/things/M1', headers: bearer })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/demo/things/NOPE', headers: bearer })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/no/such/route/4711' })).statusCode).toBe(404);

    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(sample(text, 'as2_http_requests_total', { method: 'POST', route: '/demo/things', status_code: '201' })).toBe(2);
    expect(sample(text, 'as2_http_requests_total', { method: 'GET', route: '/demo/things/:id', status_code: '200' })).toBe(1);
    expect(sample(text, 'as2_http_requests_total', { method: 'GET', route: '/demo/things/:id', status_code: '404' })).toBe(1);
    expect(sample(text, 'as2_http_requests_total', { route: 'unmatched', status_code: '404' })).toBe(1);
    // Ids never become labels (nor anything else but a sample's value, whose digits may hold "4711": 15547117568 bytes).
    const withoutValues = text.split('\n').map((line) => (line.startsWith('#') ? line : line.replace(/ \S+$/, ''))).join('\n');
    expect(withoutValues).not.toContain('M1');
    expect(withoutValues).not.toContain('4711');
    expect(sample(text, 'as2_http_request_duration_seconds_count', { method: 'POST', route: '/demo/things', status_code: '201' })).toBe(2);
    expect(sample(text, 'as2_http_request_duration_seconds_bucket', { route: '/demo/things', le: '+Inf' })).toBe(2);
    expect(sample(text, 'as2_event_store_append_duration_seconds_count', { outcome: 'ok' })).toBe(2);
    expect(sample(text, 'as2_follower_lag_events', { follower: 'outbox:demo', kind: 'relay' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'as2_follower_lag_seconds', { follower: 'outbox:demo', kind: 'relay' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'as2_follower_parked_events', { follower: 'outbox:demo', kind: 'relay' })).toBe(0);
    expect(sample(text, 'as2_follower_stalled', { follower: 'outbox:demo', kind: 'relay' })).toBe(0);
    expect(text).toContain('# TYPE as2_kafka_consumer_lag gauge');
    expect(text).toContain('as2_process_cpu_user_seconds_total');
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const guarded = await createEmbeddedTestApp({ imports: [DemoModule], env: { METRICS_TOKEN: 'scrape-token-0123456789' } });
    try {
      expect((await guarded.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-token-012345678X' } })).statusCode).toBe(401);
      // A user's JWT is not the scrape token.
      expect((await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${guarded.token()}` } })).statusCode).toBe(401);
      const ok = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-token-0123456789' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('as2_http_requests_total');
    } finally {
      await guarded.close();
    }
  });
});

describe('the Grafana dashboard (docs/grafana)', () => {
  it('queries only metrics the services expose', () => {
    const dashboard = readFileSync(join(__dirname, '../../../docs/grafana/as2-partners.dashboard.json'), 'utf8');
    const queried = new Set([...dashboard.matchAll(/\b(as2_[a-z_]+?)(?:_bucket|_count|_sum)?\{/g)].map((m) => m[1]));
    const exposed = new Set(new PlatformMetrics().registry.getMetricsAsArray().map((metric) => metric.name));
    expect(queried.size).toBeGreaterThan(10);
    expect([...queried].filter((name) => !exposed.has(name))).toEqual([]);
  });
});
