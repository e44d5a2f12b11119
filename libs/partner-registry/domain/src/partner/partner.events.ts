import type { DomainEvent } from '../domain-event';
import type { PartnerChanges, PartnerSettings } from '../settings/partner-settings';

export type PartnerCreated = DomainEvent<
  'partner.created.v1',
  {
    readonly partnerId: string;
    readonly account: string;
    readonly tenant: string;
    readonly as2Id: string;
    readonly settings: PartnerSettings;
    /** Seed 003 `certificate_id` given on create (absent otherwise): the certificate service links it to the slots. */
    readonly certificateId?: string;
    readonly createdAt: string;
  }
>;

/** `changes` holds only the fields whose value changed. */
export type PartnerUpdated = DomainEvent<
  'partner.updated.v1',
  { readonly partnerId: string; readonly changes: PartnerChanges; readonly updatedAt: string }
>;

export type PartnerDeleted = DomainEvent<
  'partner.deleted.v1',
  { readonly partnerId: string; readonly as2Id: string; readonly deletedAt: string }
>;

/** Seed 000's risky change, acknowledged: history stays on the same partner id, the old id becomes reusable. */
export type PartnerAs2IdChanged = DomainEvent<
  'partner.as2_id_changed.v1',
  {
    readonly partnerId: string;
    readonly account: string;
    readonly tenant: string;
    readonly oldAs2Id: string;
    readonly newAs2Id: string;
    readonly reason: string | null;
    readonly changedAt: string;
  }
>;

export type PartnerEvent = PartnerCreated | PartnerUpdated | PartnerDeleted | PartnerAs2IdChanged;

export const PARTNER_EVENT_TYPES = [
  'partner.created.v1',
  'partner.updated.v1',
  'partner.deleted.v1',
  'partner.as2_id_changed.v1',
] as const satisfies readonly PartnerEvent['type'][];
