import { rsaDecryptKey } from '../crypto/crypto-primitives';
import type { As2Certificate } from '../pki/certificate';
import type { As2KeyPair } from '../pki/private-key';
import { recipientMatches } from './recipient-identifier';

/** One RSA key-transport RecipientInfo of an EnvelopedData. */
export interface KeyTransportRecipient {
  /** DER of the RecipientIdentifier: IssuerAndSerialNumber (SEQUENCE) or [0] SubjectKeyIdentifier. */
  readonly recipientIdentifier: Buffer;
  /** The content-encryption key, RSAES-PKCS1-v1_5 encrypted to the recipient's public key. */
  readonly encryptedKey: Buffer;
}

/** A content-encryption key unwrapped by one of our keys; wrong keys give pseudo-random bytes (implicit rejection), never an error. */
export interface UnwrappedContentKey {
  readonly key: Buffer;
  readonly certificate: As2Certificate;
}

export interface UnwrappedContentKeys {
  /** To try in this order against the content; the first that decrypts is the one. */
  readonly candidates: readonly UnwrappedContentKey[];
  /** Whether a recipient named one of our certificates (else every key was tried on every recipient). */
  readonly matched: boolean;
  /** Our certificates the decryptor holds keys for (current first, then those still in their overlap). */
  readonly certificates: readonly As2Certificate[];
}

/**
 * Unwraps content-encryption keys wherever our private keys live (this process, a keystore service): the content is
 * decrypted by this library, only the RSA key transport is done by the decryptor.
 */
export interface As2Decryptor {
  unwrapContentKey(recipients: readonly KeyTransportRecipient[], keyLength: number): Promise<UnwrappedContentKeys>;
}

/**
 * The key transport with key pairs in memory: the recipients that name one of our certificates, or (some senders put a
 * stale issuer/serial) every key on every recipient. Implicit rejection keeps it free of a padding oracle.
 */
export function unwrapWithKeyPairs(keyPairs: readonly As2KeyPair[], recipients: readonly KeyTransportRecipient[], keyLength: number): UnwrappedContentKeys {
  const matches = keyPairs.flatMap((pair) => recipients.filter((r) => recipientMatches(r.recipientIdentifier, pair.certificate)).map((r) => ({ pair, r })));
  const tried = matches.length > 0 ? matches : keyPairs.flatMap((pair) => recipients.map((r) => ({ pair, r })));
  return {
    candidates: tried.map(({ pair, r }) => ({ key: rsaDecryptKey(pair.privateKey, r.encryptedKey, keyLength), certificate: pair.certificate })),
    matched: matches.length > 0,
    certificates: keyPairs.map((p) => p.certificate),
  };
}

/** The decryptor itself failed (not the message): carries its error so the caller can answer "try again", not a negative MDN. */
export class ExternalKeyOperationError extends Error {
  override readonly name = 'ExternalKeyOperationError';

  constructor(override readonly cause: unknown) {
    super(`The external key operation failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** The in-process implementation: key pairs held in memory (several during a rollover overlap). */
export function keyPairDecryptor(keyPairs: readonly As2KeyPair[]): As2Decryptor {
  return { unwrapContentKey: async (recipients, keyLength) => unwrapWithKeyPairs(keyPairs, recipients, keyLength) };
}
