import { randomUUID } from 'node:crypto';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { EVENT_BUS, EVENT_STORE, topicOf, type EventBus, type EventStore, type RecordedEvent } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { ulid } from 'ulid';

const ACCOUNT = 'acc-cert-del';
const TENANT_DELETED = { message: expect.any(String), error: { type: 'authorization_error', code: 'TENANT_DELETED' } };

/** The certificate service on its own, as in distributed mode: it learns tenants and partners only from the registry's topic. */
describe('certificate-lifecycle refuses a deleted tenant it learned of from the partner-registry events', () => {
  let t: EmbeddedTestApp;
  let bus: EventBus;
  let position = 1_000;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [CertificateLifecycleModule] });
    bus = t.app.get<EventBus>(EVENT_BUS);
  }, 30_000);
  afterAll(() => t?.close());

  async function registryPublishes(stream: string, type: string, data: Record<string, unknown>, tenant: string | null): Promise<void> {
    position += 1;
    const event: RecordedEvent = {
      id: randomUUID(),
      type,
      schemaVersion: 1,
      stream,
      revision: 0,
      position,
      data,
      metadata: { account: ACCOUNT, tenant, correlationId: 'c', causationId: null, actor: { type: 'user', id: 'admin' }, occurredAt: new Date().toISOString() },
    };
    await bus.publish(topicOf('partner-registry'), [event]);
  }

  async function knownPartner(tenant: string): Promise<string> {
    const partnerId = `prt_${ulid()}`;
    await registryPublishes(`partner-${partnerId}`, 'partner.created.v1', {
      partnerId,
      account: ACCOUNT,
      tenant,
      as2Id: partnerId,
      settings: { name: 'Partner', signAlgorithm: 'SHA256withRSA' },
      createdAt: new Date().toISOString(),
    }, tenant);
    return partnerId;
  }

  const api = (tenant: string) => {
    const authorization = `Bearer ${t.token({ account: ACCOUNT, tenant, roles: ['tenant_admin'] })}`;
    return {
      get: async (url: string) => {
        const res = await t.app.inject({ method: 'GET', url, headers: { authorization } });
        return { status: res.statusCode, body: res.json() };
      },
      upload: async (url: string) => {
        const boundary = 'b0undary';
        const payload = Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nenc\r\n--${boundary}\r\nContent-Disposition: form-data; name="usage"\r\n\r\nencryption\r\n`),
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="p.pem"\r\nContent-Type: application/octet-stream\r\n\r\n`),
          Buffer.from(issueTestCertificate().pem),
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
        const res = await t.app.inject({ method: 'POST', url, headers: { authorization, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
        return { status: res.statusCode, body: res.json() };
      },
    };
  };

  it('answers 403 TENANT_DELETED on every route once tenant.deleted.v1 arrived, and deactivates certificates as partner.deleted.v1 follow', async () => {
    for (const tenant of ['doomed', 'kept']) {
      await registryPublishes(`tenant-${ACCOUNT}.${tenant}`, 'tenant.created.v1', { account: ACCOUNT, tenantId: tenant, name: tenant, plan: 'starter', createdAt: new Date().toISOString() }, null);
    }
    const partnerId = await knownPartner('doomed');
    const keptPartner = await knownPartner('kept');
    const uploaded = await api('doomed').upload(`/v1/partners/${partnerId}/certificates`);
    expect(uploaded.status).toBe(201);
    expect((await api('kept').upload(`/v1/partners/${keptPartner}/certificates`)).status).toBe(201);

    await registryPublishes(`tenant-${ACCOUNT}.doomed`, 'tenant.deleted.v1', { account: ACCOUNT, tenantId: 'doomed', deletedAt: new Date().toISOString() }, null);
    const doomed = api('doomed');
    for (const res of [
      await doomed.get('/v1/certificates'),
      await doomed.get(`/v1/certificates/${uploaded.body.data.id}`),
      await doomed.get(`/v1/partners/${partnerId}/certificates`),
      await doomed.get(`/v1/partners/${partnerId}/certificate-slots`),
      await doomed.get(`/v1/partners/${partnerId}/trust`),
      await doomed.upload(`/v1/partners/${partnerId}/certificates`),
      await doomed.upload('/v1/certificates'),
    ]) {
      expect(res).toEqual({ status: 403, body: TENANT_DELETED });
    }
    expect((await api('kept').get('/v1/certificates')).body.data).toHaveLength(1);

    await registryPublishes(`partner-${partnerId}`, 'partner.deleted.v1', { partnerId, as2Id: partnerId, deletedAt: new Date().toISOString() }, 'doomed');
    const store = t.app.get<EventStore>(EVENT_STORE);
    expect((await store.readStream(`certificate-${uploaded.body.data.id}`)).map((e) => e.type)).toContain('certificate.deactivated.v1');
  }, 30_000);
});
