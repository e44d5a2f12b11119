import type { PartnerSettingsPayload } from '@as2-partners/partner-registry-contract';
/** A partner's settings as far as a test needs them (learned from the partner-registry's events). */
export interface TestedPartnerDocument {
  readonly _id: string;
  readonly account: string;
  /** null: an account-level master partner, visible to the account's tenants. */
  readonly tenant: string | null;
  readonly kind: 'tenant' | 'master';
  readonly as2Id: string;
  readonly name: string;
  readonly url: string;
  readonly timeoutSeconds: number;
  readonly sign: boolean;
  readonly encrypt: boolean;
  readonly compress: boolean;
  readonly signAlgorithm: string | null;
  readonly encryptAlgorithm: string | null;
  readonly mdnMode: string;
  readonly mdnSigned: boolean;
  /** The MIC algorithm its MDNs use (mdn.algorithm, e.g. SHA256withRSA); null or absent (documents stored before it): the signing algorithm's. */
  readonly mdnAlgorithm?: string | null;
  readonly httpAuthEnabled: boolean;
  readonly httpAuthUsername: string | null;
  /** Sealed by the partner-registry; only that service holds the key. */
  readonly httpAuthSealedPassword: string | null;
  /** The tenant's station grouping the partner (a master's: the tenant's override's); its default identity is what a test sends as without a partnership. Absent in documents stored before the tester learned it (a rebuild fills it). */
  readonly stationId?: string | null;
  readonly deleted: boolean;
}

/** A tenant's overrides of one inherited master partner: what its tests use instead of the master's settings. */
export interface TenantPartnerOverrideDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly masterPartnerId: string;
  /** Without the sealed password: the registry unseals credentials itself (PARTNER_OUTBOUND_AUTH). */
  readonly overrides: PartnerSettingsPayload;
}

export interface TesterTenantDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly plan: string;
  readonly deleted?: boolean;
}

/** One of our AS2 identities (`as2_instance.*`): who a test message is from, its contact address, and the key alias that signs it. */
export interface OurInstanceDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly as2Id: string;
  readonly name: string;
  /** my_email: a test message's Disposition-Notification-To and From; absent in documents stored before the tester learned it (a rebuild fills it). */
  readonly email?: string | null;
  readonly keyAlias: string | null;
  readonly status: 'on' | 'off';
  readonly deleted: boolean;
}

/** Which of our instances trades with which partner (`partnership.*`). */
export interface PartnershipDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly instanceId: string;
  readonly partnerId: string;
  /** The pair's own settings (sign, encrypt, compress, mdnMode, algorithms): they win over the partner's. */
  readonly overrides: PartnershipOverrides;
  readonly deleted: boolean;
}

/** A tenant's station as far as a test needs it (`station.*`): its default identity, our instance its partners' tests send as when no partnership names one. */
export interface TesterStationDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  /** null: none (never given, cleared by a PATCH, or by the instance's deletion). */
  readonly as2InstanceId: string | null;
  readonly deleted: boolean;
}

/** The settings a partnership may override, as the registry publishes them. */
export type PartnershipOverrides = Pick<PartnerSettingsPayload, 'sign' | 'encrypt' | 'compress' | 'mdnMode' | 'signAlgorithm' | 'encryptAlgorithm'>;

export const TesterCollections = {
  partners: 'connection_tester_partners',
  partnerOverrides: 'connection_tester_partner_overrides',
  tenants: 'connection_tester_tenants',
  instances: 'connection_tester_instances',
  partnerships: 'connection_tester_partnerships',
  stations: 'connection_tester_stations',
  certificates: 'connection_tester_certificates',
  partnerCertificates: 'connection_tester_partner_certificates',
  tests: 'connection_tester_tests',
  monitoring: 'connection_tester_monitoring',
  expectedMdns: 'connection_tester_expected_mdns',
  receivedMdns: 'connection_tester_received_mdns',
} as const;

export const partnerOverrideIdOf = (account: string, tenant: string, masterPartnerId: string) => `${account}.${tenant}.${masterPartnerId}`;
export const testerTenantIdOf = (account: string, tenant: string) => `${account}.${tenant}`;
