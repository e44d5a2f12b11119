import { childAt, expectTag, octetStringValue, oidOf, Tag, type Asn1Element } from '@as2-partners/pki';
import { der, flatten, issuerAndSerialNumber, Oid, signedDataContentInfo, signerInfo } from '@as2-partners/pki';
import { digestFromOid, digestOid, type DigestAlgorithm } from '../crypto/algorithms';
import { digest, rsaSign, rsaVerify } from '../crypto/crypto-primitives';
import { As2Error } from '../errors/as2-error';
import { As2Certificate, describeIssuerSerial } from '../pki/certificate';
import type { As2KeyPair } from '../pki/private-key';
import type { As2Signature, As2Signer } from '../external/as2-signer';
import { buildSignedAttributes } from '../external/signed-attributes';
import { readingCms } from './cms-structure';
import { readContentInfo } from './content-info';

/** CMS SignedData (RFC 5652) with detached content, one RSA signer, signed attributes, signer certificate included. */
export function createDetachedSignature(content: readonly Buffer[], signer: As2KeyPair, algorithm: DigestAlgorithm, signingTime: Date): Buffer {
  const signedAttributes = buildSignedAttributes(digest(algorithm, content), signingTime);
  return assembleDetachedSignature(signedAttributes, algorithm, { signature: rsaSign(algorithm, signedAttributes, signer.privateKey), certificates: [signer.certificate, ...(signer.chain ?? [])] });
}

/** The same, with the signature computed by an external signer (a keystore in another process): only the signed attributes go there. */
export async function createDetachedSignatureWith(content: readonly Buffer[], signer: As2Signer, algorithm: DigestAlgorithm, signingTime: Date): Promise<Buffer> {
  const signedAttributes = buildSignedAttributes(digest(algorithm, content), signingTime);
  const signed = await signer.signAttributes(signedAttributes, algorithm);
  // A signer answering for another key, or a broken signature, would go out as a message no partner accepts: caught here.
  if (!rsaVerify(algorithm, signedAttributes, signed.certificates[0].publicKey, signed.signature)) {
    throw new As2Error('SIGNATURE_INVALID', `The external signer's ${algorithm.toUpperCase()} signature does not verify with the certificate it named (${signed.certificates[0].describe()}).`);
  }
  return assembleDetachedSignature(signedAttributes, algorithm, signed);
}

function assembleDetachedSignature(signedAttributes: Buffer, algorithm: DigestAlgorithm, signed: As2Signature): Buffer {
  const digestAlgorithm = der.algorithm(digestOid(algorithm), der.null());
  const [certificate] = signed.certificates;
  return flatten(
    signedDataContentInfo({
      version: 1,
      digestAlgorithm,
      encapsulatedContent: der.sequence(der.oid(Oid.data)),
      certificates: signed.certificates.map((c) => c.der),
      signerInfo: signerInfo({
        signerIdentifier: issuerAndSerialNumber(certificate.issuerDer, certificate.serialNumberDer),
        digestAlgorithm,
        signedAttributes,
        signatureAlgorithm: der.algorithm(Oid.rsaEncryption, der.null()),
        signature: signed.signature,
      }),
    }),
  );
}

export interface VerifiedSignature {
  readonly algorithm: DigestAlgorithm;
  readonly signer: As2Certificate;
  /** Encapsulated content when the signature was not detached (smime-type=signed-data). */
  readonly encapsulatedContent?: Buffer;
}

interface ParsedSignerInfo {
  readonly sid: Asn1Element;
  readonly digestAlgorithm: DigestAlgorithm;
  readonly signedAttributes?: Asn1Element;
  readonly signatureAlgorithmOid: string;
  readonly signature: Buffer;
}

function parseSignerInfo(info: Asn1Element): ParsedSignerInfo {
  const fields = info.children;
  const sid = childAt(info, 1, 'SignerInfo signer identifier');
  const digestAlgorithm = digestFromOid(oidOf(childAt(childAt(info, 2, 'SignerInfo digest algorithm'), 0, 'digest algorithm'), 'digest algorithm'), 'The signature');
  let index = 3;
  let signedAttributes: Asn1Element | undefined;
  if (fields[index]?.tag === Tag.context(0, true)) signedAttributes = fields[index++];
  const signatureAlgorithmOid = oidOf(childAt(childAt(info, index, 'SignerInfo signature algorithm'), 0, 'signature algorithm'), 'signature algorithm');
  const signature = octetStringValue(expectTag(fields[index + 1], Tag.octetString, 'SignerInfo signature'));
  return { sid, digestAlgorithm, signedAttributes, signatureAlgorithmOid, signature };
}

function findSigner(sid: Asn1Element, trusted: readonly As2Certificate[]): As2Certificate | undefined {
  if (sid.tag === Tag.sequence) {
    const [issuer, serial] = sid.children;
    if (!issuer || !serial) return undefined;
    return trusted.find((c) => c.matchesIssuerSerial(issuer.raw, serial.content));
  }
  if (sid.tag === Tag.context(0, false)) return trusted.find((c) => c.matchesSubjectKeyIdentifier(sid.content));
  return undefined;
}

function describeSid(sid: Asn1Element): string {
  if (sid.tag === Tag.sequence) return describeIssuerSerial(sid);
  return `subject key identifier ${sid.content.toString('hex').toUpperCase()}`;
}

function attributeValue(attributes: Asn1Element, oid: string): Asn1Element | undefined {
  for (const attr of attributes.children) {
    if (oidOf(attr.children[0], 'attribute type') === oid) return attr.children[1]?.children[0];
  }
  return undefined;
}

/**
 * Verifies a CMS signature (detached over `content`, or encapsulated) against the partner's trusted
 * certificates only: a certificate shipped inside the message is never trusted on its own.
 */
export function verifySignature(signatureDer: Buffer, content: Buffer | undefined, trusted: readonly As2Certificate[]): VerifiedSignature {
  return readingCms(() => verifySignedData(signatureDer, content, trusted));
}

function verifySignedData(signatureDer: Buffer, content: Buffer | undefined, trusted: readonly As2Certificate[]): VerifiedSignature {
  const info = readContentInfo(signatureDer, 'The signature');
  if (info.contentType !== Oid.signedData) {
    throw new As2Error('MALFORMED_CMS', `The signature is CMS content type ${info.contentType}, expected signed-data (${Oid.signedData}).`);
  }
  const signedData = expectTag(info.content, Tag.sequence, 'SignedData');
  const encap = expectTag(childAt(signedData, 2, 'SignedData encapsulated content'), Tag.sequence, 'EncapsulatedContentInfo');
  const eContentWrapper = encap.children[1];
  const encapsulatedContent = eContentWrapper ? octetStringValue(childAt(eContentWrapper, 0, 'encapsulated content')) : undefined;
  const signedContent = content ?? encapsulatedContent;
  if (!signedContent) throw new As2Error('MALFORMED_CMS', 'The signature is detached but no signed content was found in the message.');
  const signerInfos = signedData.children[signedData.children.length - 1];
  if (!signerInfos || signerInfos.tag !== Tag.set || signerInfos.children.length === 0) {
    throw new As2Error('MALFORMED_CMS', 'The signature contains no SignerInfo.');
  }
  if (trusted.length === 0) {
    throw new As2Error('SIGNER_UNKNOWN', 'The message is signed but no partner certificate is configured to verify it.');
  }
  const signer = parseSignerInfo(signerInfos.children[0]);
  const certificate = findSigner(signer.sid, trusted);
  if (!certificate) {
    throw new As2Error(
      'SIGNER_UNKNOWN',
      `The message was signed with the certificate of ${describeSid(signer.sid)}, which is not the partner's configured certificate (${trusted.map((c) => c.describe()).join('; ')}).`,
    );
  }
  if (signer.signatureAlgorithmOid !== Oid.rsaEncryption) {
    const asDigest = (() => {
      try {
        return digestFromOid(signer.signatureAlgorithmOid, 'The signature');
      } catch {
        return undefined;
      }
    })();
    if (!asDigest) {
      throw new As2Error('UNSUPPORTED_ALGORITHM', `The signature algorithm ${signer.signatureAlgorithmOid} is not supported; supported: RSA PKCS#1 v1.5 with SHA-1/256/384/512.`);
    }
  }
  const contentDigest = digest(signer.digestAlgorithm, [signedContent]);
  let signedBytes: Buffer;
  if (signer.signedAttributes) {
    const messageDigest = attributeValue(signer.signedAttributes, Oid.messageDigestAttribute);
    if (!messageDigest) throw new As2Error('MALFORMED_CMS', 'The signature has signed attributes but no message-digest attribute.');
    if (!messageDigest.content.equals(contentDigest)) {
      throw new As2Error(
        'DIGEST_MISMATCH',
        `The ${signer.digestAlgorithm.toUpperCase()} digest of the received content does not match the digest the partner signed: the content was altered in transit or re-encoded (line endings, headers).`,
        { algorithm: signer.digestAlgorithm },
      );
    }
    // The signature covers the DER SET OF, so the implicit [0] tag is replaced by the SET tag.
    signedBytes = Buffer.concat([Buffer.from([Tag.set]), signer.signedAttributes.raw.subarray(1)]);
  } else {
    signedBytes = signedContent;
  }
  if (!rsaVerify(signer.digestAlgorithm, signedBytes, certificate.publicKey, signer.signature)) {
    throw new As2Error(
      'SIGNATURE_INVALID',
      `The ${signer.digestAlgorithm.toUpperCase()} with RSA signature does not verify with the partner certificate ${certificate.describe()}.`,
      { certificate: certificate.fingerprint, algorithm: signer.digestAlgorithm },
    );
  }
  return { algorithm: signer.digestAlgorithm, signer: certificate, encapsulatedContent };
}

