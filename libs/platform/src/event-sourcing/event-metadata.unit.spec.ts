import type { RecordedEvent } from '@as2-partners/kernel';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { requestMetadata, systemMetadata } from './event-metadata';

describe('event metadata', () => {
  const at = new Date('2026-11-30T10:00:00.000Z');

  it("a request's events carry its caller, the tenant given, and the request's correlation and causation ids", () => {
    const ctx = { caller: { sub: 'u1', account: 'acc', tenant: 'ten', roles: ['tenant_admin' as const] }, correlationId: 'corr', requestId: 'req' };
    expect(requestMetadata(ctx, null, at)).toEqual({
      account: 'acc',
      tenant: null,
      correlationId: 'corr',
      causationId: 'req',
      actor: { type: 'user', id: 'u1', roles: ['tenant_admin'] },
      occurredAt: '2026-11-30T10:00:00.000Z',
    });
  });

  it('a reaction is caused by its event and keeps its correlation; a decision of its own starts one', () => {
    const cause = { id: 'evt-1', metadata: { correlationId: 'corr' } } as Pick<RecordedEvent, 'id' | 'metadata'>;
    const actor = { type: 'service' as const, id: 'svc' };
    expect(systemMetadata({ account: 'acc', tenant: 'ten' }, actor, at, cause)).toEqual({
      account: 'acc',
      tenant: 'ten',
      correlationId: 'corr',
      causationId: 'evt-1',
      actor,
      occurredAt: '2026-11-30T10:00:00.000Z',
    });
    expect(systemMetadata({ account: 'acc', tenant: null }, actor, at)).toMatchObject({ correlationId: 'svc:2026-11-30T10:00:00.000Z', causationId: null });
  });

  const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it("a request's trace context goes into its events' metadata", () => {
    const ctx = { caller: { sub: 'u1', account: 'acc', tenant: 'ten', roles: ['tenant_admin' as const] }, correlationId: 'corr', requestId: 'req', traceparent: PARENT, tracestate: 'v=1' };
    expect(requestMetadata(ctx, 'ten', at)).toMatchObject({ traceparent: PARENT, tracestate: 'v=1' });
  });

  it("a reaction continues its cause's trace: the active consumer span when tracing runs, else the cause's traceparent", () => {
    const cause = { id: 'evt-1', metadata: { correlationId: 'corr', traceparent: PARENT, tracestate: 'v=1' } } as Pick<RecordedEvent, 'id' | 'metadata'>;
    const actor = { type: 'service' as const, id: 'svc' };
    expect(systemMetadata({ account: 'acc', tenant: 'ten' }, actor, at, cause)).toMatchObject({ traceparent: PARENT, tracestate: 'v=1' });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    try {
      trace.getTracer('test').startActiveSpan('consume', (span) => {
        const { traceId, spanId } = span.spanContext();
        expect(systemMetadata({ account: 'acc', tenant: 'ten' }, actor, at, cause).traceparent).toBe(`00-${traceId}-${spanId}-01`);
        span.end();
      });
    } finally {
      trace.disable();
      context.disable();
    }
  });
});
