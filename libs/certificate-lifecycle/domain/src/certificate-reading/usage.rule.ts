import { DomainError } from '@as2-partners/kernel';
import type { CertificateUsage } from '../certificate-usage';
import type { CertificateDetails } from './certificate-details';
import { CertificateReadingErrorCode } from './certificate-reading.errors';

const TLS_PURPOSES = ['serverAuth', 'clientAuth', 'anyExtendedKeyUsage'];

/** CERTIFICATE_USAGE_MISMATCH when KeyUsage/ExtendedKeyUsage, where present, forbid `usage`; absent extensions allow everything. */
export function assertUsageFits(details: CertificateDetails, usage: CertificateUsage): void {
  const missing = missingKeyUsage(details, usage);
  const eku = details.extendedKeyUsage;
  const ekuForbidsTls = usage === 'tls' && eku !== null && !eku.some((purpose) => TLS_PURPOSES.includes(purpose));
  if (missing === undefined && !ekuForbidsTls) return;
  const required = missing ?? `extendedKeyUsage ${TLS_PURPOSES.join(' or ')}`;
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
