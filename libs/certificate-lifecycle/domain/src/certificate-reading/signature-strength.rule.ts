import { DomainError } from '@as2-partners/kernel';
import { CertificateReadingErrorCode } from './certificate-reading.errors';

/** Signature algorithms over digests with practical collisions (a rogue CA was forged with MD5 in 2008): refused. */
const BROKEN_DIGEST_SIGNATURES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'MD2',
  '1.2.840.113549.1.1.3': 'MD4',
  '1.2.840.113549.1.1.4': 'MD5',
  '1.3.14.3.2.3': 'MD5',
  '1.3.14.3.2.24': 'MD2',
  '1.3.14.3.2.25': 'MD5',
};

/** SHA-1 signatures: collisions are practical too, but older AS2 partners still have them, so they pass with a warning. */
const SHA1_SIGNATURES: ReadonlySet<string> = new Set([
  '1.2.840.113549.1.1.5',
  '1.3.14.3.2.29',
  '1.2.840.10045.4.1',
  '1.2.840.10040.4.3',
  '1.3.14.3.2.27',
]);

export interface SignedCertificate {
  readonly subject: string;
  readonly signatureAlgorithm: string;
  readonly signatureAlgorithmOid: string;
}

export function isSha1Signature(signatureAlgorithmOid: string): boolean {
  return SHA1_SIGNATURES.has(signatureAlgorithmOid);
}

/** CERTIFICATE_WEAK_SIGNATURE when the certificate is signed over MD2, MD4 or MD5. */
export function assertSignatureNotBroken(certificate: SignedCertificate): void {
  const digest = BROKEN_DIGEST_SIGNATURES[certificate.signatureAlgorithmOid];
  if (digest === undefined) return;
  throw new DomainError(
    CertificateReadingErrorCode.CERTIFICATE_WEAK_SIGNATURE,
    `The certificate "${certificate.subject}" is signed with ${digest} (${certificate.signatureAlgorithm}), whose collisions can be forged; a certificate signed with SHA-256 or stronger is needed`,
    'certificate',
    { subject: certificate.subject, signature_algorithm: certificate.signatureAlgorithm },
  );
}
