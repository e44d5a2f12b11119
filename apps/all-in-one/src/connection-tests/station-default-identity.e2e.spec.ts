import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestIdentity, type TestIdentity } from '@as2-partners/as2-testing';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { ConnectionTesterModule } from '@as2-partners/connection-tester-service';
import { eventually } from '@as2-partners/kernel-testing';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';

jest.setTimeout(60_000);

// A station's as2_instance_id is the default identity its partners' mdn and full tests send as, when no partnership names one.
let t: EmbeddedTestApp;
let dir: string;
let endpoint: TestIdentity;
let server: Server;
let port: number;
/** The headers of the test messages the partner received. */
let posted: IncomingHttpHeaders[] = [];
const ACCOUNT = 'stn';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'station-identity-'));
  endpoint = await createTestIdentity(dir, 'station-endpoint', { subjectAltName: 'IP:127.0.0.1' });
  server = createServer({ key: endpoint.keyPem, cert: endpoint.certPem }, (req, res) => {
    if (req.method === 'POST') posted.push(req.headers);
    req.resume();
    res.writeHead(405, { 'as2-version': '1.2' }).end('POST only');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, ConnectionTesterModule], env: { PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8' } });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  posted = [];
});

const admin = () => ({ authorization: `Bearer ${t.token({ account: ACCOUNT, tenant: null, roles: ['account_admin'] })}` });
const as = (tenant: string) => ({ authorization: `Bearer ${t.token({ account: ACCOUNT, tenant, roles: ['tenant_admin'] })}` });
const unique = (prefix: string) => `${prefix}${Math.random().toString(36).slice(2, 8)}`.toUpperCase();

async function send(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: object, expected = method === 'POST' ? 201 : 200) {
  const res = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  expect([method, url, res.statusCode, res.statusCode === expected ? null : res.body]).toEqual([method, url, expected, null]);
  return res.statusCode === 200 || res.statusCode === 201 ? (res.json().data as { id: string }) : null;
}

let tenantCounter = 0;
async function freshTenant(): Promise<string> {
  tenantCounter += 1;
  const id = `st-${process.pid}-${tenantCounter}`;
  await send('POST', `/v1/accounts/${ACCOUNT}/tenants`, admin(), { id, name: id, plan: 'enterprise' });
  return id;
}

function tlsPin(id: string): { payload: Buffer; contentType: string } {
  const boundary = `----stn${id}`;
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nEndpoint TLS\r\n--${boundary}\r\nContent-Disposition: form-data; name="usage"\r\n\r\ntls\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="tls.pem"\r\nContent-Type: application/octet-stream\r\n\r\n${endpoint.certPem}\r\n--${boundary}--\r\n`,
  );
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A tenant's partner on the loopback endpoint, its TLS certificate pinned. */
async function partner(tenant: string, fields: object = {}): Promise<string> {
  const { id } = (await send('POST', '/v1/partners', as(tenant), { name: 'Partner', as2_id: unique('P'), url: `https://127.0.0.1:${port}/as2`, email: 'edi@partner.example.com', ...fields }))!;
  const pin = tlsPin(id);
  const res = await t.app.inject({ method: 'POST', url: `/v1/partners/${id}/certificates`, headers: { ...as(tenant), 'content-type': pin.contentType }, payload: pin.payload });
  expect([res.statusCode, res.statusCode === 201 ? null : res.body]).toEqual([201, null]);
  return id;
}

async function instance(tenant: string, status: 'on' | 'off' = 'on'): Promise<{ id: string; as2Id: string }> {
  const as2Id = unique('US');
  const { id } = (await send('POST', '/v1/as2-instances', as(tenant), { my_as2_id: as2Id, my_name: 'Us', my_as2_alias: 'us-key', my_email: 'as2@us.example.com', status }))!;
  return { id, as2Id };
}

const station = async (tenant: string, as2InstanceId: string | null) => (await send('POST', '/v1/stations', as(tenant), { name: 'EU', notification_email: 'ops@us.example.com', as2_instance_id: as2InstanceId }))!.id;

const mdnTest = (tenant: string, partnerId: string) => t.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/test`, headers: as(tenant), payload: { test_type: 'mdn' } });

/** The mdn test's answer once the tester's copies show `until` (the registry's events reach it through the bus). */
async function mdnUntil(tenant: string, partnerId: string, what: string, until: (res: Awaited<ReturnType<typeof mdnTest>>) => boolean) {
  return eventually(what, async () => {
    const res = await mdnTest(tenant, partnerId);
    return until(res) ? res : undefined;
  }, { timeoutMs: 10_000, intervalMs: 20 });
}

const code = (res: Awaited<ReturnType<typeof mdnTest>>) => (res.statusCode === 200 ? 'ran' : (res.json().error?.code as string));
const sentAs = () => posted.map((h) => h['as2-from']);

describe("a station's default identity (as2_instance_id) in connection tests", () => {
  it("sends a station partner's mdn test as the station's instance when no partnership names one; a partnership's instance wins", async () => {
    const tenant = await freshTenant();
    const ours = await instance(tenant);
    const id = await partner(tenant, { station_id: await station(tenant, ours.id) });
    const sent = await mdnUntil(tenant, id, "the tester to know the station's default identity", (res) => code(res) !== 'AS2_INSTANCE_REQUIRED');
    expect([sent.statusCode, sentAs()]).toEqual([200, [ours.as2Id]]);

    const paired = await instance(tenant);
    await send('POST', '/v1/partnerships', as(tenant), { as2_instance_id: paired.id, partner_id: id });
    posted = [];
    await mdnUntil(tenant, id, 'the tester to know the partnership', () => posted.at(-1)?.['as2-from'] === paired.as2Id);
  });

  it('refuses again (422 AS2_INSTANCE_REQUIRED) once the station names no instance, or the partner leaves the station; an off default is AS2_INSTANCE_OFF', async () => {
    const tenant = await freshTenant();
    const ours = await instance(tenant);
    const stationId = await station(tenant, ours.id);
    const id = await partner(tenant, { station_id: stationId });
    await mdnUntil(tenant, id, "the tester to know the station's default identity", (res) => code(res) === 'ran');

    await send('PATCH', `/v1/stations/${stationId}`, as(tenant), { as2_instance_id: null });
    const cleared = await mdnUntil(tenant, id, 'the tester to learn the cleared default', (res) => code(res) !== 'ran');
    expect([cleared.statusCode, code(cleared), cleared.json().errors]).toEqual([422, 'AS2_INSTANCE_REQUIRED', { as2_instance_id: [expect.stringContaining("station's as2_instance_id")] }]);

    await send('PATCH', `/v1/stations/${stationId}`, as(tenant), { as2_instance_id: ours.id });
    await mdnUntil(tenant, id, 'the tester to learn the default again', (res) => code(res) === 'ran');
    await send('PATCH', `/v1/partners/${id}`, as(tenant), { station_id: null });
    const left = await mdnUntil(tenant, id, 'the tester to learn the partner left the station', (res) => code(res) !== 'ran');
    expect([left.statusCode, code(left)]).toEqual([422, 'AS2_INSTANCE_REQUIRED']);

    const off = await instance(tenant, 'off');
    posted = [];
    const other = await partner(tenant, { station_id: await station(tenant, off.id) });
    const refused = await mdnUntil(tenant, other, "the tester to know the station's off default", (res) => code(res) !== 'AS2_INSTANCE_REQUIRED');
    expect([refused.statusCode, code(refused)]).toEqual([422, 'AS2_INSTANCE_OFF']);
    expect(posted).toEqual([]);
  });

  it("an instance's deletion ends it as the default; monitoring's mdn takes the station's default as the manual test does", async () => {
    const tenant = await freshTenant();
    const ours = await instance(tenant);
    const id = await partner(tenant, { station_id: await station(tenant, ours.id) });
    await mdnUntil(tenant, id, "the tester to know the station's default identity", (res) => code(res) === 'ran');
    await send('PUT', `/v1/partners/${id}/monitoring`, as(tenant), { enabled: true, test_type: 'mdn', interval_minutes: 15 }, 200);
    await send('PUT', `/v1/partners/${id}/monitoring`, as(tenant), { enabled: false }, 200);

    await send('DELETE', `/v1/as2-instances/${ours.id}`, as(tenant));
    const gone = await mdnUntil(tenant, id, 'the tester to learn the deletion', (res) => code(res) !== 'ran');
    expect([gone.statusCode, code(gone)]).toEqual([422, 'AS2_INSTANCE_REQUIRED']);
  });

  it("uses only the testing tenant's station: another tenant's is not its to name, and an inherited master partner takes the tenant's own override", async () => {
    const one = await freshTenant();
    const two = await freshTenant();
    const ours = await instance(one);
    const oneStation = await station(one, ours.id);
    const refused = await t.app.inject({ method: 'POST', url: '/v1/partners', headers: as(two), payload: { name: 'P', as2_id: unique('P'), url: `https://127.0.0.1:${port}/as2`, email: 'edi@partner.example.com', station_id: oneStation } });
    expect([refused.statusCode, refused.json().error?.code]).toEqual([404, 'STATION_NOT_FOUND']);

    const { id: master } = (await send('POST', `/v1/accounts/${ACCOUNT}/partners`, admin(), { name: 'Master', as2_id: unique('M'), url: `https://127.0.0.1:${port}/as2`, email: 'edi@master.example.com' }))!;
    const pin = tlsPin(master);
    const pinned = await t.app.inject({ method: 'POST', url: `/v1/accounts/${ACCOUNT}/partners/${master}/certificates`, headers: { ...admin(), 'content-type': pin.contentType }, payload: pin.payload });
    expect([pinned.statusCode, pinned.statusCode === 201 ? null : pinned.body]).toEqual([201, null]);
    await send('PATCH', `/v1/partners/${master}`, as(one), { station_id: oneStation });
    const sent = await mdnUntil(one, master, "the tester to know tenant one's station of the master", (res) => code(res) !== 'AS2_INSTANCE_REQUIRED' && code(res) !== 'PARTNER_NOT_FOUND');
    expect([sent.statusCode, sentAs()]).toEqual([200, [ours.as2Id]]);

    // Tenant two inherits the same master without a station of its own: tenant one's default is not its identity.
    posted = [];
    const two1 = await mdnUntil(two, master, 'the tester to know the master', (res) => code(res) !== 'PARTNER_NOT_FOUND');
    expect([two1.statusCode, code(two1), posted]).toEqual([422, 'AS2_INSTANCE_REQUIRED', []]);
  });
});
