export { Asn1Error, type Asn1ErrorReason } from './asn1/asn1-error';
export { readAsn1, readDer, type Asn1Element, type Asn1ReadOptions } from './asn1/asn1-reader';
export { Tag } from './asn1/asn1-tag';
export { childAt, expectTag, generalizedTimeOf, integerHexOf, octetStringValue, oidOf, smallIntegerOf } from './asn1/asn1-values';
export { der, flatten, tlv, type DerChunks, type DerPart } from './asn1/der-writer';
export { Oid } from './oids';
export { derToPem, pemBlocks, pemBlocksToDer, type PemBlock } from './pem';
export { readPublicKeyFacts, type PublicKeyAlgorithm, type PublicKeyFacts } from './x509/public-key-facts';
export { escapeAttributeValue, formatDistinguishedName, type NameAttribute } from './x509/distinguished-name';
export {
  MAX_CERTIFICATE_DEPTH,
  readX509Certificate,
  type CertificateExtension,
  type X509Facts,
  type X509Name,
} from './x509/x509-certificate';
export { ATTRIBUTE_TYPE_NAMES, EXTENDED_KEY_USAGE_OIDS, EXTENSION_OIDS, KEY_USAGE_BITS, SIGNATURE_ALGORITHM_OIDS, type KeyUsageName } from './x509/x509-names';
export {
  cmsAttribute,
  contentInfo,
  issuerAndSerialNumber,
  signedAttributesField,
  signedAttributesSet,
  signedDataContentInfo,
  signerInfo,
  type SignedDataParts,
  type SignerInfoParts,
} from './cms/signed-data-blocks';
