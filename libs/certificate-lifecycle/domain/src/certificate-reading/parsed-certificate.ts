import { X509Certificate, createHash } from 'node:crypto';
import {
  type Asn1Element,
  Asn1Error,
  derToPem,
  MAX_CERTIFICATE_DEPTH,
  type PublicKeyFacts,
  readAsn1,
  readPublicKeyFacts,
  readX509Certificate,
  type X509Facts,
} from '@as2-partners/pki';
import type { CertificateSummary } from './certificate-details';
import { certificateTrailingData, invalidCertificate, privateKeyNotAllowed } from './certificate-reading.errors';
import { isPkcs12, isPrivateKeyMaterial } from './private-key-material';

/** One certificate of an upload: its facts read once from the DER, its key and signatures through OpenSSL (Node). */
export interface ParsedCertificate {
  readonly summary: CertificateSummary;
  readonly facts: X509Facts;
  readonly publicKey: PublicKeyFacts;
  readonly x509: X509Certificate;
}

export function parseCertificateDer(der: Buffer): ParsedCertificate {
  const root = readUploadedDer(der);
  if (isPkcs12(root)) throw privateKeyNotAllowed('pkcs12');
  if (isPrivateKeyMaterial(root)) throw privateKeyNotAllowed();
  if (isPkcs7SignedData(root)) throw invalidCertificate('The upload is a PKCS#7 (.p7b) bundle; upload the certificates as PEM instead');
  const facts = readFacts(root);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    throw invalidCertificate('The certificate could not be parsed');
  }
  return {
    summary: {
      subject: facts.subject.text,
      issuer: facts.issuer.text,
      serial: facts.serialNumberHex,
      notBefore: facts.notBefore.toISOString(),
      notAfter: facts.notAfter.toISOString(),
      fingerprintSha1: createHash('sha1').update(der).digest('hex'),
      fingerprintSha256: createHash('sha256').update(der).digest('hex'),
      pem: derToPem(der),
    },
    facts,
    publicKey: readKeyFacts(x509),
    x509,
  };
}

/** Every element checked without recursion (hostile nesting), definite lengths in their shortest form only, nothing after the root. */
function readUploadedDer(der: Buffer): Asn1Element {
  if (der.length === 0) throw invalidCertificate('The certificate is empty');
  try {
    return readAsn1(der, { maxDepth: MAX_CERTIFICATE_DEPTH, highTagNumbers: true, minimalLengths: true });
  } catch (error) {
    throw uploadError(error);
  }
}

function readFacts(root: Asn1Element): X509Facts {
  try {
    return readX509Certificate(root);
  } catch (error) {
    throw uploadError(error);
  }
}

function readKeyFacts(x509: X509Certificate): PublicKeyFacts {
  try {
    return readPublicKeyFacts(x509);
  } catch (error) {
    throw uploadError(error);
  }
}

function uploadError(error: unknown): Error {
  if (!(error instanceof Asn1Error)) return error as Error;
  switch (error.reason) {
    case 'trailing-data':
      return certificateTrailingData(`${error.message.replace('after the structure', 'follow the end of the DER certificate')}`);
    case 'too-deep':
      return invalidCertificate(`The DER encoding nests deeper than ${MAX_CERTIFICATE_DEPTH} levels`);
    case 'indefinite-length':
      return invalidCertificate('The encoding uses an indefinite length, which DER forbids');
    case 'oversized-length':
      return invalidCertificate('The DER encoding declares an absurd length');
    case 'non-minimal-length':
      return invalidCertificate('The encoding writes a length in more octets than it needs, which DER forbids (re-encode it: openssl x509 -outform DER)');
    case 'high-tag':
      return invalidCertificate('The DER encoding has an oversized tag');
    case 'overrun':
      return invalidCertificate('A DER length runs past the end of its enclosing value');
    case 'truncated':
      return invalidCertificate('The DER encoding is truncated');
    case 'malformed':
      return invalidCertificate(error.message);
  }
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

function isPkcs7SignedData(root: Asn1Element): boolean {
  const first = root.children[0];
  return first !== undefined && first.raw.equals(SIGNED_DATA_OID);
}
