import type { PartnershipOverrides } from './tested-partner.documents';

/**
 * The partner-registry's published events, as far as this service reads them (an anti-corruption layer: this
 * context never imports the other's domain).
 */
export interface PartnerSettingsFacts {
  readonly name?: string;
  readonly url?: string;
  readonly sign?: boolean;
  readonly encrypt?: boolean;
  readonly compress?: boolean;
  readonly mdnMode?: string;
  readonly signAlgorithm?: string | null;
  readonly encryptAlgorithm?: string | null;
  readonly mdn?: { readonly signed?: boolean };
  readonly connection?: { readonly timeoutSeconds?: number };
  readonly httpAuth?: { readonly enabled?: boolean; readonly username?: string | null; readonly sealedPassword?: string | null };
}

export interface PartnerFacts {
  readonly partnerId: string;
  readonly account?: string;
  readonly tenant?: string;
  readonly as2Id?: string;
  readonly newAs2Id?: string;
  readonly settings?: PartnerSettingsFacts;
  readonly changes?: PartnerSettingsFacts;
}

export interface TenantFacts {
  readonly account: string;
  readonly tenantId: string;
  readonly plan?: string;
  readonly changes?: { readonly plan?: string };
}

/** `as2_instance.*` (cross-service contract): `changes` carries the renamed fields. */
export interface InstanceFacts {
  readonly instanceId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly myAs2Id?: string;
  readonly myName?: string;
  readonly myAs2Alias?: string | null;
  readonly status?: 'on' | 'off';
  readonly changes?: { readonly myAs2Id?: string; readonly myName?: string; readonly myAs2Alias?: string | null; readonly status?: 'on' | 'off' };
}

export interface PartnershipFacts {
  readonly partnershipId: string;
  readonly account: string;
  readonly tenant: string;
  readonly as2InstanceId?: string;
  readonly partnerId?: string;
  /** Created: the pair's overrides; updated: the whole set afterwards. */
  readonly overrides?: PartnershipOverrides;
}

/** `partner.override_set.v1` (`overrides`: the tenant's whole set afterwards) and `partner.overrides_reset.v1`. */
export interface PartnerOverrideFacts {
  readonly account: string;
  readonly tenant: string;
  readonly masterPartnerId: string;
  readonly overrides?: PartnerSettingsFacts;
}

export const PARTNER_REGISTRY_TOPIC_SERVICE = 'partner-registry';
