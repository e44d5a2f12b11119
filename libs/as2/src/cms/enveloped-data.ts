import { childAt, expectTag, octetStringValue, oidOf, Tag, type Asn1Element } from '@as2-partners/pki';
import { contentInfo, der, type DerChunks, issuerAndSerialNumber, Oid } from '@as2-partners/pki';
import { cipherFromOid, cipherSpec, type ContentCipher } from '../crypto/algorithms';
import { decrypt, encrypt, randomBytes, rsaEncryptKey } from '../crypto/crypto-primitives';
import { As2Error } from '../errors/as2-error';
import { ExternalKeyOperationError, unwrapWithKeyPairs, type As2Decryptor, type KeyTransportRecipient, type UnwrappedContentKeys } from '../external/as2-decryptor';
import { describeIdentifier } from '../external/recipient-identifier';
import type { As2Certificate } from '../pki/certificate';
import type { As2KeyPair } from '../pki/private-key';
import { readingCms } from './cms-structure';
import { readContentInfo } from './content-info';

/** CMS EnvelopedData (RFC 5652 §6) for one recipient, RSA key transport; returned as chunks so the ciphertext is never copied. */
export function encryptEnveloped(content: readonly Buffer[], recipient: As2Certificate, cipher: ContentCipher): DerChunks {
  const spec = cipherSpec(cipher);
  const key = randomBytes(spec.keyLength);
  const iv = randomBytes(spec.ivLength);
  const ciphertext = encrypt(cipher, key, iv, content);
  const ciphertextLength = ciphertext.reduce((n, c) => n + c.length, 0);
  const recipientInfo = der.sequence(
    der.integer(0),
    issuerAndSerialNumber(recipient.issuerDer, recipient.serialNumberDer),
    der.algorithm(Oid.rsaEncryption, der.null()),
    der.octetString(rsaEncryptKey(recipient.publicKey, key)),
  );
  const encryptedContentInfo = der.sequence(
    der.oid(Oid.data),
    der.algorithm(spec.oid, der.octetString(iv)),
    der.implicitPrimitive(0, { length: ciphertextLength, chunks: ciphertext }),
  );
  return contentInfo(Oid.envelopedData, der.sequence(der.integer(0), der.setOf(recipientInfo), encryptedContentInfo));
}

export interface DecryptedEnvelope {
  readonly content: Buffer;
  readonly cipher: ContentCipher;
  readonly recipient: As2Certificate;
}

interface ParsedRecipient {
  readonly rid: Asn1Element;
  readonly encryptedKey: Buffer;
  readonly keyAlgorithm: string;
}

interface ParsedEnvelope {
  readonly recipients: readonly ParsedRecipient[];
  readonly cipher: ContentCipher;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
}

function parseRecipients(set: Asn1Element): ParsedRecipient[] {
  return set.children
    .filter((ri) => ri.tag === Tag.sequence)
    .map((ri) => ({
      rid: childAt(ri, 1, 'RecipientInfo identifier'),
      keyAlgorithm: oidOf(childAt(childAt(ri, 2, 'RecipientInfo key algorithm'), 0, 'key algorithm'), 'key algorithm'),
      encryptedKey: octetStringValue(expectTag(ri.children[3], Tag.octetString, 'RecipientInfo encrypted key')),
    }));
}

/**
 * What the decrypted content must be to be taken. CBC content encryption has no integrity check: a wrong content key
 * (implicit rejection makes one for every wrong private key) passes the padding check about 1 time in 256, so without
 * a test of the content a wrong key would return garbage. AS2 (S/MIME) content is a MIME entity: `isMimeEntity`.
 */
export interface DecryptOptions {
  /**
   * Whether `content` is what this caller expects. Given, it is asked of every candidate key, and the recipients that
   * name none of our certificates (senders with a stale issuer/serial of a re-issued certificate) are tried with every
   * key; without it, only recipients that name one of our certificates are tried.
   */
  readonly acceptsContent?: (content: Buffer) => boolean;
}

/** Decrypts with whichever of our key pairs the message was encrypted for (several during a certificate rollover). */
export function decryptEnveloped(data: Buffer, keyPairs: readonly As2KeyPair[], options: DecryptOptions = {}): DecryptedEnvelope {
  const envelope = readingCms(() => parseEnveloped(data));
  if (keyPairs.length === 0) throw noKey();
  const keyLength = cipherSpec(envelope.cipher).keyLength;
  return openEnvelope(envelope, unwrapWithKeyPairs(keyPairs, keyTransportRecipients(envelope), keyLength), options);
}

/** The same with an external decryptor (a keystore in another process): only the RSA key transport is done there. */
export async function decryptEnvelopedWith(data: Buffer, decryptor: As2Decryptor, options: DecryptOptions = {}): Promise<DecryptedEnvelope> {
  const envelope = readingCms(() => parseEnveloped(data));
  const recipients = keyTransportRecipients(envelope);
  if (recipients.length === 0) throw unsupportedKeyTransport(envelope);
  let unwrapped: UnwrappedContentKeys;
  try {
    unwrapped = await decryptor.unwrapContentKey(recipients, cipherSpec(envelope.cipher).keyLength);
  } catch (error) {
    throw error instanceof As2Error ? error : new ExternalKeyOperationError(error);
  }
  return openEnvelope(envelope, unwrapped, options);
}

function noKey(): As2Error {
  return new As2Error('DECRYPTION_FAILED', 'The message is encrypted but no private key is configured to decrypt it.');
}

function unsupportedKeyTransport(envelope: ParsedEnvelope): As2Error {
  return new As2Error(
    'UNSUPPORTED_ALGORITHM',
    `The content key is wrapped with ${envelope.recipients.map((r) => r.keyAlgorithm).join(', ') || 'no recipient'}; only RSA PKCS#1 v1.5 key transport (${Oid.rsaEncryption}) is supported.`,
  );
}

/**
 * At most this many recipients are read: each may cost an RSA private operation per key (every key on every recipient
 * when none names our certificate), ~7 ms at 4096 bits; a message to more parties than this is no AS2 message.
 */
export const MAX_ENVELOPE_RECIPIENTS = 16;

function keyTransportRecipients(envelope: ParsedEnvelope): KeyTransportRecipient[] {
  if (envelope.recipients.length > MAX_ENVELOPE_RECIPIENTS) {
    throw new As2Error('SIZE_LIMIT_EXCEEDED', `The encrypted message names ${envelope.recipients.length} recipients; at most ${MAX_ENVELOPE_RECIPIENTS} are read.`);
  }
  return envelope.recipients.filter((r) => r.keyAlgorithm === Oid.rsaEncryption).map((r) => ({ recipientIdentifier: r.rid.raw, encryptedKey: r.encryptedKey }));
}

function parseEnveloped(data: Buffer): ParsedEnvelope {
  const info = readContentInfo(data, 'The encrypted message');
  if (info.contentType !== Oid.envelopedData) {
    throw new As2Error('MALFORMED_CMS', `The encrypted message is CMS content type ${info.contentType}, expected enveloped-data (${Oid.envelopedData}).`);
  }
  const enveloped = expectTag(info.content, Tag.sequence, 'EnvelopedData');
  let index = 1;
  if (enveloped.children[index]?.tag === Tag.context(0, true)) index++;
  const recipients = parseRecipients(expectTag(enveloped.children[index], Tag.set, 'EnvelopedData recipientInfos'));
  const eci = expectTag(enveloped.children[index + 1], Tag.sequence, 'EncryptedContentInfo');
  const algorithm = childAt(eci, 1, 'content-encryption algorithm');
  const cipher = cipherFromOid(oidOf(algorithm.children[0], 'content-encryption algorithm'));
  const spec = cipherSpec(cipher);
  const iv = octetStringValue(expectTag(algorithm.children[1], Tag.octetString, 'content-encryption IV'));
  if (iv.length !== spec.ivLength) {
    throw new As2Error('MALFORMED_CMS', `The ${cipher} IV is ${iv.length} bytes, expected ${spec.ivLength}.`);
  }
  const encrypted = eci.children[2];
  if (!encrypted || (encrypted.tag !== Tag.context(0, false) && encrypted.tag !== Tag.context(0, true))) {
    throw new As2Error('MALFORMED_CMS', 'The encrypted content is missing from the enveloped-data.');
  }
  return { recipients, cipher, iv, ciphertext: octetStringValue(encrypted) };
}

function openEnvelope(envelope: ParsedEnvelope, unwrapped: UnwrappedContentKeys, options: DecryptOptions): DecryptedEnvelope {
  const { cipher, iv, ciphertext } = envelope;
  const spec = cipherSpec(cipher);
  const accepts = options.acceptsContent;
  if (unwrapped.certificates.length === 0) throw noKey();
  // Keys tried on recipients that name none of ours: only where the content can tell a right key from a wrong one.
  const candidates = unwrapped.matched || accepts ? unwrapped.candidates : [];
  for (const candidate of candidates) {
    if (candidate.key.length !== spec.keyLength) continue;
    const content = decrypt(cipher, candidate.key, iv, ciphertext, spec.ivLength);
    if (content && (!accepts || accepts(content))) return { content, cipher, recipient: candidate.certificate };
  }
  const theirs = envelope.recipients.map((r) => describeIdentifier(r.rid)).join('; ') || 'none';
  const ours = unwrapped.certificates.map((c) => c.describe()).join('; ');
  if (envelope.recipients.every((r) => r.keyAlgorithm !== Oid.rsaEncryption)) throw unsupportedKeyTransport(envelope);
  if (!unwrapped.matched) {
    throw new As2Error('RECIPIENT_MISMATCH', `The message was encrypted for ${theirs}, not for our certificate (${ours}): the partner uses an old or wrong certificate of ours.`);
  }
  throw new As2Error('DECRYPTION_FAILED', `The ${cipher} content could not be decrypted with the private key of ${ours}: the key does not match or the message is damaged.`);
}
