import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { RecordedEvent } from '@as2-partners/kernel';

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/;

/**
 * Handles a consumed event inside a consumer span that continues the event's trace (its `metadata.traceparent`), so
 * the events a reaction appends carry this span. Without the OpenTelemetry SDK the API is a no-op and this only runs `work`.
 */
export function withConsumerSpan<T>(event: RecordedEvent, topic: string, groupId: string, work: () => Promise<T>): Promise<T> {
  const match = TRACEPARENT.exec(event.metadata?.traceparent ?? '');
  const parent = match
    ? trace.setSpanContext(ROOT_CONTEXT, { traceId: match[1], spanId: match[2], traceFlags: parseInt(match[3], 16) & TraceFlags.SAMPLED, isRemote: true })
    : context.active();
  const attributes = { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.consumer.group.name': groupId, 'messaging.message.id': event.id };
  return trace.getTracer('as2-partners').startActiveSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, attributes }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
