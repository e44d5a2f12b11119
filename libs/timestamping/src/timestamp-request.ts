import { Asn1Element, Asn1Error, der, expectTag, flatten, oidOf, readDer, smallIntegerOf, Tag } from '@as2-partners/pki';

/** A decoded TimeStampReq (RFC 3161 §2.4.1); raw elements are kept where the reply must echo them byte for byte. */
export interface TimestampRequest {
  readonly hashAlgorithmOid: string;
  readonly hashedMessage: Buffer;
  /** The whole MessageImprint element, copied into TSTInfo as received. */
  readonly messageImprintDer: Buffer;
  readonly policy?: string;
  /** The nonce INTEGER element as received. */
  readonly nonceDer?: Buffer;
  readonly certReq: boolean;
  readonly hasExtensions: boolean;
}

export interface NewTimestampRequest {
  readonly hashAlgorithmOid: string;
  readonly hashedMessage: Buffer;
  /** Big-endian magnitude of a positive nonce. */
  readonly nonce?: Buffer;
  readonly certReq?: boolean;
  readonly policy?: string;
}

export function encodeTimestampRequest(request: NewTimestampRequest): Buffer {
  return flatten(der.sequence(
    der.integer(1),
    der.sequence(der.algorithm(request.hashAlgorithmOid), der.octetString(request.hashedMessage)),
    ...(request.policy ? [der.oid(request.policy)] : []),
    ...(request.nonce ? [der.integer(request.nonce)] : []),
    ...(request.certReq ? [der.boolean(true)] : []),
  ));
}

function optionalAt(children: readonly Asn1Element[], index: number, tag: number): Asn1Element | undefined {
  return children[index]?.tag === tag ? children[index] : undefined;
}

/** Throws Asn1Error when the bytes are not a v1 TimeStampReq. */
export function decodeTimestampRequest(requestDer: Buffer): TimestampRequest {
  const request = expectTag(readDer(requestDer), Tag.sequence, 'TimeStampReq');
  const [version, imprint] = request.children;
  if (smallIntegerOf(version, 'TimeStampReq.version') !== 1) throw new Asn1Error('TimeStampReq.version is not 1');
  const [algorithm, hashed] = expectTag(imprint, Tag.sequence, 'messageImprint').children;
  const hashAlgorithmOid = oidOf(expectTag(algorithm, Tag.sequence, 'messageImprint.hashAlgorithm').children[0], 'messageImprint.hashAlgorithm');
  const hashedMessage = expectTag(hashed, Tag.octetString, 'messageImprint.hashedMessage').content;

  let index = 2;
  const policyElement = optionalAt(request.children, index, Tag.oid);
  if (policyElement) index++;
  const nonceElement = optionalAt(request.children, index, Tag.integer);
  if (nonceElement) index++;
  const certReqElement = optionalAt(request.children, index, Tag.boolean);
  if (certReqElement) index++;
  const extensionsElement = optionalAt(request.children, index, 0xa0);
  if (extensionsElement) index++;
  if (index !== request.children.length) throw new Asn1Error(`TimeStampReq has an unexpected element at position ${index}`);
  if (nonceElement && (nonceElement.content.length === 0 || nonceElement.content[0] & 0x80)) {
    throw new Asn1Error('TimeStampReq.nonce is not a positive integer');
  }
  if (certReqElement && certReqElement.content.length !== 1) throw new Asn1Error('TimeStampReq.certReq is not a boolean');

  return {
    hashAlgorithmOid,
    hashedMessage,
    messageImprintDer: imprint.raw,
    policy: policyElement ? oidOf(policyElement, 'TimeStampReq.reqPolicy') : undefined,
    nonceDer: nonceElement?.raw,
    certReq: certReqElement ? certReqElement.content[0] !== 0 : false,
    hasExtensions: extensionsElement !== undefined,
  };
}
