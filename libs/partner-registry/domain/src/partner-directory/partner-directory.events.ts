import type { DomainEvent } from '../domain-event';

/** The AS2 id is now taken by `partnerId` within the directory's scope (a tenant, or an account's masters). */
export type As2IdReserved = DomainEvent<
  'partner_directory.as2_id_reserved.v1',
  { readonly as2Id: string; readonly partnerId: string; readonly reservedAt: string; readonly claimId?: string }
>;

/** `deleted`: its partner was deleted; `stale`: its partner was never created or was deleted without a release. */
export type As2IdReleased = DomainEvent<
  'partner_directory.as2_id_released.v1',
  { readonly as2Id: string; readonly partnerId: string; readonly reason: 'deleted' | 'stale' | 'changed'; readonly releasedAt: string }
>;

/**
 * An AS2-id change is done (applied or refused): its claim goes, and so do `staleClaims` (changes a crash left).
 * `currentAs2Id` is the partner's id as read on its own stream at `revision`, the latest such reading.
 */
export type As2IdClaimSettled = DomainEvent<
  'partner_directory.as2_id_claim_settled.v1',
  {
    readonly partnerId: string;
    readonly claimId: string;
    readonly staleClaims: readonly string[];
    readonly currentAs2Id: string | null;
    readonly revision: number;
    readonly settledAt: string;
  }
>;

export type PartnerDirectoryEvent = As2IdReserved | As2IdReleased | As2IdClaimSettled;

export const PARTNER_DIRECTORY_EVENT_TYPES = [
  'partner_directory.as2_id_reserved.v1',
  'partner_directory.as2_id_released.v1',
  'partner_directory.as2_id_claim_settled.v1',
] as const satisfies readonly PartnerDirectoryEvent['type'][];
