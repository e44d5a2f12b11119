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

export type PartnerEvent = PartnerCreated | PartnerUpdated | PartnerDeleted;

export const PARTNER_EVENT_TYPES = ['partner.created.v1', 'partner.updated.v1', 'partner.deleted.v1'] as const satisfies readonly PartnerEvent['type'][];
