import type { BuildAs2MessageOptions, DigestAlgorithm, OutgoingAs2Message } from '@as2-partners/as2';

/** Whose key signs: one of our AS2 instances' key alias in its owner's keystore (tenant null: account-level). */
export interface KeyAliasRef {
  readonly account: string;
  readonly tenant: string | null;
  readonly alias: string;
}

/**
 * Builds an AS2 message signed as one of our identities inside the keystore's service, so the private key never
 * reaches the tester (the certificate-lifecycle keystore's `OurKeyOperations.buildAs2Message` has this shape; the
 * composition that runs both in one process provides it under OUR_AS2_SIGNER; a tester in its own process gets
 * RemoteKeystoreSigner, libs/as2's external-signer hook over the keystore's internal route, when KEYSTORE_URL is set).
 * Absent, partners that want signed messages cannot get a `full` test (SIGNING_KEY_UNAVAILABLE).
 */
export interface OurAs2Signer {
  buildAs2Message(ref: KeyAliasRef, options: Omit<BuildAs2MessageOptions, 'sign'> & { sign?: { algorithm: DigestAlgorithm } }): Promise<OutgoingAs2Message>;
  /** Whether the alias has a key that signs, asked before a test is counted (absent: assumed, a failure shows as a step). */
  hasSigningKey?(ref: KeyAliasRef): Promise<boolean>;
}

/** A global symbol: the keystore's module and the tester's meet on it without importing each other. */
export const OUR_AS2_SIGNER = Symbol.for('as2-partners.OUR_AS2_SIGNER');
