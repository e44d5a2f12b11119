import { DomainError } from '@as2-partners/kernel';

export const ConnectionTesterErrorCode = {
  TestRateLimitExceeded: 'TEST_RATE_LIMIT_EXCEEDED',
  MonitoringLimitExceeded: 'MONITORING_LIMIT_EXCEEDED',
  PartnerNotFound: 'PARTNER_NOT_FOUND',
  CertificateRequired: 'CERTIFICATE_REQUIRED',
  As2InstanceRequired: 'AS2_INSTANCE_REQUIRED',
  As2InstanceOff: 'AS2_INSTANCE_OFF',
  PayloadDeliveryNotAcknowledged: 'PAYLOAD_DELIVERY_NOT_ACKNOWLEDGED',
  NoNextCertificates: 'NO_NEXT_CERTIFICATES',
  SigningKeyUnavailable: 'SIGNING_KEY_UNAVAILABLE',
  TenantTestsBusy: 'TOO_MANY_CONCURRENT_TESTS',
  TesterBusy: 'TESTER_BUSY',
} as const;

const HOUR_MS = 3_600_000;

/** Seed-style 429 body: the caller learns how many tests the hour holds and when the oldest leaves it. */
export function testRateLimitExceeded(testsLastHour: number, planLimit: number, plan: string, retryAfterSeconds: number): DomainError {
  return new DomainError(ConnectionTesterErrorCode.TestRateLimitExceeded, 'Connection test limit exceeded for current plan', undefined, {
    tests_last_hour: testsLastHour,
    plan_limit: planLimit,
    plan,
    retry_after_seconds: retryAfterSeconds,
  });
}

export function monitoringLimitExceeded(monitored: number, planLimit: number, plan: string): DomainError {
  return new DomainError(ConnectionTesterErrorCode.MonitoringLimitExceeded, 'Monitored partner limit exceeded for current plan', undefined, {
    monitored_partners: monitored,
    plan_limit: planLimit,
    plan,
  });
}

export const TEST_RATE_WINDOW_MS = HOUR_MS;
