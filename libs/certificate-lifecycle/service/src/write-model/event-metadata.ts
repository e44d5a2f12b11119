import type { Actor, EventMetadata, RecordedEvent } from '@as2-partners/kernel';
import type { RequestContext } from '@as2-partners/platform';

/** Metadata of the events one request causes. */
export function requestMetadata(ctx: RequestContext, tenant: string | null, occurredAt: Date): EventMetadata {
  return {
    account: ctx.caller.account,
    tenant,
    correlationId: ctx.correlationId,
    causationId: ctx.requestId,
    actor: { type: 'user', id: ctx.caller.sub, roles: [...ctx.caller.roles] },
    occurredAt: occurredAt.toISOString(),
  };
}

/** Metadata of events the service decides on its own (scheduler, expiry, reactions to other services' events). */
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
  };
}
