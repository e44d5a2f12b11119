/**
 * The payloads of the certificate-lifecycle's published events, as far as other services read them (the
 * cross-service contract: consumers never import that context's domain). Optional where older events lack a field.
 */

/** A partner's certificate slots. */
export type CertificateSlotName = 'encryption' | 'signature' | 'tls';

/** A certificate as `partner_certificates.certificate_attached.v1` describes it: public facts, never key material. */
export interface AttachedCertificatePayload {
  readonly certificateId: string;
  readonly name: string;
  readonly type: string;
  readonly usage: string;
  readonly subject: string;
  readonly notBefore?: string;
  readonly notAfter: string;
  readonly fingerprintSha256?: string;
  readonly createdAt: string;
}

/** `partner_certificates.certificate_attached.v1`: `tenant: null` for a master partner. */
export interface CertificateAttachedPayload {
  readonly partnerId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly certificate: AttachedCertificatePayload;
  readonly attachedAt: string;
}

/** `partner_certificates.backup_scheduled.v1`: the slot switches to the certificate at `activateOn`; a new one replaces a pending one. */
export interface BackupScheduledPayload {
  readonly partnerId: string;
  readonly slot: CertificateSlotName;
  readonly certificateId: string;
  readonly activateOn: string;
  readonly replacesCertificateId: string | null;
  readonly scheduledAt: string;
}

/** `partner_certificates.backup_cancelled.v1` */
export interface BackupCancelledPayload {
  readonly partnerId: string;
  readonly slot: CertificateSlotName;
  readonly certificateId: string;
  readonly activateOn: string;
  readonly cancelledAt: string;
}

/** `partner_certificates.backup_activated.v1`: the backup is current now, no longer pending. */
export interface BackupActivatedPayload {
  readonly partnerId: string;
  readonly slot: CertificateSlotName;
  readonly certificateId: string;
  readonly scheduledFor: string;
  readonly activatedAt: string;
}

/** `trust.rollover_scheduled.v1`: the next certificate takes the slots at `activateAt`; a new window replaces a pending one. */
export interface RolloverScheduledPayload {
  readonly partnerId: string;
  readonly nextCertificateId: string;
  readonly slots: readonly CertificateSlotName[];
  readonly activateAt: string;
  readonly overlapUntil: string;
  readonly replacesNextCertificateId: string | null;
  readonly scheduledAt: string;
}

/** `trust.activated.v1`: the pending rollover took effect (by a person or the scheduler). */
export interface TrustActivatedPayload {
  readonly partnerId: string;
  readonly certificateId: string;
  readonly slots: readonly CertificateSlotName[];
  readonly scheduledFor: string;
  readonly activatedAt: string;
  readonly overlapUntil: string;
}

/** `partner_certificates.partner_removed.v1`: the partner was deleted; nothing of it stays pending. */
export interface PartnerCertificatesRemovedPayload {
  readonly partnerId: string;
  readonly certificateIds: readonly string[];
  readonly removedAt: string;
}
