import { type KeyObject, X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import * as forge from 'node-forge';

export interface TestCertificate {
  readonly pem: string;
  readonly der: Buffer;
  /** PKCS#8 PEM of the certificate's key; test material only. */
  readonly privateKeyPem: string;
}

export interface TestCertificateOptions {
  readonly commonName?: string;
  readonly organization?: string;
  /** RSA/DSA modulus bits (default 2048) or EC curve bits (256, 384, 521; default 256); ignored for Ed25519. */
  readonly keyBits?: number;
  readonly keyType?: TestKeyType;
  /** RSA only; default 65537. */
  readonly publicExponent?: number;
  /** Default: now − 1 day. */
  readonly notBefore?: Date;
  /** Default: now + 365 days. */
  readonly notAfter?: Date;
  /** Signs with this certificate's key and names it as issuer; self-signed when absent. */
  readonly issuer?: TestCertificate;
  readonly isCa?: boolean;
  /** Default: keyCertSign + cRLSign for a CA, digitalSignature + keyEncipherment otherwise; [] leaves the extension out. */
  readonly keyUsage?: string[];
  /** Names (serverAuth, emailProtection, …) or dotted OIDs; absent leaves the extension out. */
  readonly extendedKeyUsage?: string[];
  /** Marks the extendedKeyUsage extension critical (default: not). */
  readonly extendedKeyUsageCritical?: boolean;
  /** Digest the issuer signs with (ignored when it holds an Ed25519 key); md5 is for testing refusals. */
  readonly signatureHash?: TestSignatureHash;
  /** Hex; DER sign padding is added when the high bit is set. */
  readonly serial?: string;
  /** More extensions, each with its DER value, after the usual ones. */
  readonly extraExtensions?: readonly { readonly oid: string; readonly critical: boolean; readonly value: Buffer }[];
}

/** rsa-pss: an id-RSASSA-PSS key, which cannot sign here; give it an RSA `issuer`. */
export type TestKeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'dsa';
export type TestSignatureHash = 'md5' | 'sha1' | 'sha256';

// The factory's own OID tables, independent of the reader's, so a wrong OID in the reader cannot pass its own tests.
const EXTENSION_OIDS = {
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
} as const;
/** KeyUsage bit names in bit order (RFC 5280 4.2.1.3). */
const KEY_USAGE_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
const EXTENDED_KEY_USAGE_OIDS: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;
const DAY_MS = 86_400_000;
/** A few keys per size, handed out in turn so that a certificate and its issuer never share one. */
const KEYS_PER_SIZE = 3;

interface TestKey {
  readonly privateKey: KeyObject;
  readonly privateKeyPem: string;
  readonly spki: Buffer;
}

const keyPool = new Map<string, TestKey[]>();
let keyTurn = 0;

/** An X.509 v3 certificate built from scratch for tests: keys by Node (cached per size), TBS as DER, signed by Node. */
export function issueTestCertificate(options: TestCertificateOptions = {}): TestCertificate {
  const keyType = options.keyType ?? 'rsa';
  const keyBits = options.keyBits ?? (keyType === 'ec' || keyType === 'ed25519' ? 256 : 2048);
  const key = pickKey(keyType, keyBits, options.publicExponent ?? 65537, options.issuer?.privateKeyPem);
  const signerKey = options.issuer ? createPrivateKey(options.issuer.privateKeyPem) : key.privateKey;
  const hash = options.signatureHash ?? 'sha256';
  const now = Date.now();
  const subject = nameOf(options.commonName ?? 'Test Certificate', options.organization);
  const issuerTree = options.issuer ? readIssuerFields(options.issuer) : { subject, keyIdentifier: keyIdentifierOf(key.spki) };
  const algorithm = signatureAlgorithm(signerKey.asymmetricKeyType, hash);
  const tbs = sequence([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [integer(Buffer.from([2]))]),
    integer(serialBytes(options.serial)),
    algorithm,
    issuerTree.subject,
    sequence([time(options.notBefore ?? new Date(now - DAY_MS)), time(options.notAfter ?? new Date(now + 365 * DAY_MS))]),
    subject,
    fromDer(key.spki),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 3, true, [sequence(extensionsOf(options, key.spki, issuerTree.keyIdentifier))]),
  ]);
  const tbsDer = toDer(tbs);
  const signature = sign(signerKey.asymmetricKeyType === 'ed25519' ? null : hash, tbsDer, signerKey);
  const der = toDer(sequence([tbs, algorithm, bitString(signature)]));
  return { der, pem: new X509Certificate(der).toString(), privateKeyPem: key.privateKeyPem };
}

export interface TestChain {
  readonly leaf: TestCertificate;
  /** Leaf's issuer first. */
  readonly intermediates: TestCertificate[];
  readonly root: TestCertificate;
  /** Leaf, then intermediates, then root. */
  readonly bundlePem: string;
}

/** Root CA, `depth − 2` intermediate CAs and a leaf, each signed by the next. */
export function testChain(options: { depth?: number; leafNotAfter?: Date } = {}): TestChain {
  const depth = options.depth ?? 3;
  if (depth < 2) throw new Error('A chain needs at least a root and a leaf');
  const root = issueTestCertificate({ commonName: 'Test Root CA', organization: 'Test PKI', isCa: true, notAfter: new Date(Date.now() + 3650 * DAY_MS) });
  const fromRoot: TestCertificate[] = [];
  let issuer = root;
  for (let level = 1; level <= depth - 2; level++) {
    issuer = issueTestCertificate({ commonName: `Test Intermediate CA ${level}`, organization: 'Test PKI', isCa: true, issuer, notAfter: new Date(Date.now() + 1825 * DAY_MS) });
    fromRoot.push(issuer);
  }
  const leaf = issueTestCertificate({ commonName: 'Test Partner AS2', organization: 'Test Partner', issuer, notAfter: options.leafNotAfter });
  const intermediates = fromRoot.reverse();
  return { leaf, intermediates, root, bundlePem: [leaf, ...intermediates, root].map((certificate) => certificate.pem).join('') };
}

function pickKey(type: TestKeyType, bits: number, publicExponent: number, avoidPem: string | undefined): TestKey {
  const poolKey = `${type}-${bits}-${publicExponent}`;
  let pool = keyPool.get(poolKey);
  if (!pool) keyPool.set(poolKey, (pool = []));
  for (let attempt = 0; attempt < KEYS_PER_SIZE; attempt++) {
    const slot = keyTurn++ % KEYS_PER_SIZE;
    pool[slot] ??= generateKey(type, bits, publicExponent);
    if (pool[slot].privateKeyPem !== avoidPem) return pool[slot];
  }
  throw new Error('No distinct test key available');
}

function generateKey(type: TestKeyType, bits: number, publicExponent: number): TestKey {
  const { privateKey, publicKey } = generateKeyPair(type, bits, publicExponent);
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    spki: publicKey.export({ type: 'spki', format: 'der' }),
  };
}

function generateKeyPair(type: TestKeyType, bits: number, publicExponent: number): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (type) {
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent });
    case 'rsa-pss':
      return generateKeyPairSync('rsa-pss', { modulusLength: bits, publicExponent });
    case 'dsa':
      return generateKeyPairSync('dsa', { modulusLength: bits, divisorLength: 256 });
    case 'ed25519':
      return generateKeyPairSync('ed25519');
    case 'ec':
      return generateKeyPairSync('ec', { namedCurve: ecCurve(bits) });
  }
}

function ecCurve(bits: number): string {
  const curves: Record<number, string> = { 256: 'prime256v1', 384: 'secp384r1', 521: 'secp521r1' };
  const curve = curves[bits];
  if (!curve) throw new Error(`No test EC curve of ${bits} bits`);
  return curve;
}

function extensionsOf(options: TestCertificateOptions, spki: Buffer, authorityKeyIdentifier: Buffer): Asn1[] {
  const isCa = options.isCa ?? false;
  const keyUsage = options.keyUsage ?? (isCa ? ['keyCertSign', 'cRLSign'] : ['digitalSignature', 'keyEncipherment']);
  const extensions = [
    extension(EXTENSION_OIDS.basicConstraints, true, sequence(isCa ? [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff')] : [])),
    extension(EXTENSION_OIDS.subjectKeyIdentifier, false, octetString(keyIdentifierOf(spki))),
    extension(EXTENSION_OIDS.authorityKeyIdentifier, false, sequence([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, authorityKeyIdentifier.toString('binary'))])),
  ];
  if (keyUsage.length > 0) extensions.push(extension(EXTENSION_OIDS.keyUsage, true, keyUsageBits(keyUsage)));
  if (options.extendedKeyUsage) {
    extensions.push(extension(EXTENSION_OIDS.extendedKeyUsage, options.extendedKeyUsageCritical === true, sequence(options.extendedKeyUsage.map((purpose) => oid(extendedKeyUsageOid(purpose))))));
  }
  for (const extra of options.extraExtensions ?? []) extensions.push(extension(extra.oid, extra.critical, fromDer(extra.value)));
  return extensions;
}

function keyUsageBits(names: string[]): Asn1 {
  const bytes = Buffer.alloc(2);
  for (const name of names) {
    const bit = KEY_USAGE_BITS.indexOf(name as (typeof KEY_USAGE_BITS)[number]);
    if (bit < 0) throw new Error(`Unknown keyUsage ${name}`);
    bytes[bit >> 3] |= 0x80 >> (bit & 7);
  }
  // DER: drop trailing zero octets and count the unused low bits of the last one (X.690 11.2.2).
  const used = bytes[1] === 0 ? bytes.subarray(0, 1) : bytes;
  const last = used[used.length - 1];
  let unused = 0;
  while (unused < 7 && last !== 0 && (last & (1 << unused)) === 0) unused++;
  return bitString(used, unused);
}

function extendedKeyUsageOid(purpose: string): string {
  if (/^\d+(\.\d+)+$/.test(purpose)) return purpose;
  const found = Object.entries(EXTENDED_KEY_USAGE_OIDS).find(([, name]) => name === purpose);
  if (!found) throw new Error(`Unknown extendedKeyUsage ${purpose}`);
  return found[0];
}

function readIssuerFields(issuer: TestCertificate): { subject: Asn1; keyIdentifier: Buffer } {
  const tbs = (fromDer(issuer.der).value as Asn1[])[0].value as Asn1[];
  const offset = tbs[0].tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const spki = new X509Certificate(issuer.der).publicKey.export({ type: 'spki', format: 'der' });
  return { subject: tbs[offset + 4], keyIdentifier: keyIdentifierOf(spki) };
}

const SIGNATURE_OIDS: Readonly<Record<string, Partial<Record<TestSignatureHash, string>>>> = {
  rsa: { md5: '1.2.840.113549.1.1.4', sha1: '1.2.840.113549.1.1.5', sha256: '1.2.840.113549.1.1.11' },
  ec: { sha1: '1.2.840.10045.4.1', sha256: '1.2.840.10045.4.3.2' },
  dsa: { sha1: '1.2.840.10040.4.3', sha256: '2.16.840.1.101.3.4.3.2' },
};

function signatureAlgorithm(signerType: string | undefined, hash: TestSignatureHash): Asn1 {
  if (signerType === 'ed25519') return sequence([oid('1.3.101.112')]);
  const dotted = SIGNATURE_OIDS[signerType ?? '']?.[hash];
  if (!dotted) throw new Error(`No test signature algorithm for ${signerType} with ${hash}`);
  // RFC 4055 2.1: RSA PKCS#1 v1.5 algorithm identifiers carry NULL parameters; ECDSA and DSA ones none.
  return sequence(signerType === 'rsa' ? [oid(dotted), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')] : [oid(dotted)]);
}

function nameOf(commonName: string, organization: string | undefined): Asn1 {
  const attribute = (type: string, value: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [sequence([oid(type), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(value))])]);
  // Most general RDN first in DER, so the RFC 4514 string reads "CN=…, O=…".
  return sequence([...(organization ? [attribute('2.5.4.10', organization)] : []), attribute('2.5.4.3', commonName)]);
}

function serialBytes(serial: string | undefined): Buffer {
  const bytes = serial ? Buffer.from(serial.length % 2 ? `0${serial}` : serial, 'hex') : Buffer.concat([Buffer.from([0x01]), randomBytes(15)]);
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && (bytes[start + 1] & 0x80) === 0) start++;
  const minimal = bytes.subarray(start);
  return minimal[0] & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal;
}

function keyIdentifierOf(spki: Buffer): Buffer {
  return createHash('sha1').update(spki).digest();
}

function time(date: Date): Asn1 {
  // RFC 5280 4.1.2.5: UTCTime for 1950 through 2049, GeneralizedTime outside.
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function extension(id: string, critical: boolean, value: Asn1): Asn1 {
  return sequence([oid(id), ...(critical ? [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff')] : []), octetString(toDer(value))]);
}

function sequence(children: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, children);
}

function integer(bytes: Buffer): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bytes.toString('binary'));
}

function oid(dotted: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(dotted).getBytes());
}

function octetString(bytes: Buffer): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
}

function bitString(bytes: Buffer, unusedBits = 0): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(unusedBits) + bytes.toString('binary'));
}

function toDer(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

function fromDer(der: Buffer): Asn1 {
  return asn1.fromDer(der.toString('binary'));
}
