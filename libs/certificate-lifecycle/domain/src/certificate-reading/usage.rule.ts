import { DomainError } from '@as2-partners/kernel';
import type { CertificateUsage } from '../certificate-usage';
import type { CertificateDetails } from './certificate-details';
import { CertificateReadingErrorCode } from './certificate-reading.errors';

const TLS_PURPOSES = ['serverAuth', 'clientAuth', 'anyExtendedKeyUsage'];
/** What S/MIME (an AS2 message's signature and encryption) needs of an extendedKeyUsage that restricts the key. */
const SMIME_PURPOSES = ['emailProtection', 'anyExtendedKeyUsage'];

/**
 * CERTIFICATE_USAGE_MISMATCH when KeyUsage/ExtendedKeyUsage, where present, forbid `usage`; absent extensions allow
 * everything. For TLS any extendedKeyUsage counts; for signing and encryption only a critical one (RFC 5280: the key MUST
 * then serve only its purposes, and S/MIME verifiers such as OpenSSL refuse it), since many partners' AS2 certificates
 * carry TLS purposes, not critical, and work with every AS2 product.
 */
export function assertUsageFits(details: CertificateDetails, usage: CertificateUsage): void {
  const missing = missingKeyUsage(details, usage);
  const eku = details.extendedKeyUsage;
  const ekuForbidsTls = usage === 'tls' && eku !== null && !eku.some((purpose) => TLS_PURPOSES.includes(purpose));
  const ekuForbidsSmime = usage !== 'tls' && details.extendedKeyUsageCritical === true && eku !== null && !eku.some((purpose) => SMIME_PURPOSES.includes(purpose));
  if (missing === undefined && !ekuForbidsTls && !ekuForbidsSmime) return;
  const required = missing ?? `extendedKeyUsage ${(ekuForbidsTls ? TLS_PURPOSES : SMIME_PURPOSES).join(' or ')}`;
  throw new DomainError(
    CertificateReadingErrorCode.CERTIFICATE_USAGE_MISMATCH,
    `The certificate may not be used for ${usage}: it needs ${required}`,
    'certificate',
    { usage, required, key_usage: details.keyUsage, extended_key_usage: details.extendedKeyUsage },
  );
}

/** The keyUsage bits `usage` needs, described, when the extension lacks them. */
function missingKeyUsage(details: CertificateDetails, usage: CertificateUsage): string | undefined {
  const keyUsage = details.keyUsage;
  if (keyUsage === null) return undefined;
  const has = (...bits: string[]) => bits.some((bit) => keyUsage.includes(bit));
  const encryptionBits = details.keyAlgorithm === 'RSA' ? ['keyEncipherment'] : details.keyAlgorithm === 'EC' ? ['keyAgreement'] : ['keyEncipherment', 'keyAgreement'];
  const signingBits = ['digitalSignature', 'nonRepudiation'];
  const needs: string[][] = {
    encryption: [encryptionBits],
    signing: [signingBits],
    both: [encryptionBits, signingBits],
    // A CA anchoring the partner's server chain signs certificates (keyCertSign), not TLS handshakes.
    tls: details.isCa ? [['keyCertSign', 'digitalSignature', 'keyEncipherment']] : [['digitalSignature', 'keyEncipherment']],
  }[usage];
  const unmet = needs.filter((bits) => !has(...bits));
  return unmet.length === 0 ? undefined : unmet.map((bits) => `keyUsage ${bits.join(' or ')}`).join(' and ');
}
