import { DomainError } from '@as2-partners/kernel';
import type { CertificateUsage } from '../certificate-usage';
import type { CertificateDetails, CertificateKeyAlgorithm } from './certificate-details';
import { CertificateReadingErrorCode } from './certificate-reading.errors';

/** Every content cipher a partner can choose (3DES, AES-CBC) reaches it through RSA key transport (CMS KeyTransRecipientInfo): only an RSA key can receive. */
const KEY_TRANSPORT_KEY_ALGORITHM: CertificateKeyAlgorithm = 'RSA';

/** The key type a signing algorithm name needs (SHA256withRSA → RSA); not chosen yet or unknown: RSA, as every algorithm the registry offers is RSA. */
export function signingKeyAlgorithmOf(signAlgorithm: string | null): CertificateKeyAlgorithm {
  const scheme = signAlgorithm === null ? undefined : /with(RSA|ECDSA|DSA)$/i.exec(signAlgorithm)?.[1].toUpperCase();
  return scheme === 'ECDSA' ? 'EC' : scheme === 'DSA' ? 'DSA' : 'RSA';
}

/** An id-RSASSA-PSS key counts as its own type: it can neither receive RSA key transport nor make PKCS#1 v1.5 signatures. */
type KeyType = CertificateKeyAlgorithm | 'RSA-PSS';

/**
 * CERTIFICATE_USAGE_MISMATCH when the key cannot do what `usage` asks: encryption needs RSA key transport, signing the
 * key type of the partner's `signAlgorithm`. TLS stays open to every key type (TLS servers commonly use ECDSA).
 * Stored certificates lack `rsaPssOnly` (it is read at upload), so for them only the key algorithm counts.
 */
export function assertKeyServesUsage(
  details: Pick<CertificateDetails, 'keyAlgorithm'> & { readonly rsaPssOnly?: boolean },
  usage: CertificateUsage,
  signAlgorithm: string | null,
  field = 'certificate',
): void {
  const keyType: KeyType = details.rsaPssOnly ? 'RSA-PSS' : details.keyAlgorithm;
  const need = unmetKeyNeed(keyType, usage, signAlgorithm);
  if (need === undefined) return;
  throw new DomainError(
    CertificateReadingErrorCode.CERTIFICATE_USAGE_MISMATCH,
    `The certificate's ${keyType} key cannot serve ${usage}: it needs a key of type ${need.keyAlgorithm} (${need.reason})`,
    field,
    { usage, key_algorithm: keyType, required_key_algorithm: need.keyAlgorithm, sign_algorithm: signAlgorithm },
  );
}

function unmetKeyNeed(key: KeyType, usage: CertificateUsage, signAlgorithm: string | null): { keyAlgorithm: CertificateKeyAlgorithm; reason: string } | undefined {
  if ((usage === 'encryption' || usage === 'both') && key !== KEY_TRANSPORT_KEY_ALGORITHM) {
    return { keyAlgorithm: KEY_TRANSPORT_KEY_ALGORITHM, reason: 'encryption uses RSA key transport' };
  }
  const signingKey = signingKeyAlgorithmOf(signAlgorithm);
  if ((usage === 'signing' || usage === 'both') && key !== signingKey) {
    return { keyAlgorithm: signingKey, reason: signAlgorithm ? `the partner signs with ${signAlgorithm}` : 'every signing algorithm offered is RSA' };
  }
  return undefined;
}
