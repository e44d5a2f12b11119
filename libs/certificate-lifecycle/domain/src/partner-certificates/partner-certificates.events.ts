import type { CertificateType, CertificateUsage, SlotName } from '../certificate-usage';

/** What the partner's timeline and the partner details show of a certificate attached to the partner. */
export interface AttachedCertificate {
  readonly certificateId: string;
  readonly name: string;
  readonly type: CertificateType;
  readonly usage: CertificateUsage;
  readonly subject: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly fingerprintSha256: string;
  readonly createdAt: string;
}

/** Who or what made a change take effect. */
export interface ActivationTrigger {
  readonly type: 'manual' | 'scheduler';
  /** The user (JWT subject) for manual changes, the scheduler instance for scheduled ones. */
  readonly actor: string;
}

/** RFC 3161-stamped proof of an activation (see ActivationEvidence in trust/activation-evidence.ts). */
export interface EvidenceData {
  readonly document: string;
  readonly sha256: string;
  readonly timestampToken: string;
  readonly tsaCertificate: string;
  readonly tsaUrl: string;
  readonly genTime: string;
}

type Evt<T extends string, D> = { readonly type: T; readonly data: D };

export type CertificateAttached = Evt<
  'partner_certificates.certificate_attached.v1',
  { readonly partnerId: string; readonly account: string; readonly tenant: string | null; readonly certificate: AttachedCertificate; readonly attachedAt: string }
>;

export type SlotAssigned = Evt<
  'partner_certificates.slot_assigned.v1',
  {
    readonly partnerId: string;
    readonly slot: SlotName;
    readonly certificateId: string;
    readonly previousCertificateId: string | null;
    /** `upload`: an upload filled the empty slot; `manual`: an immediate change. */
    readonly cause: 'upload' | 'manual';
    readonly assignedAt: string;
  }
>;

export type SignatureFollowsEncryption = Evt<
  'partner_certificates.signature_follows_encryption.v1',
  { readonly partnerId: string; readonly previousCertificateId: string | null; readonly changedAt: string }
>;

export type BackupScheduled = Evt<
  'partner_certificates.backup_scheduled.v1',
  {
    readonly partnerId: string;
    readonly slot: SlotName;
    readonly certificateId: string;
    readonly activateOn: string;
    readonly replacesCertificateId: string | null;
    readonly scheduledAt: string;
  }
>;

export type BackupCancelled = Evt<
  'partner_certificates.backup_cancelled.v1',
  { readonly partnerId: string; readonly slot: SlotName; readonly certificateId: string; readonly activateOn: string; readonly cancelledAt: string }
>;

export type BackupActivated = Evt<
  'partner_certificates.backup_activated.v1',
  {
    readonly partnerId: string;
    readonly slot: SlotName;
    readonly certificateId: string;
    readonly previousCertificateId: string | null;
    readonly scheduledFor: string;
    readonly activatedAt: string;
    /** How long after `scheduledFor` it took effect (the service may have been down at that instant). */
    readonly lateByMs: number;
    readonly trigger: ActivationTrigger;
  }
>;

export type RolloverScheduled = Evt<
  'trust.rollover_scheduled.v1',
  {
    readonly partnerId: string;
    readonly nextCertificateId: string;
    readonly currentCertificateIds: Readonly<Partial<Record<SlotName, string | null>>>;
    readonly slots: readonly SlotName[];
    readonly activateAt: string;
    readonly overlapUntil: string;
    /** The window this one replaces, if one was pending. */
    readonly replacesNextCertificateId: string | null;
    readonly scheduledAt: string;
  }
>;

export type TrustActivated = Evt<
  'trust.activated.v1',
  {
    readonly partnerId: string;
    readonly certificateId: string;
    readonly certificateSha256: string;
    readonly previousCertificateIds: Readonly<Partial<Record<SlotName, string | null>>>;
    readonly previousCertificateSha256: Readonly<Record<string, string>>;
    readonly slots: readonly SlotName[];
    readonly trigger: ActivationTrigger;
    readonly scheduledFor: string;
    readonly activatedAt: string;
    readonly lateByMs: number;
    readonly overlapUntil: string;
    readonly evidence: EvidenceData;
  }
>;

export type TrustRetired = Evt<
  'trust.retired.v1',
  {
    readonly partnerId: string;
    readonly certificateIds: readonly string[];
    readonly overlapUntil: string;
    readonly forced: boolean;
    readonly reason: string | null;
    readonly retiredAt: string;
  }
>;

export type PartnerRemoved = Evt<
  'partner_certificates.partner_removed.v1',
  { readonly partnerId: string; readonly certificateIds: readonly string[]; readonly removedAt: string }
>;

/**
 * A partner was created naming a stored certificate (`certificate_id`), and it could not be linked to the partner's
 * slots: unknown or another tenant's (CERTIFICATE_NOT_FOUND, the same answer for both), inactive, expired, or its
 * key does not suit the slot or the partner's algorithm. The partner exists; its slots stay as they were.
 */
export type CertificateLinkRefused = Evt<
  'partner_certificates.link_refused.v1',
  {
    readonly partnerId: string;
    readonly account: string;
    readonly tenant: string | null;
    readonly certificateId: string;
    readonly code: string;
    readonly reason: string;
    readonly refusedAt: string;
  }
>;

export type PartnerCertificatesEvent =
  | CertificateAttached
  | SlotAssigned
  | SignatureFollowsEncryption
  | BackupScheduled
  | BackupCancelled
  | BackupActivated
  | RolloverScheduled
  | TrustActivated
  | TrustRetired
  | PartnerRemoved
  | CertificateLinkRefused;

export const PARTNER_CERTIFICATES_EVENT_TYPES = [
  'partner_certificates.certificate_attached.v1',
  'partner_certificates.slot_assigned.v1',
  'partner_certificates.signature_follows_encryption.v1',
  'partner_certificates.backup_scheduled.v1',
  'partner_certificates.backup_cancelled.v1',
  'partner_certificates.backup_activated.v1',
  'trust.rollover_scheduled.v1',
  'trust.activated.v1',
  'trust.retired.v1',
  'partner_certificates.partner_removed.v1',
  'partner_certificates.link_refused.v1',
] as const satisfies readonly PartnerCertificatesEvent['type'][];
