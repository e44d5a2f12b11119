import { CertificateLifecycleErrorCode as Code, CertificateReadingErrorCode as Reading } from '@as2-partners/certificate-lifecycle-domain';

/** HTTP status of every DomainError code this context raises (registered once, when the module loads). */
export const CERTIFICATE_LIFECYCLE_ERROR_STATUSES: Readonly<Record<string, number>> = {
  ...Object.fromEntries(Object.values(Reading).map((code) => [code, 422])),
  [Code.CertificateNotFound]: 404,
  [Code.CertificateInUse]: 409,
  [Code.CertificateLimitExceeded]: 402,
  [Code.CertificateUsageMismatch]: 422,
  [Code.CertificateInactive]: 422,
  [Code.CertificateNotValidForWindow]: 422,
  [Code.InvalidActivationTime]: 422,
  [Code.BackupNotScheduled]: 404,
  [Code.RolloverWindowInvalid]: 422,
  [Code.RolloverNotScheduled]: 409,
  [Code.RolloverSameCertificate]: 422,
  [Code.NothingToRetire]: 409,
  [Code.OverlapNotClosed]: 409,
  [Code.RetireReasonRequired]: 422,
  [Code.PartnerRemoved]: 404,
  CERTIFICATE_REQUIRED: 400,
  INVALID_SLOT: 404,
  TENANT_REQUIRED: 403,
  TENANT_DELETED: 403,
  ACCOUNT_FORBIDDEN: 403,
  INHERITED_PARTNER_READ_ONLY: 403,
  ACCOUNT_CERTIFICATE_READ_ONLY: 403,
  TIMESTAMP_AUTHORITY_UNAVAILABLE: 503,
};
