import type { RecordedEvent } from '@as2-partners/kernel';
import { cloudEventHeaders, serviceOfTopic } from './cloud-event-headers';

const event: RecordedEvent = {
  id: '0b9f6f3e-3c2a-4f7e-9a53-3f1c1d0e2a11',
  type: 'partner.created.v1',
  schemaVersion: 1,
  stream: 'partner-prt_01JD3Z5ACME',
  revision: 0,
  position: 17,
  data: { name: 'ACME' },
  metadata: {
    account: 'acct_1',
    tenant: 'ten_7',
    correlationId: 'cor_42',
    causationId: 'cmd_9',
    actor: { type: 'user', id: 'auth0|123', roles: ['admin'] },
    occurredAt: '2026-11-23T10:00:00.000Z',
  },
};

describe('cloudEventHeaders', () => {
  it('maps the envelope to CloudEvents 1.0 binary-mode headers and the platform extensions', () => {
    expect(cloudEventHeaders(event, 'as2.partner-registry.events')).toEqual({
      ce_specversion: '1.0',
      ce_id: '0b9f6f3e-3c2a-4f7e-9a53-3f1c1d0e2a11',
      ce_source: '/as2-partners/partner-registry',
      ce_type: 'partner.created.v1',
      ce_time: '2026-11-23T10:00:00.000Z',
      ce_subject: 'prt_01JD3Z5ACME',
      'content-type': 'application/json',
      ce_tenant: 'ten_7',
      ce_account: 'acct_1',
      ce_correlationid: 'cor_42',
      ce_causationid: 'cmd_9',
      ce_actor: 'user:auth0|123',
    });
  });

  it('leaves out the tenant and causation of account-level, uncaused events, and adds a data schema when given', () => {
    const accountLevel: RecordedEvent = {
      ...event,
      stream: 'tenant-ten_9',
      metadata: { ...event.metadata, tenant: null, causationId: null, actor: { type: 'system', id: 'scheduler' } },
    };
    const headers = cloudEventHeaders(accountLevel, 'as2.partner-registry.events', { dataschema: 'https://schemas.example/partner.created.v1.json' });
    expect(headers).not.toHaveProperty('ce_tenant');
    expect(headers).not.toHaveProperty('ce_causationid');
    expect(headers).toMatchObject({ ce_subject: 'ten_9', ce_actor: 'system:scheduler', ce_dataschema: 'https://schemas.example/partner.created.v1.json' });
  });

  it('names attributes with lower-case letters and digits only, after the ce_ prefix (besides the W3C trace headers)', () => {
    const traced = { ...event, metadata: { ...event.metadata, traceparent: TRACEPARENT, tracestate: 'vendor=1' } };
    for (const name of Object.keys(cloudEventHeaders(traced, 'as2.traffic.events'))) {
      expect(['content-type', 'traceparent', 'tracestate'].includes(name) || /^ce_[a-z0-9]+$/.test(name)).toBe(true);
    }
  });

  it("carries the event's trace context as the distributed-tracing extension and as plain W3C headers, and none when it has none", () => {
    const traced = { ...event, metadata: { ...event.metadata, traceparent: TRACEPARENT, tracestate: 'vendor=1' } };
    expect(cloudEventHeaders(traced, 'as2.partner-registry.events')).toMatchObject({ ce_traceparent: TRACEPARENT, traceparent: TRACEPARENT, ce_tracestate: 'vendor=1', tracestate: 'vendor=1' });
    const untraced = cloudEventHeaders(event, 'as2.partner-registry.events');
    for (const name of ['ce_traceparent', 'traceparent', 'ce_tracestate', 'tracestate']) expect(untraced).not.toHaveProperty(name);
  });
});

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('serviceOfTopic', () => {
  it('takes the service from as2.<service>.events', () => {
    expect(serviceOfTopic('as2.partner-registry.events')).toBe('partner-registry');
    expect(serviceOfTopic('as2.traffic.events')).toBe('traffic');
  });

  it('looks past a deployment topic prefix (KAFKA_TOPIC_PREFIX), so ce_source stays /as2-partners/<service>', () => {
    expect(serviceOfTopic('staging.as2.partner-registry.events')).toBe('partner-registry');
    expect(serviceOfTopic('eu1.it-3f2a.as2.certificate-lifecycle.events')).toBe('certificate-lifecycle');
    expect(cloudEventHeaders(event, 'staging.as2.partner-registry.events')['ce_source']).toBe('/as2-partners/partner-registry');
  });

  it.each(['partner-registry', 'as2.partner-registry', 'as2..events', 'as2.Partner.events', 'other.partner.events', 'staging..as2.partner.events', 'pre/fix.as2.partner.events'])('refuses %s', (topic) => {
    expect(() => serviceOfTopic(topic)).toThrow('is not of the form as2.<service>.events');
  });
});
