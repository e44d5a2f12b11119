import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { apiAs, freshTenant } from './partner-api.spec-support';

const ACCOUNT = 'notice-account';

describe("a tenant's notification email", () => {
  let t: EmbeddedTestApp;
  const admin = (account = ACCOUNT) => apiAs(t, { account, tenant: null, roles: ['account_admin'] });
  const tenants = `/v1/accounts/${ACCOUNT}/tenants`;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
  });
  afterAll(() => t?.close());

  it('is given at creation, shown in the GET and the list, changed and cleared (null) by a PATCH, each change an event', async () => {
    const id = freshTenant();
    const created = await admin().post(tenants, { id, name: 'Plant', notification_email: 'edi-ops@plant.example' });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ id, notification_email: 'edi-ops@plant.example' });
    expect((await admin().get(`${tenants}/${id}`)).body.data.notification_email).toBe('edi-ops@plant.example');
    const listed = (await admin().get(`${tenants}?per_page=100`)).body.data.find((x: { id: string }) => x.id === id);
    expect(listed.notification_email).toBe('edi-ops@plant.example');

    expect((await admin().patch(`${tenants}/${id}`, { notification_email: 'other@plant.example' })).body.data.notification_email).toBe('other@plant.example');
    const cleared = await admin().patch(`${tenants}/${id}`, { notification_email: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.data.notification_email).toBeNull();
    expect((await admin().get(`${tenants}/${id}`)).body.data).toMatchObject({ name: 'Plant', notification_email: null });

    const events = await t.app.get<EventStore>(EVENT_STORE).readStream(PartnerRegistryStreams.tenant(ACCOUNT, id));
    expect(events.map((e) => [e.type, (e.data as { notificationEmail?: unknown; changes?: unknown }).notificationEmail ?? (e.data as { changes?: unknown }).changes])).toEqual([
      ['tenant.created.v1', 'edi-ops@plant.example'],
      ['tenant.updated.v1', { notificationEmail: 'other@plant.example' }],
      ['tenant.updated.v1', { notificationEmail: null }],
    ]);
  });

  it('is null for a tenant created without one', async () => {
    const id = freshTenant();
    expect((await admin().post(tenants, { id, name: 'Bare' })).body.data.notification_email).toBeNull();
  });

  it('refuses what is no address or would start a mail header: 422 naming the field, nothing stored', async () => {
    const id = freshTenant();
    for (const bad of ['not-an-address', 'a@b.example\r\nBcc: x@y.example', 42, `${'a'.repeat(250)}@b.example`]) {
      const res = await admin().post(tenants, { id, name: 'Bad', notification_email: bad });
      expect([bad, res.status, res.body.error.code, Object.keys(res.body.errors ?? {})]).toEqual([bad, 422, 'VALIDATION_FAILED', ['notification_email']]);
    }
    expect((await admin().get(`${tenants}/${id}`)).status).toBe(404);
    expect((await admin().post(tenants, { id, name: 'Good', notification_email: 'ok@plant.example' })).status).toBe(201);
    const res = await admin().patch(`${tenants}/${id}`, { notification_email: 'a@b.example\nBcc: x@y.example' });
    expect([res.status, Object.keys(res.body.errors ?? {})]).toEqual([422, ['notification_email']]);
    expect((await admin().get(`${tenants}/${id}`)).body.data.notification_email).toBe('ok@plant.example');
  });

  it("is neither read nor changed by another account's admin, a tenant user, or without a token", async () => {
    const id = freshTenant();
    await admin().post(tenants, { id, name: 'Guarded', notification_email: 'guarded@plant.example' });
    const other = admin('notice-other-account');
    expect((await other.get(`${tenants}/${id}`)).status).toBe(403);
    expect((await other.patch(`${tenants}/${id}`, { notification_email: 'thief@evil.example' })).status).toBe(403);
    const user = apiAs(t, { account: ACCOUNT, tenant: id, roles: ['tenant_user'] });
    expect((await user.patch(`${tenants}/${id}`, { notification_email: 'thief@evil.example' })).status).toBe(403);
    expect((await t.app.inject({ method: 'PATCH', url: `${tenants}/${id}`, payload: { notification_email: 'thief@evil.example' } })).statusCode).toBe(401);
    expect((await admin().get(`${tenants}/${id}`)).body.data.notification_email).toBe('guarded@plant.example');
  });
});
