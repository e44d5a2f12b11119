import { ActivationSchedulerLifecycle, OurKeyOperations } from '@as2-partners/certificate-lifecycle-service';
import { CertificateLifecycleStreams } from '@as2-partners/certificate-lifecycle-domain';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, freshTenant, type CertificateApi } from '../certificates/certificate-api.spec-support';
import { KEY_ID, opensslWorkspace, publishInstanceEvent } from './our-keys-api.spec-support';

const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, { timeoutMs: 30_000, intervalMs: 50 });
const HOUR = 3_600_000;
const ACCOUNT = 'test-account';
const KEYS = `/v1/accounts/${ACCOUNT}/keys`;

// Rollovers are scheduled an hour ahead and reached by moving the service's clock, never by waiting.
let clockOffsetMs = 0;
const clockNow = () => new Date(Date.now() + clockOffsetMs);
const jumpPast = (instant: Date) => {
  clockOffsetMs += Math.max(0, instant.getTime() - clockNow().getTime()) + 1000;
};

let aliasCounter = 0;
const freshAlias = (name: string) => `${name}-${process.pid}-${++aliasCounter}`;

describe('the account keystore (embedded, through the API)', () => {
  let t: EmbeddedTestApp;
  let admin: CertificateApi;
  let tenant: string;
  let api: CertificateApi;
  const openssl = opensslWorkspace();
  const generate = { generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Account AS2, O=Our Company', valid_days: 365 } };

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule], env: { CERT_SCHEDULER_INTERVAL_MS: '100' }, now: clockNow });
    admin = certificateApiAs(t, { tenant: null, roles: ['account_admin'] });
  });
  afterAll(async () => {
    await t?.close();
    openssl.close();
  });
  beforeEach(() => {
    tenant = freshTenant();
    api = certificateApiAs(t, { tenant });
  });

  const createAccountKey = async (alias: string) => {
    const res = await admin.post(KEYS, { alias, ...generate });
    if (res.status !== 201) throw new Error(`account key create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data as { id: string; alias: string; fingerprint_sha256: string };
  };

  it('lets an account admin generate, list, read, download and CSR a key; tenants read it as inherited, never its material', async () => {
    const alias = freshAlias('acct-main');
    const created = await admin.post(KEYS, { alias, ...generate });
    expect(created.status).toBe(201);
    const key = created.body.data;
    expect(key).toMatchObject({ type: 'master', alias, status: 'current', usage: 'sign_and_decrypt', source: 'generated', subject: 'CN=Account AS2, O=Our Company', used_by: [] });
    expect(key.id).toMatch(KEY_ID);
    expect(JSON.stringify(created.body)).not.toMatch(/PRIVATE KEY|private_key|sealed/i);
    expect((await admin.get(`${KEYS}?alias=${alias}`)).body.data.map((k: { id: string; type: string }) => [k.id, k.type])).toEqual([[key.id, 'master']]);
    expect((await admin.get(`${KEYS}/${key.id}`)).body.data.fingerprint_sha256).toBe(key.fingerprint_sha256);

    const adminAuth = `Bearer ${t.token({ tenant: null, roles: ['account_admin'] })}`;
    const pem = await t.app.inject({ method: 'GET', url: `${KEYS}/${key.id}/certificate`, headers: { authorization: adminAuth } });
    expect(pem.headers['content-type']).toContain('application/x-pem-file');
    const printed = openssl.run('x509', '-noout', '-fingerprint', '-sha256', '-in', openssl.write('account.pem', pem.body)).toString();
    expect(printed.replace(/.*=/, '').replace(/[:\s]/g, '').toLowerCase()).toBe(key.fingerprint_sha256);
    const csr = await admin.post(`${KEYS}/${key.id}/csr`, {});
    expect(csr.status).toBe(200);
    expect(openssl.run('req', '-verify', '-noout', '-subject', '-in', openssl.write('account.csr', csr.body.data.csr)).toString()).toContain('CN = Account AS2');

    // A tenant lists its own keys and the account's, each with its type; it reads the certificate, never more.
    const own = (await api.post('/v1/keys', { alias: freshAlias('own'), ...generate })).body.data;
    const listed = (await api.get('/v1/keys?per_page=100')).body.data as { id: string; type: string }[];
    expect(listed.find((k) => k.id === key.id)?.type).toBe('inherited');
    expect(listed.find((k) => k.id === own.id)?.type).toBe('tenant');
    expect((await api.get(`/v1/keys/${key.id}`)).body.data).toMatchObject({ id: key.id, type: 'inherited', fingerprint_sha256: key.fingerprint_sha256 });
    const tenantPem = await t.app.inject({ method: 'GET', url: `/v1/keys/${key.id}/certificate`, headers: { authorization: `Bearer ${t.token({ tenant })}` } });
    expect(tenantPem.body).toBe(pem.body);
    expect((await certificateApiAs(t, { tenant, roles: ['tenant_user'] }).get(`/v1/keys/${key.id}`)).body.data.type).toBe('inherited');
    // The account admin's list is the account's keystore only: no tenant's key.
    expect((await admin.get(`${KEYS}?per_page=100`)).body.data.map((k: { id: string }) => k.id)).not.toContain(own.id);
    expect((await admin.get(`${KEYS}/${own.id}`)).body.error.code).toBe('KEY_NOT_FOUND');
  });

  it("refuses a tenant deleting, rolling over or signing a CSR with the account's key (403 INHERITED_KEY_READ_ONLY), and keeps its alias free for the tenant", async () => {
    const key = await createAccountKey(freshAlias('acct-ro'));
    const activateAt = new Date(clockNow().getTime() + HOUR).toISOString();
    const overlapUntil = new Date(clockNow().getTime() + 2 * HOUR).toISOString();
    const attempts = [
      await api.delete(`/v1/keys/${key.id}`),
      await api.post(`/v1/keys/${key.id}/rollover`, { ...generate, activate_at: activateAt, overlap_until: overlapUntil }),
      await api.post(`/v1/keys/${key.id}/csr`, {}),
    ];
    for (const res of attempts) expect([res.status, res.body.error.code]).toEqual([403, 'INHERITED_KEY_READ_ONLY']);
    expect((await admin.get(`${KEYS}/${key.id}`)).body.data.status).toBe('current');
    const stream = await t.app.get<EventStore>(EVENT_STORE).readStream(CertificateLifecycleStreams.keyAlias(ACCOUNT, null, key.alias));
    expect(stream.map((e) => e.type)).toEqual(['key.created.v1']);
    // A tenant's keystore is its own: the account's alias does not block the tenant's key of the same name.
    expect((await api.post('/v1/keys', { alias: key.alias, ...generate })).status).toBe(201);
    // The account keystore keeps its aliases unique.
    expect((await admin.post(KEYS, { alias: key.alias, ...generate })).body.error.code).toBe('DUPLICATE_KEY_ALIAS');
  });

  it('is the account admin\'s: another account, a tenant admin, a tenant_user, a gateway and no token are refused; hostile bodies get 4xx', async () => {
    const key = await createAccountKey(freshAlias('acct-scope'));
    const otherAdmin = certificateApiAs(t, { tenant: null, roles: ['account_admin'], account: 'another-account' });
    expect((await otherAdmin.get(KEYS)).body.error.code).toBe('ACCOUNT_FORBIDDEN');
    expect((await otherAdmin.post(KEYS, { alias: 'x', ...generate })).body.error.code).toBe('ACCOUNT_FORBIDDEN');
    expect((await otherAdmin.delete(`${KEYS}/${key.id}`)).body.error.code).toBe('ACCOUNT_FORBIDDEN');
    // Its own account route does not find our account's key, nor does its tenant.
    expect((await otherAdmin.get(`/v1/accounts/another-account/keys/${key.id}`)).body.error.code).toBe('KEY_NOT_FOUND');
    expect((await otherAdmin.get('/v1/accounts/another-account/keys')).body.data).toEqual([]);
    const otherTenant = certificateApiAs(t, { tenant, account: 'another-account' });
    expect((await otherTenant.get(`/v1/keys/${key.id}`)).status).toBe(404);
    expect((await otherTenant.get(`/v1/keys/${key.id}/certificate`)).status).toBe(404);
    expect((await otherTenant.get('/v1/keys')).body.data).toEqual([]);
    for (const roles of [['tenant_admin'], ['tenant_user'], ['gateway']]) {
      const caller = certificateApiAs(t, { tenant, roles });
      expect((await caller.get(KEYS)).status).toBe(403);
      expect((await caller.post(KEYS, { alias: 'x', ...generate })).status).toBe(403);
      expect((await caller.get(`${KEYS}/${key.id}/certificate`)).status).toBe(403);
      expect((await caller.delete(`${KEYS}/${key.id}`)).status).toBe(403);
    }
    expect((await t.app.inject({ method: 'GET', url: KEYS })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: KEYS, payload: { alias: 'x' } })).statusCode).toBe(401);
    const hostile: [unknown, string][] = [
      [{ alias: 'a', generate: { algorithm: 'RSA', key_size: 1024, subject: 'CN=x', valid_days: 1 } }, 'generate.key_size'],
      [{ alias: 'a', foo: 1, ...generate }, 'foo'],
      [{ alias: 'no spaces/allowed', ...generate }, 'INVALID_KEY_ALIAS'],
      [{ alias: 'a', pkcs12: 'AAAA' }, 'password'],
      [{ alias: 'a', generate: { key_size: 2048, subject: 'CN=a\u0000b', valid_days: 1 } }, 'subject'],
      [[1, 2], 'body'],
    ];
    for (const [body, mark] of hostile) {
      const res = await admin.post(KEYS, body);
      expect({ body, status: res.status }).toEqual({ body, status: 422 });
      expect(JSON.stringify(res.body)).toContain(mark);
    }
    expect((await admin.get(`${KEYS}/key_01JDUNKNOWN000000000000000`)).body.error.code).toBe('KEY_NOT_FOUND');
    expect((await admin.get(`${KEYS}?per_page=1000`)).status).toBe(422);
  });

  it('resolves an alias: an account-level instance in the account keystore; a tenant instance in its own first, then the account\'s (port and internal route)', async () => {
    const alias = freshAlias('acct-resolve');
    const accountKey = await createAccountKey(alias);
    const ops = t.app.get(OurKeyOperations);
    expect((await ops.sign({ account: ACCOUNT, tenant: null, alias }, Buffer.from('x'), 'sha256')).keyId).toBe(accountKey.id);
    expect((await ops.sign({ account: ACCOUNT, tenant, alias }, Buffer.from('x'), 'sha256')).keyId).toBe(accountKey.id);
    const gateway = certificateApiAs(t, { tenant, roles: ['gateway'] });
    const viaRoute = await gateway.post(`/internal/v1/keys/${alias}/sign`, { content: 'AA==' });
    expect([viaRoute.status, viaRoute.body.data?.key_id]).toEqual([200, accountKey.id]);
    // Another account never reaches it.
    await expect(ops.sign({ account: 'another-account', tenant, alias }, Buffer.from('x'), 'sha256')).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    expect((await certificateApiAs(t, { tenant, roles: ['gateway'], account: 'another-account' }).post(`/internal/v1/keys/${alias}/sign`, { content: 'AA==' })).body.error.code).toBe('KEY_NOT_FOUND');

    // The tenant's own key of the alias wins for the tenant; the account-level instance keeps the account's.
    const own = (await api.post('/v1/keys', { alias, ...generate })).body.data;
    expect((await ops.sign({ account: ACCOUNT, tenant, alias }, Buffer.from('x'), 'sha256')).keyId).toBe(own.id);
    expect((await gateway.post(`/internal/v1/keys/${alias}/sign`, { content: 'AA==' })).body.data.key_id).toBe(own.id);
    expect((await ops.sign({ account: ACCOUNT, tenant: null, alias }, Buffer.from('x'), 'sha256')).keyId).toBe(accountKey.id);
    // Over the internal route, `tenant: null` names the account's keystore (an account-level instance, which every tenant
    // inherits): for a gateway token without a tenant claim, and for a tenant's gateway too, which exchanges through the
    // inherited instance and must sign and decrypt as it even when its tenant holds a key of the same alias. Another
    // tenant's keystore stays refused.
    const accountGateway = certificateApiAs(t, { tenant: null, roles: ['gateway'] });
    expect((await accountGateway.post(`/internal/v1/keys/${alias}/sign`, { content: 'AA==', tenant: null })).body.data?.key_id).toBe(accountKey.id);
    expect((await accountGateway.post(`/internal/v1/keys/${alias}/sign`, { content: 'AA==', tenant })).body.data?.key_id).toBe(own.id);
    expect((await gateway.post(`/internal/v1/keys/${alias}/sign`, { content: 'AA==', tenant: null })).body.data?.key_id).toBe(accountKey.id);
    expect((await gateway.post(`/internal/v1/keys/${alias}/sign`, { content: 'AA==', tenant })).body.data?.key_id).toBe(own.id);
    expect((await gateway.post(`/internal/v1/keys/${alias}/sign`, { content: 'AA==', tenant: 'another-tenant' })).body.error?.code).toBe('TENANT_FORBIDDEN');
    // The account's keystore is named by null only: its stand-in in ids is not a tenant a body may name.
    const standIn = await accountGateway.post(`/internal/v1/keys/${alias}/sign`, { content: 'AA==', tenant: '_account' });
    expect([standIn.status, standIn.body.error?.code, standIn.body.data]).toEqual([422, 'VALIDATION_FAILED', undefined]);
    // Decryption resolves the same way: what openssl encrypts to the account key's certificate opens for another tenant.
    const certificate = (await admin.get(`${KEYS}/${accountKey.id}`)).body.data;
    expect(certificate.id).toBe(accountKey.id);
    const pem = (await t.app.inject({ method: 'GET', url: `${KEYS}/${accountKey.id}/certificate`, headers: { authorization: `Bearer ${t.token({ tenant: null, roles: ['account_admin'] })}` } })).body;
    openssl.run('cms', '-encrypt', '-binary', '-aes256', '-in', openssl.write('resolve.txt', 'to the account\r\n'), '-outform', 'DER', '-out', openssl.path('resolve.p7m'), openssl.write('resolve.pem', pem));
    const opened = await ops.decrypt({ account: ACCOUNT, tenant: freshTenant(), alias }, openssl.read('resolve.p7m'));
    expect(opened).toMatchObject({ keyId: accountKey.id, content: Buffer.from('to the account\r\n') });

    // The registry's instance details show the keys by the same rule: an account-level instance the account's key,
    // a tenant instance its tenant's own (or the account's when the tenant has none).
    const instanceBody = { my_name: 'Us', my_as2_alias: alias, my_email: 'as2@us.example' };
    const master = await admin.post(`/v1/accounts/${ACCOUNT}/as2-instances`, { ...instanceBody, my_as2_id: `M-${alias}` });
    expect(master.status).toBe(201);
    expect((await api.get(`/v1/as2-instances/${master.body.data.id}`)).body.data.keys.map((k: { id: string }) => k.id)).toEqual([accountKey.id]);
    const mine = await api.post('/v1/as2-instances', { ...instanceBody, my_as2_id: `T-${alias}` });
    expect((await api.get(`/v1/as2-instances/${mine.body.data.id}`)).body.data.keys.map((k: { id: string }) => k.id)).toEqual([own.id]);
    const bare = certificateApiAs(t, { tenant: freshTenant() });
    const theirs = await bare.post('/v1/as2-instances', { ...instanceBody, my_as2_id: `B-${alias}` });
    expect((await bare.get(`/v1/as2-instances/${theirs.body.data.id}`)).body.data.keys.map((k: { id: string }) => k.id)).toEqual([accountKey.id]);

    // So the account-level instance holds back the account's key, never the tenant's own of the alias: only the
    // tenant's instance is among its users, and once that instance is gone the tenant deletes its key.
    await until('the instances to be known', async () => ((await admin.get(`${KEYS}/${accountKey.id}`)).body.data.used_by.length === 2 ? true : undefined));
    expect((await admin.get(`${KEYS}/${accountKey.id}`)).body.data.used_by.map((u: { instance_id: string }) => u.instance_id).sort()).toEqual([master.body.data.id, theirs.body.data.id].sort());
    expect((await api.get(`/v1/keys/${own.id}`)).body.data.used_by).toEqual([{ instance_id: mine.body.data.id, my_as2_id: `T-${alias}` }]);
    expect((await api.delete(`/v1/as2-instances/${mine.body.data.id}`)).status).toBe(200);
    await until('the tenant instance to be gone', async () => ((await api.get(`/v1/keys/${own.id}`)).body.data.used_by.length === 0 ? true : undefined));
    const ownDeleted = await api.delete(`/v1/keys/${own.id}`);
    expect([ownDeleted.status, ownDeleted.body.error?.code]).toEqual([200, undefined]);
  });

  it('refuses deleting an account key while an account-level instance, or a tenant instance falling back to it, uses the alias (409 KEY_IN_USE)', async () => {
    const alias = freshAlias('acct-used');
    const key = await createAccountKey(alias);
    const instanceId = `ins_acct_${process.pid}_${aliasCounter}`;
    const now = () => new Date().toISOString();
    await publishInstanceEvent(t, 'as2_instance.created.v1', { instanceId, account: ACCOUNT, tenant: null, myAs2Id: 'ACCT-US', myName: 'Us', myAs2Alias: alias, myEmail: 'as2@us.example', status: 'on', createdAt: now() });
    await until('the instance to be known', async () => ((await admin.get(`${KEYS}/${key.id}`)).body.data.used_by.length === 1 ? true : undefined));
    const refused = await admin.delete(`${KEYS}/${key.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'KEY_IN_USE', details: { alias, used_by: [{ instance_id: instanceId, my_as2_id: 'ACCT-US' }] } });

    // The account-level instance goes; a tenant instance without its own key of the alias now signs with the account's.
    await publishInstanceEvent(t, 'as2_instance.deleted.v1', { instanceId, account: ACCOUNT, tenant: null, myAs2Id: 'ACCT-US', deletedAt: now() });
    const tenantInstance = `${instanceId}_t`;
    await publishInstanceEvent(t, 'as2_instance.created.v1', { instanceId: tenantInstance, account: ACCOUNT, tenant, myAs2Id: 'TEN-US', myName: 'Us', myAs2Alias: alias, myEmail: 'as2@us.example', status: 'on', createdAt: now() });
    await until('the tenant instance to be known', async () => {
      const usedBy = (await admin.get(`${KEYS}/${key.id}`)).body.data.used_by as { instance_id: string }[];
      return usedBy.length === 1 && usedBy[0].instance_id === tenantInstance ? true : undefined;
    });
    expect((await admin.delete(`${KEYS}/${key.id}`)).body.error).toMatchObject({ code: 'KEY_IN_USE', details: { used_by: [{ instance_id: tenantInstance, my_as2_id: 'TEN-US' }] } });
    // The tenant sees its instance among the key's users; another tenant never learns it.
    expect((await api.get(`/v1/keys/${key.id}`)).body.data.used_by).toEqual([{ instance_id: tenantInstance, my_as2_id: 'TEN-US' }]);
    expect((await certificateApiAs(t, { tenant: freshTenant() }).get(`/v1/keys/${key.id}`)).body.data.used_by).toEqual([]);
    // Once the tenant holds its own key of the alias, the account's is no longer what its instance uses.
    expect((await api.post('/v1/keys', { alias, ...generate })).status).toBe(201);
    expect((await admin.get(`${KEYS}/${key.id}`)).body.data.used_by).toEqual([]);
    const deleted = await admin.delete(`${KEYS}/${key.id}`);
    expect(deleted.body).toEqual({ message: 'Account key deleted successfully', data: { id: key.id, deleted_at: expect.stringMatching(/\.\d{6}Z$/) } });
    expect((await admin.get(`${KEYS}/${key.id}`)).status).toBe(404);
    expect((await api.get(`/v1/keys/${key.id}`)).status).toBe(404);
  });

  it("rolls an account key over on the same scheduler: at activate_at, once, with no human; then it signs for the account and its tenants", async () => {
    const alias = freshAlias('acct-roll');
    const current = await createAccountKey(alias);
    const ops = t.app.get(OurKeyOperations);
    const ref = { account: ACCOUNT, tenant: null, alias };
    const activateAt = new Date(clockNow().getTime() + HOUR);
    const overlapUntil = new Date(clockNow().getTime() + 2 * HOUR);
    const next = await admin.post(`${KEYS}/${current.id}/rollover`, { ...generate, activate_at: activateAt.toISOString(), overlap_until: overlapUntil.toISOString() });
    expect(next.status).toBe(201);
    expect(next.body.data).toMatchObject({ type: 'master', status: 'next', usage: 'none' });
    expect((await ops.sign(ref, Buffer.from('x'), 'sha256')).keyId).toBe(current.id);

    jumpPast(activateAt);
    await until('the next account key to become current', async () => ((await admin.get(`${KEYS}/${next.body.data.id}`)).body.data.status === 'current' ? true : undefined));
    await Promise.all([t.app.get(ActivationSchedulerLifecycle).scheduler.tick(), t.app.get(ActivationSchedulerLifecycle).scheduler.tick()]);
    const stream = await t.app.get<EventStore>(EVENT_STORE).readStream(CertificateLifecycleStreams.keyAlias(ACCOUNT, null, alias));
    const activations = stream.filter((e) => e.type === 'key.rollover_activated.v1');
    expect(activations).toHaveLength(1);
    expect(activations[0].data).toMatchObject({ tenant: null, keyId: next.body.data.id, previousKeyId: current.id, trigger: { type: 'scheduler' } });
    expect((await ops.sign(ref, Buffer.from('x'), 'sha256')).keyId).toBe(next.body.data.id);
    expect((await ops.sign({ ...ref, tenant }, Buffer.from('x'), 'sha256')).keyId).toBe(next.body.data.id);
    expect((await admin.get(`${KEYS}/${current.id}`)).body.data).toMatchObject({ status: 'previous', usage: 'decrypt' });
    expect((await api.get(`/v1/keys/${current.id}`)).body.data).toMatchObject({ type: 'inherited', status: 'previous' });
    const timeline = await admin.get(`${KEYS}/${next.body.data.id}/events`);
    expect(timeline.body.data.map((e: { type: string }) => e.type)).toEqual(['key.rollover_activated.v1', 'key.rollover_scheduled.v1', 'key.created.v1', 'key.created.v1']);
  });
});
