import type { DerElement, DerScan } from './der-scanner';

const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const SEQUENCE = 0x30;
/** A DigestInfo has the same outer shape as an EncryptedPrivateKeyInfo but never more than 64 content bytes. */
const SMALLEST_ENCRYPTED_KEY = 64;

/** PEM labels that carry key material: "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", … */
export function isPrivateKeyPemLabel(label: string): boolean {
  return /PRIVATE KEY/i.test(label);
}

/**
 * Recognises the DER shapes of private keys by their top-level structure: PKCS#1 RSA and DSA keys (a row of
 * INTEGERs after version 0), PKCS#8 (version, algorithm, OCTET STRING), SEC1 EC keys (version 1, OCTET STRING),
 * EncryptedPrivateKeyInfo (algorithm, large OCTET STRING) and PKCS#12 PFX (version 3, ContentInfo).
 */
export function isPrivateKeyMaterial(der: Uint8Array, scan: DerScan): boolean {
  if (scan.root.tag !== SEQUENCE) return false;
  const [first, second, third] = scan.children;
  if (!first) return false;
  if (first.tag === SEQUENCE && second?.tag === OCTET_STRING && scan.children.length === 2) {
    return second.end - second.contentStart > SMALLEST_ENCRYPTED_KEY;
  }
  const version = smallIntegerValue(der, first);
  if (version === undefined) return false;
  if ((version === 0 || version === 1) && second?.tag === SEQUENCE && third?.tag === OCTET_STRING) return true;
  if (version === 1 && second?.tag === OCTET_STRING) return true;
  if (version === 0 && scan.children.length >= 6 && scan.children.every((child) => child.tag === INTEGER)) return true;
  return version === 3 && second?.tag === SEQUENCE;
}

function smallIntegerValue(der: Uint8Array, element: DerElement): number | undefined {
  if (element.tag !== INTEGER || element.end - element.contentStart !== 1) return undefined;
  return der[element.contentStart];
}
