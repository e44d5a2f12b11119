import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { RecordedEvent } from '@as2-partners/kernel';
import { withConsumerSpan } from './consumer-span';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PRODUCER_SPAN = '00f067aa0ba902b7';

function eventWith(traceparent?: string): RecordedEvent {
  return {
    id: 'evt-1',
    type: 'partner.created.v1',
    schemaVersion: 1,
    data: {},
    stream: 'partner-prt_1',
    revision: 0,
    position: 1,
    metadata: { account: 'a', tenant: 't', correlationId: 'c', causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: '2026-11-30T00:00:00.000Z', ...(traceparent ? { traceparent } : {}) },
  };
}

describe('withConsumerSpan (with an OpenTelemetry SDK registered)', () => {
  const exporter = new InMemorySpanExporter();

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterAll(() => {
    trace.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  it("handles the event in a consumer span that is a child of the event's traceparent, active while the handler runs", async () => {
    const seen = await withConsumerSpan(eventWith(`00-${TRACE_ID}-${PRODUCER_SPAN}-01`), 'as2.partner-registry.events', 'group-1', async () => trace.getActiveSpan()?.spanContext());
    const [span] = exporter.getFinishedSpans();
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanContext?.spanId).toBe(PRODUCER_SPAN);
    expect(span.attributes).toMatchObject({ 'messaging.destination.name': 'as2.partner-registry.events', 'messaging.consumer.group.name': 'group-1' });
    expect(seen).toMatchObject({ traceId: TRACE_ID, spanId: span.spanContext().spanId });
  });

  it('marks the span failed and passes the error on', async () => {
    await expect(withConsumerSpan(eventWith(), 't', 'g', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(exporter.getFinishedSpans()[0].status).toMatchObject({ code: 2, message: 'boom' });
  });
});
