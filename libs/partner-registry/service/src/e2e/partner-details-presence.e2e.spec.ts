import type { ReadModelStore } from '@as2-partners/kernel';
import { apiAs, partnerApiFixture, partnerInput } from './partner-api.spec-support';
import { PartnerDetailsQuery } from '../queries/partner-views/partner-details.query';
import { PartnerDetailPresence } from '../queries/partner-views/partner-detail-presence';
import { PartnerQueries } from '../queries/partner-views/partner-queries';
import { PartnerCertificatesQuery } from '../queries/partner-certificates/partner-certificates.query';
import { MessageStatsQuery } from '../queries/message-stats/message-stats.query';
import { PartnerTrafficConsumer } from '../reactions/traffic-control-events/partner-traffic.consumer';
import { ConnectionStatusConsumer } from '../reactions/connection-tester-events/connection-status.consumer';

// The details skip the parts the presence indexes say a partner has none of; they must equal the details that read every part.
describe('partner details read only the parts a partner has (presence indexes), and answer as if every part were read', () => {
  const ctx = partnerApiFixture('presence-account');

  /** The details as joined from every part (a presence that knows nothing: the store without watchWrites). */
  const everyPart = () =>
    new PartnerDetailsQuery(
      ctx.t.app.get(PartnerQueries),
      ctx.t.app.get(PartnerCertificatesQuery),
      ctx.t.app.get(MessageStatsQuery),
      ctx.t.app.get(PartnerTrafficConsumer),
      ctx.t.app.get(ConnectionStatusConsumer),
      new PartnerDetailPresence({} as ReadModelStore),
    );

  const message = (messageId: string, as2Id: string, extra: Record<string, unknown> = {}) => ({
    message_id: messageId,
    tenant: ctx.tenant,
    direction: 'outbound',
    as2_from: 'US',
    as2_to: as2Id,
    status: 'delivered',
    occurred_at: '2026-11-30T10:00:00.000Z',
    ...extra,
  });

  it('a partner read before its first message shows the message at the next read, and every body equals the full join', async () => {
    const gateway = apiAs(ctx.t, { account: ctx.account, tenant: null, roles: ['gateway'] });
    const quiet = (await ctx.api.post('/v1/partners', partnerInput('QUIET'))).body.data;
    const busy = (await ctx.api.post('/v1/partners', partnerInput('BUSY', { certificate_id: 'cert_01JD0000000000000000000000' }))).body.data;
    const master = (await ctx.admin.post(`/v1/accounts/${ctx.account}/partners`, partnerInput('SHARED'))).body.data;
    for (const id of [quiet.id, busy.id, master.id]) {
      expect((await ctx.api.get(`/v1/partners/${id}`)).body.data.message_stats).toEqual({ total_sent: 0, total_received: 0, success_rate: null, last_message_at: null });
    }
    const events = [message('p1', 'BUSY'), message('p2', 'BUSY', { status: 'failed', direction: 'inbound', as2_from: 'BUSY', as2_to: 'US' }), message('p3', 'SHARED')];
    expect((await gateway.post('/v1/gateway/message-events', { events })).status).toBe(200);
    expect((await ctx.api.get(`/v1/partners/${busy.id}`)).body.data.message_stats).toMatchObject({ total_sent: 1, total_received: 1, success_rate: 50 });
    expect((await ctx.api.get(`/v1/partners/${master.id}`)).body.data.message_stats).toMatchObject({ total_sent: 1, total_received: 0 });
    expect((await ctx.api.get(`/v1/partners/${quiet.id}`)).body.data.message_stats.total_sent).toBe(0);

    const reads = ctx.t.app.get(PartnerDetailsQuery);
    const full = everyPart();
    for (const id of [quiet.id, busy.id, master.id, 'prt_nothing']) {
      const [fast, joined] = [await reads.detailsFor(ctx.account, ctx.tenant, id), await full.detailsFor(ctx.account, ctx.tenant, id)];
      expect(JSON.stringify(fast)).toBe(JSON.stringify(joined));
    }
    expect((await reads.detailsFor(ctx.account, ctx.tenant, busy.id))?.data.certificate_link).toEqual({
      certificate_id: 'cert_01JD0000000000000000000000',
      status: 'pending',
      error: null,
    });
  });
});
