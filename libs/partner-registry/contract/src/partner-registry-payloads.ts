/**
 * The payloads of the partner-registry's published events, as far as other services read them (the cross-service
 * contract: consumers never import the registry's domain). Optional where older events or some types lack a field.
 */

/** A partner's settings in `partner.created.v1` (`settings`) and the changed ones in `partner.updated.v1` (`changes`). */
export interface PartnerSettingsPayload {
  readonly name?: string;
  readonly url?: string;
  readonly active?: boolean;
  readonly stationId?: string | null;
  readonly sign?: boolean;
  readonly encrypt?: boolean;
  readonly compress?: boolean;
  readonly mdnMode?: string;
  readonly signAlgorithm?: string | null;
  readonly encryptAlgorithm?: string | null;
  readonly mdn?: { readonly signed?: boolean; readonly algorithm?: string | null };
  readonly connection?: { readonly timeoutSeconds?: number };
  /** The password only ever sealed. */
  readonly httpAuth?: { readonly enabled?: boolean; readonly username?: string | null; readonly sealedPassword?: string | null };
}

/** `partner.*` and `master_partner.*`. */
export interface PartnerPayload {
  readonly partnerId: string;
  readonly account?: string;
  readonly tenant?: string;
  readonly as2Id?: string;
  /** `*.as2_id_changed.v1` */
  readonly newAs2Id?: string;
  readonly settings?: PartnerSettingsPayload;
  /** `*.created.v1`: a stored certificate to link to the encryption and signature slots. */
  readonly certificateId?: string;
  readonly changes?: PartnerSettingsPayload;
}

/** `tenant.*`: `changes` on updates. */
export interface TenantPayload {
  readonly account: string;
  readonly tenantId: string;
  readonly plan?: string;
  readonly notificationEmail?: string | null;
  readonly changes?: { readonly plan?: string; readonly notificationEmail?: string | null };
}

/** `as2_instance.*`: `changes` carries the renamed fields; `tenant: null` for an account-level instance. */
export interface As2InstancePayload {
  readonly instanceId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly myAs2Id?: string;
  readonly myName?: string;
  readonly myAs2Alias?: string | null;
  readonly myEmail?: string | null;
  readonly status?: 'on' | 'off';
  readonly changes?: { readonly myAs2Id?: string; readonly myName?: string; readonly myAs2Alias?: string | null; readonly myEmail?: string | null; readonly status?: 'on' | 'off' };
}

/** `partnership.*`: `overrides` on create, the whole set afterwards on update. */
export interface PartnershipPayload<Overrides = PartnerSettingsPayload> {
  readonly partnershipId: string;
  readonly account: string;
  readonly tenant: string;
  readonly as2InstanceId?: string;
  readonly partnerId?: string;
  readonly overrides?: Overrides;
}

/** `station.*`: `changes` on updates. */
export interface StationPayload {
  readonly stationId: string;
  readonly account?: string;
  readonly tenant?: string;
  readonly name?: string;
  readonly notificationEmail?: string | null;
  /** The station's default identity (our AS2 instance); null: none. On updates in `changes` when it changed (null: removed, also by the instance's deletion). */
  readonly as2InstanceId?: string | null;
  readonly changes?: { readonly name?: string; readonly notificationEmail?: string | null; readonly as2InstanceId?: string | null };
}

/** `partner.override_set.v1` (`overrides`: the tenant's whole set afterwards) and `partner.overrides_reset.v1`. */
export interface PartnerOverridePayload {
  readonly account: string;
  readonly tenant: string;
  readonly masterPartnerId: string;
  readonly overrides?: PartnerSettingsPayload;
}
