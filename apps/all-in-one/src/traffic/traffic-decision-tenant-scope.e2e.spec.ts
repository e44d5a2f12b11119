import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';
import { fresh, gatewayAs, partnerInput, trafficApiAs, type ApiResponse, type TrafficApi } from './traffic-api.spec-support';

const ACCOUNT = 'acct-decision-scope';

function instanceInput(myAs2Id: string) {
  return { my_as2_id: myAs2Id, my_name: `Us as ${myAs2Id}`, my_as2_alias: `${myAs2Id.toLowerCase()}-key`, my_email: 'as2@us.example.com' };
}

/** The answer without `as_of` (the event positions move between two requests of a test). */
function answerOf(res: ApiResponse) {
  expect(res.status).toBe(200);
  const { as_of: _asOf, ...rest } = res.body as Record<string, unknown>;
  return rest;
}

describe("traffic decisions: a gateway token's tenant claim scopes them", () => {
  let t: EmbeddedTestApp;
  // Two tenants of one account with the same AS2 ids (ours and the partner's), each pausing its own partner.
  const ids = { ours: '', acme: '', t1Ours: '', t1Only: '', hq: '', master: '' };
  let t1: string;
  let t2: string;
  const made: Record<string, string> = {};

  async function created(res: Promise<ApiResponse>): Promise<string> {
    const done = await res;
    expect(done.status).toBe(201);
    return done.body.data.id as string;
  }

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule] });
    t1 = fresh('ten1');
    t2 = fresh('ten2');
    ids.ours = fresh('US').toUpperCase();
    ids.acme = fresh('ACME').toUpperCase();
    ids.t1Ours = fresh('T1US').toUpperCase();
    ids.t1Only = fresh('T1ONLY').toUpperCase();
    ids.hq = fresh('HQ').toUpperCase();
    ids.master = fresh('MASTER').toUpperCase();
    const accountAdmin = trafficApiAs(t, { sub: 'boss', account: ACCOUNT, tenant: null, roles: ['account_admin'] });
    const admin1: TrafficApi = trafficApiAs(t, { account: ACCOUNT, tenant: t1, roles: ['tenant_admin'] });
    const admin2: TrafficApi = trafficApiAs(t, { account: ACCOUNT, tenant: t2, roles: ['tenant_admin'] });
    made['ins1'] = await created(admin1.post('/v1/as2-instances', instanceInput(ids.ours)));
    made['ins2'] = await created(admin2.post('/v1/as2-instances', instanceInput(ids.ours)));
    made['ins1only'] = await created(admin1.post('/v1/as2-instances', instanceInput(ids.t1Ours)));
    made['hq'] = await created(accountAdmin.post(`/v1/accounts/${ACCOUNT}/as2-instances`, instanceInput(ids.hq)));
    made['acme1'] = await created(admin1.post('/v1/partners', partnerInput(ids.acme)));
    made['acme2'] = await created(admin2.post('/v1/partners', partnerInput(ids.acme)));
    made['t1only'] = await created(admin1.post('/v1/partners', partnerInput(ids.t1Only)));
    made['master'] = await created(accountAdmin.post(`/v1/accounts/${ACCOUNT}/partners`, partnerInput(ids.master)));
    expect((await admin1.put(`/v1/partners/${made['acme1']}/traffic/incoming`, { paused: true, response: 'http_503_retry', reason: 'tenant one private reason' })).status).toBe(200);
    expect((await admin2.put(`/v1/partners/${made['acme2']}/traffic/incoming`, { paused: true, response: 'http_422', reason: 'tenant two own reason' })).status).toBe(200);
    expect((await admin2.put(`/v1/partners/${made['master']}/traffic/outgoing`, { paused: true, reason: 'tenant two on the master' })).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const inbound = (from: string, to: string, messageId = '<scope-1@x>') => ({ direction: 'inbound', as2_from: from, as2_to: to, message_id: messageId });
  const outbound = (from: string, to: string, messageId = '<scope-2@x>') => ({ direction: 'outbound', as2_from: from, as2_to: to, message_id: messageId, channel: 'rest' });
  /** A gateway of another account: for it every pair of this account is an unknown pair. */
  const unknownPairAnswer = async (body: unknown) => answerOf(await gatewayAs(t, 'acct-decision-scope-elsewhere').decide(body));

  it("a gateway of tenant two asking about tenant one's pair hears what an unknown pair answers", async () => {
    const gateway = gatewayAs(t, ACCOUNT, t2);
    for (const body of [inbound(ids.acme, ids.t1Ours), outbound(ids.t1Ours, ids.acme)]) {
      const seen = answerOf(await gateway.decide(body));
      expect(seen).toEqual(await unknownPairAnswer(body));
      expect(seen).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND', partner_id: null, as2_instance_id: null });
    }
    // Tenant one's partner through tenant two's own instance: not found, like a partner id nobody has.
    expect(answerOf(await gateway.decide(inbound(ids.t1Only, ids.ours)))).toMatchObject({
      decision: 'reject',
      reason_code: 'PARTNER_NOT_FOUND',
      reason: `PARTNER_NOT_FOUND: no partner has the AS2 id "${ids.t1Only}"`,
      partner_id: null,
      as2_instance_id: made['ins2'],
    });
    // The same through the account's instance (inherited by tenant two).
    expect(answerOf(await gateway.decide(inbound(ids.t1Only, ids.hq)))).toMatchObject({ decision: 'reject', reason_code: 'PARTNER_NOT_FOUND', partner_id: null, reason: `PARTNER_NOT_FOUND: no partner has the AS2 id "${ids.t1Only}"` });
    // Tenant one's gateway and an account-wide one still see tenant one's pair.
    expect(answerOf(await gatewayAs(t, ACCOUNT, t1).decide(inbound(ids.acme, ids.t1Ours)))).toMatchObject({ decision: 'defer_503', reason: 'TENANT_PAUSE: tenant one private reason', partner_id: made['acme1'] });
    expect(answerOf(await gatewayAs(t, ACCOUNT).decide(inbound(ids.t1Only, ids.hq)))).toMatchObject({ decision: 'accept', partner_id: made['t1only'], as2_instance_id: made['hq'] });
  });

  it('with the same AS2 ids in both tenants, each tenant-scoped gateway gets its own decision', async () => {
    expect(answerOf(await gatewayAs(t, ACCOUNT, t2).decide(inbound(ids.acme, ids.ours)))).toMatchObject({
      decision: 'reject_422',
      reason_code: 'TENANT_PAUSE',
      reason: 'TENANT_PAUSE: tenant two own reason',
      partner_id: made['acme2'],
      as2_instance_id: made['ins2'],
    });
    expect(answerOf(await gatewayAs(t, ACCOUNT, t1).decide(inbound(ids.acme, ids.ours)))).toMatchObject({
      decision: 'defer_503',
      reason: 'TENANT_PAUSE: tenant one private reason',
      partner_id: made['acme1'],
      as2_instance_id: made['ins1'],
    });
  });

  it("the account's master partner and instance are inherited with the tenant's own pauses, not another tenant's", async () => {
    const two = gatewayAs(t, ACCOUNT, t2);
    const one = gatewayAs(t, ACCOUNT, t1);
    expect(answerOf(await two.decide(outbound(ids.ours, ids.master)))).toMatchObject({ decision: 'block', reason: 'TENANT_PAUSE: tenant two on the master', partner_id: made['master'], as2_instance_id: made['ins2'] });
    expect(answerOf(await two.decide(outbound(ids.hq, ids.master)))).toMatchObject({ decision: 'block', reason_code: 'TENANT_PAUSE', partner_id: made['master'], as2_instance_id: made['hq'] });
    expect(answerOf(await one.decide(outbound(ids.ours, ids.master)))).toMatchObject({ decision: 'accept', partner_id: made['master'], as2_instance_id: made['ins1'] });
    expect(answerOf(await one.decide(outbound(ids.hq, ids.master)))).toMatchObject({ decision: 'accept', partner_id: made['master'], as2_instance_id: made['hq'] });
  });

  it("did you mean never names another tenant's AS2 id", async () => {
    const misspelt = inbound(ids.acme, ids.t1Ours.toLowerCase());
    expect(answerOf(await gatewayAs(t, ACCOUNT).decide(misspelt)).reason).toContain(`did you mean "${ids.t1Ours}"?`);
    const seen = answerOf(await gatewayAs(t, ACCOUNT, t2).decide(misspelt));
    expect(seen).toEqual(await unknownPairAnswer(misspelt));
    expect(seen.reason).not.toContain('did you mean');
    expect(answerOf(await gatewayAs(t, ACCOUNT, t2).decide(inbound(ids.t1Only.toLowerCase(), ids.hq))).reason).not.toContain('did you mean');
    expect(answerOf(await gatewayAs(t, ACCOUNT, t2).decide(inbound(` ${ids.acme} `, ids.ours))).reason).toContain(`did you mean "${ids.acme}"?`);
  });

  it('batch: the same answers, item by item', async () => {
    const items = [inbound(ids.acme, ids.t1Ours), inbound(ids.acme, ids.ours), outbound(ids.ours, ids.master), inbound(ids.t1Only, ids.hq)];
    const batch = await gatewayAs(t, ACCOUNT, t2).batch({ decisions: items });
    expect(batch.status).toBe(200);
    const singles = [];
    for (const item of items) singles.push(answerOf(await gatewayAs(t, ACCOUNT, t2).decide(item)));
    expect(batch.body.decisions).toEqual(singles);
    expect(batch.body.decisions[0]).toEqual(await unknownPairAnswer(items[0]));
    expect(batch.body.decisions.map((d: { decision: string; partner_id: string | null }) => [d.decision, d.partner_id])).toEqual([
      ['reject', null],
      ['reject_422', made['acme2']],
      ['block', made['master']],
      ['reject', null],
    ]);
  });
});
