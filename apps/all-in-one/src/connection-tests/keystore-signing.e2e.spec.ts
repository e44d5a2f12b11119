import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestIdentity, startTestPartnerProcess, type TestIdentity, type TestPartnerProcess } from '@as2-partners/as2-testing';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { ConnectionTesterModule } from '@as2-partners/connection-tester-service';
import { EVENT_BUS, topicOf, type EventBus } from '@as2-partners/kernel';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { OurKeysBridgeModule } from '../our-keys-bridge.module';

// A full test signed by the real certificate-lifecycle keystore (OurKeyOperations through OUR_AS2_SIGNER, the
// all-in-one bridge): our key is imported into the keystore and never handed to the tester.
jest.setTimeout(180_000);

const TENANT = 'keystore-signing';

describe('full test signed by the keystore', () => {
  let dir: string;
  let ours: TestIdentity;
  let theirs: TestIdentity;
  let tls: TestIdentity;
  let partner: TestPartnerProcess;
  let t: EmbeddedTestApp;
  const admin = () => ({ authorization: `Bearer ${t.token({ account: 'acme', tenant: TENANT, roles: ['tenant_admin'] })}` });

  function multipart(fields: Record<string, string>, content: string) {
    const boundary = `----ks${Math.random().toString(16).slice(2)}`;
    const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="c.pem"\r\nContent-Type: application/octet-stream\r\n\r\n${content}\r\n--${boundary}--\r\n`);
    return { payload: Buffer.from(parts.join('')), headers: { ...admin(), 'content-type': `multipart/form-data; boundary=${boundary}` } };
  }

  async function registryEvent(type: string, stream: string, data: Record<string, unknown>): Promise<void> {
    await t.app.get<EventBus>(EVENT_BUS).publish(topicOf('partner-registry'), [
      {
        id: randomUUID(), type, schemaVersion: 1, data, stream, revision: 0, position: 2_000_000 + Math.floor(Math.random() * 1000),
        metadata: { account: 'acme', tenant: TENANT, correlationId: 'c', causationId: null, actor: { type: 'user', id: 'alice' }, occurredAt: new Date().toISOString() },
      },
    ]);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keystore-signing-'));
    [ours, theirs, tls] = await Promise.all([createTestIdentity(dir, 'MYCOMPANY'), createTestIdentity(dir, 'TESTPARTNER'), createTestIdentity(dir, 'tls', { subjectAltName: 'IP:127.0.0.1' })]);
    partner = await startTestPartnerProcess([
      '--as2-id', 'TESTPARTNER', '--key', theirs.keyFile, '--cert', theirs.certFile, '--partner-as2-id', 'MYCOMPANY', '--partner-cert', ours.certFile, '--tls-key', tls.keyFile, '--tls-cert', tls.certFile,
    ]);
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, ConnectionTesterModule, OurKeysBridgeModule], env: { PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8' } });
    const accountAdmin = { authorization: `Bearer ${t.token({ account: 'acme', tenant: null, roles: ['account_admin'] })}` };
    expect((await t.app.inject({ method: 'POST', url: '/v1/accounts/acme/tenants', headers: accountAdmin, payload: { id: TENANT, name: 'Keystore', plan: 'enterprise' } })).statusCode).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await partner?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('signs inside the keystore: the partner verifies our signature and returns our MIC', async () => {
    const key = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: admin(), payload: { alias: 'mycompany-key', private_key: ours.keyPem, certificate: ours.certPem } });
    expect([key.statusCode, key.statusCode === 201 ? null : key.body]).toEqual([201, null]);
    const created = await t.app.inject({
      method: 'POST', url: '/v1/partners', headers: admin(),
      payload: { name: 'Test Partner', as2_id: 'TESTPARTNER', url: partner.url, sign: true, encrypt: true, sign_algorithm: 'SHA256withRSA', encrypt_algorithm: 'AES256_CBC', mdn_mode: 'sync', mdn: { signed: true } },
    });
    const partnerId = created.json().data.id as string;
    for (const [usage, pem] of [['both', theirs.certPem], ['tls', tls.certPem]] as const) {
      const body = multipart({ name: usage, usage }, pem);
      expect((await t.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/certificates`, headers: body.headers, payload: body.payload })).statusCode).toBe(201);
    }
    await registryEvent('as2_instance.created.v1', 'as2_instance-inst_ks', { instanceId: 'inst_ks', account: 'acme', tenant: TENANT, myAs2Id: 'MYCOMPANY', myName: 'My Company', myAs2Alias: 'mycompany-key', myEmail: 'as2@example.com', status: 'on', createdAt: new Date().toISOString() });
    await registryEvent('partnership.created.v1', 'partnership-pship_ks', { partnershipId: 'pship_ks', account: 'acme', tenant: TENANT, as2InstanceId: 'inst_ks', partnerId, overrides: {}, createdAt: new Date().toISOString() });
    const res = await t.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/test`, headers: admin(), payload: { test_type: 'full', acknowledge_payload_delivery: true } });
    expect(res.json()).toMatchObject({ success: true, data: { results: { as2_protocol: 'success', mic_match: true, mdn_disposition: 'processed' } } });
  });

  it("an account-level instance signs with the account's key, as its details show, though the testing tenant holds its own key of the alias", async () => {
    const accountAdmin = { authorization: `Bearer ${t.token({ account: 'acme', tenant: null, roles: ['account_admin'] })}` };
    // A tenant of its own: the partner's AS2 id is taken in the first one.
    const tenant = `${TENANT}-acct`;
    expect((await t.app.inject({ method: 'POST', url: '/v1/accounts/acme/tenants', headers: accountAdmin, payload: { id: tenant, name: 'Keystore account', plan: 'enterprise' } })).statusCode).toBe(201);
    const tenantAdmin = () => ({ authorization: `Bearer ${t.token({ account: 'acme', tenant, roles: ['tenant_admin'] })}` });
    const accountKey = await t.app.inject({ method: 'POST', url: '/v1/accounts/acme/keys', headers: accountAdmin, payload: { alias: 'shared-key', private_key: ours.keyPem, certificate: ours.certPem } });
    expect([accountKey.statusCode, accountKey.statusCode === 201 ? null : accountKey.body]).toEqual([201, null]);
    // The tenant's own key of the alias, which the partner does not know: it signs for the tenant's own instances only.
    const tenantKey = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: tenantAdmin(), payload: { alias: 'shared-key', generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Tenant AS2', valid_days: 30 } } });
    expect(tenantKey.statusCode).toBe(201);
    const created = await t.app.inject({
      method: 'POST', url: '/v1/partners', headers: tenantAdmin(),
      payload: { name: 'Account Pair', as2_id: 'TESTPARTNER', url: partner.url, sign: true, encrypt: true, sign_algorithm: 'SHA256withRSA', encrypt_algorithm: 'AES256_CBC', mdn_mode: 'sync', mdn: { signed: true } },
    });
    expect(created.statusCode).toBe(201);
    const partnerId = created.json().data.id as string;
    for (const [usage, pem] of [['both', theirs.certPem], ['tls', tls.certPem]] as const) {
      const body = multipart({ name: usage, usage }, pem);
      expect((await t.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/certificates`, headers: { ...body.headers, ...tenantAdmin() }, payload: body.payload })).statusCode).toBe(201);
    }
    await registryEvent('as2_instance.created.v1', 'as2_instance-inst_acct', { instanceId: 'inst_acct', account: 'acme', tenant: null, myAs2Id: 'MYCOMPANY', myName: 'My Company', myAs2Alias: 'shared-key', myEmail: 'as2@example.com', status: 'on', createdAt: new Date().toISOString() });
    await registryEvent('partnership.created.v1', 'partnership-pship_acct', { partnershipId: 'pship_acct', account: 'acme', tenant, as2InstanceId: 'inst_acct', partnerId, overrides: {}, createdAt: new Date().toISOString() });
    const res = await t.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/test`, headers: tenantAdmin(), payload: { test_type: 'full', acknowledge_payload_delivery: true } });
    expect(res.json()).toMatchObject({ success: true, data: { results: { as2_protocol: 'success', mic_match: true, mdn_disposition: 'processed' } } });
  });

  it('an instance whose alias has no key in the keystore gets 422 SIGNING_KEY_UNAVAILABLE before the test is run', async () => {
    const created = await t.app.inject({
      method: 'POST', url: '/v1/partners', headers: admin(),
      payload: { name: 'Keyless Pair', as2_id: 'KEYLESSPAIR', url: partner.url, sign: true, encrypt: false, sign_algorithm: 'SHA256withRSA', mdn_mode: 'sync' },
    });
    const partnerId = created.json().data.id as string;
    await registryEvent('as2_instance.created.v1', 'as2_instance-inst_nokey', { instanceId: 'inst_nokey', account: 'acme', tenant: TENANT, myAs2Id: 'KEYLESS', myName: 'Keyless', myAs2Alias: 'no-such-key', myEmail: 'as2@example.com', status: 'on', createdAt: new Date().toISOString() });
    await registryEvent('partnership.created.v1', 'partnership-pship_nokey', { partnershipId: 'pship_nokey', account: 'acme', tenant: TENANT, as2InstanceId: 'inst_nokey', partnerId, overrides: {}, createdAt: new Date().toISOString() });
    const res = await t.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/test`, headers: admin(), payload: { test_type: 'full', acknowledge_payload_delivery: true } });
    expect([res.statusCode, res.json().error?.code]).toEqual([422, 'SIGNING_KEY_UNAVAILABLE']);
    expect(res.json().message).toContain('no-such-key');
    const history = await t.app.inject({ method: 'GET', url: `/v1/partners/${partnerId}/tests`, headers: admin() });
    expect(history.json().data).toEqual([]);
  });
});
