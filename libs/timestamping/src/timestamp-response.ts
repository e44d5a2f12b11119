import { Asn1Element, Asn1Error, expectTag, Oid, oidOf, readDer, smallIntegerOf, Tag } from '@as2-partners/pki';
import { TimestampError } from './timestamp-error';
import { decodeTstInfo, TstInfo } from './tst-info';

export type SignerIdentifier = { readonly issuerDer: Buffer; readonly serialNumberDer: Buffer } | { readonly subjectKeyIdentifier: Buffer };

export interface TokenSignerInfo {
  readonly signerIdentifier: SignerIdentifier;
  readonly digestAlgorithmOid: string;
  /** The signed attributes re-tagged as SET OF: the bytes the signature covers. */
  readonly signedAttributesDer: Buffer;
  readonly signedAttributes: ReadonlyMap<string, Asn1Element>;
  readonly signatureAlgorithmOid: string;
  readonly signature: Buffer;
}

/** A TimeStampToken: CMS SignedData over TSTInfo (RFC 3161 §2.4.2). */
export interface TimestampToken {
  readonly tstInfoDer: Buffer;
  readonly tstInfo: TstInfo;
  /** SignedData.certificates in the order sent. */
  readonly certificates: readonly Buffer[];
  readonly signerInfo: TokenSignerInfo;
}

export interface DecodedTimestampResponse {
  readonly status: number;
  readonly statusText: readonly string[];
  readonly failureBits: readonly number[];
  readonly token?: TimestampToken;
}

function bitsOf(element: Asn1Element): number[] {
  const bytes = expectTag(element, Tag.bitString, 'PKIStatusInfo.failInfo').content.subarray(1);
  const bits: number[] = [];
  bytes.forEach((byte, i) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) bits.push(i * 8 + bit);
  });
  return bits;
}

function decodeSignerIdentifier(element: Asn1Element): SignerIdentifier {
  if (element.tag === 0x80) return { subjectKeyIdentifier: element.content };
  const [issuer, serial] = expectTag(element, Tag.sequence, 'SignerInfo.sid').children;
  return { issuerDer: expectTag(issuer, Tag.sequence, 'sid.issuer').raw, serialNumberDer: expectTag(serial, Tag.integer, 'sid.serialNumber').raw };
}

function decodeSignerInfo(element: Asn1Element): TokenSignerInfo {
  const [, sid, digestAlgorithm, signedAttributes, signatureAlgorithm, signature] = expectTag(element, Tag.sequence, 'SignerInfo').children;
  if (signedAttributes?.tag !== 0xa0) throw new Asn1Error('SignerInfo has no signed attributes');
  const attributes = new Map<string, Asn1Element>();
  for (const attribute of signedAttributes.children) {
    const [type, values] = expectTag(attribute, Tag.sequence, 'Attribute').children;
    const value = expectTag(values, Tag.set, 'Attribute.values').children;
    if (value.length !== 1) throw new Asn1Error('a signed attribute must have exactly one value');
    attributes.set(oidOf(type, 'Attribute.type'), value[0]);
  }
  return {
    signerIdentifier: decodeSignerIdentifier(sid),
    digestAlgorithmOid: oidOf(expectTag(digestAlgorithm, Tag.sequence, 'SignerInfo.digestAlgorithm').children[0], 'SignerInfo.digestAlgorithm'),
    signedAttributesDer: Buffer.concat([Buffer.from([Tag.set]), signedAttributes.raw.subarray(1)]),
    signedAttributes: attributes,
    signatureAlgorithmOid: oidOf(expectTag(signatureAlgorithm, Tag.sequence, 'SignerInfo.signatureAlgorithm').children[0], 'SignerInfo.signatureAlgorithm'),
    signature: expectTag(signature, Tag.octetString, 'SignerInfo.signature').content,
  };
}

function decodeToken(contentInfo: Asn1Element): TimestampToken {
  const [contentType, explicit] = expectTag(contentInfo, Tag.sequence, 'TimeStampToken').children;
  if (oidOf(contentType, 'TimeStampToken.contentType') !== Oid.signedData) throw new Asn1Error('TimeStampToken is not SignedData');
  const signedData = expectTag(expectTag(explicit, 0xa0, 'TimeStampToken.content').children[0], Tag.sequence, 'SignedData');
  const [, , encapsulated, ...rest] = signedData.children;
  const [eContentType, eContent] = expectTag(encapsulated, Tag.sequence, 'encapContentInfo').children;
  if (oidOf(eContentType, 'eContentType') !== Oid.tstInfo) throw new Asn1Error('the token does not encapsulate a TSTInfo');
  const tstInfoDer = expectTag(expectTag(eContent, 0xa0, 'eContent').children[0], Tag.octetString, 'eContent').content;
  const certificates = rest.find((e) => e.tag === 0xa0)?.children.filter((c) => c.tag === Tag.sequence).map((c) => c.raw) ?? [];
  const signerInfos = expectTag(rest[rest.length - 1], Tag.set, 'SignedData.signerInfos').children;
  if (signerInfos.length !== 1) throw new Asn1Error(`a TimeStampToken has exactly one signer, this one has ${signerInfos.length}`);
  return { tstInfoDer, tstInfo: decodeTstInfo(tstInfoDer), certificates, signerInfo: decodeSignerInfo(signerInfos[0]) };
}

/** Decodes a TimeStampResp; throws TimestampError TSA_BAD_RESPONSE when it is not one. */
export function decodeTimestampResponse(responseDer: Buffer): DecodedTimestampResponse {
  try {
    const [statusInfo, token] = expectTag(readDer(responseDer), Tag.sequence, 'TimeStampResp').children;
    const [status, ...details] = expectTag(statusInfo, Tag.sequence, 'PKIStatusInfo').children;
    const text = details.find((d) => d.tag === Tag.sequence)?.children.map((t) => t.content.toString('utf8')) ?? [];
    const failInfo = details.find((d) => d.tag === Tag.bitString);
    return {
      status: smallIntegerOf(status, 'PKIStatusInfo.status'),
      statusText: text,
      failureBits: failInfo ? bitsOf(failInfo) : [],
      token: token ? decodeToken(token) : undefined,
    };
  } catch (error) {
    if (error instanceof Asn1Error) throw new TimestampError('TSA_BAD_RESPONSE', `not a valid TimeStampResp: ${error.message}`);
    throw error;
  }
}
