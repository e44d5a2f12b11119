import { type RecordedEvent, UnreadableEventError } from '@as2-partners/kernel';
import type { As2InstancePayload, PartnerPayload, TenantPayload } from './partner-registry-payloads';

/** A `partner.*` or `master_partner.*` event read once: its payload and who the partner belongs to. */
export interface PartnerEventReading {
  readonly data: PartnerPayload;
  readonly master: boolean;
  readonly kind: 'master' | 'tenant';
  readonly account: string;
  /** null for a master partner: it is the account's, never a tenant's. */
  readonly tenant: string | null;
}

/**
 * Throws {@link UnreadableEventError} (the follower parks it at once) for a partner event no consumer can read as its type
 * says: no partner id, or a create without its settings (a store edited by hand, a broken producer).
 */
export function readPartnerEvent(event: RecordedEvent): PartnerEventReading {
  const data = event.data as PartnerPayload;
  const unreadable = (problem: string) => new UnreadableEventError(`${event.type} ${event.id} cannot be read: ${problem}`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw unreadable('its data is not an object');
  if (typeof data.partnerId !== 'string' || data.partnerId === '') throw unreadable('it names no partner');
  if (event.type.endsWith('.created.v1') && (typeof data.settings !== 'object' || data.settings === null)) throw unreadable('it has no settings');
  const master = event.type.startsWith('master_partner.');
  return {
    data,
    master,
    kind: master ? 'master' : 'tenant',
    account: data.account ?? event.metadata.account,
    tenant: master ? null : (data.tenant ?? event.metadata.tenant),
  };
}

/** The plan a `tenant.created.v1` or `tenant.updated.v1` sets, if any. */
export function tenantPlanOf(data: TenantPayload): string | undefined {
  return data.plan ?? data.changes?.plan;
}

/** Who an AS2 instance belongs to; the envelope answers for a payload without account or tenant. */
export function instanceOwnerOf(event: RecordedEvent): { readonly account: string; readonly tenant: string | null } {
  const data = event.data as Partial<As2InstancePayload>;
  return { account: data.account ?? event.metadata.account, tenant: data.tenant === undefined ? event.metadata.tenant : data.tenant };
}
