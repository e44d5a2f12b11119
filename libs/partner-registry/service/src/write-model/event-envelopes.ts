import type { EventMetadata } from '@as2-partners/kernel';
import type { RequestContext } from '@as2-partners/platform';

export { toNewEvents } from '@as2-partners/kernel';

/** The metadata every event of one request carries: who, which tenant, and the ids that tie it to the request. */
export function eventMetadataOf(ctx: RequestContext, tenant: string | null, occurredAt: Date): EventMetadata {
  return {
    account: ctx.caller.account,
    tenant,
    correlationId: ctx.correlationId,
    causationId: ctx.requestId,
    actor: { type: 'user', id: ctx.caller.sub, roles: [...ctx.caller.roles] },
    occurredAt: occurredAt.toISOString(),
  };
}
