import { EVENT_BUS, topicOf, type EventBus, type RecordedEvent } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { apiAs, partnerInput } from './partner-api.spec-support';

describe('outbox relay (embedded bus)', () => {
  let t: EmbeddedTestApp;
  afterAll(() => t?.close());

  it('publishes a created partner to as2.partner-registry.events with its request metadata', async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
    const received: RecordedEvent[] = [];
    let arrived!: () => void;
    const created = new Promise<void>((resolve) => (arrived = resolve));
    await t.app.get<EventBus>(EVENT_BUS).subscribe({
      groupId: 'outbox-spec',
      topics: [topicOf('partner-registry')],
      handler: async (event) => {
        received.push(event);
        if (event.type === 'partner.created.v1') arrived();
      },
    });
    const res = await apiAs(t, { sub: 'alice', account: 'acc', tenant: 'ten' }).post('/v1/partners', partnerInput('PUBLISHED'));
    expect(res.status).toBe(201);
    await created;
    expect(received.map((e) => e.type)).toEqual(['partner_directory.as2_id_reserved.v1', 'partner.created.v1']);
    const event = received[1]!;
    expect(event).toMatchObject({
      stream: `partner-${res.body.data.id}`,
      schemaVersion: 1,
      data: { partnerId: res.body.data.id, as2Id: 'PUBLISHED', account: 'acc', tenant: 'ten' },
      metadata: { account: 'acc', tenant: 'ten', actor: { type: 'user', id: 'alice' } },
    });
    expect(event.metadata.causationId).toEqual(expect.any(String));
  });
});
