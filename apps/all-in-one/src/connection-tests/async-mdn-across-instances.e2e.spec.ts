import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildAs2Message, buildMdn, loadKeyPair, parseAs2Envelope, type As2KeyPair } from '@as2-partners/as2';
import { createTestIdentity, startTestPartnerProcess, type TestIdentity, type TestPartnerProcess } from '@as2-partners/as2-testing';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { openInfrastructure } from '@as2-partners/composition';
import { AsyncMdnReceipts, ConnectionTesterModule, OUR_AS2_SIGNER, type OurAs2Signer } from '@as2-partners/connection-tester-service';
import { EVENT_STORE, READ_MODEL_STORE, type EventStore, type ReadModelStore } from '@as2-partners/kernel';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createHttpApp, loadPlatformConfig } from '@as2-partners/platform';
import { createEmbeddedTestApp, TEST_JWT_SECRET, type EmbeddedTestApp } from '@as2-partners/platform-testing';

// Two tester instances over one shared store, as replicas behind one Service: a test runs on instance A, which does not
// even listen; the partner posts its asynchronous MDN to instance B's receipt route; A's test completes.
jest.setTimeout(180_000);

let dir: string;
let ours: TestIdentity;
let partnerIdentity: TestIdentity;
let tls: TestIdentity;
let ourKeys: As2KeyPair;

@Global()
@Module({
  providers: [
    {
      provide: OUR_AS2_SIGNER,
      useValue: {
        buildAs2Message: async (_ref, { sign, ...options }) => buildAs2Message({ ...options, ...(sign ? { sign: { keyPair: ourKeys, algorithm: sign.algorithm } } : {}) }),
      } satisfies OurAs2Signer,
    },
  ],
  exports: [OUR_AS2_SIGNER],
})
class StandInKeystoreModule {}

let a: EmbeddedTestApp;
let b: NestFastifyApplication;
let partner: TestPartnerProcess;
let portB: number;
const TENANT = 'two-pods';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const admin = () => ({ authorization: `Bearer ${a.token({ account: 'acme', tenant: TENANT, roles: ['tenant_admin'] })}` });

async function upload(partnerId: string, usage: string, pem: string): Promise<void> {
  const boundary = `----pods${usage}`;
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n${usage}\r\n--${boundary}\r\nContent-Disposition: form-data; name="usage"\r\n\r\n${usage}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="c.pem"\r\nContent-Type: application/octet-stream\r\n\r\n${pem}\r\n--${boundary}--\r\n`,
  );
  const res = await a.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/certificates`, headers: { ...admin(), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  expect([res.statusCode, res.statusCode === 201 ? null : res.body]).toEqual([201, null]);
}

let partnerId: string;
let instanceId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'async-mdn-pods-'));
  [ours, partnerIdentity, tls] = await Promise.all([
    createTestIdentity(dir, 'PODSUS'),
    createTestIdentity(dir, 'PODSPARTNER'),
    createTestIdentity(dir, 'pods-tls', { subjectAltName: 'IP:127.0.0.1' }),
  ]);
  ourKeys = loadKeyPair({ privateKey: ours.keyPem, certificate: ours.certPem });
  partner = await startTestPartnerProcess(['--as2-id', 'PODSPARTNER', '--key', partnerIdentity.keyFile, '--cert', partnerIdentity.certFile, '--partner-as2-id', 'PODSUS', '--partner-cert', ours.certFile, '--tls-key', tls.keyFile, '--tls-cert', tls.certFile]);
  portB = await freePort();
  const receiptUrl = `http://127.0.0.1:${portB}/v1/connection-tests/mdn`;
  a = await createEmbeddedTestApp({
    imports: [StandInKeystoreModule, PartnerRegistryModule, CertificateLifecycleModule, ConnectionTesterModule],
    env: { PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8', CONNECTION_TEST_RECEIPT_URL: receiptUrl },
  });
  // Instance B: its own process state (bus, checkpoints, waiting tests), the shared event store and read models.
  const shared = { eventStore: a.app.get<EventStore>(EVENT_STORE), readModels: a.app.get<ReadModelStore>(READ_MODEL_STORE) };
  const configB = loadPlatformConfig({ MODE: 'embedded', DATA_DIR: join(dir, 'instance-b'), JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'warn', PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8', CONNECTION_TEST_RECEIPT_URL: receiptUrl });
  b = await createHttpApp(ConnectionTesterModule, configB, {
    shutdownHooks: false,
    openInfrastructure: async (config, clientId) => ({ ...(await openInfrastructure(config, clientId)), ...shared }),
  });
  await b.listen(portB, '127.0.0.1');

  const admins = { authorization: `Bearer ${a.token({ account: 'acme', tenant: null, roles: ['account_admin'] })}` };
  expect((await a.app.inject({ method: 'POST', url: '/v1/accounts/acme/tenants', headers: admins, payload: { id: TENANT, name: 'Two pods', plan: 'enterprise' } })).statusCode).toBe(201);
  const instance = await a.app.inject({ method: 'POST', url: '/v1/as2-instances', headers: admin(), payload: { my_as2_id: 'PODSUS', my_name: 'Us', my_as2_alias: 'podsus-key', my_email: 'as2@us.example.com' } });
  expect([instance.statusCode, instance.statusCode === 201 ? null : instance.body]).toEqual([201, null]);
  instanceId = instance.json().data.id;
  const created = await a.app.inject({
    method: 'POST',
    url: '/v1/partners',
    headers: admin(),
    payload: {
      name: 'Async partner', as2_id: 'PODSPARTNER', url: partner.url, sign: true, encrypt: true, sign_algorithm: 'SHA256withRSA', encrypt_algorithm: 'AES256_CBC',
      mdn_mode: 'async', mdn: { signed: true }, connection: { timeout_seconds: 20 },
    },
  });
  expect([created.statusCode, created.statusCode === 201 ? null : created.body]).toEqual([201, null]);
  partnerId = created.json().data.id;
  await upload(partnerId, 'both', partnerIdentity.certPem);
  await upload(partnerId, 'tls', tls.certPem);
}, 180_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await partner?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A signed MDN for a message as our partner would answer it (AS2-From the partner, AS2-To us). */
function mdnFor(messageHeaders: Record<string, string>, signer: As2KeyPair = loadKeyPair({ privateKey: partnerIdentity.keyPem, certificate: partnerIdentity.certPem })) {
  const mdn = buildMdn({ envelope: parseAs2Envelope(messageHeaders), disposition: { type: 'processed' }, signer });
  return { headers: mdn.headers as Record<string, string>, body: mdn.body };
}
const postTo = (app: NestFastifyApplication, mdn: { headers: Record<string, string>; body: Buffer }) =>
  app.inject({ method: 'POST', url: '/v1/connection-tests/mdn', headers: mdn.headers, payload: mdn.body });

describe('asynchronous MDNs across tester instances', () => {
  it('a full test waiting on instance A completes with the MDN the partner posted to instance B', async () => {
    const res = await a.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/test`, headers: admin(), payload: { test_type: 'full', acknowledge_payload_delivery: true, as2_instance_id: instanceId } });
    const body = res.json();
    expect([body.success, body.data.timeline.filter((s: { status: string }) => s.status === 'failure')]).toEqual([true, []]);
    // A never listened: the only receipt route the partner could reach was B's.
    expect(body.data.timeline.map((s: { step: string }) => s.step)).toContain('MDN received (async)');
    expect(body.data.results.mic_match).toBe(true);
  });

  it('refuses hostile receipts with 4xx: not an MDN, an unexpected message, the wrong partner, a second MDN', async () => {
    const notMdn = await b.inject({ method: 'POST', url: '/v1/connection-tests/mdn', payload: { not: 'an mdn' } });
    expect([notMdn.statusCode, notMdn.json().error.code]).toEqual([422, 'INVALID_MDN']);
    // A body of another media type: 415, as the route's documentation says (and never a 5xx).
    for (const type of ['text/plain', 'application/octet-stream', 'message/disposition-notification']) {
      const other = await b.inject({ method: 'POST', url: '/v1/connection-tests/mdn', headers: { 'content-type': type }, payload: 'not an mdn' });
      expect([type, other.statusCode, other.json().error.code]).toEqual([type, 415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
    const documented = (await b.inject({ method: 'GET', url: '/docs/openapi.json' })).json().paths['/v1/connection-tests/mdn'].post.responses;
    expect(Object.keys(documented)).toEqual(expect.arrayContaining(['200', '415', '422']));

    const message = buildAs2Message({ payload: Buffer.from('x'), as2From: 'PODSUS', as2To: 'PODSPARTNER', mdn: { asyncUrl: 'http://127.0.0.1/mdn' } });
    const unexpected = await postTo(b, mdnFor(message.headers));
    expect([unexpected.statusCode, unexpected.json()]).toEqual([422, { message: 'No connection test is waiting for this MDN', error: { type: 'validation_error', code: 'MDN_NOT_EXPECTED' } }]);

    // Tenant "victim" waits on A for an MDN from PODSPARTNER; others post to B.
    const receiptsA = a.app.get(AsyncMdnReceipts, { strict: false });
    await receiptsA.expect(message.messageId, { account: 'acme', tenant: 'victim', testId: 'tst_victim', partnerAs2Id: 'PODSPARTNER', ourAs2Id: 'PODSUS' }, 30_000);
    const waiting = receiptsA.wait(message.messageId, 30_000);
    const fromElsewhere = buildAs2Message({ payload: Buffer.from('x'), as2From: 'PODSUS', as2To: 'INTRUDER', mdn: { asyncUrl: 'http://127.0.0.1/mdn' } });
    const forged = mdnFor({ ...fromElsewhere.headers, 'Message-ID': message.messageId });
    expect((await postTo(b, forged)).statusCode).toBe(422);
    const genuine = mdnFor(message.headers);
    expect((await postTo(b, { ...genuine, headers: { ...genuine.headers, cookie: 'session=partner-secret' } })).statusCode).toBe(200);
    expect((await postTo(b, mdnFor(message.headers))).statusCode).toBe(422);
    const received = await waiting;
    expect(received?.body.equals(genuine.body)).toBe(true);
    // Only what reading an MDN needs of the headers is kept in the shared store.
    expect(received?.headers['cookie']).toBeUndefined();
    expect(received?.headers['as2-from']).toBe('PODSPARTNER');
    // Finished: the message is no longer expected anywhere.
    expect((await postTo(a.app, mdnFor(message.headers))).statusCode).toBe(422);
  });

  it('a receipt after the deadline is refused and the test reports no MDN', async () => {
    const receiptsB = b.get(AsyncMdnReceipts, { strict: false });
    const message = buildAs2Message({ payload: Buffer.from('x'), as2From: 'PODSUS', as2To: 'PODSPARTNER', mdn: { asyncUrl: 'http://127.0.0.1/mdn' } });
    await receiptsB.expect(message.messageId, { account: 'acme', tenant: TENANT, testId: 'tst_late', partnerAs2Id: 'PODSPARTNER', ourAs2Id: 'PODSUS' }, 0);
    expect((await postTo(a.app, mdnFor(message.headers))).statusCode).toBe(422);
    expect(await receiptsB.wait(message.messageId, 50)).toBeNull();
  });
});
