import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { MessageStatsQuery } from '../queries/message-stats/message-stats.query';
import { apiAs, freshTenant, instanceInput, partnerApiFixture, partnerInput } from './partner-api.spec-support';

describe("changing a partner's AS2 id (seed 000, offered safely)", () => {
  const ctx = partnerApiFixture('as2change-account');

  const partner = async (as2Id: string) => (await ctx.api.post('/v1/partners', partnerInput(as2Id))).body.data as { id: string };
  const change = (id: string, body: Record<string, unknown>) => ctx.api.post(`/v1/partners/${id}/as2-id-change`, body);

  it('is refused without acknowledge_risks: true (422 RISK_ACKNOWLEDGEMENT_REQUIRED listing the risks)', async () => {
    const p = await partner('OLD-ID');
    for (const body of [{ new_as2_id: 'NEW-ID' }, { new_as2_id: 'NEW-ID', acknowledge_risks: false }]) {
      const res = await change(p.id, body);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('RISK_ACKNOWLEDGEMENT_REQUIRED');
      expect(res.body.error.details.risks.length).toBeGreaterThanOrEqual(4);
      expect(res.body.error.details.risks.join(' ')).toContain('statistics');
    }
    expect((await ctx.api.get(`/v1/partners/${p.id}`)).body.data.as2_id).toBe('OLD-ID');
    // Nothing was reserved: another partner can take the id.
    expect((await ctx.api.post('/v1/partners', partnerInput('NEW-ID'))).status).toBe(201);
  });

  it('changes the id on the same partner, keeps history, frees the old id and takes the new one', async () => {
    const p = await partner('ACME-OLD');
    const res = await change(p.id, { new_as2_id: 'ACME-NEW', acknowledge_risks: true, reason: 'Acme moved to a new AS2 server' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ message: 'AS2 ID changed successfully', data: { id: p.id, old_as2_id: 'ACME-OLD', as2_id: 'ACME-NEW' } });
    expect((await ctx.api.get(`/v1/partners/${p.id}`)).body.data.as2_id).toBe('ACME-NEW');
    expect((await ctx.api.get('/v1/partners?search=ACME')).body.data.map((x: { as2_id: string }) => x.as2_id)).toEqual(['ACME-NEW']);
    const history = await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`partner-${p.id}`);
    expect(history.map((e) => e.type)).toEqual(['partner.created.v1', 'partner.as2_id_changed.v1']);
    expect(history[1]!.data).toEqual({
      partnerId: p.id,
      account: ctx.account,
      tenant: ctx.tenant,
      oldAs2Id: 'ACME-OLD',
      newAs2Id: 'ACME-NEW',
      reason: 'Acme moved to a new AS2 server',
      changedAt: expect.any(String),
    });
    expect((await ctx.api.post('/v1/partners', partnerInput('ACME-OLD'))).status).toBe(201);
    const taken = await ctx.api.post('/v1/partners', partnerInput('ACME-NEW'));
    expect(taken.body.error.code).toBe('DUPLICATE_AS2_ID');
  });

  it('refuses an id another partner holds, a bad format, the same id', async () => {
    const a = await partner('HOLDER-A');
    await partner('HOLDER-B');
    const dup = await change(a.id, { new_as2_id: 'HOLDER-B', acknowledge_risks: true });
    expect(dup.status).toBe(422);
    expect(dup.body.error.code).toBe('DUPLICATE_AS2_ID');
    // The error names this route's field, as the format refusal does, not the partner's `as2_id`.
    expect(Object.keys(dup.body.errors)).toEqual(['new_as2_id']);
    expect((await change(a.id, { new_as2_id: 'HAS SPACE', acknowledge_risks: true })).body.error.code).toBe('INVALID_AS2_ID_FORMAT');
    expect((await change(a.id, { new_as2_id: 'HOLDER-A', acknowledge_risks: true })).status).toBe(422);
    expect((await ctx.api.get(`/v1/partners/${a.id}`)).body.data.as2_id).toBe('HOLDER-A');
  });

  it('keeps ids unique under concurrency: of two partners racing for one id, exactly one gets it', async () => {
    const [a, b] = [await partner('RACER-A'), await partner('RACER-B')];
    const results = await Promise.all([a, b, a, b].map((p) => change(p.id, { new_as2_id: 'PRIZE', acknowledge_risks: true })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const ids = [(await ctx.api.get(`/v1/partners/${a.id}`)).body.data.as2_id, (await ctx.api.get(`/v1/partners/${b.id}`)).body.data.as2_id];
    expect(ids.filter((id) => id === 'PRIZE')).toHaveLength(1);
    expect((await ctx.api.post('/v1/partners', partnerInput('PRIZE'))).body.error.code).toBe('DUPLICATE_AS2_ID');
  });

  it('one partner changed many times at once ends with one id; the ids it left are free again', async () => {
    for (let round = 0; round < 5; round++) {
      // A tenant a round: the plan's partner limit counts what each round creates.
      const api = apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() });
      const ids = ['OLD', 'X', 'Y', 'Z'].map((id) => `SOLO${round}-${id}`);
      const p = (await api.post('/v1/partners', partnerInput(ids[0] as string))).body.data as { id: string };
      const targets = [1, 2, 1, 2, 3, 0, 3, 1, 2, 0, 1, 2].map((i) => ids[i] as string);
      const results = await Promise.all(targets.map((id) => api.post(`/v1/partners/${p.id}/as2-id-change`, { new_as2_id: id, acknowledge_risks: true })));
      // 422: the partner held that id already when the change was decided.
      expect(results.filter((r) => r.status !== 200 && r.status !== 422)).toEqual([]);
      const final = (await api.get(`/v1/partners/${p.id}`)).body.data.as2_id;
      for (const id of ids.filter((x) => x !== final)) {
        expect({ round, id, status: (await api.post('/v1/partners', partnerInput(id))).status }).toEqual({ round, id, status: 201 });
      }
      expect((await api.post('/v1/partners', partnerInput(final))).body.error.code).toBe('DUPLICATE_AS2_ID');
    }
  });

  it('a change racing a change back never frees the id the partner ends with (no second partner takes it)', async () => {
    for (let round = 0; round < 12; round++) {
      const [a, b] = [`BACK-${round}-A`, `BACK-${round}-B`];
      const p = await partner(a);
      const forth = change(p.id, { new_as2_id: b, acknowledge_risks: true });
      // Back to A as soon as the partner holds B: retried until it is not refused for holding A still.
      const back = (async () => {
        for (let tries = 0; tries < 60; tries++) {
          const res = await change(p.id, { new_as2_id: a, acknowledge_risks: true });
          if (res.status === 200) return res;
          await new Promise((resolve) => setTimeout(resolve, tries % 3));
        }
        return null;
      })();
      await Promise.all([forth, back]);
      const held = (await ctx.api.get(`/v1/partners/${p.id}`)).body.data.as2_id as string;
      const other = await ctx.api.post('/v1/partners', partnerInput(held));
      expect({ round, held, status: other.status, code: other.body.error?.code }).toEqual({ round, held, status: 422, code: 'DUPLICATE_AS2_ID' });
      // The tenant's plan counts partners: each round leaves none.
      expect((await ctx.api.delete(`/v1/partners/${p.id}`)).status).toBe(200);
    }
  });

  it('the impact route lists partnerships, statistics kept under the old id, the risks, and whether the new id is free', async () => {
    const p = await partner('IMPACT');
    await partner('TAKEN');
    const ours = (await ctx.api.post('/v1/as2-instances', instanceInput('US'))).body.data;
    const pship = (await ctx.api.post('/v1/partnerships', { as2_instance_id: ours.id, partner_id: p.id })).body.data;
    const free = await ctx.api.get(`/v1/partners/${p.id}/as2-id-change/impact?new_as2_id=IMPACT-2`);
    expect(free.status).toBe(200);
    expect(free.body.data).toMatchObject({
      partner_id: p.id,
      current_as2_id: 'IMPACT',
      new_as2_id: 'IMPACT-2',
      new_as2_id_available: true,
      partnerships: [{ id: pship.id, tenant: ctx.tenant, as2_instance_id: ours.id }],
      message_stats_kept_under_old_id: { total_sent: 0, total_received: 0 },
      traffic_pauses: [],
      scheduled_activations: [],
      requires: { acknowledge_risks: true },
    });
    expect(free.body.data.risks.length).toBeGreaterThanOrEqual(4);
    expect(free.body.data.risks.join(' ')).toContain('Scheduled certificate activations');
    // Nothing is named elsewhere any more: scheduled certificate activations are itemised here.
    expect(free.body.data).not.toHaveProperty('checked_elsewhere');
    expect((await ctx.api.get(`/v1/partners/${p.id}/as2-id-change/impact?new_as2_id=TAKEN`)).body.data.new_as2_id_available).toBe(false);
    expect((await ctx.api.get(`/v1/partners/${p.id}/as2-id-change/impact?new_as2_id=BAD%20ID`)).status).toBe(422);
    expect((await ctx.api.get(`/v1/partners/${p.id}/as2-id-change/impact`)).status).toBe(422);
    // The partnership follows the partner: resolve answers the new id after the change.
    await change(p.id, { new_as2_id: 'IMPACT-2', acknowledge_risks: true });
    expect((await ctx.api.get('/v1/partnerships/resolve?as2_from=US&as2_to=IMPACT-2')).body.data.partnership_id).toBe(pship.id);
    expect((await ctx.api.get('/v1/partnerships/resolve?as2_from=US&as2_to=IMPACT')).status).toBe(404);
  });

  it("an inherited partner's id is the account's: tenants are refused, the account admin changes it for every tenant", async () => {
    const admin = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['account_admin'] });
    const master = (await admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('MASTER-OLD'))).body.data;
    const refused = await change(master.id, { new_as2_id: 'MINE', acknowledge_risks: true });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('INHERITED_PARTNER_AS2_ID_READ_ONLY');
    expect((await admin.get(`/v1/accounts/${ctx.account}/partners/${master.id}/as2-id-change/impact?new_as2_id=MASTER-NEW`)).body.data.new_as2_id_available).toBe(true);
    expect((await admin.post(`/v1/accounts/${ctx.account}/partners/${master.id}/as2-id-change`, { new_as2_id: 'MASTER-NEW' })).body.error.code).toBe(
      'RISK_ACKNOWLEDGEMENT_REQUIRED',
    );
    const changed = await admin.post(`/v1/accounts/${ctx.account}/partners/${master.id}/as2-id-change`, { new_as2_id: 'MASTER-NEW', acknowledge_risks: true });
    expect(changed.status).toBe(200);
    expect((await ctx.api.get(`/v1/partners/${master.id}`)).body.data.as2_id).toBe('MASTER-NEW');
    const events = await ctx.t.app.get<EventStore>(EVENT_STORE).readStream(`master_partner-${master.id}`);
    expect(events.at(-1)).toMatchObject({ type: 'master_partner.as2_id_changed.v1', data: { oldAs2Id: 'MASTER-OLD', newAs2Id: 'MASTER-NEW', tenant: null } });
  });

  it("a master's impact reads its tenants' statistics and pauses 100 a turn, the event loop free between (an account's 1,200 tenants held it ~200 ms)", async () => {
    const account = ctx.freshAccount();
    const admin = apiAs(ctx.t, { account, tenant: null, roles: ['account_admin'] });
    for (let n = 0; n < 250; n += 1) expect((await admin.post(`/v1/accounts/${account}/tenants`, { id: `many-${n}`, name: `Many ${n}`, plan: 'starter' })).status).toBe(201);
    const master = (await admin.post(`/v1/accounts/${account}/partners`, partnerInput('MASTER-MANY'))).body.data;
    // which turn of the event loop each tenant's statistics are read in
    let turn = 0;
    let counting = true;
    const next = () => {
      turn += 1;
      if (counting) setImmediate(next);
    };
    const readIn = new Map<number, string[]>();
    const stats = ctx.t.app.get(MessageStatsQuery);
    const statsOf = stats.statsOf.bind(stats);
    const spy = jest.spyOn(stats, 'statsOf').mockImplementation((...args: Parameters<MessageStatsQuery['statsOf']>) => {
      readIn.set(turn, [...(readIn.get(turn) ?? []), args[1]]);
      return statsOf(...args);
    });
    try {
      next();
      const impact = await admin.get(`/v1/accounts/${account}/partners/${master.id}/as2-id-change/impact?new_as2_id=MASTER-MANY-2`);
      expect(impact.status).toBe(200);
      expect(impact.body.data).toMatchObject({ current_as2_id: 'MASTER-MANY', new_as2_id_available: true, message_stats_kept_under_old_id_by_tenant: [], traffic_pauses: [] });
    } finally {
      counting = false;
      spy.mockRestore();
    }
    const slices = [...readIn.values()];
    expect(slices.flat().sort()).toEqual(Array.from({ length: 250 }, (_, n) => `many-${n}`).sort());
    expect(slices.map((tenants) => tenants.length)).toEqual([100, 100, 50]);
  });

  it('security: another tenant or account (404), tenant_user (403), no token (401), hostile bodies (4xx)', async () => {
    const p = await partner('GUARDED');
    for (const other of [apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() }), apiAs(ctx.t, { account: ctx.freshAccount(), tenant: ctx.tenant })]) {
      expect((await other.post(`/v1/partners/${p.id}/as2-id-change`, { new_as2_id: 'STOLEN', acknowledge_risks: true })).status).toBe(404);
      expect((await other.get(`/v1/partners/${p.id}/as2-id-change/impact?new_as2_id=STOLEN`)).status).toBe(404);
    }
    const reader = apiAs(ctx.t, { account: ctx.account, tenant: ctx.tenant, roles: ['tenant_user'] });
    expect((await reader.get(`/v1/partners/${p.id}/as2-id-change/impact?new_as2_id=X`)).status).toBe(200);
    expect((await reader.post(`/v1/partners/${p.id}/as2-id-change`, { new_as2_id: 'X', acknowledge_risks: true })).status).toBe(403);
    expect((await ctx.t.app.inject({ method: 'POST', url: `/v1/partners/${p.id}/as2-id-change`, payload: { new_as2_id: 'X', acknowledge_risks: true } })).statusCode).toBe(401);
    for (const body of [{ new_as2_id: { $ne: 1 }, acknowledge_risks: true }, { new_as2_id: 'X', acknowledge_risks: 'true' }, { new_as2_id: 'X', acknowledge_risks: true, reason: 'a\r\nb' }, { new_as2_id: 'X', acknowledge_risks: true, as2_id: 'Y' }]) {
      const res = await change(p.id, body);
      expect(res.status).toBe(422);
    }
    const admin = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['account_admin'] });
    expect((await admin.post(`/v1/accounts/${ctx.freshAccount()}/partners/${p.id}/as2-id-change`, { new_as2_id: 'X', acknowledge_risks: true })).status).toBe(403);
    expect((await admin.post(`/v1/accounts/${ctx.account}/partners/${p.id}/as2-id-change`, { new_as2_id: 'X', acknowledge_risks: true })).status).toBe(404);
    expect((await ctx.api.get(`/v1/partners/${p.id}`)).body.data.as2_id).toBe('GUARDED');
  });
});
