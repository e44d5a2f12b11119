import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { md, pki } from 'node-forge';

/** Our TSA's signing identity. */
export interface TsaIdentity {
  /** PKCS#8 PEM; never log it. */
  readonly privateKeyPem: string;
  /** TSA leaf: EKU id-kp-timeStamping critical, keyUsage digitalSignature + nonRepudiation. */
  readonly certificatePem: string;
  /** Issuers up to and including the root CA. */
  readonly chainPem: readonly string[];
}

export interface TsaIdentityOptions {
  readonly commonName?: string;
  readonly validityDays?: number;
  readonly now?: Date;
}

const dayMs = 86_400_000;
// Certificates start a little in the past so a verifier whose clock lags still accepts fresh tokens.
const backdateMs = 10 * 60_000;

function newRsaKey(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function positiveSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x10;
  return bytes.toString('hex');
}

function newCertificate(subject: pki.CertificateField[], publicKeyPem: string, notBefore: Date, notAfter: Date): pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = positiveSerialHex();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject(subject);
  return cert;
}

// node-forge writes CRLF line ends; one PEM form everywhere keeps written and re-read identities equal.
const certificatePem = (cert: pki.Certificate): string => pki.certificateToPem(cert).replace(/\r\n/g, '\n');

/** Creates a root CA and a TSA leaf it issued, fit for `openssl ts -verify` (RFC 3161 §2.3 certificate profile). */
export function createTsaIdentity(options: TsaIdentityOptions = {}): TsaIdentity {
  const now = options.now ?? new Date();
  const commonName = options.commonName ?? 'as2-partners Time-Stamp Authority';
  const validityDays = options.validityDays ?? 3650;
  const notBefore = new Date(now.getTime() - backdateMs);
  const notAfter = new Date(now.getTime() + validityDays * dayMs);

  const rootKey = newRsaKey();
  const rootSubject = [{ name: 'commonName', value: `${commonName} Root CA` }, { name: 'organizationName', value: 'as2-partners' }];
  const root = newCertificate(rootSubject, rootKey.publicKeyPem, notBefore, new Date(notAfter.getTime() + dayMs));
  root.setIssuer(rootSubject);
  root.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  const rootSigningKey = pki.privateKeyFromPem(rootKey.privateKeyPem);
  root.sign(rootSigningKey, md.sha256.create());

  const leafKey = newRsaKey();
  const leaf = newCertificate([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'as2-partners' }], leafKey.publicKeyPem, notBefore, notAfter);
  leaf.setIssuer(rootSubject);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'extKeyUsage', timeStamping: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: root.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leaf.sign(rootSigningKey, md.sha256.create());

  return { privateKeyPem: leafKey.privateKeyPem, certificatePem: certificatePem(leaf), chainPem: [certificatePem(root)] };
}
