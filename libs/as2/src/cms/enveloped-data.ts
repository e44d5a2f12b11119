import { childAt, expectTag, octetStringValue, oidOf, Tag, type Asn1Element } from '@as2-partners/pki';
import { contentInfo, der, type DerChunks, issuerAndSerialNumber, Oid } from '@as2-partners/pki';
import { cipherFromOid, cipherSpec, type ContentCipher } from '../crypto/algorithms';
import { decrypt, encrypt, randomBytes, rsaDecryptKey, rsaEncryptKey } from '../crypto/crypto-primitives';
import { As2Error } from '../errors/as2-error';
import { As2Certificate, describeIssuerSerial } from '../pki/certificate';
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

interface KeyTransportRecipient {
  readonly rid: Asn1Element;
  readonly encryptedKey: Buffer;
  readonly keyAlgorithm: string;
}

function parseRecipients(set: Asn1Element): KeyTransportRecipient[] {
  return set.children
    .filter((ri) => ri.tag === Tag.sequence)
    .map((ri) => ({
      rid: childAt(ri, 1, 'RecipientInfo identifier'),
      keyAlgorithm: oidOf(childAt(childAt(ri, 2, 'RecipientInfo key algorithm'), 0, 'key algorithm'), 'key algorithm'),
      encryptedKey: octetStringValue(expectTag(ri.children[3], Tag.octetString, 'RecipientInfo encrypted key')),
    }));
}

function ridMatches(rid: Asn1Element, certificate: As2Certificate): boolean {
  if (rid.tag === Tag.sequence) {
    const [issuer, serial] = rid.children;
    return !!issuer && !!serial && certificate.matchesIssuerSerial(issuer.raw, serial.content);
  }
  return rid.tag === Tag.context(0, false) && certificate.matchesSubjectKeyIdentifier(rid.content);
}

function describeRid(rid: Asn1Element): string {
  return rid.tag === Tag.sequence ? describeIssuerSerial(rid) : `subject key identifier ${rid.content.toString('hex').toUpperCase()}`;
}

/** Decrypts with whichever of our key pairs the message was encrypted for (several during a certificate rollover). */
export function decryptEnveloped(data: Buffer, keyPairs: readonly As2KeyPair[]): DecryptedEnvelope {
  return readingCms(() => decryptEnvelopedData(data, keyPairs));
}

function decryptEnvelopedData(data: Buffer, keyPairs: readonly As2KeyPair[]): DecryptedEnvelope {
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
  const ciphertext = octetStringValue(encrypted);
  if (keyPairs.length === 0) {
    throw new As2Error('DECRYPTION_FAILED', 'The message is encrypted but no private key is configured to decrypt it.');
  }
  const matches = keyPairs.flatMap((pair) => recipients.filter((r) => ridMatches(r.rid, pair.certificate)).map((r) => ({ pair, r })));
  // A recipient we cannot identify is still tried with each key: some senders put a stale issuer/serial.
  const candidates = matches.length > 0 ? matches : keyPairs.flatMap((pair) => recipients.map((r) => ({ pair, r })));
  for (const { pair, r } of candidates) {
    if (r.keyAlgorithm !== Oid.rsaEncryption) continue;
    const key = rsaDecryptKey(pair.privateKey, r.encryptedKey, spec.keyLength);
    const content = decrypt(cipher, key, iv, ciphertext, spec.ivLength);
    if (content) return { content, cipher, recipient: pair.certificate };
  }
  const theirs = recipients.map((r) => describeRid(r.rid)).join('; ') || 'none';
  const ours = keyPairs.map((p) => p.certificate.describe()).join('; ');
  if (recipients.every((r) => r.keyAlgorithm !== Oid.rsaEncryption)) {
    throw new As2Error('UNSUPPORTED_ALGORITHM', `The content key is wrapped with ${recipients.map((r) => r.keyAlgorithm).join(', ')}; only RSA PKCS#1 v1.5 key transport (${Oid.rsaEncryption}) is supported.`);
  }
  if (matches.length === 0) {
    throw new As2Error('RECIPIENT_MISMATCH', `The message was encrypted for ${theirs}, not for our certificate (${ours}): the partner uses an old or wrong certificate of ours.`);
  }
  throw new As2Error('DECRYPTION_FAILED', `The ${cipher} content could not be decrypted with the private key of ${ours}: the key does not match or the message is damaged.`);
}
