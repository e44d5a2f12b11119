import type { X509Certificate } from 'node:crypto';
import { malformed } from '../asn1/asn1-error';

export type PublicKeyAlgorithm = 'RSA' | 'EC' | 'Ed25519' | 'Ed448' | 'DSA';

export interface PublicKeyFacts {
  readonly keyAlgorithm: PublicKeyAlgorithm;
  readonly keySize: number;
  /** RSA only; null for other key types. */
  readonly publicExponent: bigint | null;
  /** An RSA key published as id-RSASSA-PSS (RFC 4055): it may only make PSS signatures, never receive key transport. */
  readonly rsaPssOnly: boolean;
}

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp224r1: 224,
  prime192v1: 192,
};

/** Key type and size as OpenSSL sees them, for every key type the upload accepts. */
export function readPublicKeyFacts(certificate: X509Certificate): PublicKeyFacts {
  let type: string | undefined;
  let details: { modulusLength?: number; namedCurve?: string; publicExponent?: bigint } | undefined;
  try {
    type = certificate.publicKey.asymmetricKeyType;
    details = certificate.publicKey.asymmetricKeyDetails;
  } catch {
    throw malformed("The certificate's public key is malformed or of an unsupported type");
  }
  switch (type) {
    case 'rsa':
    case 'rsa-pss':
      return { keyAlgorithm: 'RSA', keySize: requirePositive(details?.modulusLength), publicExponent: requireExponent(details?.publicExponent), rsaPssOnly: type === 'rsa-pss' };
    case 'dsa':
      return { keyAlgorithm: 'DSA', keySize: requirePositive(details?.modulusLength), publicExponent: null, rsaPssOnly: false };
    case 'ec':
      return { keyAlgorithm: 'EC', keySize: curveBits(details?.namedCurve), publicExponent: null, rsaPssOnly: false };
    case 'ed25519':
      return { keyAlgorithm: 'Ed25519', keySize: 256, publicExponent: null, rsaPssOnly: false };
    case 'ed448':
      return { keyAlgorithm: 'Ed448', keySize: 448, publicExponent: null, rsaPssOnly: false };
    default:
      throw malformed(`The certificate's public key type ${type ?? 'unknown'} is not supported`);
  }
}

function curveBits(curve: string | undefined): number {
  const known = curve === undefined ? undefined : CURVE_BITS[curve];
  if (known !== undefined) return known;
  // Brainpool and other named curves carry their size in the name (brainpoolP384r1).
  const digits = curve === undefined ? undefined : /(\d{3})/.exec(curve);
  if (!digits) throw malformed("The certificate's elliptic curve is not supported");
  return Number(digits[1]);
}

function requireExponent(exponent: bigint | undefined): bigint {
  if (exponent === undefined || exponent <= 0n) throw malformed("The certificate's public key is malformed");
  return exponent;
}

function requirePositive(bits: number | undefined): number {
  if (bits === undefined || bits <= 0) throw malformed("The certificate's public key is malformed");
  return bits;
}
