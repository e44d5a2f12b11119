import { toApiTimestamp } from '../../api-conventions/api-timestamp';

/** One of our keys as the certificate-lifecycle service's `key.*` events describe it: facts, never key material. */
export interface OurKeyDocument {
  readonly _id: string;
  readonly keyId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly alias: string;
  /** current: signs and decrypts; next: waits for its activation; previous: only decrypts until overlapUntil. */
  readonly role: 'current' | 'next' | 'previous';
  readonly fingerprintSha256: string;
  readonly notAfter: string;
  readonly activateAt: string | null;
  readonly overlapUntil: string | null;
}

export const OUR_KEYS_COLLECTION = 'partner_registry_our_keys';
export const OUR_KEY_INDEXES = [['account', 'tenant', 'alias']] as const;

/** The usage words of `GET /v1/keys`: current signs and decrypts; a previous key decrypts until its overlap ends; a next key does nothing yet. */
function usageOf(doc: OurKeyDocument, now: Date): 'sign_and_decrypt' | 'decrypt' | 'none' {
  if (doc.role === 'current') return 'sign_and_decrypt';
  return doc.role === 'previous' && doc.overlapUntil !== null && new Date(doc.overlapUntil) > now ? 'decrypt' : 'none';
}

/** The `keys` of an AS2 instance's details: alias, usage, fingerprint, expiry (and the rollover instants when there is one). */
export function presentOurKey(doc: OurKeyDocument, now: Date) {
  return {
    id: doc.keyId,
    alias: doc.alias,
    status: doc.role,
    usage: usageOf(doc, now),
    fingerprint: doc.fingerprintSha256,
    expires_at: doc.notAfter ? toApiTimestamp(doc.notAfter) : null,
    activate_at: doc.activateAt === null ? null : toApiTimestamp(doc.activateAt),
    overlap_until: doc.overlapUntil === null ? null : toApiTimestamp(doc.overlapUntil),
    ...(doc.tenant === null ? {} : { tenant: doc.tenant }),
  };
}
