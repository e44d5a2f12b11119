import type { Asn1Element } from '@as2-partners/pki';

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
export function isPrivateKeyMaterial(root: Asn1Element): boolean {
  if (root.tag !== SEQUENCE) return false;
  const children = root.children;
  const [first, second, third] = children;
  if (!first) return false;
  if (first.tag === SEQUENCE && second?.tag === OCTET_STRING && children.length === 2) {
    return second.content.length > SMALLEST_ENCRYPTED_KEY;
  }
  const version = smallIntegerValue(first);
  if (version === undefined) return false;
  if ((version === 0 || version === 1) && second?.tag === SEQUENCE && third?.tag === OCTET_STRING) return true;
  if (version === 1 && second?.tag === OCTET_STRING) return true;
  if (version === 0 && children.length >= 6 && children.every((child) => child.tag === INTEGER)) return true;
  return version === 3 && second?.tag === SEQUENCE;
}

function smallIntegerValue(element: Asn1Element): number | undefined {
  if (element.tag !== INTEGER || element.content.length !== 1) return undefined;
  return element.content[0];
}

/** A PKCS#12 PFX (version 3, then its ContentInfo): refused unopened, whether its bags hold a key or certificates only. */
export function isPkcs12(root: Asn1Element): boolean {
  const [version, second] = root.tag === SEQUENCE ? root.children : [];
  return version !== undefined && smallIntegerValue(version) === 3 && second?.tag === SEQUENCE;
}
