import type { CertificateData, OurKeyRole, OurKeySource } from '@as2-partners/certificate-lifecycle-domain';

/** One of our keys as the API shows it: alias, role, certificate; never key material, never the sealed blob. */
export interface KeyViewDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly alias: string;
  readonly role: OurKeyRole;
  readonly source: OurKeySource;
  readonly certificate: CertificateData;
  readonly expiresAt: string;
  /** A `next` key: when the scheduler makes it current (null otherwise). */
  readonly activateAt: string | null;
  /** A `next` key: until when the key it replaces will still decrypt; a `previous` key: until when it decrypts. */
  readonly overlapUntil: string | null;
  readonly activatedAt: string | null;
  /** The tightest expiry notice emitted (30, 14, 7, 1; 0 = expired), or null. */
  readonly expiryNotice: number | null;
  readonly createdAt: string;
}

export const KEY_VIEWS_COLLECTION = 'certificate_lifecycle_keys';

/** A keystore's keys in the list's order (alias, creation, id): a page of a level is one index range, never a sort of all its keys. */
export const KEY_LIST_INDEX = ['account', 'tenant', 'alias', 'createdAt', '_id'] as const;

/** A keystore's keys by alias, in list order; the scheduler's due rollovers (role next by activateAt) and retirements (role previous by overlapUntil); expiry notices. */
export const KEY_VIEW_INDEXES: readonly (readonly string[])[] = [KEY_LIST_INDEX, ['role', 'activateAt'], ['role', 'overlapUntil'], ['expiresAt']];

/**
 * A key deleted on request: its keystore and alias, which name the stream its deletion is recorded on. A DELETE retried
 * with its Idempotency-Key after a crash finds its recorded deletion through it, the key's own view being gone.
 */
export interface DeletedKeyDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly alias: string;
  readonly deletedAt: string;
}

export const DELETED_KEYS_COLLECTION = 'certificate_lifecycle_deleted_keys';
