import type { InstanceUsingAlias } from '@as2-partners/certificate-lifecycle-domain';
import { toApiTimestamp } from '@as2-partners/platform';
import type { KeyViewDocument } from './key-view.document';

/** How a key is shown: the tenant's own, the account's as a tenant reads it (read-only), the account's as its admin manages it. */
export type KeyPresentedType = 'tenant' | 'inherited' | 'master';

/** AS2 instances a key's `used_by` names at most (an account's key may be named by an instance in every tenant); `used_by_total` counts them all. */
export const KEY_USERS_NAMED = 100;

/** A key's users as read: the first of them (at least the KEY_USERS_NAMED first, by id, when there are more) and how many there are. */
export interface KeyUsers {
  readonly named: readonly InstanceUsingAlias[];
  readonly total: number;
}

/** One of our keys in the API's shape: public certificate facts only. `used_by`: the instances signing with its alias. */
export function presentKey(doc: KeyViewDocument, usedBy: KeyUsers, now: Date, type: KeyPresentedType = doc.tenant === null ? 'inherited' : 'tenant') {
  const c = doc.certificate;
  const decrypting = doc.role === 'current' || (doc.role === 'previous' && doc.overlapUntil !== null && new Date(doc.overlapUntil) > now);
  return {
    id: doc._id,
    type,
    alias: doc.alias,
    status: doc.role,
    usage: doc.role === 'current' ? 'sign_and_decrypt' : decrypting ? 'decrypt' : 'none',
    source: doc.source,
    key_algorithm: c.keyAlgorithm,
    key_size: c.keySize,
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serial,
    not_before: toApiTimestamp(c.notBefore),
    expires_at: toApiTimestamp(c.notAfter),
    fingerprint_sha1: c.fingerprintSha1,
    fingerprint_sha256: c.fingerprintSha256,
    self_signed: c.selfSigned,
    chain_length: c.chain.length,
    activate_at: toApiTimestamp(doc.role === 'next' ? doc.activateAt : null),
    overlap_until: toApiTimestamp(doc.role === 'next' || doc.role === 'previous' ? doc.overlapUntil : null),
    activated_at: toApiTimestamp(doc.activatedAt),
    expiry_notice_days: doc.expiryNotice,
    used_by: decrypting ? usedBy.named.slice(0, KEY_USERS_NAMED).map((u) => ({ instance_id: u.instanceId, my_as2_id: u.myAs2Id })) : [],
    used_by_total: decrypting ? usedBy.total : 0,
    created_at: toApiTimestamp(doc.createdAt),
  };
}
