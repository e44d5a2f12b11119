import { randomUUID } from 'node:crypto';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** A client's correlation id is echoed into logs and events, so only a short, plain token is accepted. */
const ACCEPTABLE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The ids the edge gives every request (set by the onRequest hook, read by the guard, the filter and the logs). */
export interface RequestIds {
  correlationId: string;
  requestId: string;
  /** This service's span of the request (W3C trace context): a child of the caller's `traceparent`, or a new trace. */
  trace?: { readonly traceparent: string; readonly tracestate?: string; readonly traceId: string };
  /** The command id of a request claimed with an Idempotency-Key (kept across a retry that takes over a dead claim). */
  commandId?: string;
}

export interface RequestWithIds {
  readonly headers: Record<string, string | string[] | undefined>;
  ids?: RequestIds;
}

export function correlationIdFromHeader(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTABLE_CORRELATION_ID.test(value) ? value : randomUUID();
}

/** The request's ids, assigned on first use so they exist even where the hook did not run. */
export function requestIdsOf(request: RequestWithIds): RequestIds {
  request.ids ??= { correlationId: correlationIdFromHeader(request.headers[CORRELATION_ID_HEADER]), requestId: randomUUID() };
  return request.ids;
}
