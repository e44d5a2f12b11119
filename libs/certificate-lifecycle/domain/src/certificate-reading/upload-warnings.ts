import type { CertificateUsage } from '../certificate-usage';
import type { CertificateDetails, CertificateSummary } from './certificate-details';
import { minimumRsaKeySize } from './key-size.rule';

/** Stable codes of what an accepted upload should make its uploader look at. */
export const UploadWarningCode = {
  SHA1_SIGNATURE: 'SHA1_SIGNATURE',
  CA_CERTIFICATE_AS_END_ENTITY: 'CA_CERTIFICATE_AS_END_ENTITY',
  WEAK_RSA_KEY: 'WEAK_RSA_KEY',
  DUPLICATE_CERTIFICATE: 'DUPLICATE_CERTIFICATE',
  CHAIN_CERTIFICATE_NOT_VALID: 'CHAIN_CERTIFICATE_NOT_VALID',
  CERTIFICATE_NOT_VALID_NOW: 'CERTIFICATE_NOT_VALID_NOW',
} as const;

export type UploadWarningCode = (typeof UploadWarningCode)[keyof typeof UploadWarningCode];

export interface UploadWarning {
  readonly code: UploadWarningCode;
  readonly message: string;
}

/** Warnings the certificate itself gives for `usage`; DUPLICATE_CERTIFICATE needs the store and comes from duplicateCertificateWarning. */
export function certificateWarnings(details: Pick<CertificateDetails, 'sha1SignedSubjects' | 'isCa' | 'keyAlgorithm' | 'keySize'>, usage: CertificateUsage): UploadWarning[] {
  const warnings: UploadWarning[] = [];
  if (details.sha1SignedSubjects.length > 0) {
    warnings.push({
      code: UploadWarningCode.SHA1_SIGNATURE,
      message: `Signed with SHA-1, whose collisions can be forged: ${details.sha1SignedSubjects.map((subject) => `"${subject}"`).join(', ')}; ask the partner for a certificate signed with SHA-256 or stronger`,
    });
  }
  // A CA may rightly anchor a partner's TLS server chain; in the encryption and signature slots it stands for the partner's own key.
  if (details.isCa && usage !== 'tls') {
    warnings.push({
      code: UploadWarningCode.CA_CERTIFICATE_AS_END_ENTITY,
      message: `The certificate is a CA certificate (basicConstraints CA:true) used as the partner's own ${usage} certificate; partners normally use an end-entity certificate`,
    });
  }
  const recommended = minimumRsaKeySize(null);
  if (details.keyAlgorithm === 'RSA' && details.keySize < recommended) {
    warnings.push({
      code: UploadWarningCode.WEAK_RSA_KEY,
      message: `The ${details.keySize}-bit RSA key is accepted only for SHA1withRSA partners; ${recommended} bits or more are recommended`,
    });
  }
  return warnings;
}

/**
 * CHAIN_CERTIFICATE_NOT_VALID naming the chain's certificates expired or not yet valid at `now` (as `openssl verify`
 * refuses the chain then), or null when every one is valid: the leaf's own dates decide whether it may become current.
 */
export function chainValidityWarning(chain: readonly CertificateSummary[], now: Date): UploadWarning | null {
  const at = now.getTime();
  const invalid = chain.flatMap((certificate) => {
    if (Date.parse(certificate.notAfter) < at) return [`"${certificate.subject}" expired at ${certificate.notAfter}`];
    if (Date.parse(certificate.notBefore) > at) return [`"${certificate.subject}" is valid only from ${certificate.notBefore}`];
    return [];
  });
  if (invalid.length === 0) return null;
  return {
    code: UploadWarningCode.CHAIN_CERTIFICATE_NOT_VALID,
    message: `A certificate of the chain is not valid now, so the chain does not verify (as openssl verify finds): ${invalid.join('; ')}; ask the partner for its current chain`,
  };
}

/**
 * CERTIFICATE_NOT_VALID_NOW when the certificate itself is expired or not yet valid at `now`, or null: it is stored, but
 * fills no empty slot and cannot be made current (CERTIFICATE_EXPIRED, CERTIFICATE_NOT_YET_VALID) until it is valid.
 */
export function leafValidityWarning(details: Pick<CertificateDetails, 'notBefore' | 'notAfter'>, now: Date): UploadWarning | null {
  const at = now.getTime();
  const state = Date.parse(details.notAfter) <= at ? `expired at ${details.notAfter}` : Date.parse(details.notBefore) > at ? `is valid only from ${details.notBefore}` : null;
  if (state === null) return null;
  return {
    code: UploadWarningCode.CERTIFICATE_NOT_VALID_NOW,
    message: `The certificate ${state}: it is stored, but it fills no empty slot and cannot be made current while it is not valid`,
  };
}

/** How many stored copies a DUPLICATE_CERTIFICATE warning names; the others are counted, so an answer stays small however many there are. */
export const DUPLICATE_CERTIFICATES_NAMED = 10;

/**
 * DUPLICATE_CERTIFICATE naming the caller-visible certificates with the same SHA-256 fingerprint (the first
 * DUPLICATE_CERTIFICATES_NAMED of them, `total` in all), or null when there are none.
 */
export function duplicateCertificateWarning(existing: readonly { readonly id: string; readonly name: string }[], total = existing.length): UploadWarning | null {
  if (total === 0) return null;
  const named = existing.slice(0, DUPLICATE_CERTIFICATES_NAMED).map((certificate) => `${certificate.id} ("${certificate.name}")`);
  const more = total - named.length;
  return {
    code: UploadWarningCode.DUPLICATE_CERTIFICATE,
    message: `The same certificate (SHA-256 fingerprint) is already stored as ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
  };
}
