import { X509Certificate, createHash } from 'node:crypto';
import type { CertificateSummary } from './certificate-details';
import { readUsageExtensions, type UsageExtensions } from './certificate-extensions';
import { readCertificatePublicKey, type CertificatePublicKey } from './certificate-public-key';
import { invalidCertificate, privateKeyNotAllowed } from './certificate-reading.errors';
import { readCertificateStructure, type CertificateStructure } from './certificate-structure';
import { type DerScan, scanDer } from './der-scanner';
import { isPrivateKeyMaterial } from './private-key-material';

/** One certificate of an upload, read by node-forge (structure) and OpenSSL through Node (key, signatures). */
export interface ParsedCertificate {
  readonly summary: CertificateSummary;
  readonly structure: CertificateStructure;
  readonly usage: UsageExtensions;
  readonly publicKey: CertificatePublicKey;
  readonly x509: X509Certificate;
}

export function parseCertificateDer(der: Buffer): ParsedCertificate {
  const scan = scanDer(der);
  if (isPrivateKeyMaterial(der, scan)) throw privateKeyNotAllowed();
  if (isPkcs7SignedData(der, scan)) throw invalidCertificate('The upload is a PKCS#7 (.p7b) bundle; upload the certificates as PEM instead');
  const structure = readCertificateStructure(der);
  const usage = readUsageExtensions(structure.extensions);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    throw invalidCertificate('The certificate could not be parsed');
  }
  return {
    summary: {
      subject: structure.subject,
      issuer: structure.issuer,
      serial: structure.serial,
      notBefore: structure.notBefore.toISOString(),
      notAfter: structure.notAfter.toISOString(),
      fingerprintSha1: createHash('sha1').update(der).digest('hex'),
      fingerprintSha256: createHash('sha256').update(der).digest('hex'),
      pem: toCertificatePem(der),
    },
    structure,
    usage,
    publicKey: readCertificatePublicKey(x509),
    x509,
  };
}

export function toCertificatePem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Whether `issuer`'s key verifies `certificate`'s signature; OpenSSL errors on odd keys count as no. */
export function signatureVerifies(certificate: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return certificate.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

/** OID 1.2.840.113549.1.7.2 (signedData) as the first element: a certs-only .p7b, as Windows exports chains. */
const SIGNED_DATA_OID = Buffer.from('06092a864886f70d010702', 'hex');

function isPkcs7SignedData(der: Buffer, scan: DerScan): boolean {
  const first = scan.children[0];
  return first !== undefined && der.subarray(first.start, first.end).equals(SIGNED_DATA_OID);
}
