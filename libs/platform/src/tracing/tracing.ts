import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span } from '@opentelemetry/api';
import type { Environment } from '../config/environment-variables';
import { continueTrace, formatTraceparent, parseTraceparent, type ContinuedTrace } from './trace-context';

const TRACER = 'as2-partners';
let sdkRunning = false;

/**
 * Starts the OpenTelemetry SDK when OTEL_EXPORTER_OTLP_ENDPOINT is set (its other OTEL_* variables apply as usual);
 * otherwise nothing is exported and traceparents are still carried. Returns how to flush and stop it.
 */
export async function startTracing(env: Environment, serviceName: string): Promise<() => Promise<void>> {
  if (!env['OTEL_EXPORTER_OTLP_ENDPOINT']) return async () => undefined;
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({ serviceName: env['OTEL_SERVICE_NAME'] ?? serviceName });
  sdk.start();
  sdkRunning = true;
  return async () => {
    sdkRunning = false;
    await sdk.shutdown();
  };
}

/** The caller's trace as an OpenTelemetry parent context (or the root context when there is none). */
function parentContextOf(traceparent: string | string[] | undefined) {
  const parent = parseTraceparent(traceparent);
  if (!parent) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.parentId, traceFlags: parseInt(parent.flags, 16) & TraceFlags.SAMPLED, isRemote: true });
}

export interface RequestSpan {
  readonly trace: ContinuedTrace;
  end(statusCode: number, route: string | undefined): void;
}

/**
 * This service's span of one request: an OpenTelemetry server span when the SDK runs (exported), else only its ids,
 * so the events the request appends carry a traceparent either way.
 */
export function startRequestSpan(method: string, headers: Record<string, string | string[] | undefined>): RequestSpan {
  const own = continueTrace(headers['traceparent'], headers['tracestate']);
  if (!sdkRunning) return { trace: own, end: () => undefined };
  const span: Span = trace.getTracer(TRACER).startSpan(`${method}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parentContextOf(headers['traceparent']));
  const ids = span.spanContext();
  const flags = (ids.traceFlags & TraceFlags.SAMPLED ? 1 : 0).toString(16).padStart(2, '0');
  return {
    trace: { ...own, traceId: ids.traceId, spanId: ids.spanId, flags, traceparent: formatTraceparent(ids.traceId, ids.spanId, flags) },
    end: (statusCode, route) => {
      if (route) span.updateName(`${method} ${route}`).setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', statusCode);
      if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/** The traceparent of the span now active (a consumer's, with the SDK running), if any. */
export function activeTraceparent(): string | undefined {
  const span = trace.getSpan(context.active());
  const ids = span?.spanContext();
  if (!ids || !trace.isSpanContextValid(ids)) return undefined;
  return formatTraceparent(ids.traceId, ids.spanId, (ids.traceFlags & TraceFlags.SAMPLED ? 1 : 0).toString(16).padStart(2, '0'));
}
