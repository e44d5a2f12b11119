import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, READ_MODEL_STORE, SECRET_STORE, type EventStore, type ReadModelStore, type SecretStore } from '@as2-partners/kernel';
import { IDEMPOTENCY_LEASE_MS, type IdempotencyRecord } from '@as2-partners/platform';
import { SEALED_KEYS_COLLECTION } from '@as2-partners/certificate-lifecycle-service';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp, type TestTokenClaims } from '@as2-partners/platform-testing';
import { AllInOneModule } from './all-in-one.module';

const ACCOUNT = 'crash-del-account';
const TENANT = 'crash-del-tenant';
const tenantAdmin: Partial<TestTokenClaims> = { account: ACCOUNT, tenant: TENANT, roles: ['tenant_admin'] };
const accountAdmin: Partial<TestTokenClaims> = { account: ACCOUNT, tenant: null, roles: ['account_admin'] };

/**
 * A process killed after a delete's event was stored and before its answer was recorded leaves the Idempotency-Key
 * claim pending; the retry against a new process finds the entity gone by that very request, so it answers the first
 * answer (same deleted_at), stores nothing more, and frees the AS2 id, instead of a 404.
 */
describe('a delete retried after a crash answers its first answer (embedded)', () => {
  let dataDir: string;
  let now = new Date('2026-11-30T10:00:00.000Z').getTime();
  const clock = () => new Date(now);
  const running = new Set<EmbeddedTestApp>();
  const start = async () => {
    const app = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, now: clock });
    running.add(app);
    return app;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'as2-idem-deletes-'));
  });
  afterAll(async () => {
    for (const app of running) await app.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const call = (app: EmbeddedTestApp, claims: Partial<TestTokenClaims>, method: 'POST' | 'DELETE', url: string, key: string | null, payload?: object) =>
    app.app.inject({ method, url, headers: { authorization: `Bearer ${app.token(claims)}`, ...(key === null ? {} : { 'idempotency-key': key }) }, ...(payload ? { payload } : {}) });
  const deletions = async (app: EmbeddedTestApp) => (await app.app.get<EventStore>(EVENT_STORE).readAll({ after: null, maxCount: 100_000 })).filter((e) => /^(partner|master_partner|partnership|station|as2_instance|certificate|key)\.deleted\.v1$/.test(e.type)).length;

  const sealedKeys = (app: EmbeddedTestApp) => app.app.get<SecretStore>(SECRET_STORE).collection(SEALED_KEYS_COLLECTION);

  it("a tenant partner's, a master partner's, a partnership's, a station's, an AS2 instance's, a certificate's and a tenant's and an account's key", async () => {
    const first = await start();
    const created = await call(first, tenantAdmin, 'POST', '/v1/partners', null, { name: 'Gone', as2_id: 'GONE-1', url: 'https://gone.example.com/as2' });
    const master = await call(first, accountAdmin, 'POST', `/v1/accounts/${ACCOUNT}/partners`, null, { name: 'Gone M', as2_id: 'GONE-M', url: 'https://gone-m.example.com/as2' });
    const kept = await call(first, tenantAdmin, 'POST', '/v1/partners', null, { name: 'Kept', as2_id: 'KEPT-1', url: 'https://kept.example.com/as2' });
    const instance = await call(first, tenantAdmin, 'POST', '/v1/as2-instances', null, { my_as2_id: 'US-DEL', my_name: 'Us', my_as2_alias: 'us-del', my_email: 'as2@us.example.com' });
    const station = await call(first, tenantAdmin, 'POST', '/v1/stations', null, { name: 'Dock', notification_email: 'dock@us.example.com' });
    const spare = await call(first, tenantAdmin, 'POST', '/v1/as2-instances', null, { my_as2_id: 'US-SPARE', my_name: 'Spare', my_as2_alias: 'us-spare', my_email: 'as2@us.example.com' });
    const stored = await call(first, tenantAdmin, 'POST', '/v1/certificates', null, { name: 'Gone cert', usage: 'encryption', certificate: issueTestCertificate({ commonName: 'Gone' }).pem });
    const generate = { generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Gone', valid_days: 365 } };
    const key = await call(first, tenantAdmin, 'POST', '/v1/keys', null, { alias: 'gone-key', ...generate });
    const accountKey = await call(first, accountAdmin, 'POST', `/v1/accounts/${ACCOUNT}/keys`, null, { alias: 'gone-account-key', ...generate });
    const pair = await call(first, tenantAdmin, 'POST', '/v1/partnerships', null, { as2_instance_id: instance.json().data.id, partner_id: kept.json().data.id });
    expect([created, master, kept, instance, station, spare, stored, key, accountKey, pair].map((res) => res.statusCode)).toEqual([201, 201, 201, 201, 201, 201, 201, 201, 201, 201]);
    const blobs = await sealedKeys(first).find({});
    expect(blobs).toHaveLength(2);
    const cases = [
      { claims: tenantAdmin, url: `/v1/partners/${created.json().data.id}` },
      { claims: accountAdmin, url: `/v1/accounts/${ACCOUNT}/partners/${master.json().data.id}` },
      { claims: tenantAdmin, url: `/v1/partnerships/${pair.json().data.id}` },
      { claims: tenantAdmin, url: `/v1/stations/${station.json().data.id}` },
      { claims: tenantAdmin, url: `/v1/as2-instances/${spare.json().data.id}` },
      { claims: tenantAdmin, url: `/v1/certificates/${stored.json().data.id}` },
      { claims: tenantAdmin, url: `/v1/keys/${key.json().data.id}` },
      { claims: accountAdmin, url: `/v1/accounts/${ACCOUNT}/keys/${accountKey.json().data.id}` },
    ];
    const answers = [];
    for (const [i, c] of cases.entries()) {
      const res = await call(first, c.claims, 'DELETE', c.url, `del-${i}`);
      expect(res.statusCode).toBe(200);
      answers.push(res.json());
    }
    expect(await deletions(first)).toBe(8);
    // Every deletion answers what it deleted and when (seed 002's shape), a certificate's too.
    expect(answers.map((answer, i) => [cases[i]!.url.endsWith(answer.data?.id), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(answer.data?.deleted_at)])).toEqual(cases.map(() => [true, true]));
    // As a process killed between the stored events and the recorded answer leaves them: every claim pending, and
    // the keys' sealed blobs not yet destroyed.
    for (const blob of blobs) await sealedKeys(first).put(blob);
    const claims = first.app.get<ReadModelStore>(READ_MODEL_STORE).collection<IdempotencyRecord>('platform_idempotency_keys');
    for (const [i, c] of cases.entries()) {
      const { status: _status, contentType: _contentType, body: _body, ...claim } = (await claims.get(`${ACCOUNT}/${c.claims.tenant ?? '-'}/del-${i}`))!;
      await claims.put({ ...claim, state: 'pending', leaseUntil: new Date(now + IDEMPOTENCY_LEASE_MS).toISOString() });
    }
    running.delete(first);
    await first.close();

    const restarted = await start();
    now += IDEMPOTENCY_LEASE_MS + 1;
    for (const [i, c] of cases.entries()) {
      const retry = await call(restarted, c.claims, 'DELETE', c.url, `del-${i}`);
      expect([c.url, retry.statusCode, retry.statusCode === 200 ? retry.json() : retry.body]).toEqual([c.url, 200, answers[i]]);
    }
    expect(await deletions(restarted)).toBe(8);
    // The keys' retries finished what their first attempts began: the sealed blobs are destroyed.
    expect(await sealedKeys(restarted).find({})).toEqual([]);
    // Another request (no key, or another key) for a partner already gone is still not found.
    expect((await call(restarted, tenantAdmin, 'DELETE', cases[0]!.url, null)).statusCode).toBe(404);
    expect((await call(restarted, tenantAdmin, 'DELETE', cases[0]!.url, 'del-other')).statusCode).toBe(404);
    expect((await call(restarted, tenantAdmin, 'DELETE', cases[6]!.url, 'del-other-key')).json().error.code).toBe('KEY_NOT_FOUND');
    // The certificate no longer counts in the tenant's directory; the AS2 id and the pair are free again.
    const directory = (await restarted.app.get<EventStore>(EVENT_STORE).readAll({ after: null, maxCount: 100_000 })).filter((e) => e.type === 'certificate_directory.released.v1');
    expect(directory).toHaveLength(1);
    expect((await call(restarted, tenantAdmin, 'POST', '/v1/partners', null, { name: 'Again', as2_id: 'GONE-1', url: 'https://again.example.com/as2' })).statusCode).toBe(201);
    expect((await call(restarted, tenantAdmin, 'POST', '/v1/partnerships', null, { as2_instance_id: instance.json().data.id, partner_id: kept.json().data.id })).statusCode).toBe(201);
    expect((await call(restarted, tenantAdmin, 'POST', '/v1/as2-instances', null, { my_as2_id: 'US-SPARE', my_name: 'Spare', my_as2_alias: 'us-spare', my_email: 'as2@us.example.com' })).statusCode).toBe(201);
  }, 120_000);
});
