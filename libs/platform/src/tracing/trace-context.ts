import { randomFillSync } from 'node:crypto';

/** W3C Trace Context (https://www.w3.org/TR/trace-context/) of one request or event. */
export interface TraceContext {
  readonly traceparent: string;
  readonly tracestate?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const TRACESTATE = /^[\x20-\x7e]{1,512}$/;

export interface ParsedTraceparent {
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: string;
}

/** A usable traceparent header, or null (malformed, version ff, all-zero ids: the spec says to start a new trace). */
export function parseTraceparent(header: string | string[] | undefined): ParsedTraceparent | null {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  const match = value === undefined ? null : TRACEPARENT.exec(value);
  if (!match) return null;
  const [, version, traceId, parentId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return null;
  return { traceId, parentId, flags };
}

export function acceptableTracestate(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  return value !== undefined && TRACESTATE.test(value) ? value : undefined;
}

export function formatTraceparent(traceId: string, spanId: string, flags: string): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/** Random bytes drawn in bulk: one system call per 256 trace ids instead of one or two per request. */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += bytes;
  return pool.toString('hex', used - bytes, used);
}

export function newSpanId(): string {
  return randomHex(8);
}

export function newTraceId(): string {
  return randomHex(16);
}

/** This service's span of a request or event, in the trace it belongs to. */
export interface ContinuedTrace extends TraceContext {
  readonly traceId: string;
  readonly spanId: string;
  /** The caller's span; null when this span starts the trace. */
  readonly parentId: string | null;
  readonly flags: string;
}

/**
 * This service's span of a request: a child of the caller's traceparent (same trace, new span id, the caller's
 * sampling flag and tracestate), or the root of a new sampled trace when the request came without a usable one.
 */
export function continueTrace(traceparent: string | string[] | undefined, tracestate: string | string[] | undefined): ContinuedTrace {
  const parent = parseTraceparent(traceparent);
  const spanId = newSpanId();
  if (!parent) {
    const traceId = newTraceId();
    return { traceId, spanId, parentId: null, flags: '01', traceparent: formatTraceparent(traceId, spanId, '01') };
  }
  const state = acceptableTracestate(tracestate);
  return {
    traceId: parent.traceId,
    spanId,
    parentId: parent.parentId,
    flags: parent.flags,
    traceparent: formatTraceparent(parent.traceId, spanId, parent.flags),
    ...(state ? { tracestate: state } : {}),
  };
}
