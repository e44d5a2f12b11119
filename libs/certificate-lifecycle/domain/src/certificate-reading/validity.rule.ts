import { DomainError } from '@as2-partners/kernel';
import type { CertificateSummary } from './certificate-details';
import { CertificateReadingErrorCode } from './certificate-reading.errors';

/**
 * CERTIFICATE_NOT_YET_VALID or CERTIFICATE_EXPIRED when `at` lies outside [notBefore, notAfter] (both inclusive, as RFC
 * 5280 says), naming `field`: the request's field the certificate came in (by id, by default).
 */
export function assertValidAt(details: Pick<CertificateSummary, 'notBefore' | 'notAfter'>, at: Date, field = 'certificate_id'): void {
  const facts = { not_before: details.notBefore, expires_at: details.notAfter, at: at.toISOString() };
  if (at.getTime() < Date.parse(details.notBefore)) {
    throw new DomainError(CertificateReadingErrorCode.CERTIFICATE_NOT_YET_VALID, `The certificate is not valid before ${details.notBefore}`, field, facts);
  }
  if (at.getTime() > Date.parse(details.notAfter)) {
    throw new DomainError(CertificateReadingErrorCode.CERTIFICATE_EXPIRED, `The certificate expired at ${details.notAfter}`, field, facts);
  }
}

/** The earliest notBefore accepted: no genuine certificate predates 1970, and consumers keeping Unix time break on negative instants. */
export const EARLIEST_NOT_BEFORE = '1970-01-01T00:00:00.000Z';

/** CERTIFICATE_VALIDITY_OUT_OF_RANGE when the certificate's validity starts before 1970. */
export function assertValidityStartsInUnixEra(certificate: Pick<CertificateSummary, 'subject' | 'notBefore'>): void {
  if (Date.parse(certificate.notBefore) >= Date.parse(EARLIEST_NOT_BEFORE)) return;
  throw new DomainError(
    CertificateReadingErrorCode.CERTIFICATE_VALIDITY_OUT_OF_RANGE,
    `The certificate "${certificate.subject}" claims validity from ${certificate.notBefore}; validity starting before ${EARLIEST_NOT_BEFORE} is not accepted`,
    'certificate',
    { subject: certificate.subject, not_before: certificate.notBefore, earliest_not_before: EARLIEST_NOT_BEFORE },
  );
}
