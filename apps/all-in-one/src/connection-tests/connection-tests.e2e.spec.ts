import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createPlainServer, type IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import { connect, isIP, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestIdentity, type TestIdentity } from '@as2-partners/as2-testing';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { Global, Module } from '@nestjs/common';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { EVENT_STORE, READ_MODEL_STORE, type EventStore, type ReadModelStore } from '@as2-partners/kernel';
import { eventually } from '@as2-partners/kernel-testing';
import { ConnectionTesterStreams } from '@as2-partners/connection-tester-domain';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import type { HostResolver } from '@as2-partners/platform';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { ConnectionTesterModule, HOST_RESOLVER, MonitoringScheduler, SOCKET_FACTORY, TestedPartnerAccess, type SocketFactory } from '@as2-partners/connection-tester-service';

jest.setTimeout(60_000);

/** Names the tests resolve; everything the tester connects to must be loopback, or the test fails. */
const names: Record<string, string[]> = { 'rebind.test': ['10.0.0.7'], 'partner.test': ['127.0.0.1'], 'mixed.test': ['127.0.0.1', '192.168.1.1'] };
const attempted: string[] = [];

@Global()
@Module({
  providers: [
    { provide: HOST_RESOLVER, useValue: { resolve: async (host: string) => names[host] ?? Promise.reject(Object.assign(new Error('nx'), { code: 'ENOTFOUND' })) } satisfies HostResolver },
    {
      provide: SOCKET_FACTORY,
      useValue: {
        connect: (address: string, port: number) => {
          attempted.push(`${address}:${port}`);
          if (!(address.startsWith('127.') || address === '::1') || isIP(address) === 0) throw new Error(`connection to ${address} attempted`);
          return connect({ host: address, port });
        },
      } satisfies SocketFactory,
    },
  ],
  exports: [HOST_RESOLVER, SOCKET_FACTORY],
})
class LoopbackOnlyOutboundModule {}

let t: EmbeddedTestApp;
let server: Server;
let port: number;
let requests: string[] = [];
/** The headers of the POSTs (test messages) the endpoint received. */
let posted: IncomingHttpHeaders[] = [];
let redirectTo = '';
let flakyDown = false;
let dir: string;
let endpoint: TestIdentity;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'connection-tests-'));
  // The partner's self-signed TLS certificate: trusted only once pinned through the partner's TLS slot.
  endpoint = await createTestIdentity(dir, 'partner-endpoint', { subjectAltName: 'DNS:partner.test,DNS:rebind.test,DNS:mixed.test,IP:127.0.0.1' });
  server = createServer({ key: endpoint.keyPem, cert: endpoint.certPem }, (req, res) => {
    requests.push(`${req.method} ${req.url} host=${req.headers.host}`);
    if (req.method === 'POST') posted.push(req.headers);
    if (req.url === '/flaky' && flakyDown) {
      res.writeHead(503).end();
      return;
    }
    if (req.url === '/talkative') {
      // What a partner says of itself is its own text: 4,000 characters of it (headers allow 16 KiB).
      res.writeHead(405, { server: `Talkative/${'x'.repeat(990)}${'y'.repeat(3_000)}`, 'as2-version': '1.2' }).end();
      return;
    }
    if (req.url === '/redirect') {
      res.writeHead(302, { location: redirectTo }).end();
      return;
    }
    res.writeHead(405, { server: 'TestAS2/1.0', 'as2-version': '1.2', 'ediint-features': 'CEM, multiple-attachments' }).end('POST only');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  redirectTo = 'http://169.254.169.254/latest/meta-data/';
  t = await createEmbeddedTestApp({
    imports: [LoopbackOnlyOutboundModule, PartnerRegistryModule, CertificateLifecycleModule, ConnectionTesterModule],
    env: { PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8', CONNECTION_TEST_MAX_CONCURRENT_PER_TENANT: '20' },
  });
});

afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  requests = [];
  posted = [];
  attempted.length = 0;
});

let tenantCounter = 0;
async function freshTenant(plan = 'free'): Promise<string> {
  tenantCounter += 1;
  const tenant = `ct-${process.pid}-${tenantCounter}`;
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/accounts/acme/tenants',
    headers: { authorization: `Bearer ${t.token({ account: 'acme', tenant: null, roles: ['account_admin'] })}` },
    payload: { id: tenant, name: `Tenant ${tenant}`, plan },
  });
  expect(res.statusCode).toBe(201);
  return tenant;
}

function as(tenant: string, roles: string[] = ['tenant_admin'], account = 'acme') {
  return { authorization: `Bearer ${t.token({ account, tenant, roles })}` };
}

/** A multipart/form-data body as curl -F sends it. */
function multipartBody(fields: Record<string, string>, file: { field: string; filename: string; content: string }) {
  const boundary = `----ct${Math.random().toString(16).slice(2)}`;
  const chunks = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  chunks.push(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n${file.content}\r\n--${boundary}--\r\n`);
  return { payload: Buffer.from(chunks.join('')), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function partner(tenant: string, url: string, options: { pin?: boolean } = {}): Promise<string> {
  const as2Id = `P${tenantCounter}X${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
  const res = await t.app.inject({ method: 'POST', url: '/v1/partners', headers: as(tenant), payload: { name: `Partner ${as2Id}`, as2_id: as2Id, url } });
  expect([res.statusCode, res.statusCode === 201 ? null : res.body]).toEqual([201, null]);
  const id = res.json().data.id as string;
  if (options.pin !== false) {
    const body = multipartBody({ name: 'Endpoint TLS', usage: 'tls' }, { field: 'certificate', filename: 'tls.pem', content: endpoint.certPem });
    const upload = await t.app.inject({ method: 'POST', url: `/v1/partners/${id}/certificates`, headers: { ...as(tenant), 'content-type': body.contentType }, payload: body.payload });
    expect([upload.statusCode, upload.statusCode === 201 ? null : upload.body]).toEqual([201, null]);
  }
  return id;
}

const test = (tenant: string, partnerId: string, body: object = { test_type: 'ping' }, headers = as(tenant)) =>
  t.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/test`, headers, payload: body });

describe('POST /v1/partners/{id}/test (ping)', () => {
  it("names the partner's URL as its settings spell it (no path: no slash added)", async () => {
    const tenant = await freshTenant();
    const url = `https://127.0.0.1:${port}`;
    const id = await partner(tenant, url);
    const res = await test(tenant, id);
    expect([res.statusCode, res.json().data.partner.url]).toEqual([200, url]);
    const details = await t.app.inject({ method: 'GET', url: `/v1/partners/${id}`, headers: as(tenant, ['tenant_user']) });
    expect(details.json().data.url).toBe(url);
  });

  it("answers seed 002's shape with a truthful timeline and what the server says about itself", async () => {
    const tenant = await freshTenant();
    const id = await partner(tenant, `https://127.0.0.1:${port}/as2`);
    const res = await test(tenant, id);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      success: true,
      message: 'Partner connection test successful',
      data: {
        test_type: 'ping',
        partner: { id, name: expect.any(String), as2_id: expect.any(String), url: `https://127.0.0.1:${port}/as2` },
        results: { connectivity: 'success', ssl_validation: 'success', http_status: 405, server: 'TestAS2/1.0', as2_version: '1.2', ediint_features: 'CEM, multiple-attachments', response_time_ms: expect.any(Number) },
        duration_ms: expect.any(Number),
        tested_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
      },
    });
    expect(body.data.timeline.map((s: { step: string; status: string }) => [s.step, s.status])).toEqual([
      ['DNS resolution', 'success'],
      ['TCP connection', 'success'],
      ['SSL handshake', 'warning'],
      ['Certificate validation', 'success'],
      ['HTTP response', 'success'],
    ]);
    expect(body.data.timeline[1].details).toBe(`Connected to 127.0.0.1:${port}`);
    // The endpoint's certificate is valid for two days: inside the 30-day warning, which does not fail the test.
    expect(body.data.timeline[2].details).toMatch(
      /^TLS 1\.[23] connection established \(\S+\); server certificate CN=partner-endpoint interop test, issued by CN=partner-endpoint interop test, expires \S+: expires in [012] days$/,
    );
    expect(body.data.timeline[3].details).toMatch(/^The server presented the partner's pinned TLS certificate \(SHA-256 /);
    expect(requests).toEqual([`GET /as2 host=127.0.0.1:${port}`]);
    // The registry's partner details show the latest test (seed 002 `connection_status`).
    const details = await t.app.inject({ method: 'GET', url: `/v1/partners/${id}`, headers: as(tenant, ['tenant_user']) });
    expect(details.json().data.connection_status).toEqual({ last_test: body.data.tested_at, last_test_result: 'success', response_time_ms: body.data.results.response_time_ms });
  });

  it('records at most 1,000 characters of any one text the partner answered, saying how much was left out, in the answer and the history', async () => {
    const tenant = await freshTenant();
    const id = await partner(tenant, `https://127.0.0.1:${port}/talkative`);
    const res = await test(tenant, id);
    const server = `Talkative/${'x'.repeat(990)}${'y'.repeat(3_000)}`;
    const clipped = res.json().data.results.server as string;
    const [, kept, more] = /^(.*)… \((\d+) more characters\)$/.exec(clipped) ?? [];
    expect([res.statusCode, clipped.length <= 1_000, server.startsWith(kept ?? '-'), (kept ?? '').length + Number(more)]).toEqual([200, true, true, server.length]);
    const history = await t.app.inject({ method: 'GET', url: `/v1/partners/${id}/tests`, headers: as(tenant, ['tenant_user']) });
    expect(history.json().data[0].results.server).toBe(clipped);
  });

  it('connects to the checked address with the original host name in Host (a name resolving to loopback, allowed here)', async () => {
    const tenant = await freshTenant();
    const id = await partner(tenant, `https://partner.test:${port}/as2`);
    const body = (await test(tenant, id)).json();
    expect(body.data.timeline[0].details).toBe('Resolved partner.test to 127.0.0.1');
    expect(requests).toEqual([`GET /as2 host=partner.test:${port}`]);
    expect(attempted).toEqual([`127.0.0.1:${port}`]);
  });

  it('refuses a name resolving to a private address (DNS rebinding) or to one private among public: no connection, the same answer', async () => {
    const tenant = await freshTenant();
    for (const host of ['rebind.test', 'mixed.test']) {
      const id = await partner(tenant, `https://${host}:${port}/as2`, { pin: false });
      const body = (await test(tenant, id)).json();
      expect(body).toMatchObject({ success: false, message: 'Partner connection test failed', data: { results: { connectivity: 'failed', ssl_validation: 'not_tested', error: 'Destination not allowed' } } });
      expect(body.data.timeline).toEqual([expect.objectContaining({ step: 'Destination not allowed', status: 'failure' })]);
    }
    expect(attempted).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('does not follow a redirect to a private address: the 3xx is the step result', async () => {
    const tenant = await freshTenant();
    const id = await partner(tenant, `https://127.0.0.1:${port}/redirect`);
    const body = (await test(tenant, id)).json();
    expect(body.data.timeline[4]).toMatchObject({ step: 'HTTP response', status: 'warning', details: expect.stringContaining('redirect to http://169.254.169.254/latest/meta-data/ not followed') });
    expect(attempted).toEqual([`127.0.0.1:${port}`]);
  });

  it('reports DNS failure and connection refused as failing steps', async () => {
    const tenant = await freshTenant();
    const unknown = await partner(tenant, 'https://no-such-host.test/as2');
    const dns = (await test(tenant, unknown)).json();
    expect(dns.data.timeline).toEqual([expect.objectContaining({ step: 'DNS resolution', status: 'failure', details: 'Could not resolve no-such-host.test (ENOTFOUND)' })]);
    const closed = await new Promise<number>((resolve) => {
      const s = createPlainServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const refused = await partner(tenant, `https://127.0.0.1:${closed}/as2`);
    const tcp = (await test(tenant, refused)).json();
    expect(tcp.data.timeline[1]).toMatchObject({ step: 'TCP connection', status: 'failure', details: `Connection refused by 127.0.0.1:${closed}` });
  });

  it('fails certificate validation for a self-signed endpoint nobody pinned (untrusted TLS certificate)', async () => {
    const tenant = await freshTenant();
    const id = await partner(tenant, `https://127.0.0.1:${port}/as2`, { pin: false });
    const body = (await test(tenant, id)).json();
    expect(body.success).toBe(false);
    expect(body.data.timeline.map((s: { step: string; status: string }) => [s.step, s.status])).toEqual([
      ['DNS resolution', 'success'],
      ['TCP connection', 'success'],
      ['SSL handshake', 'warning'],
      ['Certificate validation', 'failure'],
    ]);
    expect(body.data.timeline[3].details).toMatch(/^Untrusted TLS certificate: .*self.signed/i);
    expect(requests).toEqual([]);
  });

  it('fails certificate validation for a server certificate issued by a pinned certificate that is no CA (as a TLS client with that anchor does)', async () => {
    // No keyUsage: an end-entity certificate as `openssl req -x509` makes one, which OpenSSL's issuer check alone lets sign.
    const pinned = issueTestCertificate({ commonName: 'pinned leaf', isCa: false, keyUsage: [] });
    const leaf = issueTestCertificate({ commonName: '127.0.0.1', issuer: pinned });
    const issuedByLeaf = createServer({ key: leaf.privateKeyPem, cert: leaf.pem }, (_req, res) => res.writeHead(405).end());
    await new Promise<void>((resolve) => issuedByLeaf.listen(0, '127.0.0.1', resolve));
    try {
      const tenant = await freshTenant();
      const id = await partner(tenant, `https://127.0.0.1:${(issuedByLeaf.address() as AddressInfo).port}/as2`, { pin: false });
      const body = multipartBody({ name: 'Pinned leaf', usage: 'tls' }, { field: 'certificate', filename: 'tls.pem', content: pinned.pem });
      expect((await t.app.inject({ method: 'POST', url: `/v1/partners/${id}/certificates`, headers: { ...as(tenant), 'content-type': body.contentType }, payload: body.payload })).statusCode).toBe(201);
      const answer = (await test(tenant, id)).json();
      expect([answer.success, answer.data.timeline[3].step, answer.data.timeline[3].status]).toEqual([false, 'Certificate validation', 'failure']);
      expect(answer.data.timeline[3].details).toMatch(/^Untrusted TLS certificate: it is issued by the partner's pinned TLS certificate CN=pinned leaf.* is no CA certificate/);
    } finally {
      await new Promise((resolve) => issuedByLeaf.close(resolve));
    }
  });

  it('lists the tests newest first, paginated, to the tenant only', async () => {
    const tenant = await freshTenant();
    const id = await partner(tenant, `https://127.0.0.1:${port}/as2`);
    const first = (await test(tenant, id)).json();
    const second = (await test(tenant, id)).json();
    const list = await t.app.inject({ method: 'GET', url: `/v1/partners/${id}/tests?per_page=1`, headers: as(tenant, ['tenant_user']) });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ data: [{ tested_at: second.data.tested_at, test_type: 'ping', success: true }], pagination: { total: 2, per_page: 1, last_page: 2 } });
    expect(first.data.tested_at <= second.data.tested_at).toBe(true);
    const other = await freshTenant();
    expect((await t.app.inject({ method: 'GET', url: `/v1/partners/${id}/tests`, headers: as(other) })).statusCode).toBe(404);
  });
});

describe('status changes', () => {
  it('publishes connection.status_changed.v1 only when the outcome flips', async () => {
    const tenant = await freshTenant('starter');
    const id = await partner(tenant, `https://127.0.0.1:${port}/flaky`);
    const outcomes: boolean[] = [];
    for (const down of [false, false, true, true, false]) {
      flakyDown = down;
      outcomes.push((await test(tenant, id)).json().success);
    }
    flakyDown = false;
    expect(outcomes).toEqual([true, true, false, false, true]);
    const events = await t.app.get<EventStore>(EVENT_STORE).readStream(`connection_partner-${id}.${tenant}`);
    expect(events.filter((e) => e.type === 'connection.status_changed.v1').map((e) => [(e.data as { previousOutcome: string }).previousOutcome, (e.data as { outcome: string }).outcome])).toEqual([
      ['success', 'failure'],
      ['failure', 'success'],
    ]);
  });
});

describe('limits', () => {
  it('gives the 11th of 11 tests sent at once on free a 429 with Retry-After and the exact body', async () => {
    const tenant = await freshTenant('free');
    const id = await partner(tenant, `https://127.0.0.1:${port}/as2`);
    const answers = await Promise.all(Array.from({ length: 11 }, () => test(tenant, id)));
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const refused = answers.find((a) => a.statusCode === 429)!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
    expect(refused.json()).toEqual({
      message: 'Connection test limit exceeded for current plan',
      error: {
        type: 'rate_limit_error',
        code: 'TEST_RATE_LIMIT_EXCEEDED',
        details: { tests_last_hour: 10, plan_limit: 10, plan: 'free', retry_after_seconds: Number(refused.headers['retry-after']) },
      },
    });
  });

  it('refuses a full test without acknowledge_payload_delivery, mdn without our AS2 instance and a ping naming an unknown one, before counting it', async () => {
    const tenant = await freshTenant();
    const id = await partner(tenant, `https://127.0.0.1:${port}/as2`);
    const full = await test(tenant, id, { test_type: 'full' });
    expect(full.statusCode).toBe(422);
    expect(full.json().error.code).toBe('PAYLOAD_DELIVERY_NOT_ACKNOWLEDGED');
    const mdn = await test(tenant, id, { test_type: 'mdn' });
    expect(mdn.statusCode).toBe(422);
    expect(mdn.json().error.code).toBe('AS2_INSTANCE_REQUIRED');
    // a ping needs no instance, but one it names must be the caller's (not another tenant's, not a made-up id)
    const ping = await test(tenant, id, { test_type: 'ping', as2_instance_id: 'ins_doesnotexist' });
    expect(ping.statusCode).toBe(404);
    expect(ping.json().error.code).toBe('AS2_INSTANCE_NOT_FOUND');
    expect(requests).toEqual([]);
  });

  it('never sends a test message as one of our AS2 instances that is off: named, or paired with the partner (422 AS2_INSTANCE_OFF)', async () => {
    const tenant = await freshTenant('enterprise');
    const id = await partner(tenant, `https://127.0.0.1:${port}/as2`);
    const as2Id = `OFF${tenantCounter}X${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
    const instance = await t.app.inject({ method: 'POST', url: '/v1/as2-instances', headers: as(tenant), payload: { my_as2_id: as2Id, my_name: 'Off', my_as2_alias: 'off-key', my_email: 'as2@us.example.com', status: 'off' } });
    expect(instance.statusCode).toBe(201);
    const instanceId = instance.json().data.id as string;
    expect((await t.app.inject({ method: 'POST', url: '/v1/partnerships', headers: as(tenant), payload: { as2_instance_id: instanceId, partner_id: id } })).statusCode).toBe(201);
    requests = [];
    for (const body of [{ test_type: 'mdn' }, { test_type: 'mdn', as2_instance_id: instanceId }, { test_type: 'full', acknowledge_payload_delivery: true }]) {
      const refused = await eventually('the tester to know the instance and its partnership', async () => {
        const res = await test(tenant, id, body);
        return res.json().error?.code === 'AS2_INSTANCE_REQUIRED' ? undefined : res;
      }, { timeoutMs: 10_000, intervalMs: 10 });
      expect([JSON.stringify(body), refused.statusCode, refused.json().error?.code]).toEqual([JSON.stringify(body), 422, 'AS2_INSTANCE_OFF']);
    }
    // A ping sends no message as the instance: it runs.
    expect((await test(tenant, id, { test_type: 'ping', as2_instance_id: instanceId })).statusCode).toBe(200);
    expect(requests.filter((r) => r.startsWith('POST'))).toEqual([]);
  });
});

describe('the test message', () => {
  it("asks its MDN of the sending instance's my_email (Disposition-Notification-To, From), as the instance's latest update has it", async () => {
    const tenant = await freshTenant('enterprise');
    const id = await partner(tenant, `https://127.0.0.1:${port}/as2`);
    const as2Id = `MAIL${tenantCounter}X${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
    const instance = await t.app.inject({ method: 'POST', url: '/v1/as2-instances', headers: as(tenant), payload: { my_as2_id: as2Id, my_name: 'Us', my_as2_alias: 'us-key', my_email: 'as2@us.example.com' } });
    expect([instance.statusCode, instance.statusCode === 201 ? null : instance.body]).toEqual([201, null]);
    const instanceId = instance.json().data.id as string;
    expect((await t.app.inject({ method: 'POST', url: '/v1/partnerships', headers: as(tenant), payload: { as2_instance_id: instanceId, partner_id: id } })).statusCode).toBe(201);
    const sent = await eventually('the tester to know the instance and its partnership', async () => {
      const res = await test(tenant, id, { test_type: 'mdn' });
      return res.json().error?.code === 'AS2_INSTANCE_REQUIRED' ? undefined : res;
    }, { timeoutMs: 10_000, intervalMs: 10 });
    expect(sent.statusCode).toBe(200);
    expect(posted.map((h) => [h['as2-from'], h['disposition-notification-to'], h['from']])).toEqual([[as2Id, 'as2@us.example.com', 'as2@us.example.com']]);

    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/as2-instances/${instanceId}`, headers: as(tenant), payload: { my_email: 'edi@us.example.com' } });
    expect([patched.statusCode, patched.statusCode === 200 ? null : patched.body]).toEqual([200, null]);
    const instances = t.app.get<ReadModelStore>(READ_MODEL_STORE).collection<{ _id: string; email?: string | null }>('connection_tester_instances');
    await eventually('the tester to learn the new my_email', async () => ((await instances.get(instanceId))?.email === 'edi@us.example.com' ? true : undefined), { timeoutMs: 10_000, intervalMs: 10 });
    posted = [];
    expect((await test(tenant, id, { test_type: 'mdn', as2_instance_id: instanceId })).statusCode).toBe(200);
    expect(posted.map((h) => [h['disposition-notification-to'], h['from']])).toEqual([['edi@us.example.com', 'edi@us.example.com']]);
  });
});

describe('security of the routes', () => {
  it('needs a token, a writer role to run, the tenant’s own partner, and a well-formed body', async () => {
    const tenant = await freshTenant();
    const id = await partner(tenant, `https://127.0.0.1:${port}/as2`);
    expect((await t.app.inject({ method: 'POST', url: `/v1/partners/${id}/test`, payload: { test_type: 'ping' } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: `/v1/partners/${id}/tests` })).statusCode).toBe(401);
    expect((await test(tenant, id, { test_type: 'ping' }, as(tenant, ['tenant_user']))).statusCode).toBe(403);
    const other = await freshTenant();
    const foreign = await test(other, id);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('PARTNER_NOT_FOUND');
    expect((await test(tenant, id, { test_type: 'ping' }, as(tenant, ['tenant_admin'], 'other-account'))).statusCode).toBe(404);
    const noTenant = await t.app.inject({ method: 'POST', url: `/v1/partners/${id}/test`, headers: { authorization: `Bearer ${t.token({ account: 'acme', tenant: null, roles: ['account_admin'] })}` }, payload: { test_type: 'ping' } });
    expect(noTenant.statusCode).toBe(403);
    for (const hostile of [{ test_type: 'evil' }, { test_type: 'ping', url: 'http://10.0.0.1/' }, { test_type: 'full', acknowledge_payload_delivery: 'yes' }, { test_type: 'ping', certificates: 'old' }]) {
      expect((await test(tenant, id, hostile)).statusCode).toBe(422);
    }
    // One message that says what is wrong: a missing test type is required, an unknown one invalid.
    expect((await test(tenant, id, {})).json().errors).toEqual({ test_type: ['The test type field is required'] });
    expect((await test(tenant, id, { test_type: 'evil' })).json().errors).toEqual({ test_type: ['The selected test type is invalid'] });
    const monitoring = await t.app.inject({ method: 'PUT', url: `/v1/partners/${id}/monitoring`, headers: as(tenant, ['tenant_user']), payload: { enabled: true, test_type: 'ping', interval_minutes: 15 } });
    expect(monitoring.statusCode).toBe(403);
    expect(requests).toEqual([]);
  });

  it('refuses what is not an MDN a test waits for on the public receipt route, with a 4xx and the error shape', async () => {
    const garbage = await t.app.inject({ method: 'POST', url: '/v1/connection-tests/mdn', headers: { 'content-type': 'multipart/report; boundary=x' }, payload: 'garbage' });
    expect([garbage.statusCode, garbage.json().error.code]).toEqual([422, 'INVALID_MDN']);
    const json = await t.app.inject({ method: 'POST', url: '/v1/connection-tests/mdn', payload: { original_message_id: '<x@y>' } });
    expect([json.statusCode, json.json().error.code]).toEqual([422, 'INVALID_MDN']);
    // Another media type: the 415 names what the route takes, not JSON alone.
    const text = await t.app.inject({ method: 'POST', url: '/v1/connection-tests/mdn', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect([text.statusCode, text.json()]).toEqual([
      415,
      { message: 'The request body must be an MDN: multipart/report, or multipart/signed around one, not text/plain', error: { type: 'invalid_request_error', code: 'UNSUPPORTED_MEDIA_TYPE' } },
    ]);
  });
});

describe('continuous monitoring', () => {
  it('validates the interval, caps monitored partners per plan, and runs each slot once (not counted against the manual limit)', async () => {
    const tenant = await freshTenant('free');
    const id = await partner(tenant, `https://127.0.0.1:${port}/as2`);
    const put = (partnerId: string, payload: object) => t.app.inject({ method: 'PUT', url: `/v1/partners/${partnerId}/monitoring`, headers: as(tenant), payload });
    expect((await put(id, { enabled: true, test_type: 'ping', interval_minutes: 10 })).statusCode).toBe(422);
    expect((await put(id, { enabled: true, test_type: 'full', interval_minutes: 15 })).statusCode).toBe(422);
    const ok = await put(id, { enabled: true, test_type: 'ping', interval_minutes: 15 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data).toEqual({ partner_id: id, enabled: true, test_type: 'ping', interval_minutes: 15 });
    const second = await partner(tenant, `https://127.0.0.1:${port}/other`);
    const capped = await put(second, { enabled: true, test_type: 'ping', interval_minutes: 15 });
    expect(capped.statusCode).toBe(402);
    expect(capped.json().error).toEqual({ type: 'billing_error', code: 'MONITORING_LIMIT_EXCEEDED', details: { monitored_partners: 2, plan_limit: 1, plan: 'free' } });

    const scheduler = t.app.get(MonitoringScheduler);
    const later = new Date(Date.now() + 16 * 60_000);
    expect(await scheduler.runDue(later)).toBe(1);
    expect(await scheduler.runDue(later)).toBe(0);
    // A scheduled run answers no request: its test shows in the history once the view has its events.
    const triggers = await eventually('the monitoring run in the test history', async () => {
      const list = (await t.app.inject({ method: 'GET', url: `/v1/partners/${id}/tests`, headers: as(tenant) })).json();
      const found = list.data.map((d: { trigger: string }) => d.trigger);
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 10_000, intervalMs: 10 });
    expect(triggers).toEqual(['monitoring']);
  });

  it('after a plan goes down, runs the monitors turned on first, a changed interval keeping its place', async () => {
    const tenant = await freshTenant('professional');
    const [first, second, third] = [await partner(tenant, `https://127.0.0.1:${port}/as2`), await partner(tenant, `https://127.0.0.1:${port}/as2`), await partner(tenant, `https://127.0.0.1:${port}/as2`)];
    const monitor = (id: string, interval: number) => t.app.inject({ method: 'PUT', url: `/v1/partners/${id}/monitoring`, headers: as(tenant), payload: { enabled: true, test_type: 'ping', interval_minutes: interval } });
    expect([(await monitor(first, 15)).statusCode, (await monitor(second, 15)).statusCode]).toEqual([200, 200]);
    const accountAdmin = { authorization: `Bearer ${t.token({ account: 'acme', tenant: null, roles: ['account_admin'] })}` };
    expect((await t.app.inject({ method: 'PATCH', url: `/v1/accounts/acme/tenants/${tenant}`, headers: accountAdmin, payload: { plan: 'free' } })).statusCode).toBe(200);
    // Known to the tester once a third monitor is refused for the free plan's one.
    await eventually('the free plan at the tester', async () => ((await monitor(third, 15)).statusCode === 402 ? true : undefined), { timeoutMs: 10_000, intervalMs: 20 });
    expect((await monitor(first, 20)).statusCode).toBe(200);

    await t.app.get(MonitoringScheduler).runDue(new Date(Date.now() + 41 * 60_000));
    const reserved = (await t.app.get<EventStore>(EVENT_STORE).readStream(ConnectionTesterStreams.tenantTesting('acme', tenant))).filter((e) => e.type === 'connection.test_reserved.v1');
    expect(reserved.map((e) => (e.data as { partnerId: string }).partnerId)).toEqual([first]);
  });

  it('{enabled: false} alone turns monitoring off and frees the plan slot; enabling still needs test_type and interval_minutes', async () => {
    const tenant = await freshTenant('free');
    const id = await partner(tenant, `https://127.0.0.1:${port}/as2`);
    const second = await partner(tenant, `https://127.0.0.1:${port}/other`);
    const put = (partnerId: string, payload: object) => t.app.inject({ method: 'PUT', url: `/v1/partners/${partnerId}/monitoring`, headers: as(tenant), payload });
    expect((await put(id, { enabled: true })).json().errors).toEqual({ test_type: [expect.any(String)], interval_minutes: expect.any(Array) });
    expect((await put(id, { enabled: true, test_type: 'ping', interval_minutes: 30 })).statusCode).toBe(200);
    const off = await put(id, { enabled: false });
    expect([off.statusCode, off.json().data]).toEqual([200, { partner_id: id, enabled: false, test_type: null, interval_minutes: null }]);
    expect((await put(id, { enabled: false, interval_minutes: 5 })).statusCode).toBe(422);
    expect((await put(second, { enabled: true, test_type: 'ping', interval_minutes: 15 })).statusCode).toBe(200);
    // The event names the setting that stopped.
    const events = await t.app.get<EventStore>(EVENT_STORE).readStream(ConnectionTesterStreams.tenantTesting('acme', tenant));
    const disabled = events.filter((e) => e.type === 'connection.monitoring_configured.v1' && (e.data as { enabled: boolean }).enabled === false);
    expect(disabled.map((e) => e.data)).toEqual([expect.objectContaining({ partnerId: id, enabled: false, testType: 'ping', intervalMinutes: 30 })]);
  });

  it('refuses an mdn monitoring of a partner no partnership pairs with our AS2 instance, as the manual test is refused (422 AS2_INSTANCE_REQUIRED)', async () => {
    const tenant = await freshTenant('starter');
    const id = await partner(tenant, `https://127.0.0.1:${port}/as2`);
    const refused = await t.app.inject({ method: 'PUT', url: `/v1/partners/${id}/monitoring`, headers: as(tenant), payload: { enabled: true, test_type: 'mdn', interval_minutes: 15 } });
    expect([refused.statusCode, refused.json().error?.code]).toEqual([422, 'AS2_INSTANCE_REQUIRED']);
    // The field it names is one the monitoring body has (it takes no as2_instance_id: one is refused as not allowed).
    expect(Object.keys(refused.json().errors)).toEqual(['test_type']);
    const events = await t.app.get<EventStore>(EVENT_STORE).readStream(ConnectionTesterStreams.tenantTesting('acme', tenant));
    expect(events.map((e) => e.type)).not.toContain('connection.monitoring_configured.v1');
  });

  it("a deleted partner's monitoring ends and frees its place: before another is enabled, and at its slot (a master partner for each tenant)", async () => {
    const tenant = await freshTenant('free');
    const put = (partnerId: string) => t.app.inject({ method: 'PUT', url: `/v1/partners/${partnerId}/monitoring`, headers: as(tenant), payload: { enabled: true, test_type: 'ping', interval_minutes: 15 } });
    const gone = await partner(tenant, `https://127.0.0.1:${port}/as2`);
    const next = await partner(tenant, `https://127.0.0.1:${port}/other`);
    expect((await put(gone)).statusCode).toBe(200);
    expect((await put(next)).statusCode).toBe(402);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/partners/${gone}`, headers: as(tenant) })).statusCode).toBe(200);
    await eventually('the tester to know the deletion', async () => ((await t.app.inject({ method: 'GET', url: `/v1/partners/${gone}/tests`, headers: as(tenant) })).statusCode === 404 ? true : undefined), { timeoutMs: 10_000, intervalMs: 10 });
    expect((await put(next)).statusCode).toBe(200);
    const stream = ConnectionTesterStreams.tenantTesting('acme', tenant);
    const configured = async () => (await t.app.get<EventStore>(EVENT_STORE).readStream(stream)).filter((e) => e.type === 'connection.monitoring_configured.v1').map((e) => [(e.data as { partnerId: string }).partnerId, (e.data as { enabled: boolean }).enabled]);
    expect(await configured()).toEqual([[gone, true], [gone, false], [next, true]]);

    // A master partner deleted by its account: each tenant that monitored it stops at its slot.
    const accountAdmin = { authorization: `Bearer ${t.token({ account: 'acme', tenant: null, roles: ['account_admin'] })}` };
    const as2Id = `M${tenantCounter}D${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
    const other = await freshTenant('starter');
    const master = (await t.app.inject({ method: 'POST', url: '/v1/accounts/acme/partners', headers: accountAdmin, payload: { name: 'Master', as2_id: as2Id, url: `https://127.0.0.1:${port}/as2` } })).json().data.id as string;
    expect((await t.app.inject({ method: 'PUT', url: `/v1/partners/${master}/monitoring`, headers: as(other), payload: { enabled: true, test_type: 'ping', interval_minutes: 15 } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/accounts/acme/partners/${master}`, headers: accountAdmin })).statusCode).toBe(200);
    await eventually('the tester to know the deletion', async () => ((await t.app.inject({ method: 'GET', url: `/v1/partners/${master}/tests`, headers: as(other) })).statusCode === 404 ? true : undefined), { timeoutMs: 10_000, intervalMs: 10 });
    await t.app.get(MonitoringScheduler).runDue(new Date(Date.now() + 16 * 60_000));
    const ended = (await t.app.get<EventStore>(EVENT_STORE).readStream(ConnectionTesterStreams.tenantTesting('acme', other))).filter((e) => e.type === 'connection.monitoring_configured.v1');
    expect(ended.map((e) => [(e.data as { partnerId: string }).partnerId, (e.data as { enabled: boolean }).enabled, e.metadata.actor.type])).toEqual([[master, true, 'user'], [master, false, 'service']]);
  });

  it('a change of monitoring under the cap (or without one) asks after no other monitored partner: its cost does not grow with how many are monitored', async () => {
    const tenant = await freshTenant('enterprise');
    const put = (partnerId: string) => t.app.inject({ method: 'PUT', url: `/v1/partners/${partnerId}/monitoring`, headers: as(tenant), payload: { enabled: true, test_type: 'ping', interval_minutes: 60 } });
    const monitored = await Promise.all(Array.from({ length: 12 }, (_, i) => partner(tenant, `https://127.0.0.1:${port}/m${i}`)));
    for (const id of monitored) expect((await put(id)).statusCode).toBe(200);
    const asked = jest.spyOn(TestedPartnerAccess.prototype, 'isDeleted');
    try {
      expect((await put(await partner(tenant, `https://127.0.0.1:${port}/one-more`))).statusCode).toBe(200);
      expect(asked).not.toHaveBeenCalled();
      // a plan with a cap, below it: nothing to free either
      const starter = await freshTenant('starter');
      expect((await t.app.inject({ method: 'PUT', url: `/v1/partners/${await partner(starter, `https://127.0.0.1:${port}/s`)}/monitoring`, headers: as(starter), payload: { enabled: true, test_type: 'ping', interval_minutes: 15 } })).statusCode).toBe(200);
      expect(asked).not.toHaveBeenCalled();
    } finally {
      asked.mockRestore();
    }
  });

  it("a deleted tenant's monitoring of an inherited master partner (which outlives it) runs no more", async () => {
    const tenant = await freshTenant('starter');
    const accountAdmin = { authorization: `Bearer ${t.token({ account: 'acme', tenant: null, roles: ['account_admin'] })}` };
    const as2Id = `M${tenantCounter}X${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
    const master = await t.app.inject({ method: 'POST', url: '/v1/accounts/acme/partners', headers: accountAdmin, payload: { name: 'Master', as2_id: as2Id, url: `https://127.0.0.1:${port}/as2` } });
    expect(master.statusCode).toBe(201);
    const id = master.json().data.id as string;
    const put = await t.app.inject({ method: 'PUT', url: `/v1/partners/${id}/monitoring`, headers: as(tenant), payload: { enabled: true, test_type: 'ping', interval_minutes: 15 } });
    expect(put.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/accounts/acme/tenants/${tenant}`, headers: accountAdmin })).statusCode).toBe(200);
    // The tester has learned of the deletion once it refuses the tenant's requests.
    for (let tries = 0; (await t.app.inject({ method: 'GET', url: `/v1/partners/${id}/tests`, headers: as(tenant) })).statusCode !== 403; tries += 1) {
      expect(tries).toBeLessThan(100);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    await t.app.get(MonitoringScheduler).runDue(new Date(Date.now() + 16 * 60_000));
    const events = await t.app.get<EventStore>(EVENT_STORE).readStream(ConnectionTesterStreams.tenantTesting('acme', tenant));
    expect(events.map((e) => e.type)).not.toContain('connection.test_reserved.v1');
  });
});
