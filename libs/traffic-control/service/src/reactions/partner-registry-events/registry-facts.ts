/**
 * The partner-registry's published events, as far as this service reads them (an anti-corruption layer: this
 * context never imports the other's domain). Every field optional: the service keeps what it knows.
 */
export interface RegistryPartnerFacts {
  readonly partnerId: string;
  readonly account?: string;
  readonly tenant?: string;
  readonly as2Id?: string;
  readonly newAs2Id?: string;
  readonly settings?: { readonly name?: string; readonly active?: boolean; readonly stationId?: string | null };
  readonly changes?: { readonly name?: string; readonly active?: boolean; readonly stationId?: string | null };
}

export interface RegistryInstanceFacts {
  readonly instanceId: string;
  readonly account?: string;
  readonly tenant?: string | null;
  readonly myAs2Id?: string;
  readonly status?: 'on' | 'off';
  readonly changes?: { readonly myAs2Id?: string; readonly status?: 'on' | 'off' };
}

export interface RegistryPartnershipFacts {
  readonly partnershipId: string;
  readonly account?: string;
  readonly tenant?: string;
  readonly as2InstanceId?: string;
  readonly partnerId?: string;
}

export interface RegistryStationFacts {
  readonly stationId: string;
  readonly account?: string;
  readonly tenant?: string;
  readonly name?: string;
  readonly notificationEmail?: string | null;
  readonly changes?: { readonly name?: string; readonly notificationEmail?: string | null };
}

export interface RegistryTenantFacts {
  readonly account: string;
  readonly tenantId: string;
  readonly notificationEmail?: string | null;
  readonly changes?: { readonly notificationEmail?: string | null };
}

export const PARTNER_REGISTRY_TOPIC_SERVICE = 'partner-registry';
