import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { buildAs2Message, loadKeyPair, type As2KeyPair } from '@as2-partners/as2';
import { createTestIdentity, startTestPartnerProcess, type TestIdentity, type TestPartnerProcess } from '@as2-partners/as2-testing';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { ConnectionTesterModule, OUR_AS2_SIGNER, type OurAs2Signer } from '@as2-partners/connection-tester-service';
import { EVENT_BUS, EVENT_STORE, topicOf, type EventBus, type EventStore } from '@as2-partners/kernel';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';

// mdn and full tests through the API against the project's test AS2 partner, run as a user runs it (HTTPS, its TLS
// certificate pinned through the partner's TLS slot). Our AS2 instance arrives as the registry's
// `as2_instance.created.v1` / `partnership.created.v1` events (the cross-service contract); our signing key sits
// behind OUR_AS2_SIGNER, here a stand-in keystore that keeps it in its own closure.
jest.setTimeout(180_000);

let dir: string;
let ours: TestIdentity;
let partnerIdentity: TestIdentity;
let tls: TestIdentity;
let ourKeys: As2KeyPair;
const signedAs: string[] = [];

@Global()
@Module({
  providers: [
    {
      provide: OUR_AS2_SIGNER,
      useValue: {
        buildAs2Message: async (ref, { sign, ...options }) => {
          signedAs.push(`${ref.account}/${ref.tenant}/${ref.alias}`);
          if (ref.alias !== 'mycompany-key') throw new Error(`no key under alias ${ref.alias}`);
          return buildAs2Message({ ...options, ...(sign ? { sign: { keyPair: ourKeys, algorithm: sign.algorithm } } : {}) });
        },
      } satisfies OurAs2Signer,
    },
  ],
  exports: [OUR_AS2_SIGNER],
})
class StandInKeystoreModule {}

let t: EmbeddedTestApp;
let partners: { sync: TestPartnerProcess; async: TestPartnerProcess; rolled: TestPartnerProcess; unsigned: TestPartnerProcess };
/** The key the third partner switched to already: only its scheduled next certificate matches it. */
let nextIdentity: TestIdentity;
let receiptPort: number;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'as2-connection-tests-'));
  [ours, partnerIdentity, tls, nextIdentity] = await Promise.all([
    createTestIdentity(dir, 'MYCOMPANY'),
    createTestIdentity(dir, 'TESTPARTNER'),
    createTestIdentity(dir, 'partner-tls', { subjectAltName: 'IP:127.0.0.1' }),
    createTestIdentity(dir, 'TESTPARTNER-NEXT-KEY'),
  ]);
  ourKeys = loadKeyPair({ privateKey: ours.keyPem, certificate: ours.certPem });
  const args = (as2Id: string, identity: TestIdentity = partnerIdentity) => ['--as2-id', as2Id, '--key', identity.keyFile, '--cert', identity.certFile, '--partner-as2-id', 'MYCOMPANY', '--partner-cert', ours.certFile, '--tls-key', tls.keyFile, '--tls-cert', tls.certFile];
  const [sync, async, rolled, unsigned] = await Promise.all([
    startTestPartnerProcess(args('TESTPARTNER-SYNC')),
    startTestPartnerProcess(args('TESTPARTNER-ASYNC')),
    startTestPartnerProcess(args('TESTPARTNER-ROLLED', nextIdentity)),
    startTestPartnerProcess([...args('TESTPARTNER-UNSIGNED'), '--fault', 'unsigned-mdn']),
  ]);
  partners = { sync, async, rolled, unsigned };
  receiptPort = await freePort();
  t = await createEmbeddedTestApp({
    imports: [StandInKeystoreModule, PartnerRegistryModule, CertificateLifecycleModule, ConnectionTesterModule],
    env: { PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8', CONNECTION_TEST_RECEIPT_URL: `http://127.0.0.1:${receiptPort}/v1/connection-tests/mdn` },
  });
  // The test partner posts async MDNs to the receipt route: the app listens for real.
  await t.app.listen(receiptPort, '127.0.0.1');
}, 180_000);

afterAll(async () => {
  await t?.close();
  await Promise.all(Object.values(partners ?? {}).map((p) => p.stop()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const TENANT = 'as2-tests';
const admin = () => ({ authorization: `Bearer ${t.token({ account: 'acme', tenant: TENANT, roles: ['tenant_admin'] })}` });

function multipartBody(fields: Record<string, string>, content: string) {
  const boundary = `----ct${Math.random().toString(16).slice(2)}`;
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="c.pem"\r\nContent-Type: application/octet-stream\r\n\r\n${content}\r\n--${boundary}--\r\n`);
  return { payload: Buffer.from(parts.join('')), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(partnerId: string, usage: string, pem: string): Promise<string> {
  const body = multipartBody({ name: `${usage} certificate`, usage }, pem);
  const res = await t.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/certificates`, headers: { ...admin(), 'content-type': body.contentType }, payload: body.payload });
  expect([res.statusCode, res.statusCode === 201 ? null : res.body]).toEqual([201, null]);
  return res.json().data.id as string;
}

let position = 1_000_000;
/** Publishes a partner-registry event as the registry's outbox would (the contract's shape). */
async function registryEvent(type: string, stream: string, data: Record<string, unknown>): Promise<void> {
  const bus = t.app.get<EventBus>(EVENT_BUS);
  position += 1;
  await bus.publish(topicOf('partner-registry'), [
    {
      id: randomUUID(),
      type,
      schemaVersion: 1,
      data,
      metadata: { account: 'acme', tenant: TENANT, correlationId: 'c', causationId: null, actor: { type: 'user', id: 'alice' }, occurredAt: new Date().toISOString() },
      stream,
      revision: 0,
      position,
    },
  ]);
}

async function as2Partner(url: string, mdnMode: 'sync' | 'async', as2Id = `TESTPARTNER-${mdnMode.toUpperCase()}`, mdn: object = { signed: true }): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/partners',
    headers: admin(),
    payload: {
      name: 'Test Partner',
      as2_id: as2Id,
      url,
      sign: true,
      encrypt: true,
      compress: true,
      sign_algorithm: 'SHA256withRSA',
      encrypt_algorithm: 'AES256_CBC',
      mdn_mode: mdnMode,
      mdn,
      connection: { timeout_seconds: 20 },
    },
  });
  expect([res.statusCode, res.statusCode === 201 ? null : res.body]).toEqual([201, null]);
  const id = res.json().data.id as string;
  await upload(id, 'both', partnerIdentity.certPem);
  await upload(id, 'tls', tls.certPem);
  await registryEvent('partnership.created.v1', `partnership-pship_${as2Id}`, {
    partnershipId: `pship_${as2Id}`, account: 'acme', tenant: TENANT, as2InstanceId: 'inst_mycompany', partnerId: id, overrides: {}, createdAt: new Date().toISOString(),
  });
  return id;
}

let syncPartner: string;
let asyncPartner: string;
let rolledPartner: string;

beforeAll(async () => {
  const admins = { authorization: `Bearer ${t.token({ account: 'acme', tenant: null, roles: ['account_admin'] })}` };
  expect((await t.app.inject({ method: 'POST', url: '/v1/accounts/acme/tenants', headers: admins, payload: { id: TENANT, name: 'AS2 tests', plan: 'enterprise' } })).statusCode).toBe(201);
  await registryEvent('as2_instance.created.v1', 'as2_instance-inst_mycompany', {
    instanceId: 'inst_mycompany', account: 'acme', tenant: TENANT, myAs2Id: 'MYCOMPANY', myName: 'My Company', myAs2Alias: 'mycompany-key', myEmail: null, status: 'on', createdAt: new Date().toISOString(),
  });
  syncPartner = await as2Partner(partners.sync.url, 'sync');
  asyncPartner = await as2Partner(partners.async.url, 'async');
  // Current certificates: the old key's; the partner's rollover to its new key is scheduled for an hour from now.
  rolledPartner = await as2Partner(partners.rolled.url, 'sync', 'TESTPARTNER-ROLLED');
  const next = await upload(rolledPartner, 'both', nextIdentity.certPem);
  const hour = 3_600_000;
  const rollover = await t.app.inject({
    method: 'POST',
    url: `/v1/partners/${rolledPartner}/trust/rollover`,
    headers: admin(),
    payload: { next_certificate_id: next, activate_at: new Date(Date.now() + hour).toISOString().replace(/\.\d{3}Z$/, 'Z'), overlap_until: new Date(Date.now() + 24 * hour).toISOString().replace(/\.\d{3}Z$/, 'Z') },
  });
  expect([rollover.statusCode, rollover.statusCode === 201 ? null : rollover.body]).toEqual([201, null]);
}, 120_000);

const run = (partnerId: string, body: object) => t.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/test`, headers: admin(), payload: body });
const stepsOf = (body: { data: { timeline: { step: string; status: string }[] } }) => body.data.timeline.map((s) => [s.step, s.status]);

describe('mdn and full tests against the test AS2 partner', () => {
  it('mdn: a minimal unsigned message gets a signed MDN naming it', async () => {
    const res = await run(syncPartner, { test_type: 'mdn' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ success: true, message: 'Partner connection test successful', data: { test_type: 'mdn', results: { as2_protocol: 'success', certificate_validation: 'success' } } });
    expect(stepsOf(body).slice(4)).toEqual([
      ['AS2 message sent', 'success'],
      ['MDN received', 'success'],
      ['MDN format', 'success'],
      ['MDN signature', 'success'],
      ['MDN disposition', 'success'],
    ]);
  });

  it('full with a synchronous MDN: signed through the keystore port, encrypted, compressed, the MIC matches', async () => {
    signedAs.length = 0;
    const res = await run(syncPartner, { test_type: 'full', acknowledge_payload_delivery: true });
    const body = res.json();
    expect(body).toMatchObject({ success: true, data: { test_type: 'full', partner: { id: syncPartner, as2_id: 'TESTPARTNER-SYNC' }, results: { as2_protocol: 'success', mic_match: true, mdn_disposition: 'processed' } } });
    expect(stepsOf(body).slice(-6)).toEqual([
      ['AS2 message sent', 'success'],
      ['MDN received', 'success'],
      ['MDN format', 'success'],
      ['MDN signature', 'success'],
      ['MDN disposition', 'success'],
      ['MIC verification', 'success'],
    ]);
    expect(signedAs).toEqual([`acme/${TENANT}/mycompany-key`]);
    // The recorded result names steps and durations only: never the payload, the MDN, a key or a password.
    const recorded = await t.app.get<EventStore>(EVENT_STORE).readStream(`connection_partner-${syncPartner}.${TENANT}`);
    const published = JSON.stringify(recorded.filter((e) => e.type === 'connection.tested.v1'));
    expect(published).toContain('MIC verification');
    for (const secret of ['not a business document', 'PRIVATE KEY', 'BEGIN CERTIFICATE', 'disposition-notification']) expect(published).not.toContain(secret);
  });

  it('full with an asynchronous MDN: it arrives on the public receipt route within the partner timeout', async () => {
    const body = (await run(asyncPartner, { test_type: 'full', acknowledge_payload_delivery: true })).json();
    expect(body.success).toBe(true);
    expect(stepsOf(body)).toContainEqual(['MDN received (async)', 'success']);
    expect(body.data.results.mic_match).toBe(true);
  });

  it('certificates "next" proves a scheduled rollover works before the switch: current fails, next succeeds', async () => {
    const current = (await run(rolledPartner, { test_type: 'full', acknowledge_payload_delivery: true })).json();
    expect(current.success).toBe(false);
    expect(current.data.timeline.find((s: { status: string }) => s.status === 'failure')).toMatchObject({ step: 'MDN signature' });
    const next = (await run(rolledPartner, { test_type: 'full', acknowledge_payload_delivery: true, certificates: 'next' })).json();
    expect(next).toMatchObject({ success: true, data: { results: { certificates: 'next', mic_match: true, mdn_disposition: 'processed' } } });
  });

  it("full against a partner that returns unsigned MDNs: a warning when its settings say so (mdn.signed false), a failure when they say it signs", async () => {
    const unsigned = await as2Partner(partners.unsigned.url, 'sync', 'TESTPARTNER-UNSIGNED', { signed: false, algorithm: 'SHA512withRSA' });
    const asSet = (await run(unsigned, { test_type: 'full', acknowledge_payload_delivery: true })).json();
    expect(asSet).toMatchObject({ success: true, data: { results: { as2_protocol: 'success', certificate_validation: 'not_tested', mic_match: true, mdn_disposition: 'processed' } } });
    expect(asSet.data.timeline.find((s: { step: string }) => s.step === 'MDN signature')).toMatchObject({ status: 'warning', details: expect.stringContaining('mdn.signed false') });
    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/partners/${unsigned}`, headers: admin(), payload: { mdn: { signed: true } } });
    expect(patched.statusCode).toBe(200);
    const signs = (await run(unsigned, { test_type: 'full', acknowledge_payload_delivery: true })).json();
    expect(signs.success).toBe(false);
    expect(signs.data.timeline.find((s: { status: string }) => s.status === 'failure')).toMatchObject({ step: 'MDN signature', details: expect.stringContaining('unsigned') });
  });

  it('certificates "next" without any scheduled next certificate is refused with a code', async () => {
    const res = await run(syncPartner, { test_type: 'full', acknowledge_payload_delivery: true, certificates: 'next' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('NO_NEXT_CERTIFICATES');
  });
});
