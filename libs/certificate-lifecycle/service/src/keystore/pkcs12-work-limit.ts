import { readAsn1, Tag, type Asn1Element } from '@as2-partners/pki';

/**
 * The most key-derivation iterations a PKCS#12 file may ask for (its MAC and each encrypted part): OpenSSL writes
 * 2048, Windows 2000, Java keytool 10000. The file's reader derives keys in JavaScript, so a file asking for millions
 * would hold the process for minutes: it is refused before any derivation.
 */
export const MAX_PKCS12_ITERATIONS = 10_000;

/**
 * The most iterations a PKCS#12 file's derivations may ask for together: its MAC, its certificates' part and its key take
 * three derivations (five with the legacy PBEs, which derive the key and the IV apart), 30,000 to 50,000 iterations at
 * keytool's 10000. A file of hundreds of encrypted parts, each within MAX_PKCS12_ITERATIONS, would otherwise hold the
 * event loop for a minute and more: the PBES2 parts are derived by OpenSSL (native-pbkdf2.ts), but the MAC and the
 * legacy PBEs use the PKCS#12 KDF, in JavaScript (10,000 iterations with SHA-512 ~0.3 s).
 */
export const MAX_PKCS12_TOTAL_ITERATIONS = 60_000;

/**
 * The most PBKDF2 iterations an encrypted PEM private key may ask for: OpenSSL derives its key natively (~1 µs an
 * iteration here) but synchronously, on the event loop; `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes 2048.
 */
export const MAX_PEM_KEY_ITERATIONS = 100_000;

/** scrypt as PKCS#8's key derivation (RFC 7914): memory-hard by design, so its cost is refused outright here. */
const SCRYPT_OID_DER = Buffer.from([0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b]);

/** Whether DER names scrypt as a key derivation. */
export function namesScrypt(der: Buffer): boolean {
  return der.includes(SCRYPT_OID_DER);
}

const ENCAPSULATION_DEPTH = 6;
const SEQUENCE = 0x30;
const CONSTRUCTED_OCTET_STRING = 0x24;

function readable(bytes: Buffer): Asn1Element | null {
  try {
    return readAsn1(bytes, { maxDepth: 32, indefiniteLengths: true, highTagNumbers: true });
  } catch {
    return null;
  }
}

function integerValue(element: Asn1Element): number {
  // More than 4 bytes is beyond any sane count; a leading 0x00 only keeps the sign positive.
  const bytes = element.content[0] === 0 ? element.content.subarray(1) : element.content;
  return bytes.length > 4 ? Number.POSITIVE_INFINITY : bytes.reduce((value, byte) => value * 256 + byte, 0);
}

/**
 * Every iteration count in the file: an INTEGER right after an OCTET STRING in a SEQUENCE (a salt and its count: PKCS#12
 * PBE parameters, PBKDF2 parameters, the MAC data), looking inside the OCTET STRINGs that hold more DER.
 */
function iterationCounts(element: Asn1Element, encapsulation: number, counts: number[]): void {
  if (element.tag === SEQUENCE) {
    element.children.forEach((child, i) => {
      if (i > 0 && child.tag === Tag.integer && element.children[i - 1].tag === Tag.octetString) counts.push(integerValue(child));
    });
  }
  if (encapsulation < ENCAPSULATION_DEPTH && (element.tag === Tag.octetString || element.tag === CONSTRUCTED_OCTET_STRING)) {
    const bytes = element.tag === Tag.octetString ? element.content : Buffer.concat(element.children.map((chunk) => chunk.content));
    const inner = bytes[0] === SEQUENCE ? readable(bytes) : null;
    if (inner) iterationCounts(inner, encapsulation + 1, counts);
    return;
  }
  for (const child of element.children) iterationCounts(child, encapsulation, counts);
}

/** Every iteration count the file asks for where it can be read without a password, or null when it is not readable ASN.1 at all. */
export function iterationCountsOf(file: Buffer): number[] | null {
  const root = readable(file);
  if (!root) return null;
  const counts: number[] = [];
  iterationCounts(root, 0, counts);
  return counts;
}

/** The largest iteration count the file asks for, or null when it is not readable ASN.1 at all. */
export function largestIterationCount(file: Buffer): number | null {
  const counts = iterationCountsOf(file);
  return counts === null ? null : counts.length === 0 ? 0 : Math.max(...counts);
}
