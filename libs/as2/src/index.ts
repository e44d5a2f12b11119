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
export {
  as2Version,
  buildAs2Message,
  buildAs2MessageAsync,
  type BuildAs2MessageOptions,
  type BuildAs2MessageWithSignerOptions,
  type Mic,
  type OutgoingAs2Message,
} from './message/build-as2-message';
export {
  defaultMaxMessageBytes,
  receiveAs2Message,
  receiveAs2MessageAsync,
  type CompressionOrder,
  type ReceiveAs2MessageOptions,
  type ReceivedAs2Message,
  type ReceiveAs2MessageWithDecryptorOptions,
} from './message/receive-as2-message';
export {
  handleAs2Request,
  handleAs2RequestAsync,
  type HandleAs2RequestOptions,
  type HandleAs2RequestWithKeystoreOptions,
  type HandledAs2Request,
} from './message/handle-as2-request';
export { buildMdn, buildMdnAsync, type BuildMdnOptions, type BuildMdnWithSignerOptions, type OutgoingMdn } from './mdn/build-mdn';
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
// Our private keys elsewhere (a keystore service): the signer/decryptor hook, its in-process and HTTP implementations.
export { keyPairSigner, type As2Signature, type As2Signer } from './external/as2-signer';
export {
  ExternalKeyOperationError,
  keyPairDecryptor,
  unwrapWithKeyPairs,
  type As2Decryptor,
  type KeyTransportRecipient,
  type UnwrappedContentKey,
  type UnwrappedContentKeys,
} from './external/as2-decryptor';
export { buildSignedAttributes, checkSignedAttributes } from './external/signed-attributes';
export { RemoteKeystore, RemoteKeystoreError, type RemoteKeyRef, type RemoteKeystoreOptions } from './external/remote-keystore';
// CMS building blocks for a keystore that signs and decrypts without handing its keys out.
export { createDetachedSignature, createDetachedSignatureWith } from './cms/signed-data';
export { decryptEnveloped, decryptEnvelopedWith, type DecryptedEnvelope, type DecryptOptions } from './cms/enveloped-data';
export { isMimeEntity } from './mime/mime-entity';
