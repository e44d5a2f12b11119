import { createHash, verify, X509Certificate } from 'node:crypto';
import { Asn1Element, expectTag, Oid, oidOf, readX509Certificate, Tag, type X509Facts } from '@as2-partners/pki';
import { hashAlgorithmByOid, HashAlgorithm } from './hash-algorithms';
import { TimestampError } from './timestamp-error';
import { SignerIdentifier, TimestampToken } from './timestamp-response';

const signatureAlgorithms = new Set<string>([
  Oid.rsaEncryption, Oid.sha1WithRsa, Oid.sha256WithRsa, Oid.sha384WithRsa, Oid.sha512WithRsa,
  Oid.ecdsaWithSha256, Oid.ecdsaWithSha384, Oid.ecdsaWithSha512,
]);

export interface TokenSigner {
  readonly certificate: X509Certificate;
  readonly fields: X509Facts;
}

const bad = (message: string): TimestampError => new TimestampError('TSA_BAD_RESPONSE', message);

function identifies(sid: SignerIdentifier, fields: X509Facts): boolean {
  if ('subjectKeyIdentifier' in sid) return fields.subjectKeyIdentifier?.equals(sid.subjectKeyIdentifier) ?? false;
  return fields.issuer.der.equals(sid.issuerDer) && fields.serialNumberDer.equals(sid.serialNumberDer);
}

function digest(algorithm: HashAlgorithm, data: Buffer): Buffer {
  return createHash(algorithm.nodeName).update(data).digest();
}

/** The certHash of the first ESSCertID(v2) and the algorithm it was made with (RFC 5035; v1 is always SHA-1). */
function essCertificateHash(attributes: ReadonlyMap<string, Asn1Element>): { algorithm: HashAlgorithm | undefined; hash: Buffer } {
  const v2 = attributes.get(Oid.signingCertificateV2Attribute);
  const v1 = attributes.get(Oid.signingCertificateAttribute);
  if (!v2 && !v1) throw bad('the token has no ESS signing-certificate attribute');
  const [certificates] = expectTag(v2 ?? v1, Tag.sequence, 'SigningCertificate').children;
  const [first] = expectTag(certificates, Tag.sequence, 'SigningCertificate.certs').children;
  const [maybeAlgorithm, maybeHash] = expectTag(first, Tag.sequence, 'ESSCertID').children;
  if (!v2) return { algorithm: hashAlgorithmByOid(Oid.sha1), hash: expectTag(maybeAlgorithm, Tag.octetString, 'ESSCertID.certHash').content };
  if (maybeAlgorithm?.tag === Tag.octetString) return { algorithm: hashAlgorithmByOid(Oid.sha256), hash: maybeAlgorithm.content };
  const oid = oidOf(expectTag(maybeAlgorithm, Tag.sequence, 'ESSCertIDv2.hashAlgorithm').children[0], 'ESSCertIDv2.hashAlgorithm');
  return { algorithm: hashAlgorithmByOid(oid), hash: expectTag(maybeHash, Tag.octetString, 'ESSCertIDv2.certHash').content };
}

/**
 * Checks the token's CMS signature with the signer certificate it names (found among the token's certificates or
 * `extraCertificates`): content type, message digest, ESS certificate binding and the signature itself.
 * Throws TimestampError TSA_BAD_RESPONSE; trust in the signer is the caller's concern.
 */
export function verifyTokenSignature(token: TimestampToken, extraCertificates: readonly Buffer[] = []): TokenSigner {
  const { signerInfo } = token;
  try {
    const fields = [...token.certificates, ...extraCertificates].map((certificate) => readX509Certificate(certificate)).find((f) => identifies(signerInfo.signerIdentifier, f));
    if (!fields) throw bad('the signer certificate is neither in the token nor among the given certificates');
    const algorithm = hashAlgorithmByOid(signerInfo.digestAlgorithmOid);
    if (!algorithm) throw bad(`unsupported digest algorithm ${signerInfo.digestAlgorithmOid}`);
    if (!signatureAlgorithms.has(signerInfo.signatureAlgorithmOid)) throw bad(`unsupported signature algorithm ${signerInfo.signatureAlgorithmOid}`);

    const contentType = signerInfo.signedAttributes.get(Oid.contentTypeAttribute);
    if (!contentType || oidOf(contentType, 'contentType attribute') !== Oid.tstInfo) throw bad('the contentType attribute is not id-ct-TSTInfo');
    const messageDigest = signerInfo.signedAttributes.get(Oid.messageDigestAttribute);
    if (!messageDigest || !expectTag(messageDigest, Tag.octetString, 'messageDigest').content.equals(digest(algorithm, token.tstInfoDer))) {
      throw bad('the messageDigest attribute does not match the TSTInfo');
    }
    const ess = essCertificateHash(signerInfo.signedAttributes);
    if (!ess.algorithm || !ess.hash.equals(digest(ess.algorithm, fields.der))) throw bad('the ESS signing-certificate attribute names another certificate');

    const certificate = new X509Certificate(fields.der);
    if (!verify(algorithm.nodeName, signerInfo.signedAttributesDer, certificate.publicKey, signerInfo.signature)) {
      throw bad('the token signature is not valid');
    }
    return { certificate, fields };
  } catch (error) {
    if (error instanceof TimestampError) throw error;
    throw bad(`malformed token: ${(error as Error).message}`);
  }
}
