import type { ContentCipher, DigestAlgorithm } from '../crypto/algorithms';
import { digest } from '../crypto/crypto-primitives';
import { Oid, oidOf } from '@as2-partners/pki';
import { readCms, readingCms } from '../cms/cms-structure';
import { decompress } from '../cms/compressed-data';
import { decryptEnveloped, decryptEnvelopedWith, type DecryptedEnvelope } from '../cms/enveloped-data';
import { ExternalKeyOperationError, type As2Decryptor } from '../external/as2-decryptor';
import { verifySignature, type VerifiedSignature } from '../cms/signed-data';
import { As2Error } from '../errors/as2-error';
import { withTypedFailures } from '../errors/typed-failures';
import { contentTypeOf, isMimeEntity, parseMimeEntity, type MimeEntity } from '../mime/mime-entity';
import { MimeHeaders, parseHeaderValue } from '../mime/mime-headers';
import { splitMultipart } from '../mime/multipart';
import { decodeTransferEncoding } from '../mime/transfer-encoding';
import type { As2Certificate } from '../pki/certificate';
import type { As2KeyPair } from '../pki/private-key';
import { parseAs2Envelope, type As2Envelope, type IncomingHeaders } from './as2-envelope';
import type { Mic } from './build-as2-message';

export const defaultMaxMessageBytes = 100 * 1024 * 1024;

export interface ReceiveAs2MessageOptions {
  readonly headers: IncomingHeaders;
  readonly body: Buffer;
  /** Our key pairs that may decrypt (more than one during a certificate rollover). */
  readonly decryptionKeys?: readonly As2KeyPair[];
  /** The partner's signature certificates we trust (more than one during a rollover). */
  readonly partnerCertificates?: readonly As2Certificate[];
  readonly requireSignature?: boolean;
  readonly requireEncryption?: boolean;
  /** Largest accepted HTTP body; default 100 MiB. */
  readonly maxMessageBytes?: number;
  /** Largest payload after decompression (zip-bomb guard); default maxMessageBytes. */
  readonly maxPayloadBytes?: number;
  /** Overrides the MIC algorithm chosen from the sender's request. */
  readonly micAlgorithm?: DigestAlgorithm;
}

export type CompressionOrder = 'before-signing' | 'after-signing' | 'unsigned';

export interface ReceivedAs2Message {
  readonly envelope: As2Envelope;
  readonly payload: Buffer;
  readonly contentType: string;
  /** File name from Content-Disposition, reduced to its last path segment. */
  readonly fileName?: string;
  readonly payloadHeaders: MimeHeaders;
  readonly signature?: { readonly algorithm: DigestAlgorithm; readonly certificate: As2Certificate; readonly canonicalized: boolean };
  readonly encryption?: { readonly algorithm: ContentCipher; readonly certificate: As2Certificate };
  readonly compression?: CompressionOrder;
  /** The MIC to return in the MDN, computed as RFC 4130 §7.3.1 and RFC 5402 §4 define it. */
  readonly mic: Mic;
}

const maxLayers = 6;

function peekContentType(data: Buffer): string {
  return readingCms(() => oidOf(readCms(data).children[0], 'CMS content type'));
}

function safeFileName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const base = value.split(/[\\/]/).pop()?.replace(/./gs, (c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? '' : c)).trim();
  return base && base !== '.' && base !== '..' ? base : undefined;
}

function relabel(error: unknown, code: As2Error['code'], prefix: string, keep: readonly As2Error['code'][]): never {
  if (error instanceof As2Error && keep.includes(error.code)) throw error;
  const message = error instanceof Error ? error.message : String(error);
  throw new As2Error(code, `${prefix}: ${message}`, error instanceof As2Error ? error.details : {});
}

function verifyDetached(signatureDer: Buffer, signedPart: Buffer, multipartBody: Buffer, trusted: readonly As2Certificate[]): { verified: VerifiedSignature; content: Buffer; canonicalized: boolean } {
  try {
    return { verified: verifySignature(signatureDer, signedPart, trusted), content: signedPart, canonicalized: false };
  } catch (error) {
    const retryable = error instanceof As2Error && (error.code === 'DIGEST_MISMATCH' || error.code === 'SIGNATURE_INVALID');
    if (!retryable) throw error;
    const candidates: { content: Buffer; canonicalized: boolean }[] = [];
    // Binary content ending in CR before a bare-LF delimiter (OpenSSL on Unix writes those): the CR is content.
    const end = signedPart.byteOffset - multipartBody.byteOffset + signedPart.length;
    if (multipartBody[end] === 0x0d && multipartBody[end + 1] === 0x0a) {
      candidates.push({ content: multipartBody.subarray(end - signedPart.length, end + 1), canonicalized: false });
    }
    // Some senders sign the CRLF-canonical form but transmit bare LFs (RFC 5751 §3.1.1 canonicalization).
    if (/(^|[^\r])\n/.test(signedPart.toString('latin1'))) {
      candidates.push({ content: Buffer.from(signedPart.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1'), canonicalized: true });
    }
    for (const candidate of candidates) {
      try {
        return { verified: verifySignature(signatureDer, candidate.content, trusted), ...candidate };
      } catch {
        continue;
      }
    }
    throw error;
  }
}

/**
 * Decrypts, verifies and decompresses an AS2 request, in whatever order the sender nested the layers,
 * and computes the MIC over exactly the bytes RFC 4130 names. Throws As2Error; `mdnDispositionFor` maps it.
 */
export function receiveAs2Message(options: ReceiveAs2MessageOptions): ReceivedAs2Message {
  return withTypedFailures('receiving the AS2 message', () => {
    const steps = receive(options);
    let step = steps.next();
    while (!step.done) {
      let decrypted: DecryptedEnvelope;
      try {
        decrypted = decryptEnveloped(step.value, options.decryptionKeys ?? [], { acceptsContent: isMimeEntity });
      } catch (error) {
        step = steps.throw(error);
        continue;
      }
      step = steps.next(decrypted);
    }
    return step.value;
  });
}

/** The same options, decrypting through an external decryptor (a keystore in another process) instead of key pairs. */
export type ReceiveAs2MessageWithDecryptorOptions = Omit<ReceiveAs2MessageOptions, 'decryptionKeys'> & { readonly decryptor?: As2Decryptor };

/**
 * receiveAs2Message with the content-encryption key unwrapped by `decryptor` (only the key transport reaches it).
 * A failure of the decryptor itself (the keystore cannot be reached) rejects with that error unchanged: the message is
 * not at fault, so it must not become a negative MDN; every failure of the message is an As2Error as in the sync API.
 */
export async function receiveAs2MessageAsync(options: ReceiveAs2MessageWithDecryptorOptions): Promise<ReceivedAs2Message> {
  const typed = <T>(fn: () => T): T => withTypedFailures('receiving the AS2 message', fn);
  const steps = receive(options);
  let step = typed(() => steps.next());
  while (!step.done) {
    const body = step.value;
    let decrypted: DecryptedEnvelope;
    try {
      if (!options.decryptor) throw new As2Error('DECRYPTION_FAILED', 'The message is encrypted but no private key is configured to decrypt it.');
      decrypted = await decryptEnvelopedWith(body, options.decryptor, { acceptsContent: isMimeEntity });
    } catch (error) {
      if (error instanceof ExternalKeyOperationError) throw error.cause;
      step = typed(() => steps.throw(error));
      continue;
    }
    step = typed(() => steps.next(decrypted));
  }
  return step.value;
}

/** The receive as one sequence both variants share: it yields each enveloped-data body and goes on with its decryption. */
function* receive(options: Omit<ReceiveAs2MessageOptions, 'decryptionKeys'>): Generator<Buffer, ReceivedAs2Message, DecryptedEnvelope> {
  const maxMessageBytes = options.maxMessageBytes ?? defaultMaxMessageBytes;
  const maxPayloadBytes = options.maxPayloadBytes ?? maxMessageBytes;
  if (options.body.length > maxMessageBytes) {
    throw new As2Error('SIZE_LIMIT_EXCEEDED', `The message is ${options.body.length} bytes, above the limit of ${maxMessageBytes} bytes (maxMessageBytes).`, { limit: maxMessageBytes, size: options.body.length });
  }
  const httpHeaders = MimeHeaders.fromHttp(options.headers);
  const envelope = parseAs2Envelope(httpHeaders);
  const contentHeaders = new MimeHeaders(httpHeaders.entries.filter((h) => h.name.toLowerCase().startsWith('content-')));
  let entity: MimeEntity = { headers: contentHeaders, raw: options.body, body: options.body };
  let isTopLevel = true;
  let signature: ReceivedAs2Message['signature'];
  let encryption: ReceivedAs2Message['encryption'];
  let compression: CompressionOrder | undefined;
  let signedContent: Buffer | undefined;

  for (let layer = 0; ; layer++) {
    if (layer > maxLayers) throw new As2Error('MALFORMED_MIME', `The message nests more than ${maxLayers} S/MIME layers.`);
    const type = contentTypeOf(entity.headers);
    const body = decodeTransferEncoding(entity.body, entity.headers.get('content-transfer-encoding'));
    if (type.value === 'application/pkcs7-mime' || type.value === 'application/x-pkcs7-mime') {
      let cmsType: string;
      try {
        cmsType = peekContentType(body);
      } catch (error) {
        relabel(error, 'MALFORMED_CMS', `The ${type.params['smime-type'] ?? 'S/MIME'} body is not a CMS structure`, []);
      }
      if (cmsType === Oid.envelopedData) {
        if (encryption) throw new As2Error('MALFORMED_MIME', 'The message is encrypted twice.');
        let decrypted;
        try {
          decrypted = yield body;
        } catch (error) {
          relabel(error, 'DECRYPTION_FAILED', 'The message could not be decrypted', ['DECRYPTION_FAILED', 'RECIPIENT_MISMATCH', 'UNSUPPORTED_ALGORITHM']);
        }
        encryption = { algorithm: decrypted.cipher, certificate: decrypted.recipient };
        try {
          entity = parseMimeEntity(decrypted.content);
        } catch (error) {
          relabel(error, 'DECRYPTION_FAILED', 'The decrypted content is not a MIME entity (wrong key, or damaged message)', []);
        }
      } else if (cmsType === Oid.compressedData) {
        if (compression) throw new As2Error('MALFORMED_MIME', 'The message is compressed twice.');
        compression = signature ? 'before-signing' : 'after-signing';
        entity = parseMimeEntity(decompress(body, maxPayloadBytes));
      } else if (cmsType === Oid.signedData) {
        if (signature) throw new As2Error('MALFORMED_MIME', 'The message is signed twice.');
        const verified = verifySignature(body, undefined, options.partnerCertificates ?? []);
        signature = { algorithm: verified.algorithm, certificate: verified.signer, canonicalized: false };
        if (!verified.encapsulatedContent) throw new As2Error('MALFORMED_CMS', 'The signed-data carries no content.');
        signedContent = verified.encapsulatedContent;
        entity = parseMimeEntity(signedContent);
      } else {
        throw new As2Error('UNSUPPORTED_ALGORITHM', `The S/MIME body has CMS content type ${cmsType}; expected enveloped-data, signed-data or compressed-data.`);
      }
    } else if (type.value === 'multipart/signed') {
      if (signature) throw new As2Error('MALFORMED_MIME', 'The message is signed twice.');
      const parts = splitMultipart(body, type.params.boundary ?? '');
      if (parts.length < 2) throw new As2Error('MALFORMED_MIME', `multipart/signed has ${parts.length} part(s); it needs the content and the signature.`);
      const signaturePart = parseMimeEntity(parts[1]);
      const signatureType = contentTypeOf(signaturePart.headers).value;
      if (signatureType !== 'application/pkcs7-signature' && signatureType !== 'application/x-pkcs7-signature') {
        throw new As2Error('MALFORMED_MIME', `The second part of multipart/signed is ${signatureType}, expected application/pkcs7-signature.`);
      }
      const signatureDer = decodeTransferEncoding(signaturePart.body, signaturePart.headers.get('content-transfer-encoding'));
      const result = verifyDetached(signatureDer, parts[0], body, options.partnerCertificates ?? []);
      signature = { algorithm: result.verified.algorithm, certificate: result.verified.signer, canonicalized: result.canonicalized };
      signedContent = result.content;
      entity = parseMimeEntity(result.content);
    } else {
      break;
    }
    isTopLevel = false;
  }
  if (compression && !signature) compression = 'unsigned';

  if (options.requireEncryption && !encryption) {
    throw new As2Error('INSUFFICIENT_SECURITY', `Messages from "${envelope.as2From}" must be encrypted, but message ${envelope.messageId} was not.`);
  }
  if (options.requireSignature && !signature) {
    throw new As2Error('INSUFFICIENT_SECURITY', `Messages from "${envelope.as2From}" must be signed, but message ${envelope.messageId} was not.`);
  }

  const payload = decodeTransferEncoding(entity.body, entity.headers.get('content-transfer-encoding'));
  // RFC 4130 §7.4.3: a signed message's MIC uses its signature's digest; signed-receipt-micalg only chooses the MDN's.
  // An unsigned message's: the first micalg the sender asked for, else SHA-1 (§7.4.3: "the SHA-1 algorithm SHOULD be used").
  const micAlgorithm = options.micAlgorithm ?? signature?.algorithm ?? envelope.mdnRequest?.signed?.micAlgorithms[0] ?? 'sha1';
  // RFC 4130 §7.3.1 / RFC 5402 §4: signed → the signed entity; unsigned but wrapped → the payload entity with headers; plain → the content.
  const micBytes = signedContent ?? (isTopLevel ? entity.body : entity.raw);
  const disposition = entity.headers.get('content-disposition');
  return {
    envelope,
    payload,
    contentType: contentTypeOf(entity.headers).value,
    fileName: safeFileName(disposition ? parseHeaderValue(disposition).params.filename : undefined),
    payloadHeaders: entity.headers,
    signature,
    encryption,
    compression,
    mic: { value: digest(micAlgorithm, [micBytes]).toString('base64'), algorithm: micAlgorithm },
  };
}
