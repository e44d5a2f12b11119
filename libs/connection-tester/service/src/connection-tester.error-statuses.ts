import { ConnectionTesterErrorCode as Code } from '@as2-partners/connection-tester-domain';

/** HTTP status of every DomainError code this context raises (registered once, when the module loads). */
export const CONNECTION_TESTER_ERROR_STATUSES: Readonly<Record<string, number>> = {
  [Code.TestRateLimitExceeded]: 429,
  [Code.TenantTestsBusy]: 429,
  [Code.TesterBusy]: 503,
  [Code.MonitoringLimitExceeded]: 402,
  [Code.PartnerNotFound]: 404,
  [Code.CertificateRequired]: 400,
  [Code.As2InstanceRequired]: 422,
  [Code.As2InstanceOff]: 422,
  [Code.PayloadDeliveryNotAcknowledged]: 422,
  [Code.NoNextCertificates]: 422,
  [Code.SigningKeyUnavailable]: 422,
  AS2_INSTANCE_NOT_FOUND: 404,
  ASYNC_MDN_UNAVAILABLE: 422,
  KEYSTORE_UNAVAILABLE: 503,
  TENANT_REQUIRED: 403,
  TENANT_DELETED: 403,
  INVALID_MDN: 422,
  MDN_NOT_EXPECTED: 422,
};
