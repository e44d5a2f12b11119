import { DomainError } from '@as2-partners/kernel';
import type { CertificateSummary } from './certificate-details';
import { CertificateReadingErrorCode } from './certificate-reading.errors';

/** CERTIFICATE_NOT_YET_VALID or CERTIFICATE_EXPIRED when `at` lies outside [notBefore, notAfter] (both inclusive, as RFC 5280 says). */
export function assertValidAt(details: Pick<CertificateSummary, 'notBefore' | 'notAfter'>, at: Date): void {
  const facts = { not_before: details.notBefore, expires_at: details.notAfter, at: at.toISOString() };
  if (at.getTime() < Date.parse(details.notBefore)) {
    throw new DomainError(CertificateReadingErrorCode.CERTIFICATE_NOT_YET_VALID, `The certificate is not valid before ${details.notBefore}`, 'certificate', facts);
  }
  if (at.getTime() > Date.parse(details.notAfter)) {
    throw new DomainError(CertificateReadingErrorCode.CERTIFICATE_EXPIRED, `The certificate expired at ${details.notAfter}`, 'certificate', facts);
  }
}
