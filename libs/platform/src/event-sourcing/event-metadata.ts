import type { Actor, EventMetadata, RecordedEvent } from '@as2-partners/kernel';
import type { RequestContext } from '../auth/caller';
import { activeTraceparent } from '../tracing/tracing';

/** The metadata every event of one request carries: who, which tenant, and the ids that tie it to the request. */
export function requestMetadata(ctx: RequestContext, tenant: string | null, occurredAt: Date): EventMetadata {
  return {
    account: ctx.caller.account,
    tenant,
    correlationId: ctx.correlationId,
    causationId: ctx.requestId,
    actor: { type: 'user', id: ctx.caller.sub, roles: [...ctx.caller.roles] },
    occurredAt: occurredAt.toISOString(),
    ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
    ...(ctx.tracestate ? { tracestate: ctx.tracestate } : {}),
  };
}

function traceOf(cause: Pick<EventMetadata, 'traceparent' | 'tracestate'> | undefined): Pick<EventMetadata, 'traceparent' | 'tracestate'> {
  const traceparent = (cause?.traceparent ? activeTraceparent() : undefined) ?? cause?.traceparent;
  if (!traceparent) return {};
  return { traceparent, ...(cause?.tracestate ? { tracestate: cause.tracestate } : {}) };
}

/** Metadata of events a service decides on its own (scheduler, expiry, reactions to events): caused by `cause` when there is one. */
export function systemMetadata(
  scope: { account: string; tenant: string | null },
  actor: Actor,
  occurredAt: Date,
  cause?: Pick<RecordedEvent, 'id' | 'metadata'>,
): EventMetadata {
  return {
    account: scope.account,
    tenant: scope.tenant,
    correlationId: cause?.metadata.correlationId ?? `${actor.id}:${occurredAt.toISOString()}`,
    causationId: cause?.id ?? null,
    actor,
    occurredAt: occurredAt.toISOString(),
    // A reaction continues its cause's trace: from the consumer's span when tracing runs, else the cause's own.
    ...traceOf(cause?.metadata),
  };
}
