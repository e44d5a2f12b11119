import { type Asn1, Asn1Type, bytesOf, childrenOf, isContext, isUniversal, oidOf, readAsn1Tree } from './asn1-tree';
import { invalidCertificate } from './certificate-reading.errors';
import { formatDistinguishedName } from './distinguished-name';
import { SIGNATURE_ALGORITHM_OIDS } from './x509-names';

export interface CertificateExtension {
  readonly critical: boolean;
  /** The DER inside extnValue. */
  readonly value: Buffer;
}

/** The fields of an X.509 certificate (RFC 5280 4.1) that node-forge can read for any key type. */
export interface CertificateStructure {
  readonly version: 1 | 2 | 3;
  readonly serial: string;
  readonly signatureAlgorithm: string;
  readonly signatureAlgorithmOid: string;
  readonly issuer: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: ReadonlyMap<string, CertificateExtension>;
}

export function readCertificateStructure(der: Buffer): CertificateStructure {
  const certificate = readAsn1Tree(der, 'certificate');
  const [tbs, outerAlgorithm, signature, ...extra] = childrenOf(certificate, 'structure');
  if (
    !isUniversal(certificate, Asn1Type.SEQUENCE) ||
    !isUniversal(tbs, Asn1Type.SEQUENCE) ||
    !isUniversal(outerAlgorithm, Asn1Type.SEQUENCE) ||
    !isUniversal(signature, Asn1Type.BITSTRING) ||
    extra.length > 0
  ) {
    throw invalidCertificate('The upload is not an X.509 certificate');
  }
  const fields = childrenOf(tbs, 'TBSCertificate');
  let index = 0;
  let version: 1 | 2 | 3 = 1;
  if (isContext(fields[0], 0)) {
    version = readVersion(fields[0]);
    index = 1;
  }
  const [serial, innerAlgorithm, issuer, validity, subject, publicKeyInfo] = fields.slice(index, index + 6);
  if (!isUniversal(serial, Asn1Type.INTEGER)) throw invalidCertificate("The certificate's serial number is malformed");
  const signatureOid = algorithmOid(outerAlgorithm);
  if (algorithmOid(innerAlgorithm) !== signatureOid) {
    throw invalidCertificate('The certificate names two different signature algorithms');
  }
  if (!isUniversal(publicKeyInfo, Asn1Type.SEQUENCE)) throw invalidCertificate("The certificate's public key is malformed");
  const [notBefore, notAfter] = readValidity(validity);
  const extensions = readOptionalFields(fields.slice(index + 6), version);
  return {
    version,
    serial: formatSerial(bytesOf(serial, 'serial number')),
    signatureAlgorithm: SIGNATURE_ALGORITHM_OIDS[signatureOid] ?? signatureOid,
    signatureAlgorithmOid: signatureOid,
    issuer: formatDistinguishedName(issuer, 'issuer'),
    subject: formatDistinguishedName(subject, 'subject'),
    notBefore,
    notAfter,
    extensions,
  };
}

function readVersion(explicitVersion: Asn1): 1 | 2 | 3 {
  const [integer, ...extra] = childrenOf(explicitVersion, 'version');
  const bytes = isUniversal(integer, Asn1Type.INTEGER) ? bytesOf(integer, 'version') : '';
  if (extra.length > 0 || bytes.length !== 1 || bytes.charCodeAt(0) > 2) throw invalidCertificate("The certificate's version is malformed");
  return (bytes.charCodeAt(0) + 1) as 1 | 2 | 3;
}

function algorithmOid(algorithm: Asn1 | undefined): string {
  if (!isUniversal(algorithm, Asn1Type.SEQUENCE)) throw invalidCertificate("The certificate's signature algorithm is malformed");
  return oidOf(childrenOf(algorithm, 'signature algorithm')[0], 'signature algorithm');
}

function readValidity(validity: Asn1 | undefined): [Date, Date] {
  const times = isUniversal(validity, Asn1Type.SEQUENCE) ? childrenOf(validity, 'validity') : [];
  if (times.length !== 2) throw invalidCertificate("The certificate's validity is malformed");
  const notBefore = readTime(times[0]);
  const notAfter = readTime(times[1]);
  if (notAfter.getTime() < notBefore.getTime()) throw invalidCertificate('The certificate expires before it becomes valid');
  return [notBefore, notAfter];
}

/** UTCTime YYMMDDHHMMSSZ (years 50–99 are 19xx, RFC 5280 4.1.2.5.1) or GeneralizedTime YYYYMMDDHHMMSSZ. */
function readTime(time: Asn1): Date {
  const text = isUniversal(time, Asn1Type.UTCTIME) || isUniversal(time, Asn1Type.GENERALIZEDTIME) ? bytesOf(time, 'validity') : '';
  const match = time.type === Asn1Type.UTCTIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) throw invalidCertificate("The certificate's validity dates are malformed");
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const fullYear = time.type === Asn1Type.UTCTIME ? (year >= 50 ? 1900 + year : 2000 + year) : year;
  const date = new Date(Date.UTC(fullYear, month - 1, day, hour, minute, second));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || date.getUTCHours() !== hour || date.getUTCMinutes() !== minute || date.getUTCSeconds() !== second) {
    throw invalidCertificate("The certificate's validity dates are malformed");
  }
  return date;
}

function readOptionalFields(rest: Asn1[], version: number): Map<string, CertificateExtension> {
  const extensions = new Map<string, CertificateExtension>();
  for (const field of rest) {
    if (isContext(field, 1) || isContext(field, 2)) continue;
    if (!isContext(field, 3) || version !== 3) throw invalidCertificate('The certificate has unexpected fields');
    const [list, ...extra] = childrenOf(field, 'extensions');
    if (!isUniversal(list, Asn1Type.SEQUENCE) || extra.length > 0) throw invalidCertificate("The certificate's extensions are malformed");
    for (const extension of childrenOf(list, 'extensions')) {
      const parts = isUniversal(extension, Asn1Type.SEQUENCE) ? childrenOf(extension, 'extensions') : [];
      if (parts.length < 2 || parts.length > 3) throw invalidCertificate("The certificate's extensions are malformed");
      const [id, second, third] = parts;
      const oid = oidOf(id, 'extensions');
      const critical = isUniversal(second, Asn1Type.BOOLEAN) && bytesOf(second, 'extensions') !== '\x00';
      const value = isUniversal(second, Asn1Type.BOOLEAN) ? third : second;
      if (!isUniversal(value, Asn1Type.OCTETSTRING)) throw invalidCertificate("The certificate's extensions are malformed");
      // RFC 5280 4.2: a certificate must not include more than one instance of an extension.
      if (extensions.has(oid)) throw invalidCertificate(`The certificate repeats the extension ${oid}`);
      extensions.set(oid, { critical, value: Buffer.from(bytesOf(value, 'extensions'), 'binary') });
    }
  }
  return extensions;
}

/** Lowercase hex without the sign padding DER adds when the high bit is set. */
function formatSerial(bytes: string): string {
  if (bytes.length === 0) throw invalidCertificate("The certificate's serial number is malformed");
  const hex = Buffer.from(bytes, 'binary').toString('hex');
  return hex.replace(/^(00)+(?=..)/, '');
}
