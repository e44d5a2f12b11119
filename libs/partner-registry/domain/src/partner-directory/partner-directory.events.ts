import type { DomainEvent } from '../domain-event';

/** The AS2 id is now taken by `partnerId` within the directory's scope (a tenant, or an account's masters). */
export type As2IdReserved = DomainEvent<
  'partner_directory.as2_id_reserved.v1',
  { readonly as2Id: string; readonly partnerId: string; readonly reservedAt: string }
>;

/** `deleted`: its partner was deleted; `stale`: its partner was never created or was deleted without a release. */
export type As2IdReleased = DomainEvent<
  'partner_directory.as2_id_released.v1',
  { readonly as2Id: string; readonly partnerId: string; readonly reason: 'deleted' | 'stale' | 'changed'; readonly releasedAt: string }
>;

export type PartnerDirectoryEvent = As2IdReserved | As2IdReleased;

export const PARTNER_DIRECTORY_EVENT_TYPES = [
  'partner_directory.as2_id_reserved.v1',
  'partner_directory.as2_id_released.v1',
] as const satisfies readonly PartnerDirectoryEvent['type'][];
