import { DomainError } from '@as2-partners/kernel';
import { CertificateReadingErrorCode } from './certificate-reading.errors';

/** FIPS 186-4 B.3.1 asks for e > 2^16: tiny exponents (3) let forged signatures pass lax verifiers (Bleichenbacher 2006). */
export const MINIMUM_RSA_PUBLIC_EXPONENT = 65537n;

/** CERTIFICATE_WEAK_PUBLIC_EXPONENT when an RSA key's public exponent is below 65537; other key types pass. */
export function assertPublicExponentStrong(certificate: { readonly subject: string; readonly publicExponent: bigint | null }): void {
  const exponent = certificate.publicExponent;
  if (exponent === null || exponent >= MINIMUM_RSA_PUBLIC_EXPONENT) return;
  throw new DomainError(
    CertificateReadingErrorCode.CERTIFICATE_WEAK_PUBLIC_EXPONENT,
    `The RSA key of "${certificate.subject}" has the public exponent ${exponent}; at least ${MINIMUM_RSA_PUBLIC_EXPONENT} is required`,
    'certificate',
    { subject: certificate.subject, public_exponent: Number(exponent), minimum_public_exponent: Number(MINIMUM_RSA_PUBLIC_EXPONENT) },
  );
}
