import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { SqliteEventStore } from '@as2-partners/event-store-sqlite';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@as2-partners/kernel';
import { eventually } from '@as2-partners/kernel-testing';
import { TenantSecrets } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, type CertificateApi } from '../certificates/certificate-api.spec-support';

const ACCOUNT = `acct-del-${process.pid}`;
/** One master key for every app of this file, so only a destroyed data key can explain a secret that no longer unseals. */
const MASTER_KEY = 'ab'.repeat(32);
const TENANT_DELETED = { message: expect.any(String), error: { type: 'authorization_error', code: 'TENANT_DELETED' } };

describe('deleting a tenant closes its data (embedded, through the API)', () => {
  let t: EmbeddedTestApp;
  let admin: CertificateApi;
  let store: EventStore;
  let n = 0;

  const savedKey = process.env['PARTNER_SECRETS_KEY'];
  beforeAll(async () => {
    process.env['PARTNER_SECRETS_KEY'] = MASTER_KEY;
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
    admin = certificateApiAs(t, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
    store = t.app.get<EventStore>(EVENT_STORE);
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    if (savedKey === undefined) delete process.env['PARTNER_SECRETS_KEY'];
    else process.env['PARTNER_SECRETS_KEY'] = savedKey;
  });

  const tenantApi = (tenant: string, role: 'tenant_admin' | 'tenant_user' = 'tenant_admin') => certificateApiAs(t, { account: ACCOUNT, tenant, roles: [role] });

  async function partnerWithPassword(api: CertificateApi, password: string): Promise<string> {
    n += 1;
    const as2Id = `DEL-${process.pid}-${n}`;
    const res = await api.post('/v1/partners', {
      name: `Partner ${as2Id}`,
      as2_id: as2Id,
      url: `https://p${n}.example.com/as2`,
      http_auth: { enabled: true, username: 'gateway', password },
    });
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  }

  async function uploadCertificate(api: CertificateApi, partnerId: string): Promise<string> {
    const res = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'enc', usage: 'encryption' }, issueTestCertificate().pem);
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  }

  const typesOf = async (stream: string) => (await store.readStream(stream)).map((e) => e.type);
  const sealedPasswordOf = async (partnerId: string) =>
    ((await store.readStream(`partner-${partnerId}`))[0] as RecordedEvent<{ settings: { httpAuth: { sealedPassword: string } } }>).data.settings.httpAuth.sealedPassword;

  it('deletes the partners with their events, refuses the tokens, shreds the secrets, deactivates certificates and retires the id; other tenants keep theirs', async () => {
    const secrets = t.app.get(TenantSecrets);
    const tenant = `gone-${process.pid}`;
    const other = `stays-${process.pid}`;
    for (const id of [tenant, other]) expect((await admin.post(`/v1/accounts/${ACCOUNT}/tenants`, { id, name: id, plan: 'starter' })).status).toBe(201);
    const master = await admin.post(`/v1/accounts/${ACCOUNT}/partners`, { name: 'Master', as2_id: `MASTER-${process.pid}`, url: 'https://master.example.com/as2' });
    expect(master.status).toBe(201);

    const api = tenantApi(tenant);
    const partners = [await partnerWithPassword(api, 'first-secret'), await partnerWithPassword(api, 'second-secret')];
    const certificateId = await uploadCertificate(api, partners[0]!);
    const override = await api.patch(`/v1/partners/${master.body.data.id}`, { http_auth: { enabled: true, username: 'gw', password: 'override-secret' } });
    expect(override.status).toBe(200);
    const otherApi = tenantApi(other);
    const otherPartner = await partnerWithPassword(otherApi, 'other-secret');
    const otherCertificate = await uploadCertificate(otherApi, otherPartner);

    const sealed = await sealedPasswordOf(partners[0]!);
    expect(sealed).toMatch(/^v2\./);
    expect(await secrets.unseal(sealed)).toBe('first-secret');

    // Only the account's own admin deletes a tenant: not the tenant itself, nor another account's admin.
    expect((await api.delete(`/v1/accounts/${ACCOUNT}/tenants/${tenant}`)).status).toBe(403);
    const stranger = certificateApiAs(t, { account: `stranger-${process.pid}`, tenant: null, roles: ['account_admin'] });
    expect((await stranger.delete(`/v1/accounts/${ACCOUNT}/tenants/${tenant}`)).body.error.code).toBe('ACCOUNT_FORBIDDEN');
    expect((await api.get(`/v1/partners/${partners[0]}`)).status).toBe(200);

    const deleted = await admin.delete(`/v1/accounts/${ACCOUNT}/tenants/${tenant}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toEqual({ id: tenant, deleted_at: expect.any(String) });

    // Every route refuses the deleted tenant's tokens, reads and writes, in both services.
    const reads = (caller: CertificateApi) => [
      caller.get('/v1/partners'),
      caller.get(`/v1/partners/${partners[0]}`),
      caller.get('/v1/certificates'),
      caller.get(`/v1/certificates/${certificateId}`),
      caller.get(`/v1/partners/${partners[0]}/certificates`),
      caller.get(`/v1/partners/${partners[0]}/certificate-slots`),
      caller.get(`/v1/partners/${partners[0]}/trust`),
    ];
    const writes = [
      api.patch(`/v1/partners/${partners[0]}`, { name: 'Renamed' }),
      api.post('/v1/partners', { name: 'New', as2_id: `NEW-${process.pid}`, url: 'https://new.example.com/as2' }),
      api.delete(`/v1/partners/${partners[1]}`),
      api.patch(`/v1/partners/${master.body.data.id}`, { name: 'Override' }),
      api.upload('/v1/certificates', { name: 'x', usage: 'encryption' }, issueTestCertificate().pem),
      api.put(`/v1/partners/${partners[0]}/certificate-slots/encryption`, { certificate_id: certificateId }),
    ];
    for (const res of await Promise.all([...reads(api), ...reads(tenantApi(tenant, 'tenant_user')), ...writes])) {
      expect(res).toEqual({ status: 403, body: TENANT_DELETED });
    }

    // Each partner deleted with its own event (other services and Kafka consumers learn it); overrides reset.
    for (const partnerId of partners) expect(await typesOf(`partner-${partnerId}`)).toEqual(['partner.created.v1', 'partner.deleted.v1']);
    expect(await typesOf(`partner_override-${ACCOUNT}.${tenant}.${master.body.data.id}`)).toEqual(['partner.override_set.v1', 'partner.overrides_reset.v1']);
    // Embedded mode: the DELETE answered once its events reached the certificate service, which deactivated the certificate.
    expect(await typesOf(`certificate-${certificateId}`)).toContain('certificate.deactivated.v1');

    // Crypto-shredding: the sealed value stored in the events (and published) can never be unsealed again.
    await expect(secrets.unseal(sealed)).rejects.toThrow('cannot be unsealed');
    await expect(secrets.unseal(await sealedPasswordOf(partners[1]!))).rejects.toThrow('cannot be unsealed');

    // The id is retired, whatever the plan; the account's list no longer shows the tenant.
    for (const plan of ['starter', 'enterprise']) {
      expect(await admin.post(`/v1/accounts/${ACCOUNT}/tenants`, { id: tenant, name: 'Again', plan })).toEqual({
        status: 409,
        body: { message: expect.any(String), error: { type: 'conflict_error', code: 'TENANT_ID_RETIRED' } },
      });
    }
    const list = await admin.get(`/v1/accounts/${ACCOUNT}/tenants`);
    expect(list.body.data.map((x: { id: string }) => x.id)).toEqual([other]);
    expect(list.body.pagination.total).toBe(1);
    expect((await admin.get(`/v1/accounts/${ACCOUNT}/tenants/${tenant}`)).status).toBe(404);
    // A repeated DELETE changes nothing and answers the first deletion.
    expect((await admin.delete(`/v1/accounts/${ACCOUNT}/tenants/${tenant}`)).body.data).toEqual(deleted.body.data);

    // The same tenant id in another account is another tenant: untouched.
    expect((await certificateApiAs(t, { account: `stranger-${process.pid}`, tenant, roles: ['tenant_user'] }).get('/v1/partners')).status).toBe(200);
    // The other tenant and the account's master are untouched.
    expect((await otherApi.get(`/v1/partners/${otherPartner}`)).status).toBe(200);
    expect((await otherApi.get('/v1/partners')).body.data.map((p: { id: string }) => p.id)).toEqual([otherPartner, master.body.data.id]);
    expect((await otherApi.get(`/v1/certificates/${otherCertificate}`)).body.data.active).toBe(true);
    expect(await secrets.unseal(await sealedPasswordOf(otherPartner))).toBe('other-secret');
    expect((await admin.get(`/v1/accounts/${ACCOUNT}/partners/${master.body.data.id}`)).status).toBe(200);
  }, 60_000);

  it("stores no write of the tenant after its deletion: a create racing the DELETE answers 201 before it or 403 TENANT_DELETED with nothing stored, never 5xx", async () => {
    for (let round = 0; round < 4; round += 1) {
      const tenant = `racing-${process.pid}-${round}`;
      expect((await admin.post(`/v1/accounts/${ACCOUNT}/tenants`, { id: tenant, name: tenant, plan: 'enterprise' })).status).toBe(201);
      const api = tenantApi(tenant);
      const creates = Array.from({ length: 24 }, (_, i) =>
        i % 2 === 0
          ? api.post('/v1/partners', { name: `Racer ${i}`, as2_id: `RACE-${round}-${i}-${process.pid}`, url: `https://race${i}.example.com/as2` })
          : i % 4 === 1
            ? api.post('/v1/as2-instances', { my_as2_id: `US-${round}-${i}-${process.pid}`, my_name: 'Us', my_as2_alias: 'us-main', my_email: 'as2@us.example.com' })
            : api.post('/v1/stations', { name: `Station ${i}`, notification_email: 'ops@example.com' }),
      );
      const deletion = new Promise((resolve) => setTimeout(resolve, round)).then(() => admin.delete(`/v1/accounts/${ACCOUNT}/tenants/${tenant}`));
      const [deleted, ...answers] = await Promise.all([deletion, ...creates]);
      expect(deleted.status).toBe(200);
      expect(answers.filter((res) => res.status !== 201 && res.status !== 403).map((res) => [res.status, res.body])).toEqual([]);
      for (const res of answers.filter((r) => r.status === 403)) expect(res.body).toEqual(TENANT_DELETED);
      const events = await store.readAll();
      const deletedAt = (events.find((e) => e.type === 'tenant.deleted.v1' && (e.data as { tenantId: string }).tenantId === tenant) as RecordedEvent).position;
      const createdAfter = events.filter((e) => e.position > deletedAt && e.type.endsWith('.created.v1') && (e.metadata as { tenant?: string }).tenant === tenant);
      expect(createdAfter.map((e) => e.type)).toEqual([]);
      // Each 201 names an entity created before the deletion.
      const createdIds = new Set(events.filter((e) => e.position < deletedAt).map((e) => e.stream));
      for (const res of answers.filter((r) => r.status === 201)) expect([...createdIds].some((stream) => stream.endsWith(res.body.data.id as string))).toBe(true);
    }
  });

  it('finishes closing a tenant whose DELETE stopped right after recording the deletion, at the next start-up', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tenant-closure-restart-'));
    const tenant = `crashed-${process.pid}`;
    try {
      const first = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
      let partnerId: string;
      let sealed: string;
      try {
        const firstAdmin = certificateApiAs(first, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
        expect((await firstAdmin.post(`/v1/accounts/${ACCOUNT}/tenants`, { id: tenant, name: tenant, plan: 'starter' })).status).toBe(201);
        partnerId = await partnerWithPassword(certificateApiAs(first, { account: ACCOUNT, tenant, roles: ['tenant_admin'] }), 'secret');
        const firstStore = first.app.get<EventStore>(EVENT_STORE);
        sealed = ((await firstStore.readStream(`partner-${partnerId}`))[0] as RecordedEvent<{ settings: { httpAuth: { sealedPassword: string } } }>).data.settings.httpAuth.sealedPassword;
        expect(await first.app.get(TenantSecrets).unseal(sealed)).toBe('secret');
      } finally {
        await first.close();
      }
      // What a DELETE that died right after its first append leaves behind: the deletion recorded, nothing closed.
      const events = await SqliteEventStore.open(join(dataDir, 'events.sqlite'));
      const now = new Date().toISOString();
      await events.append(
        `tenant-${ACCOUNT}.${tenant}`,
        [
          {
            id: randomUUID(),
            type: 'tenant.deleted.v1',
            schemaVersion: 1,
            data: { account: ACCOUNT, tenantId: tenant, deletedAt: now },
            metadata: { account: ACCOUNT, tenant: null, correlationId: 'crash', causationId: null, actor: { type: 'user', id: 'admin' }, occurredAt: now },
          },
        ],
        'stream_exists',
      );
      await events.close();

      const second = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
      try {
        const secondStore = second.app.get<EventStore>(EVENT_STORE);
        const types = async (stream: string) => (await secondStore.readStream(stream)).map((e) => e.type);
        await eventually('the partner deleted at start-up', async () => ((await types(`partner-${partnerId}`)).includes('partner.deleted.v1') ? true : undefined), {
          timeoutMs: 10_000,
          intervalMs: 20,
        });
        expect(await types(`tenant_data_key-${ACCOUNT}.${tenant}`)).toEqual(['tenant_data_key.created.v1', 'tenant_data_key.destroyed.v1']);
        await expect(second.app.get(TenantSecrets).unseal(sealed)).rejects.toThrow('cannot be unsealed');
        const res = await certificateApiAs(second, { account: ACCOUNT, tenant, roles: ['tenant_user'] }).get(`/v1/partners/${partnerId}`);
        expect(res).toEqual({ status: 403, body: TENANT_DELETED });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
