import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';
import { createInstance, fresh, gatewayAs, partnerInput, trafficApiAs } from './traffic-api.spec-support';

const ACCOUNT = 'acct-traffic';

describe('traffic control: pauses answer the documented decision', () => {
  let t: EmbeddedTestApp;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule] });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  async function setUp() {
    const tenant = fresh('ten');
    const admin = trafficApiAs(t, { account: ACCOUNT, tenant, roles: ['tenant_admin'] });
    const as2Id = fresh('ACME').toUpperCase();
    const ours = fresh('US').toUpperCase();
    const created = await admin.post('/v1/partners', partnerInput(as2Id));
    expect(created.status).toBe(201);
    await createInstance(t, { instanceId: fresh('ins'), account: ACCOUNT, tenant, myAs2Id: ours });
    return { tenant, admin, partnerId: created.body.data.id as string, as2Id, ours, gateway: gatewayAs(t, ACCOUNT) };
  }

  const inbound = (from: string, to: string) => ({ direction: 'inbound', as2_from: from, as2_to: to, message_id: `<${fresh('m')}@example.com>` });
  const outbound = (from: string, to: string, channel = 'sftp') => ({ direction: 'outbound', as2_from: from, as2_to: to, message_id: `<${fresh('m')}@example.com>`, channel });

  it('a known pair is accepted both ways, with the partner, the instance and as_of', async () => {
    const { partnerId, as2Id, ours, gateway } = await setUp();
    const answer = await gateway.decide(inbound(as2Id, ours));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ decision: 'accept', reason_code: 'NOT_PAUSED', partner_id: partnerId });
    expect(answer.body.as2_instance_id).toMatch(/^ins-/);
    expect(typeof answer.body.as_of.partner_registry).toBe('number');
    expect((await gateway.decide(outbound(ours, as2Id))).body.decision).toBe('accept');
  });

  it.each([
    ['success_mdn', { decision: 'success_mdn', hold: true }],
    ['error_mdn', { decision: 'error_mdn', mdn: { disposition: 'automatic-action/MDN-sent-automatically; processed/error: unexpected-processing-error' } }],
    ['http_422', { decision: 'reject_422' }],
    ['http_503_retry', { decision: 'defer_503', retry_after_seconds: 120 }],
  ])('an incoming pause with %s answers it; outbound stays accepted; resume accepts again', async (response, expected) => {
    const { admin, partnerId, as2Id, ours, gateway } = await setUp();
    const body = { paused: true, response, reason: 'ERP cut-over', ...(response === 'http_503_retry' ? { retry_after_seconds: 120 } : {}) };
    const paused = await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, body);
    expect(paused.status).toBe(200);
    expect(paused.body.data.incoming).toMatchObject({ paused: true, response, reason: 'ERP cut-over', paused_by: 'test-user' });
    expect(paused.body.data.outgoing.paused).toBe(false);
    const answer = await gateway.decide(inbound(as2Id, ours));
    expect(answer.body).toMatchObject({ ...expected, reason_code: 'TENANT_PAUSE', partner_id: partnerId });
    expect(answer.body.reason).toContain('ERP cut-over');
    expect((await gateway.decide(outbound(ours, as2Id))).body.decision).toBe('accept');

    const resumed = await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: false });
    expect(resumed.status).toBe(200);
    expect(resumed.body.data.incoming.paused).toBe(false);
    expect((await gateway.decide(inbound(as2Id, ours))).body.decision).toBe('accept');
  });

  it('an outgoing pause blocks outbound messages of every channel; inbound stays accepted', async () => {
    const { admin, partnerId, as2Id, ours, gateway } = await setUp();
    expect((await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'partner asked' })).status).toBe(200);
    for (const channel of ['rest', 'sftp', 's3', 'edi']) {
      expect((await gateway.decide(outbound(ours, as2Id, channel))).body).toMatchObject({ decision: 'block', reason_code: 'TENANT_PAUSE' });
    }
    expect((await gateway.decide(inbound(as2Id, ours))).body.decision).toBe('accept');
  });

  it('GET traffic shows the state per direction and GET /v1/traffic/paused lists the paused partners of the tenant only', async () => {
    const a = await setUp();
    const b = await setUp();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await a.admin.put(`/v1/partners/${a.partnerId}/traffic/outgoing`, { paused: true, reason: 'audit', until });
    const state = await a.admin.get(`/v1/partners/${a.partnerId}/traffic`);
    expect(state.status).toBe(200);
    expect(state.body.data).toMatchObject({ partner_id: a.partnerId, outgoing: { paused: true, reason: 'audit', paused_by: 'test-user' }, incoming: { paused: false } });
    expect(Date.parse(state.body.data.outgoing.until)).toBe(Date.parse(until));
    expect(Date.parse(state.body.data.next_change.at)).toBe(Date.parse(until));
    // The next change says what happens then, not only when.
    expect(state.body.data.next_change).toMatchObject({ direction: 'outgoing', change: 'resume', window_id: null, level: 'tenant' });
    const list = await a.admin.get('/v1/traffic/paused?per_page=10');
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { partner_id: string }) => p.partner_id)).toEqual([a.partnerId]);
    expect(list.body.pagination).toMatchObject({ current_page: 1, per_page: 10, total: 1 });
    expect((await b.admin.get('/v1/traffic/paused')).body.data).toEqual([]);
  });

  it("the registry's partner details show traffic: {incoming, outgoing} through the events", async () => {
    const { admin, partnerId } = await setUp();
    expect((await admin.get(`/v1/partners/${partnerId}`)).body.data.traffic).toEqual({ incoming: { paused: false }, outgoing: { paused: false } });
    await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'error_mdn', reason: 'migration' });
    const details = await admin.get(`/v1/partners/${partnerId}`);
    expect(details.body.data.traffic).toEqual({
      incoming: { paused: true, level: 'tenant', response: 'error_mdn', reason: 'migration', until: null, window_id: null },
      outgoing: { paused: false },
    });
    await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: false });
    expect((await admin.get(`/v1/partners/${partnerId}`)).body.data.traffic.incoming).toEqual({ paused: false });
  });

  it("an account admin's master partner details show the account's pause as traffic: {incoming, outgoing}", async () => {
    const accountAdmin = trafficApiAs(t, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
    const created = await accountAdmin.post(`/v1/accounts/${ACCOUNT}/partners`, partnerInput(fresh('MASTER').toUpperCase()));
    expect(created.status).toBe(201);
    const url = `/v1/accounts/${ACCOUNT}/partners/${created.body.data.id}`;
    expect((await accountAdmin.get(url)).body.data.traffic).toEqual({ incoming: { paused: false }, outgoing: { paused: false } });
    expect((await accountAdmin.put(`${url}/traffic/outgoing`, { paused: true, reason: 'account audit' })).status).toBe(200);
    expect((await accountAdmin.get(url)).body.data.traffic).toEqual({
      incoming: { paused: false },
      outgoing: { paused: true, level: 'account', response: null, reason: 'account audit', until: null, window_id: null },
    });
  });

  it("the AS2 id change impact lists the partner's traffic pauses, learned through the events", async () => {
    const { admin, partnerId, tenant } = await setUp();
    const impact = () => admin.get(`/v1/partners/${partnerId}/as2-id-change/impact?new_as2_id=${fresh('NEW').toUpperCase()}`);
    expect((await impact()).body.data.traffic_pauses).toEqual([]);
    const until = '2999-01-01T00:00:00Z';
    expect((await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'id migration', until })).status).toBe(200);
    expect((await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'id migration' })).status).toBe(200);
    expect((await impact()).body.data.traffic_pauses).toEqual([
      { direction: 'incoming', level: 'tenant', tenant, response: 'http_422', reason: 'id migration', until: null, window_id: null, starts_at: null },
      { direction: 'outgoing', level: 'tenant', tenant, response: null, reason: 'id migration', until: expect.stringMatching(/^2999-01-01T00:00:00/), window_id: null, starts_at: null },
    ]);
    await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: false });
    expect((await impact()).body.data.traffic_pauses.map((p: { direction: string }) => p.direction)).toEqual(['outgoing']);
  });

  it('the AS2 id change impact lists the maintenance windows to come too, soonest first, until one is cancelled', async () => {
    const { admin, partnerId, tenant } = await setUp();
    const impact = async () => (await admin.get(`/v1/partners/${partnerId}/as2-id-change/impact?new_as2_id=${fresh('NEW').toUpperCase()}`)).body.data.traffic_pauses;
    const later = await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'both', starts_at: '2998-03-01T00:00:00Z', ends_at: '2998-03-02T00:00:00Z', response: 'http_503_retry', reason: 'upgrade' });
    const sooner = await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'outgoing', starts_at: '2998-01-01T00:00:00Z', ends_at: '2998-01-02T00:00:00Z', reason: 'audit' });
    expect([later.status, sooner.status]).toEqual([201, 201]);
    const [laterId, soonerId] = [later.body.data.id, sooner.body.data.id];
    expect(await impact()).toEqual([
      { direction: 'outgoing', level: 'tenant', tenant, response: null, reason: 'audit', until: '2998-01-02T00:00:00.000000Z', window_id: soonerId, starts_at: '2998-01-01T00:00:00.000000Z' },
      { direction: 'incoming', level: 'tenant', tenant, response: 'http_503_retry', reason: 'upgrade', until: '2998-03-02T00:00:00.000000Z', window_id: laterId, starts_at: '2998-03-01T00:00:00.000000Z' },
      { direction: 'outgoing', level: 'tenant', tenant, response: 'http_503_retry', reason: 'upgrade', until: '2998-03-02T00:00:00.000000Z', window_id: laterId, starts_at: '2998-03-01T00:00:00.000000Z' },
    ]);
    expect((await admin.delete(`/v1/partners/${partnerId}/traffic/windows/${soonerId}`)).status).toBe(200);
    expect((await impact()).map((p: { window_id: string }) => p.window_id)).toEqual([laterId, laterId]);
  });

  it("a master partner's AS2 id change impact lists the account's pauses and every tenant's own, and each tenant's statistics under the old id", async () => {
    const accountAdmin = trafficApiAs(t, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
    const as2Id = fresh('MASTERIMPACT').toUpperCase();
    const created = await accountAdmin.post(`/v1/accounts/${ACCOUNT}/partners`, partnerInput(as2Id));
    expect(created.status).toBe(201);
    const masterId = created.body.data.id as string;
    const [paused, quiet] = [fresh('ten'), fresh('ten')];
    for (const tenant of [paused, quiet]) expect((await accountAdmin.post(`/v1/accounts/${ACCOUNT}/tenants`, { id: tenant, name: tenant, plan: 'enterprise' })).status).toBe(201);
    const impact = async () => (await accountAdmin.get(`/v1/accounts/${ACCOUNT}/partners/${masterId}/as2-id-change/impact?new_as2_id=${fresh('NEW').toUpperCase()}`)).body.data;
    expect(await impact()).toMatchObject({ traffic_pauses: [], message_stats_kept_under_old_id: null, message_stats_kept_under_old_id_by_tenant: [] });

    expect((await accountAdmin.put(`/v1/accounts/${ACCOUNT}/partners/${masterId}/traffic/incoming`, { paused: true, response: 'error_mdn', reason: 'account audit' })).status).toBe(200);
    const tenantAdmin = trafficApiAs(t, { account: ACCOUNT, tenant: paused, roles: ['tenant_admin'] });
    expect((await tenantAdmin.put(`/v1/partners/${masterId}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'tenant hold' })).status).toBe(200);
    const ours = fresh('US').toUpperCase();
    await createInstance(t, { instanceId: fresh('ins'), account: ACCOUNT, tenant: paused, myAs2Id: ours });
    const gateway = trafficApiAs(t, { account: ACCOUNT, tenant: null, roles: ['gateway'] });
    const recorded = await gateway.post('/v1/gateway/message-events', {
      events: [{ message_id: `<${fresh('m')}@example.com>`, direction: 'inbound', as2_from: as2Id, as2_to: ours, status: 'delivered', occurred_at: new Date().toISOString(), tenant: paused }],
    });
    expect(recorded.status).toBe(200);

    // A tenant never registered, seen by its own partner: its pause of the master too.
    const seen = fresh('ten');
    const seenAdmin = trafficApiAs(t, { account: ACCOUNT, tenant: seen, roles: ['tenant_admin'] });
    expect((await seenAdmin.post('/v1/partners', partnerInput(fresh('OWN').toUpperCase()))).status).toBe(201);
    expect((await seenAdmin.put(`/v1/partners/${masterId}/traffic/outgoing`, { paused: true, reason: 'seen hold' })).status).toBe(200);

    const listed = await impact();
    expect(listed.traffic_pauses[0]).toEqual({ direction: 'incoming', level: 'account', tenant: null, response: 'error_mdn', reason: 'account audit', until: null, window_id: null, starts_at: null });
    expect(listed.traffic_pauses.slice(1)).toEqual(
      [
        { direction: 'incoming', level: 'tenant', tenant: paused, response: 'http_422', reason: 'tenant hold', until: null, window_id: null, starts_at: null },
        { direction: 'outgoing', level: 'tenant', tenant: seen, response: null, reason: 'seen hold', until: null, window_id: null, starts_at: null },
      ].sort((a, b) => a.tenant.localeCompare(b.tenant)),
    );
    expect(listed.message_stats_kept_under_old_id_by_tenant).toEqual([{ tenant: paused, total_sent: 0, total_received: 1, success_rate: 100, last_message_at: expect.any(String) }]);
  });

  it('the partner timeline shows every change with actor and reason', async () => {
    const { admin, partnerId } = await setUp();
    await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'why not' });
    await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: false });
    const timeline = await admin.get(`/v1/partners/${partnerId}/traffic/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.data.map((e: { type: string }) => e.type)).toEqual(['traffic.resumed.v1', 'traffic.paused.v1']);
    expect(timeline.body.data[1]).toMatchObject({ actor: { type: 'user', id: 'test-user' }, data: { reason: 'why not', response: 'http_422' } });
    // Shaped as every body of the API: snake_case keys, timestamps with six fraction digits.
    const paused = timeline.body.data[1].data as Record<string, unknown>;
    expect(paused).toMatchObject({ partner_id: partnerId, paused_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/) });
    expect(Object.keys(paused).filter((key) => /[A-Z]/.test(key))).toEqual([]);
  });

  it('the timeline is paginated as every list: every event reachable, 20 a page unless asked, the pagination object, bad page values 422', async () => {
    const { admin, partnerId } = await setUp();
    for (let i = 0; i < 12; i += 1) {
      expect((await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: `r${i}` })).status).toBe(200);
      expect((await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: false })).status).toBe(200);
    }
    const first = await admin.get(`/v1/partners/${partnerId}/traffic/timeline`);
    expect([first.body.data.length, first.body.pagination]).toEqual([20, { current_page: 1, last_page: 2, per_page: 20, total: 24, from: 1, to: 20 }]);
    const pages = [];
    for (let page = 1; page <= 5; page += 1) pages.push(...(await admin.get(`/v1/partners/${partnerId}/traffic/timeline?per_page=5&page=${page}`)).body.data);
    const reasons = pages.filter((e: { type: string }) => e.type === 'traffic.paused.v1').map((e: { data: { reason: string } }) => e.data.reason);
    expect(reasons).toEqual(Array.from({ length: 12 }, (_, i) => `r${11 - i}`));
    expect(new Set(pages.map((e: { id: string }) => e.id)).size).toBe(24);
    for (const query of ['per_page=0', 'per_page=101', 'page=abc', 'foo=bar']) expect([query, (await admin.get(`/v1/partners/${partnerId}/traffic/timeline?${query}`)).status]).toEqual([query, 422]);
  });

  it('changing the reason or response of a direction already paused keeps since at the time the pause began', async () => {
    const { admin, partnerId } = await setUp();
    const first = await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'ERP cut-over' });
    expect(first.status).toBe(200);
    const since = first.body.data.incoming.since as string;
    // The change comes at a later millisecond, so a reset since would differ.
    while (Date.now() <= Date.parse(since)) await new Promise((resolve) => setTimeout(resolve, 5));
    const changed = await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'error_mdn', reason: 'ERP cut-over, day 2' });
    expect(changed.body.data.incoming).toMatchObject({ paused: true, response: 'error_mdn', reason: 'ERP cut-over, day 2', since });
    expect((await admin.get(`/v1/partners/${partnerId}/traffic`)).body.data.incoming.since).toBe(since);
  });

  it("a resume keeps the operator's reason (it was accepted and dropped); an outgoing window refuses a response mode", async () => {
    const { admin, partnerId } = await setUp();
    await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'invoice dispute' });
    expect((await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: false, reason: 'invoice paid' })).status).toBe(200);
    const timeline = await admin.get(`/v1/partners/${partnerId}/traffic/timeline`);
    expect(timeline.body.data[0]).toMatchObject({ type: 'traffic.resumed.v1', actor: { type: 'user', id: 'test-user' }, data: { trigger: 'operator', reason: 'invoice paid' } });

    const hour = 3_600_000;
    const window = { direction: 'outgoing', starts_at: new Date(Date.now() + hour).toISOString(), ends_at: new Date(Date.now() + 2 * hour).toISOString(), reason: 'upgrade' };
    const refused = await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { ...window, response: 'error_mdn' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: { code: 'INVALID_TRAFFIC_SETTING' }, errors: { response: [expect.any(String)] } });
    expect((await admin.get(`/v1/partners/${partnerId}/traffic/windows`)).body.data).toEqual([]);
    expect((await admin.post(`/v1/partners/${partnerId}/traffic/windows`, window)).status).toBe(201);
  });

  it('an incoming pause or window without a response mode and an outgoing pause with one are refused 422 INVALID_TRAFFIC_SETTING (docs/traffic-control.md), nothing stored', async () => {
    const { admin, partnerId } = await setUp();
    const hour = 3_600_000;
    const window = { starts_at: new Date(Date.now() + hour).toISOString(), ends_at: new Date(Date.now() + 2 * hour).toISOString(), reason: 'upgrade' };
    const refusals = [
      await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, reason: 'no mode' }),
      await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'a mode', response: 'http_422' }),
      await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'a mode', response: 'no-such-mode' }),
      await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { ...window, direction: 'incoming' }),
      await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { ...window, direction: 'both' }),
    ];
    for (const refused of refusals) {
      expect([refused.status, refused.body.error.code, Object.keys(refused.body.errors)]).toEqual([422, 'INVALID_TRAFFIC_SETTING', ['response']]);
    }
    // a mode that is none (a JSON null, an unknown name) is still the body's error; a resume with one is refused as before
    for (const response of [null, 'no-such-mode']) {
      const unknown = await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, reason: 'x', response });
      expect([unknown.status, unknown.body.error.code, Object.keys(unknown.body.errors)]).toEqual([422, 'VALIDATION_FAILED', ['response']]);
    }
    const nullModes = [
      await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { ...window, direction: 'both', response: null }),
      // an outgoing pause or resume has no mode: a null is the body's error there too, never taken for none
      await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'x', response: null }),
      await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: false, response: null }),
    ];
    for (const nullMode of nullModes) expect([nullMode.status, nullMode.body.error.code, Object.keys(nullMode.body.errors ?? {})]).toEqual([422, 'VALIDATION_FAILED', ['response']]);
    expect((await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: false, response: 'http_422' })).body.error.code).toBe('INVALID_TRAFFIC_SETTING');
    const state = (await admin.get(`/v1/partners/${partnerId}/traffic`)).body.data;
    expect([state.incoming.paused, state.outgoing.paused]).toEqual([false, false]);
    expect((await admin.get(`/v1/partners/${partnerId}/traffic/windows`)).body.data).toEqual([]);
  });

  it('a deleted partner is rejected with PARTNER_NOT_FOUND; its traffic routes answer 404', async () => {
    const { admin, partnerId, as2Id, ours, gateway } = await setUp();
    expect((await admin.delete(`/v1/partners/${partnerId}`)).status).toBe(200);
    expect((await gateway.decide(inbound(as2Id, ours))).body).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND' });
    const put = await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'x' });
    expect(put.status).toBe(404);
    expect(put.body.error).toMatchObject({ code: 'PARTNER_NOT_FOUND' });
  });

  it("a tenant that switches an inherited master partner off (its override) gets it rejected; other tenants do not; a reset restores it", async () => {
    const accountAdmin = trafficApiAs(t, { account: ACCOUNT, tenant: null, roles: ['account_admin'] });
    const masterAs2Id = fresh('MASTER').toUpperCase();
    const master = await accountAdmin.post(`/v1/accounts/${ACCOUNT}/partners`, partnerInput(masterAs2Id));
    expect(master.status).toBe(201);
    const masterId = master.body.data.id as string;
    const one = await setUp();
    const other = await setUp();
    expect((await one.admin.patch(`/v1/partners/${masterId}`, { active: false })).status).toBe(200);
    expect((await one.admin.get(`/v1/partners/${masterId}`)).body.data.active).toBe(false);
    expect((await one.gateway.decide(inbound(masterAs2Id, one.ours))).body).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_INACTIVE', partner_id: masterId });
    expect((await one.gateway.decide(outbound(one.ours, masterAs2Id))).body).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_INACTIVE' });
    expect((await other.gateway.decide(inbound(masterAs2Id, other.ours))).body).toMatchObject({ decision: 'accept', partner_id: masterId });
    expect((await one.admin.delete(`/v1/partners/${masterId}/overrides`)).status).toBe(200);
    expect((await one.gateway.decide(inbound(masterAs2Id, one.ours))).body).toMatchObject({ decision: 'accept', partner_id: masterId });
  });

  it('an inactive partner is rejected, and accepted again once active', async () => {
    const { tenant, partnerId, as2Id, ours, gateway } = await setUp();
    const registry = t.app;
    const authorization = `Bearer ${t.token({ account: ACCOUNT, tenant, roles: ['tenant_admin'] })}`;
    const patch = (active: boolean) => registry.inject({ method: 'PATCH', url: `/v1/partners/${partnerId}`, headers: { authorization }, payload: { active } });
    expect((await patch(false)).statusCode).toBe(200);
    expect((await gateway.decide(inbound(as2Id, ours))).body).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_INACTIVE' });
    expect((await patch(true)).statusCode).toBe(200);
    expect((await gateway.decide(inbound(as2Id, ours))).body.decision).toBe('accept');
  });
});
