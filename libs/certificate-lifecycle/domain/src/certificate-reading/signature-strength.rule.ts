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

/** The same digests named alone: what an RSASSA-PSS signature's parameters name (its OID does not say). */
const BROKEN_DIGESTS: Readonly<Record<string, string>> = {
  '1.2.840.113549.2.2': 'MD2',
  '1.2.840.113549.2.4': 'MD4',
  '1.2.840.113549.2.5': 'MD5',
};

const SHA1_DIGEST = '1.3.14.3.2.26';

/** SHA-1 signatures: collisions are practical too, but older AS2 partners still have them, so they pass with a warning. */
const SHA1_SIGNATURES: ReadonlySet<string> = new Set([
  '1.2.840.113549.1.1.5',
  '1.3.14.3.2.29',
  '1.2.840.10045.4.1',
  '1.2.840.10040.4.3',
  '1.3.14.3.2.27',
]);

/** A certificate's signature: its algorithm, and the digest it is over when the algorithm's parameters name it (RSASSA-PSS). */
export interface SignatureAlgorithm {
  readonly signatureAlgorithmOid: string;
  readonly signatureHashOid: string | null;
}

export interface SignedCertificate extends SignatureAlgorithm {
  readonly subject: string;
  readonly signatureAlgorithm: string;
}

export function isSha1Signature(signature: SignatureAlgorithm): boolean {
  return signature.signatureHashOid === null ? SHA1_SIGNATURES.has(signature.signatureAlgorithmOid) : signature.signatureHashOid === SHA1_DIGEST;
}

/** CERTIFICATE_WEAK_SIGNATURE when the certificate is signed over MD2, MD4 or MD5 (by its algorithm, or an RSASSA-PSS signature's parameters). */
export function assertSignatureNotBroken(certificate: SignedCertificate): void {
  const digest = certificate.signatureHashOid === null ? BROKEN_DIGEST_SIGNATURES[certificate.signatureAlgorithmOid] : BROKEN_DIGESTS[certificate.signatureHashOid];
  if (digest === undefined) return;
  throw new DomainError(
    CertificateReadingErrorCode.CERTIFICATE_WEAK_SIGNATURE,
    `The certificate "${certificate.subject}" is signed with ${digest} (${certificate.signatureAlgorithm}), whose collisions can be forged; a certificate signed with SHA-256 or stronger is needed`,
    'certificate',
    { subject: certificate.subject, signature_algorithm: certificate.signatureAlgorithm },
  );
}
