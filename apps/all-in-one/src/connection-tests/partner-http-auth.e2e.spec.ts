import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestIdentity, type TestIdentity } from '@as2-partners/as2-testing';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';

jest.setTimeout(60_000);

// The partner's outbound HTTP basic auth reaches its server (the registry unseals it in process) and nowhere else.
const USER = 'acme-as2';
const PASSWORD = 'Tr1cky-Pa55word!';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let t: EmbeddedTestApp;
let dir: string;
let endpoint: TestIdentity;
let server: Server;
let port: number;
const seen: { method: string; authorization: string | undefined }[] = [];
const logs: string[] = [];

/** A partner endpoint that wants basic auth: 401 without the right credential, 200 with it. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ method: req.method ?? '', authorization: req.headers.authorization });
  req.resume();
  if (req.headers.authorization !== BASIC) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="as2"' }).end('authentication required');
    return;
  }
  // A server that reflects its request: what it echoes must not end up in a stored result.
  if (req.url === '/echo') {
    res.writeHead(200, `OK ${req.headers.authorization}`, { server: `Echo/1.0 (${req.headers.authorization}; ${USER}:${PASSWORD})`, 'ediint-features': PASSWORD }).end('ok');
    return;
  }
  res.writeHead(200, { server: 'AuthAS2/1.0' }).end('ok');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'partner-http-auth-'));
  // Self-signed, trusted through the partner's TLS slot (pinning).
  endpoint = await createTestIdentity(dir, 'auth-endpoint', { subjectAltName: 'IP:127.0.0.1' });
  server = createServer({ key: endpoint.keyPem, cert: endpoint.certPem }, answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  t = await createEmbeddedTestApp({
    imports: [AllInOneModule],
    env: { PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8', LOG_LEVEL: 'trace' },
    logDestination: { write: (chunk: string) => void logs.push(chunk) },
  });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
});

let counter = 0;
const as = (tenant: string) => ({ authorization: `Bearer ${t.token({ account: 'acme', tenant, roles: ['tenant_admin'] })}` });

async function partnerWithAuth(tenant: string, httpAuth: object, path = '/as2'): Promise<string> {
  counter += 1;
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/partners',
    headers: as(tenant),
    payload: { name: 'Auth partner', as2_id: `AUTHP${counter}`, url: `https://127.0.0.1:${port}${path}`, http_auth: httpAuth },
  });
  expect([res.statusCode, res.statusCode === 201 ? null : res.body]).toEqual([201, null]);
  const id = res.json().data.id as string;
  const boundary = `----auth${counter}`;
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nEndpoint TLS\r\n--${boundary}\r\nContent-Disposition: form-data; name="usage"\r\n\r\ntls\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="tls.pem"\r\nContent-Type: application/octet-stream\r\n\r\n${endpoint.certPem}\r\n--${boundary}--\r\n`,
  );
  const pinned = await t.app.inject({ method: 'POST', url: `/v1/partners/${id}/certificates`, headers: { ...as(tenant), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  expect([pinned.statusCode, pinned.statusCode === 201 ? null : pinned.body]).toEqual([201, null]);
  return id;
}

const runTest = (tenant: string, id: string, body: object) => t.app.inject({ method: 'POST', url: `/v1/partners/${id}/test`, headers: as(tenant), payload: body });

describe('partner HTTP basic auth in connection tests', () => {
  it('a partner that echoes the credential back: the result, its list and the log keep none of it', async () => {
    const tenant = `auth-echo-${process.pid}`;
    const id = await partnerWithAuth(tenant, { enabled: true, username: USER, password: PASSWORD }, '/echo');
    const res = await runTest(tenant, id, { test_type: 'ping' });
    expect(res.json().data.results).toMatchObject({ http_status: 200, server: 'Echo/1.0 ([redacted]; [redacted])', ediint_features: '[redacted]' });
    const listed = await t.app.inject({ method: 'GET', url: `/v1/partners/${id}/tests`, headers: as(tenant) });
    for (const text of [res.body, listed.body, logs.join('')]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(BASIC.slice(6));
    }
  });

  it('ping: without the credential the endpoint answers 401, with it 200 (the tester sends what the registry unseals)', async () => {
    const tenant = `auth-ping-${process.pid}`;
    const without = await partnerWithAuth(tenant, { enabled: false });
    const res401 = await runTest(tenant, without, { test_type: 'ping' });
    expect(res401.json().data.timeline.find((s: { step: string }) => s.step === 'HTTP response')).toMatchObject({ status: 'warning', details: expect.stringContaining('HTTP 401') });
    expect(seen).toEqual([{ method: 'GET', authorization: undefined }]);

    seen.length = 0;
    const withAuth = await partnerWithAuth(tenant, { enabled: true, username: USER, password: PASSWORD });
    const res = await runTest(tenant, withAuth, { test_type: 'ping' });
    const body = res.json();
    expect(body.success).toBe(true);
    expect(body.data.results.http_status).toBe(200);
    expect(body.data.timeline.map((s: { step: string }) => s.step)).not.toContain('HTTP authentication');
    expect(seen).toEqual([{ method: 'GET', authorization: BASIC }]);
  });

  it('mdn: the AS2 POST carries the credential', async () => {
    const tenant = `auth-mdn-${process.pid}`;
    const instance = await t.app.inject({ method: 'POST', url: '/v1/as2-instances', headers: as(tenant), payload: { my_as2_id: 'AUTHUS', my_name: 'Us', my_as2_alias: 'authus-key', my_email: 'as2@us.example.com' } });
    expect([instance.statusCode, instance.statusCode === 201 ? null : instance.body]).toEqual([201, null]);
    const id = await partnerWithAuth(tenant, { enabled: true, username: USER, password: PASSWORD });
    const res = await runTest(tenant, id, { test_type: 'mdn', as2_instance_id: instance.json().data.id });
    expect(res.statusCode).toBe(200);
    expect(seen).toEqual([{ method: 'POST', authorization: BASIC }]);
    // Authenticated, the endpoint answered 200 (not an MDN): the failure is about the MDN, not authentication.
    expect(res.json().data.timeline.map((s: { step: string }) => s.step)).not.toContain('HTTP authentication');
  });

  it('a wrong stored password is what the partner refuses: 401 reaches the timeline', async () => {
    const tenant = `auth-wrong-${process.pid}`;
    const id = await partnerWithAuth(tenant, { enabled: true, username: USER, password: 'not-the-password' });
    const res = await runTest(tenant, id, { test_type: 'ping' });
    expect(res.json().data.timeline.find((s: { step: string }) => s.step === 'HTTP response').details).toContain('HTTP 401');
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from(`${USER}:not-the-password`).toString('base64')}`);
  });

  it('never logs, records or answers the password (logs at trace, the event store, the test history)', async () => {
    const tenant = `auth-logs-${process.pid}`;
    const id = await partnerWithAuth(tenant, { enabled: true, username: USER, password: PASSWORD });
    const res = await runTest(tenant, id, { test_type: 'ping' });
    expect(res.json().success).toBe(true);
    const history = await t.app.inject({ method: 'GET', url: `/v1/partners/${id}/tests`, headers: as(tenant) });
    const events = (await t.app.get<EventStore>(EVENT_STORE).readAll()).map((event) => JSON.stringify(event));
    const base64 = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    for (const [where, text] of [['logs', logs.join('')], ['answer', res.body], ['history', history.body], ['events', events.join('\n')]]) {
      expect([where, text.includes(PASSWORD), text.includes(base64)]).toEqual([where, false, false]);
    }
    // The disclosure itself is audited (who, which partner, which tenant).
    expect(logs.join('')).toContain(`Outbound credential of partner ${id} (account acme, tenant ${tenant}, enabled) disclosed to connection-tester`);
  });
});
