import { randomUUID } from 'node:crypto';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { apiAs, freshTenant, partnerInput } from './partner-api.spec-support';

const ACCOUNT = 'plans-account';

describe('plan limits and concurrency', () => {
  let t: EmbeddedTestApp;
  const admin = () => apiAs(t, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
  const tenantApi = (tenant: string) => apiAs(t, { account: ACCOUNT, tenant });

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
  });
  afterAll(() => t?.close());

  async function fill(tenant: string, count: number, prefix = 'FILL') {
    for (let i = 0; i < count; i++) expect((await tenantApi(tenant).post('/v1/partners', partnerInput(`${prefix}-${i}`))).status).toBe(201);
  }

  it('bills an unregistered tenant as free: the 6th partner answers 402 with details', async () => {
    const tenant = freshTenant();
    await fill(tenant, 5);
    const res = await tenantApi(tenant).post('/v1/partners', partnerInput('SIXTH'));
    expect(res.status).toBe(402);
    expect(res.body).toEqual({
      message: 'Partner limit exceeded for current plan',
      error: { type: 'billing_error', code: 'PARTNER_LIMIT_EXCEEDED', details: { current_partners: 6, plan_limit: 5, plan: 'free', upgrade_url: 'https://as2aas.com/dashboard/billing' } },
    });
  });

  it('applies a registered tenant plan, and a plan change to later creates', async () => {
    const tenant = freshTenant();
    await admin().post(`/v1/accounts/${ACCOUNT}/tenants`, { id: tenant, name: 'Starter', plan: 'starter' });
    await fill(tenant, 10);
    const limited = await tenantApi(tenant).post('/v1/partners', partnerInput('ELEVENTH'));
    expect(limited.status).toBe(402);
    expect(limited.body.error.details).toEqual({ current_partners: 11, plan_limit: 10, plan: 'starter', upgrade_url: 'https://as2aas.com/dashboard/billing' });
    await admin().patch(`/v1/accounts/${ACCOUNT}/tenants/${tenant}`, { plan: 'professional' });
    await fill(tenant, 3, 'PRO');
    await admin().patch(`/v1/accounts/${ACCOUNT}/tenants/${tenant}`, { plan: 'free' });
    expect((await tenantApi(tenant).post('/v1/partners', partnerInput('DOWNGRADED'))).body.error.details).toEqual({
      current_partners: 14,
      plan_limit: 5,
      plan: 'free',
      upgrade_url: 'https://as2aas.com/dashboard/billing',
    });
  });

  it('frees a slot when a partner is deleted', async () => {
    const tenant = freshTenant();
    await fill(tenant, 5);
    const first = (await tenantApi(tenant).get('/v1/partners?per_page=1')).body.data[0];
    expect((await tenantApi(tenant).delete(`/v1/partners/${first.id}`)).status).toBe(200);
    expect((await tenantApi(tenant).post('/v1/partners', partnerInput('REPLACEMENT'))).status).toBe(201);
  });

  it('gives exactly one 201 to 20 simultaneous creates of one AS2 id', async () => {
    const tenant = freshTenant();
    await admin().post(`/v1/accounts/${ACCOUNT}/tenants`, { id: tenant, name: 'Racer', plan: 'enterprise' });
    const results = await Promise.all(Array.from({ length: 20 }, () => tenantApi(tenant).post('/v1/partners', partnerInput('RACE'))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const losers = results.filter((r) => r.status !== 201);
    expect(losers).toHaveLength(19);
    for (const loser of losers) expect(loser.body.error.code).toBe('DUPLICATE_AS2_ID');
    expect((await tenantApi(tenant).get('/v1/partners')).body.pagination.total).toBe(1);
  });

  it('never lets simultaneous creates exceed the plan limit', async () => {
    const tenant = freshTenant();
    await fill(tenant, 2);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => tenantApi(tenant).post('/v1/partners', partnerInput(`BURST-${i}`))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 402)).toHaveLength(5);
    expect((await tenantApi(tenant).get('/v1/partners')).body.pagination.total).toBe(5);
  });

  describe('stale reservations', () => {
    async function plantReservation(tenant: string, as2Id: string, reservedAt: Date, partnerId = 'prt_01M80000000000000000000000') {
      const store = t.app.get<EventStore>(EVENT_STORE);
      await store.append(
        PartnerRegistryStreams.tenantDirectory(ACCOUNT, tenant),
        [
          {
            id: randomUUID(),
            type: 'partner_directory.as2_id_reserved.v1',
            schemaVersion: 1,
            data: { as2Id, partnerId, reservedAt: reservedAt.toISOString() },
            metadata: {
              account: ACCOUNT,
              tenant,
              correlationId: 'test',
              causationId: null,
              actor: { type: 'system', id: 'test' },
              occurredAt: reservedAt.toISOString(),
            },
          },
        ],
        'any',
      );
    }

    it('releases an old reservation whose partner was never created when it blocks a create', async () => {
      const tenant = freshTenant();
      await plantReservation(tenant, 'ORPHANED', new Date(Date.now() - 120_000));
      expect((await tenantApi(tenant).post('/v1/partners', partnerInput('ORPHANED'))).status).toBe(201);
      const directory = await t.app.get<EventStore>(EVENT_STORE).readStream(PartnerRegistryStreams.tenantDirectory(ACCOUNT, tenant));
      expect(directory.map((e) => [e.type, (e.data as { reason?: string }).reason])).toEqual([
        ['partner_directory.as2_id_reserved.v1', undefined],
        ['partner_directory.as2_id_released.v1', 'stale'],
        ['partner_directory.as2_id_reserved.v1', undefined],
      ]);
    });

    it('keeps a young reservation: its create may still be in flight', async () => {
      const tenant = freshTenant();
      await plantReservation(tenant, 'IN-FLIGHT', new Date());
      expect((await tenantApi(tenant).post('/v1/partners', partnerInput('IN-FLIGHT'))).body.error.code).toBe('DUPLICATE_AS2_ID');
    });

    it('answers an AS2-id change impact as the reservation would: an old orphan frees its id, a young one does not', async () => {
      const tenant = freshTenant();
      const partner = (await tenantApi(tenant).post('/v1/partners', partnerInput('MOVER'))).body.data;
      await plantReservation(tenant, 'ORPHAN-OLD', new Date(Date.now() - 120_000));
      await plantReservation(tenant, 'ORPHAN-YOUNG', new Date(), 'prt_01M80000000000000000000001');
      const available = async (as2Id: string) => (await tenantApi(tenant).get(`/v1/partners/${partner.id}/as2-id-change/impact?new_as2_id=${as2Id}`)).body.data.new_as2_id_available;
      expect(await available('ORPHAN-OLD')).toBe(true);
      expect(await available('ORPHAN-YOUNG')).toBe(false);
      // And the change itself agrees.
      const changed = await tenantApi(tenant).post(`/v1/partners/${partner.id}/as2-id-change`, { new_as2_id: 'ORPHAN-OLD', acknowledge_risks: true });
      expect(changed.status).toBe(200);
      expect((await tenantApi(tenant).post(`/v1/partners/${partner.id}/as2-id-change`, { new_as2_id: 'ORPHAN-YOUNG', acknowledge_risks: true })).body.error.code).toBe('DUPLICATE_AS2_ID');
    });

    it('releases old orphans that fill the plan', async () => {
      const tenant = freshTenant();
      for (let i = 0; i < 5; i++) await plantReservation(tenant, `GHOST-${i}`, new Date(Date.now() - 120_000));
      expect((await tenantApi(tenant).post('/v1/partners', partnerInput('REAL'))).status).toBe(201);
    });
  });
});
