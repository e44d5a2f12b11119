import { der, type DerChunks, type DerPart, flatten } from '../asn1/der-writer';
import { Oid } from '../oids';

/** Attribute ::= SEQUENCE { attrType OID, attrValues SET OF value } (RFC 5652 5.3). */
export function cmsAttribute(oid: string, value: DerPart): Buffer {
  return flatten(der.sequence(der.oid(oid), der.setOf(value)));
}

/** The DER SET OF signed attributes: the bytes the signature covers (RFC 5652 5.4). */
export function signedAttributesSet(...attributes: Buffer[]): Buffer {
  return flatten(der.setOf(...attributes));
}

/** The same attributes as they sit in SignerInfo, under IMPLICIT [0] instead of the SET tag. */
export function signedAttributesField(signedSet: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xa0]), signedSet.subarray(1)]);
}

/** IssuerAndSerialNumber from the certificate's own bytes, so a peer matches it byte for byte. */
export function issuerAndSerialNumber(issuerDer: Buffer, serialNumberDer: Buffer): DerChunks {
  return der.sequence(issuerDer, serialNumberDer);
}

export interface SignerInfoParts {
  /** IssuerAndSerialNumber (version 1). */
  readonly signerIdentifier: DerPart;
  /** AlgorithmIdentifier, written as the caller's peers expect (with or without NULL parameters). */
  readonly digestAlgorithm: DerPart;
  /** The signed SET as returned by signedAttributesSet. */
  readonly signedAttributes: Buffer;
  readonly signatureAlgorithm: DerPart;
  readonly signature: Buffer;
}

/** SignerInfo version 1 with signed attributes. */
export function signerInfo(parts: SignerInfoParts): DerChunks {
  return der.sequence(
    der.integer(1),
    parts.signerIdentifier,
    parts.digestAlgorithm,
    signedAttributesField(parts.signedAttributes),
    parts.signatureAlgorithm,
    der.octetString(parts.signature),
  );
}

export interface SignedDataParts {
  readonly version: number;
  readonly digestAlgorithm: DerPart;
  /** EncapsulatedContentInfo. */
  readonly encapsulatedContent: DerPart;
  /** DER certificates for the [0] IMPLICIT CertificateSet; none leaves the field out. */
  readonly certificates: readonly Buffer[];
  readonly signerInfo: DerPart;
}

/** ContentInfo { id-signedData, [0] SignedData } with one digest algorithm and one signer. */
export function signedDataContentInfo(parts: SignedDataParts): DerChunks {
  const signedData = der.sequence(
    der.integer(parts.version),
    der.setOf(parts.digestAlgorithm),
    parts.encapsulatedContent,
    ...(parts.certificates.length > 0 ? [der.implicitConstructed(0, ...parts.certificates)] : []),
    der.setOf(parts.signerInfo),
  );
  return contentInfo(Oid.signedData, signedData);
}

/** ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content } (RFC 5652 3). */
export function contentInfo(contentType: string, content: DerPart): DerChunks {
  return der.sequence(der.oid(contentType), der.explicit(0, content));
}
