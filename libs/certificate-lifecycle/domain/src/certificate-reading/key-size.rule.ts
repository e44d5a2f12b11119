import { DomainError } from '@as2-partners/kernel';
import type { CertificateDetails } from './certificate-details';
import { CertificateReadingErrorCode } from './certificate-reading.errors';

const SHA1_WITH_RSA_MINIMUM = 1024;
const RSA_MINIMUM = 2048;

/** The smallest RSA modulus accepted for a partner signing with `signAlgorithm` (null: not chosen yet, so the stricter rule). */
export function minimumRsaKeySize(signAlgorithm: string | null): number {
  return signAlgorithm !== null && signAlgorithm.toUpperCase() === 'SHA1WITHRSA' ? SHA1_WITH_RSA_MINIMUM : RSA_MINIMUM;
}

/** CERTIFICATE_KEY_TOO_SMALL when an RSA key is below the minimum for the partner's signing algorithm; other key types pass. */
export function assertKeySizeFits(details: Pick<CertificateDetails, 'keyAlgorithm' | 'keySize'>, signAlgorithm: string | null): void {
  if (details.keyAlgorithm !== 'RSA') return;
  const minimum = minimumRsaKeySize(signAlgorithm);
  if (details.keySize >= minimum) return;
  throw new DomainError(
    CertificateReadingErrorCode.CERTIFICATE_KEY_TOO_SMALL,
    `The certificate's ${details.keySize}-bit RSA key is smaller than the ${minimum} bits required${signAlgorithm ? ` for ${signAlgorithm}` : ''}`,
    'certificate',
    { key_size: details.keySize, minimum_key_size: minimum, sign_algorithm: signAlgorithm },
  );
}
