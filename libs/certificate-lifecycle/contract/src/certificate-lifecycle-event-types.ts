/** The certificate-lifecycle's published event types other services consume, by what they are about. */
export const CertificateLifecycleEventTypes = {
  /** A certificate attached to a partner (its fingerprint), the partner's certificates removed with the partner. */
  partnerCertificates: ['partner_certificates.certificate_attached.v1', 'partner_certificates.partner_removed.v1'],
  /** A partner's pending activations: a slot's backup (scheduled, cancelled, activated) and the trust rollover (scheduled, activated). */
  scheduledActivation: [
    'partner_certificates.backup_scheduled.v1',
    'partner_certificates.backup_cancelled.v1',
    'partner_certificates.backup_activated.v1',
    'trust.rollover_scheduled.v1',
    'trust.activated.v1',
  ],
} as const;

export type CertificateLifecycleConsumedType = (typeof CertificateLifecycleEventTypes)[keyof typeof CertificateLifecycleEventTypes][number];
