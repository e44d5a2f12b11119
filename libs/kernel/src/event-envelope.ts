/** Who caused a change: a person (JWT subject), a service, or the system itself (scheduler). */
export interface Actor {
  readonly type: 'user' | 'service' | 'system';
  readonly id: string;
  readonly roles?: readonly string[];
}

/** Facts every event carries besides its data. */
export interface EventMetadata {
  readonly account: string;
  /** null for account-level events (master partners, tenants). */
  readonly tenant: string | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly actor: Actor;
  /** UTC ISO-8601 with milliseconds, e.g. 2026-11-23T10:00:00.000Z. */
  readonly occurredAt: string;
  /** W3C trace context of the request or event behind this one (CloudEvents distributed tracing); absent in older events. */
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** An event about to be appended. `id` is a UUID chosen by the writer: re-appending the same ids is idempotent. */
export interface NewEvent<T = unknown> {
  readonly id: string;
  /** Stable name with version suffix, e.g. `partner.created.v1`. */
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: T;
  readonly metadata: EventMetadata;
}

/** An event as stored: its place in its stream (revision, from 0) and in the whole store (position, increasing). */
export interface RecordedEvent<T = unknown> extends NewEvent<T> {
  readonly stream: string;
  readonly revision: number;
  readonly position: number;
}

/** The aggregate id a stream belongs to: the part after the first `-` (`partner-prt_01H…` → `prt_01H…`). */
export function aggregateIdOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash < 0 ? stream : stream.slice(dash + 1);
}

/** The category of a stream: the part before the first `-`. */
export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash < 0 ? stream : stream.slice(0, dash);
}
