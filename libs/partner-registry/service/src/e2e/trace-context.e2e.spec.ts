import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { freshTenant, partnerInput } from './partner-api.spec-support';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe('W3C trace context from a request to its events (partner-registry, embedded)', () => {
  let t: EmbeddedTestApp;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
  });
  afterAll(() => t?.close());

  async function eventsOf(tenant: string) {
    const events = await t.app.get<EventStore>(EVENT_STORE).readAll({ after: null, maxCount: 100_000 });
    return events.filter((e) => e.metadata.tenant === tenant);
  }

  it('a POST with traceparent and tracestate stores them, as a child span of the caller, in every event it appends', async () => {
    const tenant = freshTenant();
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/partners',
      headers: { authorization: `Bearer ${t.token({ tenant })}`, traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`, tracestate: 'vendor=abc' },
      payload: partnerInput('TRACED-1'),
    });
    expect(res.statusCode).toBe(201);
    const events = await eventsOf(tenant);
    expect(events.map((e) => e.type)).toContain('partner.created.v1');
    for (const event of events) {
      expect(event.metadata.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
      expect(event.metadata.traceparent).not.toContain(CALLER_SPAN);
      expect(event.metadata.tracestate).toBe('vendor=abc');
    }
  });

  it('a request without a usable traceparent starts a new trace; a forged one changes nothing else', async () => {
    const tenant = freshTenant();
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/partners',
      headers: { authorization: `Bearer ${t.token({ tenant })}`, traceparent: '00-zzzz-not-hex', tracestate: 'vendor=abc' },
      payload: partnerInput('TRACED-2'),
    });
    expect(res.statusCode).toBe(201);
    const [event] = (await eventsOf(tenant)).filter((e) => e.type === 'partner.created.v1');
    expect(event.metadata.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(event.metadata.traceparent).not.toContain(TRACE_ID);
    expect(event.metadata.tracestate).toBeUndefined();
  });
});
