import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import * as forge from 'node-forge';
import { characterCount, DomainError, hasControlCharacters, KeyedMutex } from '@as2-partners/kernel';
import { pemBlocks, pemBlocksToDer, readX509Certificate } from '@as2-partners/pki';
import { assertUsageFits, CertificateReadingErrorCode, DEFAULT_MAX_CHAIN_LENGTH, OurKeyErrorCode, readCertificateUpload, type CertificateDetails } from '@as2-partners/certificate-lifecycle-domain';
import { iterationCountsOf, largestIterationCount, MAX_PEM_KEY_ITERATIONS, MAX_PKCS12_ITERATIONS, MAX_PKCS12_TOTAL_ITERATIONS, namesScrypt } from './pkcs12-work-limit';
import { deriveForgeKeysNatively } from './native-pbkdf2';

// A PKCS#12 file's PBES2 keys derived by OpenSSL, not in JavaScript on the event loop.
deriveForgeKeysNatively();

/** A private key with its certificate, read or made here; lives only inside this service, for as long as one call needs it. */
export interface KeyMaterial {
  readonly privateKey: KeyObject;
  /** The leaf certificate and its chain as the certificate reader checked them. */
  readonly certificate: CertificateDetails;
}

export const RSA_KEY_SIZES = [2048, 3072, 4096] as const;
export type RsaKeySize = (typeof RSA_KEY_SIZES)[number];

/** Larger than any real PKCS#12 or PEM bundle of one key and its chain; bounds what the ASN.1 parser is fed. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

const SUBJECT_ATTRIBUTES: Readonly<Record<string, string>> = { CN: 'CN', O: 'O', OU: 'OU', C: 'C', L: 'L', ST: 'ST', EMAILADDRESS: 'E', E: 'E' };

/** RFC 5280's PrintableString characters; a DirectoryString value of others is a UTF8String. */
const PRINTABLE_STRING = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * The ASN.1 string type of a value (forge writes PrintableString when told nothing, whatever the characters): C is a
 * PrintableString, emailAddress an IA5String (ASCII), the others PrintableString when they can be, else UTF8String
 * (forge encodes the value to UTF-8 itself for that type).
 */
function valueTagClassOf(name: string, value: string): number {
  if (name === 'E') return forge.asn1.Type.IA5STRING;
  return name === 'C' || PRINTABLE_STRING.test(value) ? forge.asn1.Type.PRINTABLESTRING : forge.asn1.Type.UTF8;
}

const generateRsa = promisify(generateKeyPair);
/**
 * Key pairs are made on libuv's thread pool (four threads), which also syncs the event store's WAL before a write is
 * answered: one at a time, so a burst of generations (a 4096-bit key takes 0.5–1.6 s) never holds every thread while
 * other tenants' writes wait for their sync (eight at once held a create 5 s).
 */
const keyPairs = new KeyedMutex();
const KEY_PAIRS = 'rsa-key-pairs';

function keyError(code: string, message: string, field?: string): DomainError {
  return new DomainError(code, message, field);
}

/** The attributes of one RDN of a subject (several when its text joins them with '+'). */
export type SubjectRdn = forge.pki.CertificateField[];

/** One character of a subject's text, its RFC 4514 escape decoded: an escaped one is always part of a value. */
interface SubjectChar {
  readonly char: string;
  readonly escaped: boolean;
}

/** What RFC 4514 2.4 lets follow a backslash (besides a hex pair): its special characters, a space, '#' and '='. */
const ESCAPABLE = new Set(['"', '+', ',', ';', '<', '>', '\\', ' ', '#', '=']);
/** What RFC 4514 2.4 escapes in a value and is refused unescaped ('+' unescaped stays in a value unless an attribute follows it). */
const MUST_BE_ESCAPED = new Set(['"', ';', '<', '>']);
/** What may follow an unescaped '+' for it to begin another attribute of the same RDN: an attribute type and '='. */
const ATTRIBUTE_TYPE = /^\s*(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)\s*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The subject's characters with `\` and a special character, and runs of hex pairs (UTF-8 bytes, RFC 4514 2.4), decoded. */
function unescapeSubject(subject: string, invalid: (why: string) => DomainError): SubjectChar[] {
  const chars: SubjectChar[] = [];
  let bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length === 0) return;
    let text: string;
    try {
      text = utf8.decode(Uint8Array.from(bytes));
    } catch {
      throw invalid('escapes bytes (\\XX hex pairs) that are not UTF-8');
    }
    for (const char of text) chars.push({ char, escaped: true });
    bytes = [];
  };
  for (let i = 0; i < subject.length; i++) {
    if (subject[i] !== '\\') {
      flushBytes();
      chars.push({ char: subject[i], escaped: false });
      continue;
    }
    const pair = subject.slice(i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(pair)) {
      bytes.push(parseInt(pair, 16));
      i += 2;
      continue;
    }
    flushBytes();
    const next = subject[i + 1];
    if (next === undefined || !ESCAPABLE.has(next)) throw invalid(`has a '\\' that escapes nothing RFC 4514 escapes (one of \\" \\+ \\, \\; \\< \\> \\\\ \\# \\= "\\ " or a hex pair such as \\2C)`);
    chars.push({ char: next, escaped: true });
    i += 1;
  }
  flushBytes();
  return chars;
}

/** Splits at each unescaped `separator` for which `splits` (given what follows it) holds. */
function splitUnescaped(chars: readonly SubjectChar[], separator: string, splits: (rest: readonly SubjectChar[]) => boolean = () => true): SubjectChar[][] {
  const parts: SubjectChar[][] = [[]];
  chars.forEach((c, i) => {
    if (!c.escaped && c.char === separator && splits(chars.slice(i + 1))) parts.push([]);
    else parts[parts.length - 1].push(c);
  });
  return parts;
}

/** An unescaped '+' begins another attribute of the RDN when an attribute type and '=' follow it; any other stays in the value, as before. */
function beginsAttribute(rest: readonly SubjectChar[]): boolean {
  const end = rest.findIndex((c) => !c.escaped && (c.char === '=' || c.char === ',' || c.char === '+'));
  return end >= 0 && rest[end].char === '=' && rest.slice(0, end).every((c) => !c.escaped) && ATTRIBUTE_TYPE.test(textOf(rest.slice(0, end)));
}

function textOf(chars: readonly SubjectChar[]): string {
  return chars.map((c) => c.char).join('');
}

/** The characters without unescaped white space at either end (an escaped space, "\ ", stays). */
function trimUnescaped(chars: readonly SubjectChar[]): readonly SubjectChar[] {
  const kept = (c: SubjectChar) => c.escaped || !/\s/.test(c.char);
  const start = chars.findIndex(kept);
  return start < 0 ? [] : chars.slice(start, chars.length - [...chars].reverse().findIndex(kept));
}

/**
 * An RFC 4514 subject as people write it, most specific RDN first ("CN=Acme AS2\, Inc., O=Acme Corp"), to forge's
 * attributes by RDN in certificate (DER) order. RDNs are separated by ',' (with any spaces around); '+' followed by
 * NAME= joins another attribute to the same RDN ("CN=a+O=b, C=US"); `\` escapes a special character (\, \+ \\ \" \;
 * \< \> \# \= and "\ ") or gives UTF-8 bytes as hex pairs (\C3\A9 is "é"). A value beginning with an unescaped '#'
 * (RFC 4514's BER hex form) is refused. `field`: the request's field the subject came from, which a refusal names.
 */
export function parseSubject(subject: string, field = 'subject'): SubjectRdn[] {
  const invalid = (why: string) => keyError(OurKeyErrorCode.InvalidSubject, `The subject ${why}, e.g. "CN=Acme AS2, O=Acme Corp, C=US"`, field);
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 1024) throw invalid('must be 1-1024 characters');
  const rdns = splitUnescaped(unescapeSubject(subject, invalid), ',').map((rdn) =>
    splitUnescaped(rdn, '+', beginsAttribute).map((attribute) => {
      const part = textOf(attribute).trim();
      const eq = attribute.findIndex((c) => !c.escaped && c.char === '=');
      if (eq <= 0 || attribute.slice(0, eq).some((c) => c.escaped) || textOf(attribute.slice(0, eq)).trim().length === 0) {
        throw invalid(`part "${part.slice(0, 40)}" is not NAME=value`);
      }
      const typeText = textOf(attribute.slice(0, eq)).trim();
      const name = SUBJECT_ATTRIBUTES[typeText.toUpperCase()];
      const valueChars = trimUnescaped(attribute.slice(eq + 1));
      const value = textOf(valueChars);
      if (!name) throw invalid(`names an unsupported attribute "${typeText.slice(0, 20)}" (use CN, O, OU, C, L, ST, E)`);
      if (valueChars[0]?.char === '#' && !valueChars[0].escaped) throw invalid(`value of ${name} begins with '#', RFC 4514's form for BER in hex, which is not taken: write "\\#" for a '#'`);
      // RFC 4514 2.4: these are escaped in a value; an older reader (RFC 2253, 1779) takes a ';' for a separator of RDNs.
      const unescaped = valueChars.find((c) => !c.escaped && MUST_BE_ESCAPED.has(c.char));
      if (unescaped) throw invalid(`value of ${name} has an unescaped '${unescaped.char}': write "\\${unescaped.char}"${unescaped.char === ';' ? ", and separate RDNs with ','" : ''}`);
      // Control characters (C0, C1, line separators) and bidirectional overrides never belong in a certificate name.
      if (value.length === 0 || characterCount(value) > 64 || hasControlCharacters(value)) throw invalid(`value of ${name} must be 1-64 printable characters`);
      if (name === 'C' && !/^[A-Za-z]{2}$/.test(value)) throw invalid('country (C) must be two letters');
      if (name === 'E' && !/^[ -~]*$/.test(value)) throw invalid('email address (E) must be ASCII');
      const valueTagClass = valueTagClassOf(name, value);
      return name === 'E' ? { name: 'emailAddress', value, valueTagClass } : { shortName: name, value, valueTagClass };
    }),
  );
  for (const rdn of rdns) {
    const names = rdn.map((field) => field.shortName ?? 'E');
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated) throw invalid(`names ${repeated} twice in one RDN (attributes joined with '+')`);
  }
  if (!rdns.some((rdn) => rdn.some((field) => field.shortName === 'CN'))) throw invalid('must name a CN');
  // RFC 4514 writes the most specific name first; the certificate encodes it last.
  return rdns.reverse();
}

/** DER's order of a SET OF's members: their encodings compared as octet strings, the shorter padded with zero octets. */
function compareDer(a: string, b: string): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a.charCodeAt(i) || 0) - (b.charCodeAt(i) || 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * The Name forge wrote for a subject's attributes (an RDN each) with the attributes of one RDN in one SET, as DER orders
 * them: forge has no multi-valued RDNs.
 */
function nameOfRdns(forgeName: forge.asn1.Asn1, rdns: readonly SubjectRdn[]): forge.asn1.Asn1 {
  const sets = forgeName.value as forge.asn1.Asn1[];
  if (sets.length !== rdns.reduce((n, rdn) => n + rdn.length, 0)) throw new Error('forge wrote a Name of other attributes than the subject given');
  let next = 0;
  const grouped = rdns.map((rdn) => {
    const members = sets.slice(next, (next += rdn.length)).flatMap((set) => set.value as forge.asn1.Asn1[]);
    const sorted = members.map((member) => ({ member, der: forge.asn1.toDer(member).getBytes() })).sort((a, b) => compareDer(a.der, b.der));
    return forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, sorted.map(({ member }) => member));
  });
  return forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, grouped);
}

/** forge builds the structures; only the public half of the key ever becomes a forge object. */
function forgePublicKeyOf(privateKey: KeyObject): forge.pki.rsa.PublicKey {
  return forge.pki.publicKeyFromPem(createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString()) as forge.pki.rsa.PublicKey;
}

const SHA256_WITH_RSA = forge.pki.oids['sha256WithRSAEncryption'];

/** forge functions its typings leave out: the to-be-signed parts, built from the fields set so far. */
const forgeToBeSigned = forge.pki as unknown as {
  getTBSCertificate(certificate: forge.pki.Certificate): forge.asn1.Asn1;
  getCertificationRequestInfo(request: forge.pki.CertificateSigningRequest): forge.asn1.Asn1;
};

/** An RSA PKCS#1 v1.5 SHA-256 signature by Node (OpenSSL): forge's JavaScript RSA holds the process a second per 4096-bit signature. */
function nodeSignature(toBeSigned: forge.asn1.Asn1, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(forge.asn1.toDer(toBeSigned).getBytes(), 'binary'), privateKey).toString('binary');
}

/** The validity of a certificate generated at `now` for `validDays`: from `now` to the second, for whole days. */
export function generatedValidity(now: Date, validDays: number): { readonly notBefore: Date; readonly notAfter: Date } {
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + validDays * 86_400_000) };
}

/** A fresh RSA key and a self-signed certificate for it (what a partner is handed), valid from `now` for `validDays`. */
export async function generateKeyMaterial(options: { keySize: RsaKeySize; subject: string; validDays: number; now: Date }): Promise<KeyMaterial> {
  // Given in a request's generate block (a new key's, a rollover's): the refusal names it as the block's other checks do.
  const subject = parseSubject(options.subject, 'generate.subject');
  const { privateKey } = await keyPairs.run(KEY_PAIRS, () => generateRsa('rsa', { modulusLength: options.keySize }));
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePublicKeyOf(privateKey);
  // A positive 64-bit serial: random so that two keys never share issuer and serial.
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  const validity = generatedValidity(options.now, options.validDays);
  cert.validity.notBefore = validity.notBefore;
  cert.validity.notAfter = validity.notAfter;
  cert.setSubject(subject.flat());
  cert.setIssuer(subject.flat());
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true, dataEncipherment: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.siginfo.algorithmOid = SHA256_WITH_RSA;
  cert.signatureOid = SHA256_WITH_RSA;
  cert.tbsCertificate = forgeToBeSigned.getTBSCertificate(cert);
  // TBSCertificate ::= SEQUENCE { [0] version, serialNumber, signature, issuer, validity, subject, ... } (forge writes the version)
  const tbsFields = cert.tbsCertificate.value as forge.asn1.Asn1[];
  tbsFields[3] = nameOfRdns(tbsFields[3], subject);
  tbsFields[5] = nameOfRdns(tbsFields[5], subject);
  cert.signature = nodeSignature(cert.tbsCertificate, privateKey);
  return { privateKey, certificate: readCertificateUpload(Buffer.from(forge.pki.certificateToPem(cert))) };
}

/**
 * The subject Name of a certificate as forge ASN.1 that writes back its exact DER: forge's subject attributes flatten a
 * multi-valued RDN (CN=a+O=b) into RDNs of their own and re-encode the values, so the Name is taken whole instead.
 */
function subjectNameOf(certificatePem: string): forge.asn1.Asn1 {
  const unusable = () => keyError(OurKeyErrorCode.InvalidSubject, 'The key\'s certificate subject cannot be copied into a request as it is written; give the subject for the request', 'subject');
  let subjectDer: Buffer;
  let name: forge.asn1.Asn1;
  try {
    subjectDer = readX509Certificate(pemBlocksToDer(certificatePem)[0]).subject.der;
    const fromDer = forge.asn1.fromDer as unknown as (bytes: forge.util.ByteStringBuffer, options: object) => forge.asn1.Asn1;
    name = fromDer(forge.util.createBuffer(subjectDer.toString('binary')), { strict: true, parseAllBytes: true, decodeBitStrings: false });
  } catch {
    throw unusable();
  }
  if (forge.asn1.toDer(name).getBytes() !== subjectDer.toString('binary')) throw unusable();
  return name;
}

/**
 * A PKCS#10 request for the key, signed by it (SHA-256), for a CA to certify: for the subject given, or else the exact
 * subject of the key's certificate (its Name DER byte for byte, not re-parsed from its text form or its attributes).
 */
export function certificationRequestOf(privateKey: KeyObject, subject: { text: string } | { certificatePem: string }): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forgePublicKeyOf(privateKey);
  const rdns = 'text' in subject ? parseSubject(subject.text) : null;
  if (rdns) csr.setSubject(rdns.flat());
  csr.siginfo.algorithmOid = SHA256_WITH_RSA;
  csr.signatureOid = SHA256_WITH_RSA;
  const requestInfo = forgeToBeSigned.getCertificationRequestInfo(csr);
  // CertificationRequestInfo ::= SEQUENCE { version, subject Name, subjectPKInfo, attributes [0] }
  const requestFields = requestInfo.value as forge.asn1.Asn1[];
  requestFields[1] = rdns ? nameOfRdns(requestFields[1], rdns) : subjectNameOf((subject as { certificatePem: string }).certificatePem);
  csr.certificationRequestInfo = requestInfo;
  csr.signature = nodeSignature(requestInfo, privateKey);
  return forge.pki.certificationRequestToPem(csr);
}

/** The request field a key came in: a PKCS#12 file, or a PEM private key. */
type KeyField = 'pkcs12' | 'private_key';

/** Only RSA 2048–4096: what AS2 signing and key transport here (libs/as2) use. Refusals name `field`, as every other file error. */
function assertSupportedKey(privateKey: KeyObject, field: KeyField): KeyObject {
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw keyError(OurKeyErrorCode.UnsupportedKey, `The private key is of type ${privateKey.asymmetricKeyType ?? 'unknown'}; AS2 keys here are RSA (2048, 3072 or 4096 bits)`, field);
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048 || bits > 4096) throw keyError(OurKeyErrorCode.UnsupportedKey, `The RSA key has ${bits} bits; keys of 2048 to 4096 bits are accepted`, field);
  assertKeyWorks(privateKey, field);
  return privateKey;
}

/**
 * A key whose parts do not fit together (a damaged private exponent, say) still names the certificate's public key,
 * and would be stored to sign what no partner can verify, or sign only while OpenSSL quietly repairs each signature:
 * its RSA parts are checked against one another (as `openssl rsa -check` does), then one signature is made and checked
 * against its own public key, before it is stored.
 */
function assertKeyWorks(privateKey: KeyObject, field: KeyField): void {
  const probe = Buffer.from('as2-partners key check');
  let works = false;
  try {
    works = rsaPartsFit(privateKey) && verify('sha256', probe, createPublicKey(privateKey), sign('sha256', probe, privateKey));
  } catch {
    works = false;
  }
  if (!works) throw keyError(OurKeyErrorCode.InvalidPrivateKey, 'The private key is damaged: its parts do not fit together (as openssl rsa -check finds)', field);
}

/**
 * p·q divides n (it is n but for a multi-prime key, whose further primes a JWK leaves out), e·d ≡ 1 modulo p−1 and q−1,
 * the CRT exponents d mod p−1 and d mod q−1, and q·qInv ≡ 1 modulo p: OpenSSL signs with the CRT parts and redoes a
 * wrong result with d, so a signature alone does not tell a damaged key.
 */
function rsaPartsFit(privateKey: KeyObject): boolean {
  const jwk = privateKey.export({ format: 'jwk' });
  const big = (value: string | undefined): bigint | null => (value === undefined ? null : BigInt(`0x${Buffer.from(value, 'base64url').toString('hex') || '0'}`));
  const [n, e, d, p, q, dp, dq, qi] = [jwk.n, jwk.e, jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].map(big);
  if (n === null || e === null || d === null || p === null || q === null || dp === null || dq === null || qi === null) return false;
  if (p <= 1n || q <= 1n || n % (p * q) !== 0n) return false;
  return (e * d) % (p - 1n) === 1n && (e * d) % (q - 1n) === 1n && d % (p - 1n) === dp && d % (q - 1n) === dq && (q * qi) % p === 1n;
}

/** The certificate and key must be one pair: a partner encrypting to the certificate must reach this key. */
function paired(privateKey: KeyObject, certificates: readonly Buffer[], field: 'certificate' | 'pkcs12'): KeyMaterial {
  // Counted before any is read: each is parsed up to twice below, on the event loop (1,260 empty blocks in a 64 KiB
  // certificate field held it 1.7 s); the upload's own reading refuses the same count with the same code.
  if (certificates.length > DEFAULT_MAX_CHAIN_LENGTH) {
    throw new DomainError(CertificateReadingErrorCode.CERTIFICATE_TOO_LARGE, `The ${field === 'pkcs12' ? 'PKCS#12 file' : 'certificate field'} holds more than ${DEFAULT_MAX_CHAIN_LENGTH} certificates`, field, { max_certificates: DEFAULT_MAX_CHAIN_LENGTH });
  }
  const publicDer = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const leafIndex = certificates.findIndex((der) => {
    try {
      return createPublicKey({ key: derToPem(der), format: 'pem' }).export({ format: 'der', type: 'spki' }).equals(publicDer);
    } catch {
      return false;
    }
  });
  if (leafIndex < 0) {
    // A PKCS#12 reader may hand an id-RSASSA-PSS key over as plain RSA: its certificate still names it PSS-only.
    const rsaPublicKey = privateKey.asymmetricKeyType === 'rsa' ? createPublicKey(privateKey).export({ format: 'der', type: 'pkcs1' }) : null;
    if (rsaPublicKey !== null && certificates.some((der) => isRsaPssCertificateOf(der, rsaPublicKey))) {
      throw keyError(OurKeyErrorCode.UnsupportedKey, 'The private key is an RSA-PSS key (its certificate names id-RSASSA-PSS); AS2 keys here are RSA keys of 2048 to 4096 bits', field === 'pkcs12' ? 'pkcs12' : 'private_key');
    }
    throw keyError(OurKeyErrorCode.KeyCertificateMismatch, 'No certificate given belongs to the private key', field);
  }
  const ordered = [certificates[leafIndex], ...certificates.filter((_, i) => i !== leafIndex)];
  const certificate = readCertificateUpload(Buffer.from(ordered.map(derToPem).join('')));
  // A current key signs and decrypts: its certificate must allow both, by the rule an upload for `both` meets.
  assertUsageFits(certificate, 'both');
  return { privateKey, certificate };
}

/**
 * The certificate's key is an id-RSASSA-PSS key with this modulus and exponent (`rsaPublicKey`, PKCS#1 DER): its SPKI
 * ends with the same RSAPublicKey (only the algorithm identifier before it differs).
 */
function isRsaPssCertificateOf(der: Buffer, rsaPublicKey: Buffer): boolean {
  try {
    const key = createPublicKey({ key: derToPem(der), format: 'pem' });
    if (key.asymmetricKeyType !== 'rsa-pss') return false;
    const spki = key.export({ format: 'der', type: 'spki' });
    return spki.length > rsaPublicKey.length && spki.subarray(spki.length - rsaPublicKey.length).equals(rsaPublicKey);
  } catch {
    return false;
  }
}

function derToPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}

/** forge's PBES2 cipher factory, which its typings leave out: it hands the password to PBKDF2 as a binary string. */
type ForgeCipherFactory = (oid: string, params: forge.asn1.Asn1, password: string) => forge.cipher.BlockCipher;
/** forge's PKCS#12 key derivation (RFC 7292 appendix B), for the MAC and the legacy PBEs. */
type ForgePkcs12Kdf = (password: string, salt: unknown, id: number, iterations: number, length: number, md?: unknown) => unknown;
const forgePbe = (forge.pki as unknown as { pbe: { getCipherForPBES2: ForgeCipherFactory; generatePkcs12Key: ForgePkcs12Kdf } }).pbe;
type ForgePbkdf2 = (password: string, salt: string, iterations: number, length: number, md?: unknown) => unknown;
const forgePkcs5 = forge.pkcs5 as unknown as { pbkdf2: ForgePbkdf2 };

const tooManyIterations = () =>
  keyError(OurKeyErrorCode.InvalidPkcs12, `The PKCS#12 file asks for more than ${MAX_PKCS12_ITERATIONS} key-derivation iterations; export it again with fewer (openssl pkcs12 -iter 2048)`, 'pkcs12');
const tooMuchDerivation = () =>
  keyError(
    OurKeyErrorCode.InvalidPkcs12,
    `The PKCS#12 file asks for more than ${MAX_PKCS12_TOTAL_ITERATIONS} key-derivation iterations in all (a key, its certificates and the MAC need a few derivations); export it again (openssl pkcs12 -export)`,
    'pkcs12',
  );

/**
 * forge, for one (synchronous) read of a PKCS#12 file:
 * - PKCS#12 takes one password two ways: the MAC and the legacy PBEs (3DES, RC2) as a BMPString, which forge builds from
 *   the JavaScript string, and PBES2 (PBKDF2, AES) as its UTF-8 bytes (OpenSSL 3, RFC 8018), which forge does not: it
 *   keeps the low byte of each UTF-16 unit. So forge's PBES2 is handed the UTF-8 bytes.
 * - Every key derivation is refused above MAX_PKCS12_ITERATIONS before it runs, also those of parts only readable once
 *   an outer part is decrypted (a key bag inside encrypted content), which no look at the file beforehand can see.
 */
function withForgeReadLimits<T>(read: () => T): T {
  const { getCipherForPBES2, generatePkcs12Key } = forgePbe;
  const { pbkdf2 } = forgePkcs5;
  let spent = 0;
  const spend = (iterations: number): void => {
    if (!(iterations <= MAX_PKCS12_ITERATIONS)) throw tooManyIterations();
    spent += iterations;
    if (spent > MAX_PKCS12_TOTAL_ITERATIONS) throw tooMuchDerivation();
  };
  forgePbe.getCipherForPBES2 = (oid, params, password) => getCipherForPBES2(oid, params, Buffer.from(password, 'utf8').toString('binary'));
  forgePbe.generatePkcs12Key = (password, salt, id, iterations, ...rest) => {
    spend(iterations);
    return generatePkcs12Key(password, salt, id, iterations, ...rest);
  };
  forgePkcs5.pbkdf2 = (password, salt, iterations, ...rest) => {
    spend(iterations);
    return pbkdf2(password, salt, iterations, ...rest);
  };
  try {
    return read();
  } finally {
    forgePbe.getCipherForPBES2 = getCipherForPBES2;
    forgePbe.generatePkcs12Key = generatePkcs12Key;
    forgePkcs5.pbkdf2 = pbkdf2;
  }
}

/** The DER a certificate forge read was read from (keepingCertificateBytes). */
const ORIGINAL_DER = Symbol('originalDer');
const originalBytesOf = (certificate: forge.pki.Certificate): Buffer | undefined => (certificate as unknown as Record<symbol, Buffer | undefined>)[ORIGINAL_DER];

/**
 * Runs `read` with every certificate forge reads keeping the DER it was read from: forge writes a certificate again from
 * what it understood, which drops what it does not (an RSASSA-PSS signature's parameters), so the bytes themselves are
 * what the file held.
 */
function keepingCertificateBytes<T>(read: () => T): T {
  const { certificateFromAsn1 } = forge.pki;
  forge.pki.certificateFromAsn1 = (obj, computeHash) => {
    const certificate = certificateFromAsn1(obj, computeHash);
    (certificate as unknown as Record<symbol, Buffer>)[ORIGINAL_DER] = Buffer.from(forge.asn1.toDer(obj).getBytes(), 'binary');
    return certificate;
  };
  try {
    return read();
  } finally {
    forge.pki.certificateFromAsn1 = certificateFromAsn1;
  }
}

/** Reads a PKCS#12 (PFX) file: exactly one private key and its certificate, with any chain the file holds. */
export function readPkcs12(file: Buffer, password: string): KeyMaterial {
  if (file.length > MAX_KEY_FILE_BYTES) throw keyError(OurKeyErrorCode.KeyFileTooLarge, `The PKCS#12 file exceeds ${MAX_KEY_FILE_BYTES} bytes`, 'pkcs12');
  if (file.length === 0 || file[0] !== 0x30) throw keyError(OurKeyErrorCode.InvalidPkcs12, 'The file is not a PKCS#12 (DER PFX) file', 'pkcs12');
  const iterations = iterationCountsOf(file);
  if (iterations === null) throw keyError(OurKeyErrorCode.InvalidPkcs12, 'The file is not a readable PKCS#12 file', 'pkcs12');
  if (iterations.some((count) => count > MAX_PKCS12_ITERATIONS)) throw tooManyIterations();
  // What can be seen without the password, refused before any derivation; what only decrypted parts show, as they are read.
  if (iterations.reduce((sum, count) => sum + count, 0) > MAX_PKCS12_TOTAL_ITERATIONS) throw tooMuchDerivation();
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    // forge's typings predate its options object (strict lengths, no trailing bytes, bit strings left opaque).
    const fromDer = forge.asn1.fromDer as unknown as (bytes: forge.util.ByteStringBuffer, options: object) => forge.asn1.Asn1;
    const asn1 = fromDer(forge.util.createBuffer(file.toString('binary')), { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: 32 });
    try {
      p12 = withForgeReadLimits(() => keepingCertificateBytes(() => forge.pkcs12.pkcs12FromAsn1(asn1, true, password)));
    } catch (error) {
      const message = String((error as Error).message ?? '');
      if (/password|MAC could not be verified|decrypt/i.test(message)) throw keyError(OurKeyErrorCode.WrongPassword, 'The PKCS#12 password is wrong', 'password');
      // Without a MAC (PFX: version, authSafe, macData OPTIONAL) a wrong password shows only as content that decrypts to
      // garbage, which is all a reader can tell of it from a damaged file.
      if (Array.isArray(asn1.value) && asn1.value.length === 2) {
        throw keyError(OurKeyErrorCode.WrongPassword, 'The PKCS#12 password is wrong, or the file is damaged (it has no MAC to tell them apart)', 'password');
      }
      throw error;
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    // forge's messages can quote input bytes: never echoed.
    throw keyError(OurKeyErrorCode.InvalidPkcs12, 'The file is not a readable PKCS#12 file', 'pkcs12');
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids['pkcs8ShroudedKeyBag'] })[forge.pki.oids['pkcs8ShroudedKeyBag']] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids['keyBag'] })[forge.pki.oids['keyBag']] ?? []),
  ];
  if (keyBags.length !== 1) throw keyError(OurKeyErrorCode.InvalidPkcs12, `The PKCS#12 file holds ${keyBags.length} private keys; exactly one is needed`, 'pkcs12');
  const certBags = p12.getBags({ bagType: forge.pki.oids['certBag'] })[forge.pki.oids['certBag']] ?? [];
  const certificates = certBags.flatMap((bag) => {
    const kept = bag.cert ? originalBytesOf(bag.cert) : undefined;
    if (kept !== undefined) return [kept];
    const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
    return asn1 ? [Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')] : [];
  });
  if (certificates.length === 0) throw keyError(OurKeyErrorCode.InvalidPkcs12, 'The PKCS#12 file holds no certificate for its key', 'pkcs12');
  const [bag] = keyBags;
  let privateKey: KeyObject;
  try {
    const der = bag.key
      ? Buffer.from(forge.asn1.toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key))).getBytes(), 'binary')
      : Buffer.from(forge.asn1.toDer(bag.asn1 as forge.asn1.Asn1).getBytes(), 'binary');
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw keyError(OurKeyErrorCode.InvalidPkcs12, 'The private key in the PKCS#12 file could not be read', 'pkcs12');
  }
  return paired(assertSupportedKey(privateKey, 'pkcs12'), certificates, 'pkcs12');
}

/** The DER bytes of one PEM block (its base64 between the BEGIN and END lines). */
function derOfPemBlock(block: string): Buffer {
  return Buffer.from(block.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/**
 * An encrypted PKCS#8 key's derivation is paid on the event loop (OpenSSL, synchronously): refused before it runs
 * when it asks for more than MAX_PEM_KEY_ITERATIONS PBKDF2 iterations, or for scrypt.
 */
function assertDerivationCost(pem: string): void {
  const der = derOfPemBlock(pem);
  if (namesScrypt(der)) {
    throw keyError(OurKeyErrorCode.InvalidPrivateKey, 'The private key is encrypted with scrypt; encrypt it with PBKDF2 instead (openssl pkcs8 -topk8 -v2 aes-256-cbc)', 'private_key');
  }
  const iterations = largestIterationCount(der);
  if (iterations === null) throw keyError(OurKeyErrorCode.InvalidPrivateKey, 'The private key could not be read', 'private_key');
  if (iterations > MAX_PEM_KEY_ITERATIONS) {
    throw keyError(OurKeyErrorCode.InvalidPrivateKey, `The private key's encryption asks for more than ${MAX_PEM_KEY_ITERATIONS} key-derivation iterations; encrypt it again with fewer (openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 2048)`, 'private_key');
  }
}

/** Reads a PEM private key (PKCS#1 or PKCS#8, encrypted with `password` or not) and its certificate with any chain. */
export function readPemKey(privateKeyPem: string, certificatePem: string, password: string | null): KeyMaterial {
  if (privateKeyPem.length > MAX_KEY_FILE_BYTES) throw keyError(OurKeyErrorCode.KeyFileTooLarge, `The private key exceeds ${MAX_KEY_FILE_BYTES} bytes`, 'private_key');
  if (certificatePem.length > MAX_KEY_FILE_BYTES) throw keyError(OurKeyErrorCode.KeyFileTooLarge, `The certificate chain exceeds ${MAX_KEY_FILE_BYTES} bytes`, 'certificate');
  const keyBlocks = pemBlocks(privateKeyPem).filter((block) => block.label.includes('PRIVATE KEY'));
  if (keyBlocks.length !== 1) throw keyError(OurKeyErrorCode.InvalidPrivateKey, 'The private_key must hold exactly one PEM private key block', 'private_key');
  const encrypted = /ENCRYPTED|Proc-Type: 4,ENCRYPTED/.test(keyBlocks[0].text);
  if (encrypted && !password) throw keyError(OurKeyErrorCode.WrongPassword, 'The private key is encrypted: give its password', 'password');
  if (keyBlocks[0].label === 'ENCRYPTED PRIVATE KEY') assertDerivationCost(keyBlocks[0].text);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: keyBlocks[0].text, format: 'pem', ...(encrypted ? { passphrase: password ?? '' } : {}) });
  } catch {
    if (encrypted) throw keyError(OurKeyErrorCode.WrongPassword, 'The private key password is wrong', 'password');
    throw keyError(OurKeyErrorCode.InvalidPrivateKey, 'The private key could not be read', 'private_key');
  }
  const certificateBlocks = pemBlocks(certificatePem);
  if (certificateBlocks.some((block) => block.label.includes('PRIVATE KEY'))) {
    throw keyError(OurKeyErrorCode.InvalidPrivateKey, 'The certificate field holds a private key: send it in private_key', 'certificate');
  }
  // The certificate reader checks what the blocks hold; here only their DER is needed to find the leaf.
  const ders = certificateBlocks
    .filter((block) => block.label === 'CERTIFICATE')
    .map((block) => derOfPemBlock(block.text));
  if (ders.length === 0) throw keyError('INVALID_CERTIFICATE', 'The certificate field holds no PEM certificate', 'certificate');
  return paired(assertSupportedKey(privateKey, 'private_key'), ders, 'certificate');
}
