import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestIdentity, type TestIdentity } from '@as2-partners/as2-testing';
import { READ_MODEL_STORE, type Filter, type ReadModelStore } from '@as2-partners/kernel';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';

jest.setTimeout(60_000);

// A tenant's overrides of an inherited master partner are what its connection tests use; nobody else's are.
let t: EmbeddedTestApp;
let dir: string;
let endpoint: TestIdentity;
let server: Server;
let port: number;
const seen: { path: string; authorization: string | undefined }[] = [];
const ACCOUNT = 'ovr';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inherited-overrides-'));
  endpoint = await createTestIdentity(dir, 'override-endpoint', { subjectAltName: 'IP:127.0.0.1' });
  server = createServer({ key: endpoint.keyPem, cert: endpoint.certPem }, (req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    res.writeHead(405).end('POST only');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  t = await createEmbeddedTestApp({ imports: [AllInOneModule], env: { PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8' } });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
});

const admin = () => ({ authorization: `Bearer ${t.token({ account: ACCOUNT, tenant: null, roles: ['account_admin'] })}` });
const as = (tenant: string) => ({ authorization: `Bearer ${t.token({ account: ACCOUNT, tenant, roles: ['tenant_admin'] })}` });
const url = (path: string) => `https://127.0.0.1:${port}${path}`;

async function master(as2Id: string, path: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: `/v1/accounts/${ACCOUNT}/partners`, headers: admin(), payload: { name: 'Master', as2_id: as2Id, url: url(path) } });
  expect([res.statusCode, res.statusCode === 201 ? null : res.body]).toEqual([201, null]);
  const id = res.json().data.id as string;
  const boundary = `----ovr${as2Id}`;
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nEndpoint TLS\r\n--${boundary}\r\nContent-Disposition: form-data; name="usage"\r\n\r\ntls\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="tls.pem"\r\nContent-Type: application/octet-stream\r\n\r\n${endpoint.certPem}\r\n--${boundary}--\r\n`,
  );
  const pinned = await t.app.inject({ method: 'POST', url: `/v1/accounts/${ACCOUNT}/partners/${id}/certificates`, headers: { ...admin(), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  expect([pinned.statusCode, pinned.statusCode === 201 ? null : pinned.body]).toEqual([201, null]);
  return id;
}

async function tenant(id: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: `/v1/accounts/${ACCOUNT}/tenants`, headers: admin(), payload: { id, name: id, plan: 'professional' } });
  expect(res.statusCode).toBe(201);
  return id;
}

const override = async (tenantId: string, id: string, changes: object) => {
  const res = await t.app.inject({ method: 'PATCH', url: `/v1/partners/${id}`, headers: as(tenantId), payload: changes });
  expect([res.statusCode, res.statusCode === 200 ? null : res.body]).toEqual([200, null]);
};
const ping = (tenantId: string, id: string) => t.app.inject({ method: 'POST', url: `/v1/partners/${id}/test`, headers: as(tenantId), payload: { test_type: 'ping' } });

describe('connection tests of an inherited master partner', () => {
  it("test the URL the tenant overrode; other tenants still test the master's", async () => {
    const id = await master('OVR-MASTER-URL', '/master');
    const [one, two] = [await tenant(`ovr-one-${process.pid}`), await tenant(`ovr-two-${process.pid}`)];
    await override(one, id, { url: url('/tenant-one') });

    const res = await ping(one, id);
    expect(res.statusCode).toBe(200);
    expect(res.json().data.partner.url).toBe(url('/tenant-one'));
    expect(seen.map((s) => s.path)).toEqual(['/tenant-one']);

    seen.length = 0;
    const other = await ping(two, id);
    expect(other.json().data.partner.url).toBe(url('/master'));
    expect(seen.map((s) => s.path)).toEqual(['/master']);
  });

  it("send the tenant's overridden HTTP credential, and no other tenant's", async () => {
    const id = await master('OVR-MASTER-AUTH', '/auth');
    const [one, two] = [await tenant(`ovr-auth-one-${process.pid}`), await tenant(`ovr-auth-two-${process.pid}`)];
    await override(one, id, { http_auth: { enabled: true, username: 'tenant-one', password: 'one-secret' } });

    await ping(one, id);
    await ping(two, id);
    // The tester keeps the tenant's override without even the sealed password: the registry unseals on request.
    const kept = await t.app.get<ReadModelStore>(READ_MODEL_STORE).collection('connection_tester_partner_overrides').find({ filter: { tenant: one } });
    expect(kept.items).toEqual([expect.objectContaining({ masterPartnerId: id, overrides: { httpAuth: { enabled: true, username: 'tenant-one' } } })]);
    expect(seen).toEqual([
      { path: '/auth', authorization: `Basic ${Buffer.from('tenant-one:one-secret').toString('base64')}` },
      { path: '/auth', authorization: undefined },
    ]);
  });

  it("after a reset, the tenant tests the master's settings again", async () => {
    const id = await master('OVR-MASTER-RESET', '/reset-master');
    const one = await tenant(`ovr-reset-${process.pid}`);
    await override(one, id, { url: url('/reset-tenant'), connection: { timeout_seconds: 7 } });
    await ping(one, id);
    const reset = await t.app.inject({ method: 'DELETE', url: `/v1/partners/${id}/overrides`, headers: as(one) });
    expect(reset.statusCode).toBe(200);
    await ping(one, id);
    expect(seen.map((s) => s.path)).toEqual(['/reset-tenant', '/reset-master']);
  });

  it("keeps no tenant's overrides of a deleted master, nor a deleted tenant's", async () => {
    const kept = (filter: Filter) => t.app.get<ReadModelStore>(READ_MODEL_STORE).collection('connection_tester_partner_overrides').find({ filter });
    const gone = async (what: string, filter: Filter) => eventually(what, async () => ((await kept(filter)).items.length === 0 ? true : undefined), { timeoutMs: 10_000, intervalMs: 20 });
    const [doomed, kept1] = [await master('OVR-MASTER-DOOMED', '/doomed'), await master('OVR-MASTER-KEPT', '/kept')];
    const [one, two] = [await tenant(`ovr-gone-one-${process.pid}`), await tenant(`ovr-gone-two-${process.pid}`)];
    for (const tenantId of [one, two]) for (const id of [doomed, kept1]) await override(tenantId, id, { url: url(`/${tenantId}`) });
    expect((await kept({ masterPartnerId: doomed })).items).toHaveLength(2);

    // The registry resets no override of a deleted master, even when the tenant goes later.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/accounts/${ACCOUNT}/partners/${doomed}`, headers: admin() })).statusCode).toBe(200);
    await gone("the deleted master's overrides", { masterPartnerId: doomed });
    expect((await kept({ masterPartnerId: kept1 })).items).toHaveLength(2);

    expect((await t.app.inject({ method: 'DELETE', url: `/v1/accounts/${ACCOUNT}/tenants/${one}`, headers: admin() })).statusCode).toBe(200);
    await gone("the deleted tenant's overrides", { tenant: one });
    expect((await kept({ masterPartnerId: kept1 })).items).toEqual([expect.objectContaining({ tenant: two })]);
  });
});
