import { Asn1Error, malformed } from '../asn1/asn1-error';
import { type Asn1Element, readAsn1 } from '../asn1/asn1-reader';
import { Tag } from '../asn1/asn1-tag';
import { isNegativeInteger, negativeIntegerHex, oidOf, utcInstant } from '../asn1/asn1-values';
import { formatDistinguishedName, type NameAttribute, readNameAttributes } from './distinguished-name';
import { EXTENDED_KEY_USAGE_OIDS, EXTENSION_OIDS, KEY_USAGE_BITS, type KeyUsageName, SIGNATURE_ALGORITHM_OIDS } from './x509-names';

/** Deeper than any certificate needs (about 7) and far below what a recursive parser could survive. */
export const MAX_CERTIFICATE_DEPTH = 24;

export interface CertificateExtension {
  readonly critical: boolean;
  /** The DER inside extnValue. */
  readonly value: Buffer;
}

export interface X509Name {
  /** DER of the Name, byte-exact from the certificate (CMS IssuerAndSerialNumber, ESS IssuerSerial). */
  readonly der: Buffer;
  /** RFC 4514: most specific RDN first, e.g. "CN=Acme Corp AS2, O=Acme Corporation, C=US". */
  readonly text: string;
  /** RDNs in DER order. */
  readonly rdns: readonly (readonly NameAttribute[])[];
}

/** The facts of an X.509 certificate (RFC 5280 4.1), read once from its DER for any key type. */
export interface X509Facts {
  readonly der: Buffer;
  readonly version: 1 | 2 | 3;
  /** The serial INTEGER as encoded (identifier, length, content). */
  readonly serialNumberDer: Buffer;
  /** Its content octets, byte-exact. */
  readonly serialNumber: Buffer;
  /**
   * Lowercase hex of whole bytes without the sign padding DER adds when the high bit is set; a negative serial (RFC 5280
   * asks for positive ones, some CAs wrote others) as '-' and its magnitude, as OpenSSL prints it: -256 is "-0100", 65280 "ff00".
   */
  readonly serialNumberHex: string;
  readonly signatureAlgorithmOid: string;
  /** e.g. "sha256WithRSAEncryption"; the dotted OID when unknown. */
  readonly signatureAlgorithm: string;
  /**
   * The digest an RSASSA-PSS signature is made over, as a dotted OID: its parameters' hashAlgorithm, SHA-1 when they
   * leave it out (RFC 4055 3.1). Null for every other algorithm, whose own OID names its digest.
   */
  readonly signatureHashOid: string | null;
  readonly issuer: X509Name;
  readonly subject: X509Name;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: ReadonlyMap<string, CertificateExtension>;
  readonly subjectKeyIdentifier?: Buffer;
  /** null when the extension is absent. */
  readonly keyUsage: readonly KeyUsageName[] | null;
  /** Key purposes as dotted OIDs; null when the extension is absent. */
  readonly extendedKeyUsageOids: readonly string[] | null;
  /** Key purposes by name where known (RFC 5280), unknown ones as dotted OIDs; null when absent. */
  readonly extendedKeyUsage: readonly string[] | null;
  readonly isCa: boolean;
}

/**
 * Reads a certificate from its DER (or from its already read outer element, so an upload is parsed once).
 * Throws Asn1Error: a structural reason from the reader, or 'malformed' with a sentence naming the faulty field.
 */
export function readX509Certificate(input: Buffer | Asn1Element, maxDepth: number = MAX_CERTIFICATE_DEPTH): X509Facts {
  const certificate = Buffer.isBuffer(input) ? readAsn1(input, { maxDepth, highTagNumbers: true }) : input;
  const [tbs, outerAlgorithm, signature, ...extra] = certificate.children;
  if (
    certificate.tag !== Tag.sequence ||
    tbs?.tag !== Tag.sequence ||
    outerAlgorithm?.tag !== Tag.sequence ||
    signature?.tag !== Tag.bitString ||
    extra.length > 0
  ) {
    throw malformed('The upload is not an X.509 certificate');
  }
  const fields = tbs.children;
  let index = 0;
  let version: 1 | 2 | 3 = 1;
  if (fields[0]?.tag === Tag.context(0, true)) {
    version = readVersion(fields[0]);
    index = 1;
  }
  const [serial, innerAlgorithm, issuer, validity, subject, publicKeyInfo] = fields.slice(index, index + 6);
  if (serial?.tag !== Tag.integer || serial.content.length === 0) throw malformed("The certificate's serial number is malformed");
  const signatureOid = algorithmOid(outerAlgorithm);
  if (algorithmOid(innerAlgorithm) !== signatureOid) throw malformed('The certificate names two different signature algorithms');
  if (publicKeyInfo?.tag !== Tag.sequence) throw malformed("The certificate's public key is malformed");
  const [notBefore, notAfter] = readValidity(validity);
  const issuerName = readName(issuer, 'issuer');
  const subjectName = readName(subject, 'subject');
  const extensions = readOptionalFields(fields.slice(index + 6), version);
  const extendedKeyUsageOids = readExtension(extensions, EXTENSION_OIDS.extendedKeyUsage, 'extendedKeyUsage', maxDepth, readExtendedKeyUsage);
  return {
    der: certificate.raw,
    version,
    serialNumberDer: serial.raw,
    serialNumber: serial.content,
    serialNumberHex: isNegativeInteger(serial.content) ? negativeIntegerHex(serial.content) : serial.content.toString('hex').replace(/^(00)+(?=..)/, ''),
    signatureAlgorithmOid: signatureOid,
    signatureAlgorithm: SIGNATURE_ALGORITHM_OIDS[signatureOid] ?? signatureOid,
    signatureHashOid: signatureOid === RSASSA_PSS_OID ? pssHashOid(outerAlgorithm) : null,
    issuer: issuerName,
    subject: subjectName,
    notBefore,
    notAfter,
    extensions,
    subjectKeyIdentifier: readSubjectKeyIdentifier(extensions, maxDepth),
    keyUsage: readExtension(extensions, EXTENSION_OIDS.keyUsage, 'keyUsage', maxDepth, readKeyUsage),
    extendedKeyUsageOids,
    extendedKeyUsage: extendedKeyUsageOids && extendedKeyUsageOids.map((oid) => EXTENDED_KEY_USAGE_OIDS[oid] ?? oid),
    isCa: readExtension(extensions, EXTENSION_OIDS.basicConstraints, 'basicConstraints', maxDepth, readIsCa) ?? false,
  };
}

function readName(name: Asn1Element | undefined, what: string): X509Name {
  if (!name) throw malformed(`The certificate's ${what} is malformed`);
  return { der: name.raw, text: formatDistinguishedName(name, what), rdns: readNameAttributes(name, what) };
}

function readVersion(explicitVersion: Asn1Element): 1 | 2 | 3 {
  const [integer, ...extra] = explicitVersion.children;
  const bytes = integer?.tag === Tag.integer ? integer.content : Buffer.alloc(0);
  if (extra.length > 0 || bytes.length !== 1 || bytes[0] > 2) throw malformed("The certificate's version is malformed");
  return (bytes[0] + 1) as 1 | 2 | 3;
}

function algorithmOid(algorithm: Asn1Element | undefined): string {
  if (algorithm?.tag !== Tag.sequence) throw malformed("The certificate's signature algorithm is malformed");
  const id = algorithm.children[0];
  if (id?.tag !== Tag.oid || id.content.length === 0) throw malformed("The certificate's signature algorithm is malformed");
  return certificateOid(id, 'signature algorithm');
}

const RSASSA_PSS_OID = '1.2.840.113549.1.1.10';
const SHA1_OID = '1.3.14.3.2.26';

/** RSASSA-PSS-params' hashAlgorithm (`[0] EXPLICIT AlgorithmIdentifier`), SHA-1 by default (parameters absent or without it). */
function pssHashOid(algorithm: Asn1Element): string {
  const params = algorithm.children[1];
  if (params === undefined || params.tag === Tag.null) return SHA1_OID;
  if (params.tag !== Tag.sequence) throw malformed("The certificate's RSASSA-PSS parameters are malformed");
  const hash = params.children.find((child) => child.tag === Tag.context(0, true));
  if (hash === undefined) return SHA1_OID;
  const identifier = hash.children[0];
  if (identifier?.tag !== Tag.sequence || hash.children.length !== 1) throw malformed("The certificate's RSASSA-PSS hash algorithm is malformed");
  return certificateOid(identifier.children[0], 'RSASSA-PSS hash algorithm');
}

function certificateOid(element: Asn1Element | undefined, what: string): string {
  try {
    return oidOf(element, what);
  } catch {
    throw malformed(`The certificate's ${what} is malformed`);
  }
}

function readValidity(validity: Asn1Element | undefined): [Date, Date] {
  const times = validity?.tag === Tag.sequence ? validity.children : [];
  if (times.length !== 2) throw malformed("The certificate's validity is malformed");
  const notBefore = readTime(times[0]);
  const notAfter = readTime(times[1]);
  if (notAfter.getTime() < notBefore.getTime()) throw malformed('The certificate expires before it becomes valid');
  return [notBefore, notAfter];
}

/** UTCTime YYMMDDHHMMSSZ (years 50–99 are 19xx, RFC 5280 4.1.2.5.1) or GeneralizedTime YYYYMMDDHHMMSSZ. */
function readTime(time: Asn1Element): Date {
  const utc = time.tag === Tag.utcTime;
  const text = utc || time.tag === Tag.generalizedTime ? time.content.toString('latin1') : '';
  const match = utc ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) throw malformed("The certificate's validity dates are malformed");
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const fullYear = utc ? (year >= 50 ? 1900 + year : 2000 + year) : year;
  const date = utcInstant(fullYear, month, day, hour, minute, second);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || date.getUTCHours() !== hour || date.getUTCMinutes() !== minute || date.getUTCSeconds() !== second) {
    throw malformed("The certificate's validity dates are malformed");
  }
  return date;
}

function readOptionalFields(rest: readonly Asn1Element[], version: number): Map<string, CertificateExtension> {
  const extensions = new Map<string, CertificateExtension>();
  for (const field of rest) {
    if (field.tag === Tag.context(1, true) || field.tag === Tag.context(1, false) || field.tag === Tag.context(2, true) || field.tag === Tag.context(2, false)) continue;
    if (field.tag !== Tag.context(3, true) || version !== 3) throw malformed('The certificate has unexpected fields');
    const [list, ...extra] = field.children;
    if (list?.tag !== Tag.sequence || extra.length > 0) throw malformed("The certificate's extensions are malformed");
    for (const extension of list.children) {
      const parts = extension.tag === Tag.sequence ? extension.children : [];
      if (parts.length < 2 || parts.length > 3) throw malformed("The certificate's extensions are malformed");
      const [id, second, third] = parts;
      const oid = certificateOid(id, 'extensions');
      const hasCritical = second.tag === Tag.boolean;
      const critical = hasCritical && !(second.content.length === 1 && second.content[0] === 0);
      const value = hasCritical ? third : second;
      if (value?.tag !== Tag.octetString) throw malformed("The certificate's extensions are malformed");
      // RFC 5280 4.2: a certificate must not include more than one instance of an extension.
      if (extensions.has(oid)) throw malformed(`The certificate repeats the extension ${oid}`);
      extensions.set(oid, { critical, value: value.content });
    }
  }
  return extensions;
}

function readExtension<T>(
  extensions: ReadonlyMap<string, CertificateExtension>,
  oid: string,
  name: string,
  maxDepth: number,
  read: (value: Asn1Element) => T | undefined,
): T | null {
  const extension = extensions.get(oid);
  if (!extension) return null;
  let value: Asn1Element;
  try {
    value = readAsn1(extension.value, { maxDepth, highTagNumbers: true });
  } catch (error) {
    if (error instanceof Asn1Error && error.reason !== 'malformed') throw error;
    throw malformed(`The ${name} extension is not valid DER`);
  }
  const result = read(value);
  if (result === undefined) throw malformed(`The certificate's ${name} extension is malformed`);
  return result;
}

/** Only a hint for finding a signer's certificate: a malformed one is ignored rather than refusing the certificate. */
function readSubjectKeyIdentifier(extensions: ReadonlyMap<string, CertificateExtension>, maxDepth: number): Buffer | undefined {
  const extension = extensions.get(EXTENSION_OIDS.subjectKeyIdentifier);
  if (!extension) return undefined;
  try {
    const value = readAsn1(extension.value, { maxDepth });
    return value.tag === Tag.octetString ? value.content : undefined;
  } catch {
    return undefined;
  }
}

function readKeyUsage(bitString: Asn1Element): KeyUsageName[] | undefined {
  const bytes = bitString.tag === Tag.bitString ? bitString.content : Buffer.alloc(0);
  if (bytes.length === 0 || bytes[0] > 7) return undefined;
  return KEY_USAGE_BITS.filter((_, bit) => {
    const byteIndex = 1 + (bit >> 3);
    return byteIndex < bytes.length && (bytes[byteIndex] & (0x80 >> (bit & 7))) !== 0;
  });
}

function readExtendedKeyUsage(sequence: Asn1Element): string[] | undefined {
  if (sequence.tag !== Tag.sequence) return undefined;
  return sequence.children.map((purpose) => certificateOid(purpose, 'extendedKeyUsage extension'));
}

function readIsCa(sequence: Asn1Element): boolean | undefined {
  if (sequence.tag !== Tag.sequence) return undefined;
  const [first] = sequence.children;
  return first?.tag === Tag.boolean && !(first.content.length === 1 && first.content[0] === 0);
}
