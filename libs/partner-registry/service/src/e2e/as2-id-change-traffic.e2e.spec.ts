import { randomUUID } from 'node:crypto';
import { EVENT_BUS, topicOf, type EventBus, type RecordedEvent } from '@as2-partners/kernel';
import { partnerApiFixture, partnerInput } from './partner-api.spec-support';

let position = 0;

describe("the AS2-id change impact's traffic pauses, as learned from traffic-control's events (embedded bus)", () => {
  const ctx = partnerApiFixture('impact-traffic');

  /** What traffic-control's outbox publishes on its topic for a pause of the tenant's partner. */
  const paused = (partnerId: string, windowId: string | null, reason: string, until: string): RecordedEvent => {
    position += 1;
    const data = { partnerId, account: ctx.account, tenant: ctx.tenant, scope: 'tenant', direction: 'incoming', response: 'http_503_retry', reason, until, retryAfterSeconds: null, windowId, pausedBy: 'test', pausedAt: new Date().toISOString() };
    const metadata = { account: ctx.account, tenant: ctx.tenant, correlationId: randomUUID(), causationId: null, actor: { type: 'system' as const, id: 'test' }, occurredAt: new Date().toISOString() };
    return { id: randomUUID(), type: 'traffic.paused.v1', schemaVersion: 1, data, metadata, stream: `partner_traffic-${partnerId}`, revision: position, position: 1_000_000 + position };
  };

  it("lists an operator's pause and a window in effect on the same direction, both: the window holds the traffic after the pause ends", async () => {
    const created = await ctx.api.post('/v1/partners', partnerInput('IMPACT-BOTH'));
    expect(created.status).toBe(201);
    const partnerId = created.body.data.id as string;
    await ctx.t.app.get<EventBus>(EVENT_BUS).publish(topicOf('traffic-control'), [
      paused(partnerId, 'win_01JD0000000000000000000001', 'maintenance', '2998-01-01T04:00:00.000Z'),
      paused(partnerId, null, 'operator hold', '2998-01-01T01:00:00.000Z'),
    ]);
    const impact = await ctx.api.get(`/v1/partners/${partnerId}/as2-id-change/impact?new_as2_id=IMPACT-NEW`);
    expect(impact.body.data.traffic_pauses.map((p: { reason: string; window_id: string | null; until: string }) => [p.reason, p.window_id, p.until])).toEqual([
      ['operator hold', null, '2998-01-01T01:00:00.000000Z'],
      ['maintenance', 'win_01JD0000000000000000000001', '2998-01-01T04:00:00.000000Z'],
    ]);
  });
});
