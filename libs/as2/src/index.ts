export { As2Error, isAs2Error, type As2ErrorCode } from './errors/as2-error';
export {
  contentCiphers,
  digestAlgorithms,
  micAlgorithmName,
  parseMicAlgorithm,
  type ContentCipher,
  type DigestAlgorithm,
} from './crypto/algorithms';
export { As2Certificate } from './pki/certificate';
export { loadKeyPair, loadPrivateKey, type As2KeyPair, type KeyPairInput } from './pki/private-key';
export { parseAs2Name, quoteAs2Name, validateAs2Name } from './message/as2-name';
export { newMessageId, sameMessageId } from './message/message-id';
export { parseAs2Envelope, parseDispositionOptions, type As2Envelope, type IncomingHeaders, type MdnRequest } from './message/as2-envelope';
export { as2Version, buildAs2Message, type BuildAs2MessageOptions, type Mic, type OutgoingAs2Message } from './message/build-as2-message';
export {
  defaultMaxMessageBytes,
  receiveAs2Message,
  type CompressionOrder,
  type ReceiveAs2MessageOptions,
  type ReceivedAs2Message,
} from './message/receive-as2-message';
export { handleAs2Request, type HandleAs2RequestOptions, type HandledAs2Request } from './message/handle-as2-request';
export { buildMdn, type BuildMdnOptions, type OutgoingMdn } from './mdn/build-mdn';
export {
  formatDisposition,
  mdnDispositionFor,
  mdnErrorModifierFor,
  parseDisposition,
  type MdnDisposition,
  type MdnErrorModifier,
  type ParsedDisposition,
} from './mdn/mdn-disposition';
export { peekMdnOriginalMessageId, readMdn, type MdnResult, type MdnStatus, type ReadMdnOptions } from './mdn/read-mdn';
export { createSelfSignedIdentity, type SelfSignedIdentity, type SelfSignedIdentityOptions } from './pki/self-signed-identity';
// CMS building blocks for a keystore that signs and decrypts without handing its keys out.
export { createDetachedSignature } from './cms/signed-data';
export { decryptEnveloped, type DecryptedEnvelope } from './cms/enveloped-data';
