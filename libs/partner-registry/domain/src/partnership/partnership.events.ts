import type { DomainEvent } from '../domain-event';
import type { EncryptAlgorithm, MdnMode, SignAlgorithm } from '../settings/algorithms';

/** What a partnership may set for its pair; an absent field takes the partner's setting. */
export interface PartnershipOverrides {
  readonly subject?: string | null;
  readonly mdnMode?: MdnMode;
  readonly sign?: boolean;
  readonly encrypt?: boolean;
  readonly compress?: boolean;
  readonly signAlgorithm?: SignAlgorithm | null;
  readonly encryptAlgorithm?: EncryptAlgorithm | null;
}

export const PARTNERSHIP_OVERRIDE_FIELDS = ['subject', 'mdnMode', 'sign', 'encrypt', 'compress', 'signAlgorithm', 'encryptAlgorithm'] as const;

/** Why a partnership ended: its tenant deleted it, the partner or instance it named went away, or its tenant was deleted. */
export type PartnershipDeletionReason = 'deleted' | 'partner_deleted' | 'as2_instance_deleted' | 'tenant_deleted';

export type PartnershipCreated = DomainEvent<
  'partnership.created.v1',
  {
    readonly partnershipId: string;
    readonly account: string;
    readonly tenant: string;
    readonly as2InstanceId: string;
    readonly partnerId: string;
    readonly overrides: PartnershipOverrides;
    readonly createdAt: string;
  }
>;

/** `overrides` is the whole set afterwards. */
export type PartnershipUpdated = DomainEvent<
  'partnership.updated.v1',
  { readonly partnershipId: string; readonly account: string; readonly tenant: string; readonly overrides: PartnershipOverrides; readonly updatedAt: string }
>;

export type PartnershipDeleted = DomainEvent<
  'partnership.deleted.v1',
  {
    readonly partnershipId: string;
    readonly account: string;
    readonly tenant: string;
    readonly as2InstanceId: string;
    readonly partnerId: string;
    readonly reason: PartnershipDeletionReason;
    readonly deletedAt: string;
  }
>;

export type PartnershipEvent = PartnershipCreated | PartnershipUpdated | PartnershipDeleted;

export const PARTNERSHIP_EVENT_TYPES = ['partnership.created.v1', 'partnership.updated.v1', 'partnership.deleted.v1'] as const satisfies readonly PartnershipEvent['type'][];
