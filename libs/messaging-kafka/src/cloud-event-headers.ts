import { aggregateIdOf, type RecordedEvent } from '@as2-partners/kernel';

/** `as2.<service>.events`, behind a deployment's topic prefix if it has one (`staging.as2.<service>.events`). */
const SERVICE_TOPIC = /^(?:[A-Za-z0-9_-]+\.)*as2\.([a-z0-9][a-z0-9-]*)\.events$/;

/** The service a topic belongs to: `as2.partner-registry.events` (or `<prefix>.as2.partner-registry.events`) → `partner-registry`. */
export function serviceOfTopic(topic: string): string {
  const match = SERVICE_TOPIC.exec(topic);
  if (!match) throw new Error(`Topic ${topic} is not of the form as2.<service>.events`);
  return match[1];
}

/**
 * CloudEvents 1.0 attributes as Kafka headers (Kafka protocol binding, binary content mode): the record value
 * stays the event envelope, and these headers let routers and tools read the event without parsing it.
 * Extension attribute names are lower-case alphanumeric, as the spec requires; absent values are left out.
 */
export function cloudEventHeaders(event: RecordedEvent, topic: string, options: { readonly dataschema?: string } = {}): Record<string, string> {
  const { metadata } = event;
  const headers: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_source: `/as2-partners/${serviceOfTopic(topic)}`,
    ce_type: event.type,
    ce_time: metadata.occurredAt,
    ce_subject: aggregateIdOf(event.stream),
    'content-type': 'application/json',
  };
  if (options.dataschema) headers['ce_dataschema'] = options.dataschema;
  if (metadata.tenant !== null) headers['ce_tenant'] = metadata.tenant;
  headers['ce_account'] = metadata.account;
  headers['ce_correlationid'] = metadata.correlationId;
  if (metadata.causationId !== null) headers['ce_causationid'] = metadata.causationId;
  headers['ce_actor'] = `${metadata.actor.type}:${metadata.actor.id}`;
  // CloudEvents distributed-tracing extension, and the plain W3C headers tracing instrumentations read from records.
  if (metadata.traceparent) {
    headers['ce_traceparent'] = metadata.traceparent;
    headers['traceparent'] = metadata.traceparent;
    if (metadata.tracestate) {
      headers['ce_tracestate'] = metadata.tracestate;
      headers['tracestate'] = metadata.tracestate;
    }
  }
  return headers;
}
