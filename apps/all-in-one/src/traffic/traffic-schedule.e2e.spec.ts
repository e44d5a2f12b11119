import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { eventually } from '@as2-partners/kernel-testing';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { TrafficControlStreams } from '@as2-partners/traffic-control-domain';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';
import { createInstance, fresh, gatewayAs, partnerInput, trafficApiAs } from './traffic-api.spec-support';

const ACCOUNT = 'acct-schedule';
const MINUTE = 60_000;

describe('traffic control: until and maintenance windows happen on time, once', () => {
  let t: EmbeddedTestApp;
  // The test's clock: the scheduler ticks on real timers but reads this instant.
  let nowMs = Date.parse('2030-01-07T08:00:00.000Z');
  const at = (offsetMs: number) => new Date(nowMs + offsetMs).toISOString();

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule], now: () => new Date(nowMs), env: { TRAFFIC_SCHEDULER_INTERVAL_MS: '50' } });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  async function setUp(tenant = fresh('ten')) {
    const admin = trafficApiAs(t, { account: ACCOUNT, tenant, roles: ['tenant_admin'] });
    const as2Id = fresh('ACME').toUpperCase();
    const ours = fresh('US').toUpperCase();
    const created = await admin.post('/v1/partners', partnerInput(as2Id));
    await createInstance(t, { instanceId: fresh('ins'), account: ACCOUNT, tenant, myAs2Id: ours });
    const gateway = gatewayAs(t, ACCOUNT);
    return {
      admin,
      tenant,
      partnerId: created.body.data.id as string,
      inbound: async () => (await gateway.decide({ direction: 'inbound', as2_from: as2Id, as2_to: ours, message_id: fresh('m') })).body,
      outbound: async () => (await gateway.decide({ direction: 'outbound', as2_from: ours, as2_to: as2Id, message_id: fresh('m') })).body,
    };
  }

  const typesOf = async (admin: ReturnType<typeof trafficApiAs>, partnerId: string) =>
    ((await admin.get(`/v1/partners/${partnerId}/traffic/timeline`)).body.data as { type: string; data: { trigger?: string } }[]).map((e) => `${e.type}${e.data.trigger ? `:${e.data.trigger}` : ''}`).reverse();

  it('a pause with until resumes by itself once, and the paused list forgets it', async () => {
    const { admin, partnerId, inbound } = await setUp();
    const until = at(10 * MINUTE);
    expect((await admin.put(`/v1/partners/${partnerId}/traffic/incoming`, { paused: true, response: 'http_503_retry', reason: 'night batch', until })).status).toBe(200);
    expect(await inbound()).toMatchObject({ decision: 'defer_503', retry_after_seconds: 600 });
    const past = await admin.put(`/v1/partners/${partnerId}/traffic/outgoing`, { paused: true, reason: 'x', until: at(-MINUTE) });
    expect(past.status).toBe(422);
    expect(past.body.error.code).toBe('UNTIL_IN_PAST');

    nowMs += 10 * MINUTE;
    expect((await inbound()).decision).toBe('accept');
    await eventually('the until resume', async () => ((await typesOf(admin, partnerId)).length === 2 ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
    // Several more ticks pass: still exactly one resume.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await typesOf(admin, partnerId)).toEqual(['traffic.paused.v1', 'traffic.resumed.v1:until']);
    expect((await admin.get(`/v1/partners/${partnerId}/traffic`)).body.data).toMatchObject({ incoming: { paused: false }, next_change: null });
    expect((await admin.get('/v1/traffic/paused')).body.data).toEqual([]);
  });

  it('a window pauses at starts_at and resumes at ends_at, each once; overlapping windows merge; past windows are refused', async () => {
    const { admin, partnerId, inbound, outbound } = await setUp();
    const refused = await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'both', starts_at: at(-MINUTE), ends_at: at(MINUTE), response: 'error_mdn', reason: 'late' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('WINDOW_IN_PAST');

    const first = await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'both', starts_at: at(10 * MINUTE), ends_at: at(20 * MINUTE), response: 'error_mdn', reason: 'upgrade' });
    expect(first.status).toBe(201);
    const second = await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'both', starts_at: at(15 * MINUTE), ends_at: at(30 * MINUTE), response: 'error_mdn', reason: 'upgrade, longer' });
    expect(second.status).toBe(201);
    expect(second.body.data).toMatchObject({ direction: 'both', merged_window_ids: [first.body.data.id], status: 'scheduled' });
    expect(Date.parse(second.body.data.starts_at)).toBe(nowMs + 10 * MINUTE);
    expect(Date.parse(second.body.data.ends_at)).toBe(nowMs + 30 * MINUTE);
    const listed = await admin.get(`/v1/partners/${partnerId}/traffic/windows`);
    expect(listed.body.data.map((w: { id: string }) => w.id)).toEqual([second.body.data.id]);
    expect((await inbound()).decision).toBe('accept');
    const pauseNext = (await admin.get(`/v1/partners/${partnerId}/traffic`)).body.data.next_change;
    expect([Date.parse(pauseNext.at), pauseNext]).toEqual([nowMs + 10 * MINUTE, expect.objectContaining({ direction: 'both', change: 'pause', window_id: second.body.data.id, level: 'tenant' })]);

    nowMs += 10 * MINUTE;
    expect(await inbound()).toMatchObject({ decision: 'error_mdn', reason_code: 'TENANT_WINDOW' });
    expect(await outbound()).toMatchObject({ decision: 'block', reason_code: 'TENANT_WINDOW' });
    await eventually('the window start', async () => ((await typesOf(admin, partnerId)).filter((e) => e === 'traffic.paused.v1').length === 2 ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
    const running = (await admin.get(`/v1/partners/${partnerId}/traffic`)).body.data;
    expect(running.incoming).toMatchObject({ paused: true, paused_by_level: 'window', active_window: { id: second.body.data.id, status: 'active' } });
    expect([Date.parse(running.next_change.at), running.next_change.change, running.next_change.window_id]).toEqual([nowMs + 20 * MINUTE, 'resume', second.body.data.id]);

    nowMs += 20 * MINUTE;
    expect((await inbound()).decision).toBe('accept');
    await eventually('the window end', async () => ((await typesOf(admin, partnerId)).filter((e) => e.startsWith('traffic.resumed.v1')).length === 2 ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await typesOf(admin, partnerId)).toEqual([
      'traffic.window_scheduled.v1',
      'traffic.window_scheduled.v1',
      'traffic.paused.v1',
      'traffic.paused.v1',
      'traffic.resumed.v1:window_end',
      'traffic.resumed.v1:window_end',
    ]);
    expect((await admin.get(`/v1/partners/${partnerId}/traffic/windows`)).body.data).toEqual([]);
  });

  it("a window merged into a running one: the partner details take its reason and end, and show the end of the pause; one that answers otherwise is refused, the running one unchanged", async () => {
    const { admin, partnerId, inbound } = await setUp();
    const first = await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'incoming', starts_at: at(MINUTE), ends_at: at(10 * MINUTE), response: 'error_mdn', reason: 'first' });
    expect(first.status).toBe(201);
    nowMs += 2 * MINUTE;
    await eventually('the first window running', async () => ((await inbound()).decision === 'error_mdn' ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
    // A minute of another answer inside it would have turned all of it into that answer at once: refused, naming it.
    const other = await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'incoming', starts_at: at(5 * MINUTE), ends_at: at(6 * MINUTE), response: 'http_422', reason: 'a minute of 422' });
    expect([other.status, other.body.error.code, other.body.error.details]).toEqual([409, 'WINDOW_OVERLAP', { window_ids: [first.body.data.id] }]);
    expect((await inbound()).decision).toBe('error_mdn');
    const second = await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'incoming', starts_at: at(5 * MINUTE), ends_at: at(20 * MINUTE), response: 'error_mdn', reason: 'second' });
    expect(second.body.data).toMatchObject({ merged_window_ids: [first.body.data.id] });
    const details = async () => (await admin.get(`/v1/partners/${partnerId}`)).body.data.traffic.incoming;
    await eventually('the details to hold the merged window', async () => ((await details()).window_id === second.body.data.id ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
    expect(await details()).toMatchObject({ paused: true, response: 'error_mdn', reason: 'second', until: second.body.data.ends_at });
    nowMs += 20 * MINUTE;
    await eventually('the details to show the end', async () => ((await details()).paused === false ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
    expect((await inbound()).decision).toBe('accept');
  });

  it('a cancelled window never pauses; an unknown window is 404', async () => {
    const { admin, partnerId, inbound } = await setUp();
    const w = await admin.post(`/v1/partners/${partnerId}/traffic/windows`, { direction: 'incoming', starts_at: at(MINUTE), ends_at: at(2 * MINUTE), response: 'http_422', reason: 'maybe' });
    expect((await admin.delete(`/v1/partners/${partnerId}/traffic/windows/${w.body.data.id}`)).status).toBe(200);
    nowMs += MINUTE;
    expect((await inbound()).decision).toBe('accept');
    const unknown = await admin.delete(`/v1/partners/${partnerId}/traffic/windows/win_nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('WINDOW_NOT_FOUND');
  });

  it("a deleted partner's window and until are never applied: no pause or resume event for it, while another partner's window runs", async () => {
    const gone = await setUp();
    const kept = await setUp(gone.tenant);
    expect((await gone.admin.put(`/v1/partners/${gone.partnerId}/traffic/outgoing`, { paused: true, reason: 'audit', until: at(5 * MINUTE) })).status).toBe(200);
    expect((await gone.admin.post(`/v1/partners/${gone.partnerId}/traffic/windows`, { direction: 'incoming', starts_at: at(2 * MINUTE), ends_at: at(4 * MINUTE), response: 'http_422', reason: 'upgrade' })).status).toBe(201);
    expect((await kept.admin.post(`/v1/partners/${kept.partnerId}/traffic/windows`, { direction: 'outgoing', starts_at: at(2 * MINUTE), ends_at: at(4 * MINUTE), reason: 'control' })).status).toBe(201);
    const store = t.app.get<EventStore>(EVENT_STORE);
    const goneTypes = async () => (await store.readStream(TrafficControlStreams.tenantPartnerTraffic(ACCOUNT, gone.tenant, gone.partnerId))).map((e) => e.type);
    const before = await goneTypes();
    expect(before).toEqual(['traffic.paused.v1', 'traffic.window_scheduled.v1']);

    expect((await gone.admin.delete(`/v1/partners/${gone.partnerId}`)).status).toBe(200);
    await eventually('traffic-control to learn the deletion', async () => ((await gone.outbound()).reason_code === 'PARTNER_NOT_FOUND' ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });

    nowMs += 3 * MINUTE;
    await eventually("the other partner's window to start", async () => ((await kept.outbound()).decision === 'block' ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
    nowMs += 3 * MINUTE;
    await eventually("the other partner's window to end", async () => ((await kept.outbound()).decision === 'accept' ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
    // Several more ticks pass after the window start, its end and the until.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await goneTypes()).toEqual(before);
  });
});
