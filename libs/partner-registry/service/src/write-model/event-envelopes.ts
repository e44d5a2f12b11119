import { randomUUID } from 'node:crypto';
import type { EventMetadata, NewEvent } from '@as2-partners/kernel';
import { schemaVersionOf, type PartnerRegistryEvent } from '@as2-partners/partner-registry-domain';
import type { RequestContext } from '@as2-partners/platform';

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

/** Wraps decider output into appendable events with fresh ids. */
export function toNewEvents(events: readonly PartnerRegistryEvent[], metadata: EventMetadata): NewEvent[] {
  return events.map((event) => ({
    id: randomUUID(),
    type: event.type,
    schemaVersion: schemaVersionOf(event.type),
    data: event.data,
    metadata,
  }));
}
