import type { KeyObject } from 'node:crypto';

/** One of our AS2 key pairs: the private key stays an in-process KeyObject, never PEM text, never logged. */
export interface OwnAs2KeyPair {
  readonly privateKey: KeyObject;
  readonly certificatePem: string;
}

/**
 * Signing and decryption keys of our AS2 identities, by alias, held by the certificate-lifecycle service's keystore.
 * In one process (embedded) the keystore provides this port; a service without it cannot sign (`full` tests of
 * partners that want signed messages answer SIGNING_KEY_UNAVAILABLE).
 */
export interface As2KeyPort {
  keyPairFor(owner: { readonly account: string; readonly tenant: string | null }, alias: string, which: 'current' | 'next'): Promise<OwnAs2KeyPair | null>;
}

/** A global symbol so the keystore's module and the tester's find the same token without importing each other. */
export const AS2_KEY_PORT = Symbol.for('as2-partners.AS2_KEY_PORT');
