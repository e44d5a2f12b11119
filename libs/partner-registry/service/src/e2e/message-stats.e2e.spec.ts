import { READ_MODEL_STORE, type ReadModelStore } from '@as2-partners/kernel';
import { MESSAGE_OUTCOMES_COLLECTION, messageOutcomeIdOf, type MessageOutcomeDocument } from '../queries/message-stats/message-outcome.document';
import { apiAs, freshTenant, instanceInput, partnerApiFixture, partnerInput, type Api } from './partner-api.spec-support';

const record = (messageId: string, extra: Record<string, unknown> = {}) => ({
  message_id: messageId,
  direction: 'outbound',
  as2_from: 'US',
  as2_to: 'ACME',
  status: 'delivered',
  occurred_at: '2026-11-30T10:00:00.000Z',
  ...extra,
});

describe('message statistics (POST /v1/gateway/message-events → partner details)', () => {
  const ctx = partnerApiFixture('stats-account');
  let gateway: Api;

  beforeEach(() => {
    gateway = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['gateway'] });
  });

  const post = (events: unknown[], caller = gateway) => caller.post('/v1/gateway/message-events', { events });
  const statsOf = async (partnerId: string) => (await ctx.api.get(`/v1/partners/${partnerId}`)).body.data;

  it('counts sent and received messages of a partner by its AS2 id, with success rate and last message', async () => {
    const acme = (await ctx.api.post('/v1/partners', partnerInput('ACME'))).body.data;
    const res = await post([
      record('m1', { tenant: ctx.tenant }),
      record('m2', { tenant: ctx.tenant, status: 'failed', occurred_at: '2026-11-30T10:05:00.000Z' }),
      record('m3', { tenant: ctx.tenant, direction: 'inbound', as2_from: 'ACME', as2_to: 'US', occurred_at: '2026-11-30T10:02:00.000Z' }),
      record('m4', { tenant: ctx.tenant, direction: 'inbound', as2_from: 'ACME', as2_to: 'US', status: 'pending', occurred_at: '2026-11-30T09:00:00.000Z' }),
      record('other', { tenant: ctx.tenant, as2_to: 'SOMEONE-ELSE' }),
    ]);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ received: 5, applied: 5, ignored: 0 });
    const details = await statsOf(acme.id);
    expect(details.message_stats).toEqual({ total_sent: 2, total_received: 2, success_rate: 66.7, last_message_at: '2026-11-30T10:05:00.000000Z' });
    expect(details.last_message_at).toBe('2026-11-30T10:05:00.000000Z');
    // The last message to the microsecond its record gave, with RFC 3339's lower-case t and z taken as well.
    expect((await post([record('m5', { tenant: ctx.tenant, occurred_at: '2026-11-30t10:06:00.123456z' })])).body.data).toEqual({ received: 1, applied: 1, ignored: 0 });
    expect((await statsOf(acme.id)).message_stats.last_message_at).toBe('2026-11-30T10:06:00.123456Z');
    // Within one millisecond, the last by its microseconds whatever order the records came in.
    for (const micros of ['500100', '500900', '500500']) expect((await post([record(`m6-${micros}`, { tenant: ctx.tenant, occurred_at: `2026-11-30T10:07:00.${micros}Z` })])).status).toBe(200);
    expect((await statsOf(acme.id)).message_stats.last_message_at).toBe('2026-11-30T10:07:00.500900Z');
  });

  it('is idempotent by message_id and tolerant of any order: the latest outcome of a message counts, once', async () => {
    const acme = (await ctx.api.post('/v1/partners', partnerInput('ACME'))).body.data;
    const sent = record('retry-1', { tenant: ctx.tenant, status: 'sent', occurred_at: '2026-11-30T10:00:00.000Z' });
    const failed = record('retry-1', { tenant: ctx.tenant, status: 'failed', occurred_at: '2026-11-30T10:01:00.000Z' });
    const delivered = record('retry-1', { tenant: ctx.tenant, status: 'delivered', occurred_at: '2026-11-30T10:02:00.000Z' });
    // Delivered first, then the older outcomes arrive late, then everything again.
    expect((await post([delivered])).body.data).toEqual({ received: 1, applied: 1, ignored: 0 });
    expect((await post([failed, sent])).body.data).toEqual({ received: 2, applied: 0, ignored: 2 });
    expect((await post([sent, failed, delivered])).body.data).toEqual({ received: 3, applied: 0, ignored: 3 });
    expect((await statsOf(acme.id)).message_stats).toEqual({ total_sent: 1, total_received: 0, success_rate: 100, last_message_at: '2026-11-30T10:02:00.000000Z' });
    // The same outcomes in the natural order end in the same state.
    const other = freshTenant();
    const otherApi = apiAs(ctx.t, { account: ctx.account, tenant: other });
    const acme2 = (await otherApi.post('/v1/partners', partnerInput('ACME'))).body.data;
    await post([sent, failed, delivered].map((r) => ({ ...r, tenant: other })));
    expect((await otherApi.get(`/v1/partners/${acme2.id}`)).body.data.message_stats).toEqual({
      total_sent: 1,
      total_received: 0,
      success_rate: 100,
      last_message_at: '2026-11-30T10:02:00.000000Z',
    });
  });

  it('ends the same whichever order two records arrive in: apart by microseconds, or final outcomes at the same instant', async () => {
    const outcomeIn = async (records: Record<string, unknown>[]) => {
      const tenant = freshTenant();
      const api = apiAs(ctx.t, { account: ctx.account, tenant });
      const acme = (await api.post('/v1/partners', partnerInput('ACME'))).body.data;
      for (const r of records) await post([{ ...r, tenant }]);
      return (await api.get(`/v1/partners/${acme.id}`)).body.data.message_stats.success_rate as number | null;
    };
    const early = record('micro', { status: 'failed', occurred_at: '2026-11-30T10:00:00.000100Z' });
    const late = record('micro', { status: 'delivered', occurred_at: '2026-11-30T10:00:00.000900Z' });
    expect([await outcomeIn([early, late]), await outcomeIn([late, early])]).toEqual([100, 100]);
    const delivered = record('tie', { status: 'delivered', occurred_at: '2026-11-30T10:06:00Z' });
    const failed = record('tie', { status: 'failed', occurred_at: '2026-11-30T10:06:00Z' });
    const [oneWay, otherWay] = [await outcomeIn([delivered, failed]), await outcomeIn([failed, delivered])];
    expect(oneWay).toBe(otherWay);
  });

  it("a record that moves a message to another partner takes it out of the first one's details at once", async () => {
    const alpha = (await ctx.api.post('/v1/partners', partnerInput('ALPHA-MOVE'))).body.data;
    const beta = (await ctx.api.post('/v1/partners', partnerInput('BETA-MOVE'))).body.data;
    await post([record('moving', { tenant: ctx.tenant, as2_to: 'ALPHA-MOVE', status: 'sent' })]);
    // Read twice: the second answer is the one kept.
    await statsOf(alpha.id);
    expect((await statsOf(alpha.id)).message_stats.total_sent).toBe(1);
    await post([record('moving', { tenant: ctx.tenant, as2_to: 'BETA-MOVE', status: 'delivered', occurred_at: '2026-11-30T10:01:00.000Z' })]);
    expect((await statsOf(beta.id)).message_stats.total_sent).toBe(1);
    expect((await statsOf(alpha.id)).message_stats).toEqual({ total_sent: 0, total_received: 0, success_rate: null, last_message_at: null });
  });

  it("a partner that takes a deleted partner's AS2 id starts without its messages; messages recorded while no partner had the id count for none", async () => {
    const before = (await ctx.api.post('/v1/partners', partnerInput('RECYCLED'))).body.data;
    await post([record('old-1', { tenant: ctx.tenant, as2_to: 'RECYCLED' }), record('old-2', { tenant: ctx.tenant, direction: 'inbound', as2_from: 'RECYCLED', as2_to: 'US' })]);
    expect((await statsOf(before.id)).message_stats).toMatchObject({ total_sent: 1, total_received: 1 });
    expect((await ctx.api.delete(`/v1/partners/${before.id}`)).status).toBe(200);
    await post([record('between', { tenant: ctx.tenant, as2_to: 'RECYCLED', status: 'failed', occurred_at: '2026-11-30T11:00:00.000Z' })]);
    const after = (await ctx.api.post('/v1/partners', partnerInput('RECYCLED'))).body.data;
    expect((await statsOf(after.id)).message_stats).toEqual({ total_sent: 0, total_received: 0, success_rate: null, last_message_at: null });
    // A later record of a message counted for the deleted partner still counts for it alone, and so for none here.
    await post([record('old-1', { tenant: ctx.tenant, as2_to: 'RECYCLED', status: 'failed', occurred_at: '2026-11-30T12:00:00.000Z' })]);
    await post([record('between', { tenant: ctx.tenant, as2_to: 'RECYCLED', status: 'delivered', occurred_at: '2026-11-30T12:10:00.000Z' })]);
    expect((await statsOf(after.id)).message_stats.total_sent).toBe(0);
    await post([record('new-1', { tenant: ctx.tenant, as2_to: 'RECYCLED', occurred_at: '2026-11-30T12:30:00.000Z' })]);
    expect((await statsOf(after.id)).message_stats).toEqual({ total_sent: 1, total_received: 0, success_rate: 100, last_message_at: '2026-11-30T12:30:00.000000Z' });
  });

  it("a message recorded by an earlier version (no partner kept with it) counts for a partner with its AS2 id only if it occurred since the partner's creation: a newcomer after an upgrade inherits none", async () => {
    const outcomes = ctx.t.app.get<ReadModelStore>(READ_MODEL_STORE).collection<MessageOutcomeDocument>(MESSAGE_OUTCOMES_COLLECTION);
    /** What an earlier version kept of a message: no partnerId. */
    const asRecordedBefore = async (messageId: string) => {
      const { partnerId: _kept, ...earlier } = (await outcomes.get(messageOutcomeIdOf(ctx.account, ctx.tenant, messageId))) as MessageOutcomeDocument;
      await outcomes.put(earlier);
    };
    const first = (await ctx.api.post('/v1/partners', partnerInput('UPGRADED'))).body.data;
    await post([record('before-upgrade', { tenant: ctx.tenant, as2_to: 'UPGRADED', occurred_at: new Date(Date.parse(first.created_at) + 1).toISOString() })]);
    await asRecordedBefore('before-upgrade');
    expect((await statsOf(first.id)).message_stats).toMatchObject({ total_sent: 1, success_rate: 100 });
    expect((await ctx.api.delete(`/v1/partners/${first.id}`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newcomer = (await ctx.api.post('/v1/partners', partnerInput('UPGRADED'))).body.data;
    expect((await statsOf(newcomer.id)).message_stats).toEqual({ total_sent: 0, total_received: 0, success_rate: null, last_message_at: null });
    // One it recorded since it was created, kept as an earlier version would have: its own.
    await post([record('since', { tenant: ctx.tenant, as2_to: 'UPGRADED', status: 'failed', occurred_at: new Date(Date.parse(newcomer.created_at) + 1000).toISOString() })]);
    await asRecordedBefore('since');
    expect((await statsOf(newcomer.id)).message_stats).toMatchObject({ total_sent: 1, success_rate: 0 });
  });

  it('a message recorded before any partner had its AS2 id counts for none: not twice when an own partner and an inherited master then take it', async () => {
    await post([record('early', { tenant: ctx.tenant, as2_to: 'EARLY-TWIN' })]);
    const master = (await ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('EARLY-TWIN'))).body.data;
    const own = (await ctx.api.post('/v1/partners', partnerInput('EARLY-TWIN'))).body.data;
    expect([(await statsOf(own.id)).message_stats.total_sent, (await statsOf(master.id)).message_stats.total_sent]).toEqual([0, 0]);
    await post([record('later', { tenant: ctx.tenant, as2_to: 'EARLY-TWIN' })]);
    expect([(await statsOf(own.id)).message_stats.total_sent, (await statsOf(master.id)).message_stats.total_sent]).toEqual([1, 0]);
  });

  it("counts a message once when the tenant's own partner and an inherited master share its AS2 id: for the one its partnership pairs it with", async () => {
    const master = (await ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('SHARED-THEM'))).body.data;
    const own = (await ctx.api.post('/v1/partners', partnerInput('SHARED-THEM'))).body.data;
    // No partnership yet: the tenant's own partner takes it (resolve looks at own ends first).
    await post([record('unpaired', { tenant: ctx.tenant, as2_from: 'SHARED-US', as2_to: 'SHARED-THEM' })]);
    const instance = (await ctx.api.post('/v1/as2-instances', instanceInput('SHARED-US'))).body.data;
    expect((await ctx.api.post('/v1/partnerships', { as2_instance_id: instance.id, partner_id: master.id })).status).toBe(201);
    await post([
      record('paired-out', { tenant: ctx.tenant, as2_from: 'SHARED-US', as2_to: 'SHARED-THEM', occurred_at: '2026-11-30T10:10:00.000Z' }),
      record('paired-in', { tenant: ctx.tenant, direction: 'inbound', as2_from: 'SHARED-THEM', as2_to: 'SHARED-US', occurred_at: '2026-11-30T10:20:00.000Z' }),
    ]);
    expect((await statsOf(own.id)).message_stats).toEqual({ total_sent: 1, total_received: 0, success_rate: 100, last_message_at: '2026-11-30T10:00:00.000000Z' });
    expect((await statsOf(master.id)).message_stats).toEqual({ total_sent: 1, total_received: 1, success_rate: 100, last_message_at: '2026-11-30T10:20:00.000000Z' });
  });

  it('refuses an occurred_at more than a day ahead of the server\'s clock', async () => {
    const res = await post([record('future', { tenant: ctx.tenant, occurred_at: '9999-12-31T23:59:59Z' })]);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual({ 'events.0.occurred_at': ['The occurred_at may not be more than a day in the future'] });
  });

  it("a deleted tenant's records change nothing (its data is closed), even from a token of the account", async () => {
    const admin = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['account_admin'] });
    const closing = freshTenant();
    expect((await admin.post(`/v1/accounts/${ctx.account}/tenants`, { id: closing, name: 'Closing', plan: 'starter' })).status).toBe(201);
    expect((await post([record('before-close', { tenant: closing })])).body.data).toEqual({ received: 1, applied: 1, ignored: 0 });
    expect((await admin.delete(`/v1/accounts/${ctx.account}/tenants/${closing}`)).status).toBe(200);
    expect((await post([record('after-close', { tenant: closing })])).body.data).toEqual({ received: 1, applied: 0, ignored: 1 });
  });

  it('a partner without messages has zero counts and no rate', async () => {
    const quiet = (await ctx.api.post('/v1/partners', partnerInput('QUIET'))).body.data;
    expect((await statsOf(quiet.id)).message_stats).toEqual({ total_sent: 0, total_received: 0, success_rate: null, last_message_at: null });
  });

  it("statistics stay within their tenant and account", async () => {
    const mine = (await ctx.api.post('/v1/partners', partnerInput('ACME'))).body.data;
    const otherTenant = apiAs(ctx.t, { account: ctx.account, tenant: freshTenant() });
    const theirs = (await otherTenant.post('/v1/partners', partnerInput('ACME'))).body.data;
    await post([record('x1', { tenant: ctx.tenant })]);
    expect((await statsOf(mine.id)).message_stats.total_sent).toBe(1);
    expect((await otherTenant.get(`/v1/partners/${theirs.id}`)).body.data.message_stats.total_sent).toBe(0);
    // A gateway of another account writing the same tenant name lands in its own account.
    const foreign = apiAs(ctx.t, { account: ctx.freshAccount(), tenant: null, roles: ['gateway'] });
    expect((await post([record('x2', { tenant: ctx.tenant })], foreign)).status).toBe(200);
    expect((await statsOf(mine.id)).message_stats.total_sent).toBe(1);
  });

  describe('security and validation', () => {
    it('takes the gateway role only; no token is 401', async () => {
      for (const roles of [['tenant_admin'], ['tenant_user'], ['account_admin'], ['operator']]) {
        const res = await post([record('r', { tenant: ctx.tenant })], apiAs(ctx.t, { account: ctx.account, tenant: roles[0] === 'account_admin' || roles[0] === 'operator' ? null : ctx.tenant, roles }));
        expect(res.status).toBe(403);
      }
      expect((await ctx.t.app.inject({ method: 'POST', url: '/v1/gateway/message-events', payload: { events: [record('r', { tenant: ctx.tenant })] } })).statusCode).toBe(401);
    });

    it('refuses a record naming another account, another tenant than the token, or no tenant — the whole batch', async () => {
      const acme = (await ctx.api.post('/v1/partners', partnerInput('ACME'))).body.data;
      const foreign = await post([record('ok', { tenant: ctx.tenant }), record('bad', { tenant: ctx.tenant, account: 'someone-else' })]);
      expect(foreign.status).toBe(403);
      expect((await post([record('no-tenant')])).status).toBe(403);
      const tenantGateway = apiAs(ctx.t, { account: ctx.account, tenant: ctx.tenant, roles: ['gateway'] });
      expect((await post([record('other-tenant', { tenant: 'not-mine' })], tenantGateway)).status).toBe(403);
      expect((await post([record('own-tenant')], tenantGateway)).status).toBe(200);
      expect((await statsOf(acme.id)).message_stats.total_sent).toBe(1);
    });

    it('a gateway token of every account names the account of each record: counted there, never lost under `*`', async () => {
      const acme = (await ctx.api.post('/v1/partners', partnerInput('ACME'))).body.data;
      const everyAccount = apiAs(ctx.t, { account: '*', tenant: null, roles: ['gateway'] });
      const unnamed = await post([record('all-1', { tenant: ctx.tenant })], everyAccount);
      expect(unnamed.status).toBe(403);
      expect(unnamed.body.error).toEqual({ type: 'authorization_error', code: 'ACCOUNT_REQUIRED' });
      expect((await post([record('all-2', { tenant: ctx.tenant, account: '*' })], everyAccount)).status).toBe(403);
      expect((await statsOf(acme.id)).message_stats.total_sent).toBe(0);
      const named = await post([record('all-3', { tenant: ctx.tenant, account: ctx.account })], everyAccount);
      expect(named.body.data).toEqual({ received: 1, applied: 1, ignored: 0 });
      expect((await statsOf(acme.id)).message_stats.total_sent).toBe(1);
      // An account spelled with the separator of the record's key (`<account>|<tenant>|<message id>`) could name this
      // tenant's record `x|all-3` from account `<account>|<tenant>`, tenant `x`: refused as no account's id.
      const spelled = await post([record('all-3', { tenant: 'x', account: `${ctx.account}|${ctx.tenant}` })], everyAccount);
      expect([spelled.status, Object.keys(spelled.body.errors ?? {})]).toEqual([422, ['events.0.account']]);
    });

    it.each([
      ['no events', {}],
      ['an empty batch', { events: [] }],
      ['a bad direction', { events: [{ ...record('v'), tenant: 't', direction: 'sideways' }] }],
      ['a bad status', { events: [{ ...record('v'), tenant: 't', status: 'lost' }] }],
      ['a bad AS2 id', { events: [{ ...record('v'), tenant: 't', as2_to: 'HAS SPACE' }] }],
      ['a bad date', { events: [{ ...record('v'), tenant: 't', occurred_at: 'yesterday' }] }],
      ['a date without a time', { events: [{ ...record('v'), tenant: 't', occurred_at: '2026-11-30' }] }],
      ['a time without an offset', { events: [{ ...record('v'), tenant: 't', occurred_at: '2026-11-30T10:00:00' }] }],
      ['an unknown field', { events: [{ ...record('v'), tenant: 't', payload: 'x' }] }],
      ['an operator', { events: [{ ...record('v'), tenant: { $ne: null } }] }],
      // a tenant id, nothing else: `t|x` with message `y` and `t` with message `x|y` would be one record
      ['a tenant that is no tenant id', { events: [{ ...record('y'), tenant: 't|x' }] }],
      ['a tenant with a dot', { events: [{ ...record('y'), tenant: 't.x' }] }],
      ['too many records', { events: Array.from({ length: 1001 }, (_, i) => ({ ...record(`m${i}`), tenant: 't' })) }],
    ])('refuses %s (422)', async (_what, body) => {
      const res = await gateway.post('/v1/gateway/message-events', body);
      expect(res.status).toBe(422);
      // one message per rule broken, none said twice
      for (const messages of Object.values((res.body.errors ?? {}) as Record<string, string[]>)) expect(new Set(messages).size).toBe(messages.length);
    });
  });
});
