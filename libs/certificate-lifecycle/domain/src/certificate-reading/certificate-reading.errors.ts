import { DomainError } from '@as2-partners/kernel';

export const CertificateReadingErrorCode = {
  CERTIFICATE_TOO_LARGE: 'CERTIFICATE_TOO_LARGE',
  PRIVATE_KEY_NOT_ALLOWED: 'PRIVATE_KEY_NOT_ALLOWED',
  INVALID_CERTIFICATE: 'INVALID_CERTIFICATE',
  CERTIFICATE_TRAILING_DATA: 'CERTIFICATE_TRAILING_DATA',
  INVALID_CERTIFICATE_CHAIN: 'INVALID_CERTIFICATE_CHAIN',
  CERTIFICATE_KEY_TOO_SMALL: 'CERTIFICATE_KEY_TOO_SMALL',
  CERTIFICATE_NOT_YET_VALID: 'CERTIFICATE_NOT_YET_VALID',
  CERTIFICATE_EXPIRED: 'CERTIFICATE_EXPIRED',
  CERTIFICATE_USAGE_MISMATCH: 'CERTIFICATE_USAGE_MISMATCH',
  CERTIFICATE_WEAK_SIGNATURE: 'CERTIFICATE_WEAK_SIGNATURE',
  CERTIFICATE_WEAK_PUBLIC_EXPONENT: 'CERTIFICATE_WEAK_PUBLIC_EXPONENT',
  CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION: 'CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION',
  CERTIFICATE_VALIDITY_OUT_OF_RANGE: 'CERTIFICATE_VALIDITY_OUT_OF_RANGE',
} as const;

export type CertificateReadingErrorCode = (typeof CertificateReadingErrorCode)[keyof typeof CertificateReadingErrorCode];

const FIELD = 'certificate';

export function certificateTooLarge(message: string, details?: Record<string, unknown>): DomainError {
  return new DomainError(CertificateReadingErrorCode.CERTIFICATE_TOO_LARGE, message, FIELD, details);
}

/**
 * The message is fixed text: nothing from the uploaded key may reach a log or a response. A PKCS#12 file is refused
 * unopened (its bags are encrypted with a password the upload does not have), so it is said to be one that may hold keys.
 */
export function privateKeyNotAllowed(container: 'key' | 'pkcs12' = 'key'): DomainError {
  return new DomainError(
    CertificateReadingErrorCode.PRIVATE_KEY_NOT_ALLOWED,
    container === 'pkcs12'
      ? 'The upload is a PKCS#12 (.p12/.pfx) file, which may hold private keys; upload only the X.509 certificate, as PEM or DER (nothing of it was stored)'
      : 'The upload contains private key material; upload only the X.509 certificate (the private key was not stored)',
    FIELD,
  );
}

export function invalidCertificate(message: string): DomainError {
  return new DomainError(CertificateReadingErrorCode.INVALID_CERTIFICATE, message, FIELD);
}

export function certificateTrailingData(message: string): DomainError {
  return new DomainError(CertificateReadingErrorCode.CERTIFICATE_TRAILING_DATA, message, FIELD);
}

export function invalidCertificateChain(message: string): DomainError {
  return new DomainError(CertificateReadingErrorCode.INVALID_CERTIFICATE_CHAIN, message, FIELD);
}
