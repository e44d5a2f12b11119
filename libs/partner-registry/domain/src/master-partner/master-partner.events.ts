import type { DomainEvent } from '../domain-event';
import type { PartnerChanges, PartnerSettings } from '../settings/partner-settings';

export type MasterPartnerCreated = DomainEvent<
  'master_partner.created.v1',
  {
    readonly partnerId: string;
    readonly account: string;
    readonly as2Id: string;
    readonly settings: PartnerSettings;
    /** Seed 003 `certificate_id` given on create (absent otherwise): the certificate service links it to the slots. */
    readonly certificateId?: string;
    readonly createdAt: string;
  }
>;

/** `changes` holds only the fields whose value changed. */
export type MasterPartnerUpdated = DomainEvent<
  'master_partner.updated.v1',
  { readonly partnerId: string; readonly changes: PartnerChanges; readonly updatedAt: string }
>;

export type MasterPartnerDeleted = DomainEvent<
  'master_partner.deleted.v1',
  { readonly partnerId: string; readonly as2Id: string; readonly deletedAt: string }
>;

export type MasterPartnerAs2IdChanged = DomainEvent<
  'master_partner.as2_id_changed.v1',
  {
    readonly partnerId: string;
    readonly account: string;
    readonly tenant: null;
    readonly oldAs2Id: string;
    readonly newAs2Id: string;
    readonly reason: string | null;
    readonly changedAt: string;
  }
>;

export type MasterPartnerEvent = MasterPartnerCreated | MasterPartnerUpdated | MasterPartnerDeleted | MasterPartnerAs2IdChanged;

export const MASTER_PARTNER_EVENT_TYPES = [
  'master_partner.created.v1',
  'master_partner.updated.v1',
  'master_partner.deleted.v1',
  'master_partner.as2_id_changed.v1',
] as const satisfies readonly MasterPartnerEvent['type'][];
