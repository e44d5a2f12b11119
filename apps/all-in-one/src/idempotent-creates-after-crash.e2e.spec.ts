import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestIdentity, type TestIdentity } from '@as2-partners/as2-testing';
import { SEALED_KEYS_COLLECTION } from '@as2-partners/certificate-lifecycle-service';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { EVENT_STORE, READ_MODEL_STORE, SECRET_STORE, type EventStore, type ReadModelStore, type SecretStore } from '@as2-partners/kernel';
import { IDEMPOTENCY_LEASE_MS, type IdempotencyRecord } from '@as2-partners/platform';
import { createEmbeddedTestApp, type EmbeddedTestApp, type TestTokenClaims } from '@as2-partners/platform-testing';
import { AllInOneModule } from './all-in-one.module';
import { multipartBody } from './certificates/certificate-api.spec-support';

const ACCOUNT = 'crash-account';
const TENANT = 'crash-tenant';
const DAY = 86_400_000;
const tenantAdmin: Partial<TestTokenClaims> = { account: ACCOUNT, tenant: TENANT, roles: ['tenant_admin'] };
const accountAdmin: Partial<TestTokenClaims> = { account: ACCOUNT, tenant: null, roles: ['account_admin'] };

interface CreateRequest {
  readonly method: 'POST';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly payload: object;
}

/** One create: its request (a multipart body gets a new boundary on every send, as a client's retry would), who sends it, and the event it stores once. */
interface CreateCase {
  readonly name: string;
  readonly claims: Partial<TestTokenClaims>;
  readonly request: () => CreateRequest;
  readonly createdType: string;
  readonly status: number;
}

function upload(url: string, name: string, content: Buffer | string, filename: string) {
  return () => {
    const body = multipartBody({ name, usage: 'encryption' }, { field: 'certificate', filename, content });
    return { method: 'POST' as const, url, headers: { 'content-type': body.contentType }, payload: body.payload };
  };
}

const json = (url: string, payload: object) => () => ({ method: 'POST' as const, url, payload });

/**
 * A process killed after a create's events were stored and before its answer was recorded leaves the Idempotency-Key
 * claim pending; the client retries against a new process on the same data. Every create route must answer that
 * retry with the resource the first attempt made (same id, same body), store nothing more, and (keys) make no second
 * key pair, and (connection tests) not test the partner again.
 */
describe('every create retried after a crash answers its first answer (embedded, all services)', () => {
  let dataDir: string;
  let partnerServer: Server;
  let partnerHits = 0;
  let endpoint: TestIdentity;
  let now = new Date('2026-11-30T10:00:00.000Z').getTime();
  const clock = () => new Date(now);
  const env = { PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8' };
  const running = new Set<EmbeddedTestApp>();
  const start = async () => {
    const app = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, now: clock, env });
    running.add(app);
    return app;
  };
  const stop = async (app: EmbeddedTestApp) => {
    running.delete(app);
    await app.close();
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'as2-idem-creates-'));
    endpoint = await createTestIdentity(dataDir, 'partner-endpoint', { subjectAltName: 'IP:127.0.0.1' });
    partnerServer = createServer({ key: endpoint.keyPem, cert: endpoint.certPem }, (_req, res) => {
      partnerHits += 1;
      res.writeHead(405, { server: 'TestAS2/1.0', 'as2-version': '1.2' }).end('POST only');
    });
    await new Promise<void>((resolve) => partnerServer.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const app of running) await stop(app);
    await new Promise((resolve) => partnerServer?.close(resolve));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const send = (app: EmbeddedTestApp, c: CreateCase, key: string | null) => {
    const { headers, ...request } = c.request();
    return app.app.inject({ ...request, headers: { ...headers, authorization: `Bearer ${app.token(c.claims)}`, ...(key === null ? {} : { 'idempotency-key': key }) } });
  };
  const eventsOf = async (app: EmbeddedTestApp, type: string) =>
    (await app.app.get<EventStore>(EVENT_STORE).readAll({ after: null, maxCount: 100_000 })).filter((e) => e.type === type).length;
  const sealedKeys = async (app: EmbeddedTestApp) =>
    (await app.app.get<SecretStore>(SECRET_STORE).collection(SEALED_KEYS_COLLECTION).find({})).length;

  it('certificate uploads (PEM, DER), keys (tenant, account), stations, tenants, master partners and instances, traffic windows, connection tests', async () => {
    const first = await start();
    const as = (claims: Partial<TestTokenClaims>) => ({ authorization: `Bearer ${first.token(claims)}` });
    const created = async (url: string, payload: object, claims = tenantAdmin) => {
      const res = await first.app.inject({ method: 'POST', url, headers: as(claims), payload });
      expect([res.statusCode, res.statusCode === 201 ? null : res.body]).toEqual([201, null]);
      return res.json().data.id as string;
    };
    await created(`/v1/accounts/${ACCOUNT}/tenants`, { id: TENANT, name: 'Crash tenant', plan: 'enterprise' }, accountAdmin);
    const partnerId = await created('/v1/partners', { name: 'Crash partner', as2_id: 'CRASH-PARTNER', url: `https://127.0.0.1:${(partnerServer.address() as AddressInfo).port}/as2` });
    // The endpoint's self-signed TLS certificate, pinned through the partner's TLS slot.
    const tls = multipartBody({ name: 'Endpoint TLS', usage: 'tls' }, { field: 'certificate', filename: 'tls.pem', content: endpoint.certPem });
    const pinned = await first.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/certificates`, headers: { ...as(tenantAdmin), 'content-type': tls.contentType }, payload: tls.payload });
    expect([pinned.statusCode, pinned.statusCode === 201 ? null : pinned.body]).toEqual([201, null]);
    const masterId = await created(`/v1/accounts/${ACCOUNT}/partners`, { name: 'Crash master', as2_id: 'CRASH-MASTER', url: 'https://master.example.com/as2' }, accountAdmin);
    const window = { direction: 'both', starts_at: new Date(now + DAY).toISOString(), ends_at: new Date(now + 2 * DAY).toISOString(), response: 'http_503_retry', reason: 'upgrade' };
    const generate = { generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Crash', valid_days: 365 } };
    const cases: CreateCase[] = [
      { name: 'partner certificate (PEM)', claims: tenantAdmin, request: upload(`/v1/partners/${partnerId}/certificates`, 'Crash PEM', issueTestCertificate({ commonName: 'crash-pem' }).pem, 'p.pem'), createdType: 'certificate.uploaded.v1', status: 201 },
      { name: 'store certificate (DER)', claims: tenantAdmin, request: upload('/v1/certificates', 'Crash DER', issueTestCertificate({ commonName: 'crash-der' }).der, 'p.der'), createdType: 'certificate.uploaded.v1', status: 201 },
      { name: 'master partner certificate', claims: accountAdmin, request: upload(`/v1/accounts/${ACCOUNT}/partners/${masterId}/certificates`, 'Crash master', issueTestCertificate({ commonName: 'crash-master' }).pem, 'm.pem'), createdType: 'certificate.uploaded.v1', status: 201 },
      { name: 'generated key', claims: tenantAdmin, request: json('/v1/keys', { alias: 'crash-key', ...generate }), createdType: 'key.created.v1', status: 201 },
      { name: 'account key', claims: accountAdmin, request: json(`/v1/accounts/${ACCOUNT}/keys`, { alias: 'crash-account-key', ...generate }), createdType: 'key.created.v1', status: 201 },
      { name: 'station', claims: tenantAdmin, request: json('/v1/stations', { name: 'Crash dock', notification_email: 'dock@crash.example.com' }), createdType: 'station.created.v1', status: 201 },
      { name: 'tenant (id chosen by the service)', claims: accountAdmin, request: json(`/v1/accounts/${ACCOUNT}/tenants`, { name: 'Crash tenant 2' }), createdType: 'tenant.created.v1', status: 201 },
      { name: 'master partner', claims: accountAdmin, request: json(`/v1/accounts/${ACCOUNT}/partners`, { name: 'Crash master 2', as2_id: 'CRASH-MASTER-2', url: 'https://master2.example.com/as2' }), createdType: 'master_partner.created.v1', status: 201 },
      { name: 'master AS2 instance', claims: accountAdmin, request: json(`/v1/accounts/${ACCOUNT}/as2-instances`, { my_as2_id: 'CRASH-MASTER-ME', my_name: 'Crash master me', my_as2_alias: 'crash-master-me', my_email: 'as2@crash.example.com' }), createdType: 'as2_instance.created.v1', status: 201 },
      { name: 'traffic window', claims: tenantAdmin, request: json(`/v1/partners/${partnerId}/traffic/windows`, window), createdType: 'traffic.window_scheduled.v1', status: 201 },
      { name: 'connection test', claims: tenantAdmin, request: json(`/v1/partners/${partnerId}/test`, { test_type: 'ping' }), createdType: 'connection.tested.v1', status: 200 },
    ];

    const answers: { status: number; body: { data: unknown } }[] = [];
    const counts: number[] = [];
    for (const [i, c] of cases.entries()) {
      const res = await send(first, c, `crash-${i}`);
      expect([c.name, res.statusCode, res.statusCode === c.status ? null : res.body]).toEqual([c.name, c.status, null]);
      answers.push({ status: res.statusCode, body: res.json() });
    }
    for (const c of cases) counts.push(await eventsOf(first, c.createdType));
    const keysSealed = await sealedKeys(first);
    const hits = partnerHits;
    // As a process killed between the stored events and the recorded answer leaves them: every claim pending.
    const claims = first.app.get<ReadModelStore>(READ_MODEL_STORE).collection<IdempotencyRecord>('platform_idempotency_keys');
    for (const [i, c] of cases.entries()) {
      const id = `${ACCOUNT}/${c.claims.tenant ?? '-'}/crash-${i}`;
      const { status: _status, contentType: _contentType, body: _body, ...claim } = (await claims.get(id))!;
      expect(claim.commandId).toEqual(expect.any(String));
      await claims.put({ ...claim, state: 'pending', leaseUntil: new Date(now + IDEMPOTENCY_LEASE_MS).toISOString() });
    }
    await stop(first);

    const restarted = await start();
    now += IDEMPOTENCY_LEASE_MS + 1;
    for (const [i, c] of cases.entries()) {
      const retry = await send(restarted, c, `crash-${i}`);
      expect([c.name, retry.statusCode, retry.headers['idempotent-replayed']]).toEqual([c.name, answers[i].status, undefined]);
      expect([c.name, retry.json().data]).toEqual([c.name, answers[i].body.data]);
    }
    for (const [i, c] of cases.entries()) expect([c.name, await eventsOf(restarted, c.createdType)]).toEqual([c.name, counts[i]]);
    // The keys' retries answered the sealed keys their first attempts stored: no second key pair.
    expect(await sealedKeys(restarted)).toBe(keysSealed);
    // The connection test's retry answered the recorded result: the partner was not tested again.
    expect(partnerHits).toBe(hits);
    // Without a key, the same create is another request: refused as a duplicate alias.
    const unkeyed = await send(restarted, cases[3], null);
    expect(unkeyed.json().error.code).toBe('DUPLICATE_KEY_ALIAS');
  }, 240_000);
});
