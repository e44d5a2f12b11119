/**
 * The partner-registry's published events, as far as this service reads them (an anti-corruption layer:
 * this context never imports the other's domain).
 */
export interface PartnerFacts {
  readonly partnerId: string;
  readonly account?: string;
  readonly tenant?: string;
  readonly as2Id?: string;
  /** partner.as2_id_changed.v1 / master_partner.as2_id_changed.v1 */
  readonly newAs2Id?: string;
  readonly settings?: { readonly name?: string; readonly signAlgorithm?: string | null };
  /** partner.created.v1 / master_partner.created.v1: a stored certificate to link to the encryption and signature slots. */
  readonly certificateId?: string;
  readonly changes?: { readonly name?: string; readonly signAlgorithm?: string | null };
}

export interface TenantFacts {
  readonly account: string;
  readonly tenantId: string;
  readonly plan?: string;
  readonly changes?: { readonly plan?: string };
}

export const PARTNER_REGISTRY_TOPIC_SERVICE = 'partner-registry';
