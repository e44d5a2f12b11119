import { EVENT_BUS, topicOf, type EventBus, type RecordedEvent } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PARTNER_REGISTRY_EVENT_TYPES } from '@as2-partners/partner-registry-domain';
import { PartnerRegistryModule } from '../partner-registry.module';
import { apiAs, instanceInput, partnerInput } from './partner-api.spec-support';

const TENANT_DELETED = { message: expect.any(String), error: { type: 'authorization_error', code: 'TENANT_DELETED' } };

/** The partner-registry on its own, as in distributed mode: its guard and its published events, nothing else. */
describe('tenant deletion (partner-registry, embedded bus)', () => {
  let t: EmbeddedTestApp;
  const published: RecordedEvent[] = [];

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
    await t.app.get<EventBus>(EVENT_BUS).subscribe({
      groupId: 'tenant-deletion-spec',
      topics: [topicOf('partner-registry')],
      handler: async (event) => void published.push(event),
    });
  }, 30_000);
  afterAll(() => t?.close());

  it("publishes partner.deleted.v1 for each partner, refuses the tenant's tokens and keeps its plan usage from any successor", async () => {
    const admin = apiAs(t, { account: 'acc', tenant: null, roles: ['account_admin'] });
    expect((await admin.post('/v1/accounts/acc/tenants', { id: 'small', name: 'Small', plan: 'free' })).status).toBe(201);
    const tenant = apiAs(t, { account: 'acc', tenant: 'small' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await tenant.post('/v1/partners', partnerInput(`SMALL-${i}`, { http_auth: { enabled: true, username: 'u', password: `pw-${i}` } }));
      expect(res.status).toBe(201);
      ids.push(res.body.data.id);
    }
    expect((await tenant.post('/v1/partners', partnerInput('SMALL-6'))).body.error.code).toBe('PARTNER_LIMIT_EXCEEDED');

    expect((await admin.delete('/v1/accounts/acc/tenants/small')).status).toBe(200);

    const deletions = published.filter((e) => e.type === 'partner.deleted.v1');
    expect(deletions.map((e) => (e.data as { partnerId: string }).partnerId).sort()).toEqual([...ids].sort());
    for (const event of deletions) expect(event.metadata).toMatchObject({ account: 'acc', tenant: 'small' });
    expect(JSON.stringify(published)).not.toMatch(/pw-\d/);

    for (const res of [
      await tenant.get('/v1/partners'),
      await tenant.get(`/v1/partners/${ids[0]}`),
      await tenant.patch(`/v1/partners/${ids[0]}`, { name: 'x' }),
      await tenant.post('/v1/partners', partnerInput('SMALL-7')),
      await tenant.delete(`/v1/partners/${ids[1]}`),
      await apiAs(t, { account: 'acc', tenant: 'small', roles: ['tenant_user'] }).get(`/v1/partners/${ids[2]}`),
      // Routes its roles do not reach: TENANT_DELETED too, not FORBIDDEN.
      await apiAs(t, { account: 'acc', tenant: 'small', roles: ['tenant_user'] }).post('/v1/partners', partnerInput('SMALL-8')),
      await tenant.get('/v1/accounts/acc/tenants'),
    ]) {
      expect(res).toEqual({ status: 403, body: TENANT_DELETED });
    }
    expect((await admin.post('/v1/accounts/acc/tenants', { id: 'small', name: 'Bigger', plan: 'enterprise' })).body.error.code).toBe('TENANT_ID_RETIRED');
    // The account admin's own routes still work; the deleted tenant is no longer listed.
    expect((await admin.get('/v1/accounts/acc/tenants')).body.pagination.total).toBe(0);
  }, 30_000);
  it("ends the tenant's partnerships (also with inherited ends), AS2 instances and stations, each with its own event", async () => {
    const admin = apiAs(t, { account: 'acc2', tenant: null, roles: ['account_admin'] });
    expect((await admin.post('/v1/accounts/acc2/tenants', { id: 'closing', name: 'Closing', plan: 'starter' })).status).toBe(201);
    const masterInstance = (await admin.post('/v1/accounts/acc2/as2-instances', instanceInput('GROUP'))).body.data;
    const masterPartner = (await admin.post('/v1/accounts/acc2/partners', partnerInput('SHARED'))).body.data;
    const tenant = apiAs(t, { account: 'acc2', tenant: 'closing' });
    const survivor = apiAs(t, { account: 'acc2', tenant: 'staying' });
    const own = (await tenant.post('/v1/as2-instances', instanceInput('OWN'))).body.data;
    const inherited = (await tenant.post('/v1/partnerships', { as2_instance_id: masterInstance.id, partner_id: masterPartner.id })).body.data;
    const station = (await tenant.post('/v1/stations', { name: 'S', notification_email: 'ops@closing.example.com' })).body.data;
    const kept = (await survivor.post('/v1/partnerships', { as2_instance_id: masterInstance.id, partner_id: masterPartner.id })).body.data;

    expect((await admin.delete('/v1/accounts/acc2/tenants/closing')).status).toBe(200);

    const of = (type: string, field: string, id: string) => published.find((e) => e.type === type && (e.data as Record<string, unknown>)[field] === id);
    expect(of('partnership.deleted.v1', 'partnershipId', inherited.id)).toMatchObject({ data: { reason: 'tenant_deleted' }, metadata: { tenant: 'closing' } });
    expect(of('as2_instance.deleted.v1', 'instanceId', own.id)).toMatchObject({ metadata: { account: 'acc2', tenant: 'closing' } });
    expect(of('station.deleted.v1', 'stationId', station.id)).toBeDefined();
    // The account's master instance and the other tenant's partnership stay.
    expect(of('as2_instance.deleted.v1', 'instanceId', masterInstance.id)).toBeUndefined();
    expect(of('partnership.deleted.v1', 'partnershipId', kept.id)).toBeUndefined();
    expect((await survivor.get(`/v1/partnerships/${kept.id}`)).status).toBe(200);
    // Only documented types reach the topic: the directories guarding our AS2 ids and pairs stay in the store.
    expect(published.filter((e) => !(PARTNER_REGISTRY_EVENT_TYPES as readonly string[]).includes(e.type)).map((e) => e.type)).toEqual([]);
    expect(published.some((e) => e.type === 'as2_instance.created.v1')).toBe(true);
  });
});
