import { topicOf } from '@as2-partners/kernel';

/**
 * The certificate-lifecycle events this service consumes, in our own words (an anti-corruption layer: the
 * partner registry never imports that context's domain). Only the fields we read are declared.
 */
export const CERTIFICATE_LIFECYCLE_TOPIC = topicOf('certificate-lifecycle');

export const SLOT_NAMES = ['encryption', 'signature', 'tls'] as const;
export type SlotName = (typeof SLOT_NAMES)[number];

export interface AttachedCertificateFacts {
  readonly certificateId: string;
  readonly name: string;
  readonly type: string;
  readonly usage: string;
  readonly subject: string;
  readonly notAfter: string;
  readonly createdAt: string;
}

type Consumed<T extends string, D> = { readonly type: T; readonly data: D };

export type CertificateAttached = Consumed<
  'partner_certificates.certificate_attached.v1',
  { readonly partnerId: string; readonly account: string; readonly tenant: string | null; readonly certificate: AttachedCertificateFacts; readonly attachedAt: string }
>;
export type SlotAssigned = Consumed<'partner_certificates.slot_assigned.v1', { readonly partnerId: string; readonly slot: SlotName; readonly certificateId: string }>;
export type SignatureFollowsEncryption = Consumed<'partner_certificates.signature_follows_encryption.v1', { readonly partnerId: string }>;
export type BackupActivated = Consumed<'partner_certificates.backup_activated.v1', { readonly partnerId: string; readonly slot: SlotName; readonly certificateId: string }>;
export type TrustActivated = Consumed<'trust.activated.v1', { readonly partnerId: string; readonly certificateId: string; readonly slots: readonly SlotName[] }>;
export type TrustRetired = Consumed<'trust.retired.v1', { readonly partnerId: string; readonly certificateIds: readonly string[] }>;
export type PartnerRemoved = Consumed<'partner_certificates.partner_removed.v1', { readonly partnerId: string; readonly certificateIds: readonly string[] }>;
/** The `certificate_id` a partner was created with could not be linked to its slots. */
export type CertificateLinkRefused = Consumed<
  'partner_certificates.link_refused.v1',
  { readonly partnerId: string; readonly certificateId: string; readonly code: string; readonly reason: string; readonly refusedAt: string }
>;

/** Events of a partner's `partner_certificates-<partnerId>` stream: applied in that stream's order. */
export type PartnerStreamEvent =
  | CertificateAttached
  | SlotAssigned
  | SignatureFollowsEncryption
  | BackupActivated
  | TrustActivated
  | TrustRetired
  | PartnerRemoved
  | CertificateLinkRefused;

export type CertificateDeactivated = Consumed<'certificate.deactivated.v1', { readonly certificateId: string; readonly partnerId: string }>;
export type CertificateRetired = Consumed<'certificate.retired.v1', { readonly certificateId: string; readonly partnerId: string }>;
export type CertificateDeleted = Consumed<'certificate.deleted.v1', { readonly certificateId: string }>;

/** Events of a certificate's own stream that change what partners show of it. */
export type CertificateStreamEvent = CertificateDeactivated | CertificateRetired | CertificateDeleted;

const PARTNER_STREAM_TYPES: ReadonlySet<string> = new Set<PartnerStreamEvent['type']>([
  'partner_certificates.certificate_attached.v1',
  'partner_certificates.slot_assigned.v1',
  'partner_certificates.signature_follows_encryption.v1',
  'partner_certificates.backup_activated.v1',
  'trust.activated.v1',
  'trust.retired.v1',
  'partner_certificates.partner_removed.v1',
  'partner_certificates.link_refused.v1',
]);

const CERTIFICATE_STREAM_TYPES: ReadonlySet<string> = new Set<CertificateStreamEvent['type']>([
  'certificate.deactivated.v1',
  'certificate.retired.v1',
  'certificate.deleted.v1',
]);

/** Published by that service but of no consequence to what partners show. */
const IRRELEVANT_TYPES: ReadonlySet<string> = new Set([
  'certificate.uploaded.v1',
  'certificate.expiring.v1',
  'certificate.expired.v1',
  'partner_certificates.backup_scheduled.v1',
  'partner_certificates.backup_cancelled.v1',
  'trust.rollover_scheduled.v1',
]);

export type ConsumedEventKind = 'partner_stream' | 'certificate_stream' | 'irrelevant' | 'unknown';

export function consumedEventKindOf(type: string): ConsumedEventKind {
  if (PARTNER_STREAM_TYPES.has(type)) return 'partner_stream';
  if (CERTIFICATE_STREAM_TYPES.has(type)) return 'certificate_stream';
  // The certificate directory's storage reservations and our own keystore's `key.*` events say nothing about partners.
  if (IRRELEVANT_TYPES.has(type) || type.startsWith('certificate_directory.') || type.startsWith('key.')) return 'irrelevant';
  return 'unknown';
}

/** The stream category a partner's certificate events are written to. */
export const PARTNER_CERTIFICATES_STREAM_CATEGORY = 'partner_certificates';
