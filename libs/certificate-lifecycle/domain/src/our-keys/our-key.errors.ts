import { DomainError } from '@as2-partners/kernel';
import { CertificateLifecycleErrorCode } from '../certificate-lifecycle.errors';
import type { OurKeySource } from './our-key.events';

/** Codes of our keystore (mapped to HTTP once, in the service's error-status table). */
export const OurKeyErrorCode = {
  KeyNotFound: 'KEY_NOT_FOUND',
  DuplicateKeyAlias: 'DUPLICATE_KEY_ALIAS',
  KeyInUse: 'KEY_IN_USE',
  InheritedKeyReadOnly: 'INHERITED_KEY_READ_ONLY',
  KeyNotCurrent: 'KEY_NOT_CURRENT',
  KeyRolloverPending: 'KEY_ROLLOVER_PENDING',
  KeyRolloverAlreadyScheduled: 'KEY_ROLLOVER_ALREADY_SCHEDULED',
  KeyOverlapNotClosed: 'KEY_OVERLAP_NOT_CLOSED',
  InvalidKeyAlias: 'INVALID_KEY_ALIAS',
  InvalidPkcs12: 'INVALID_PKCS12',
  WrongPassword: 'WRONG_PASSWORD',
  InvalidPrivateKey: 'INVALID_PRIVATE_KEY',
  UnsupportedKey: 'UNSUPPORTED_KEY',
  KeyCertificateMismatch: 'KEY_CERTIFICATE_MISMATCH',
  KeyFileTooLarge: 'KEY_FILE_TOO_LARGE',
  InvalidSubject: 'INVALID_SUBJECT',
  InvalidCms: 'INVALID_CMS',
  DecryptionFailed: 'DECRYPTION_FAILED',
  InvalidSignedAttributes: 'INVALID_SIGNED_ATTRIBUTES',
  KeyMaterialUnavailable: 'KEY_MATERIAL_UNAVAILABLE',
} as const;

/** The key's sealed private key is gone from the keystore's file (secrets.sqlite lost or replaced): it can sign and decrypt nothing. */
export function keyMaterialUnavailable(keyId: string): DomainError {
  return new DomainError(
    OurKeyErrorCode.KeyMaterialUnavailable,
    `The private key of key ${keyId} is missing from the keystore (secrets.sqlite lost or replaced): restore the file, or import the key again under a new alias`,
  );
}

export function keyNotFound(keyOrAlias: string): DomainError {
  return new DomainError(OurKeyErrorCode.KeyNotFound, `Key ${keyOrAlias} not found`);
}

export function duplicateKeyAlias(alias: string): DomainError {
  return new DomainError(OurKeyErrorCode.DuplicateKeyAlias, `A key with the alias ${alias} already exists`, 'alias', { alias });
}

/** How many AS2 instances a KEY_IN_USE names: an account's key may be named by an instance in every tenant. */
export const IN_USE_INSTANCES_NAMED = 100;

/** `total`: how many instances use the alias, when `instances` names only the first of them. */
export function keyInUse(keyId: string, alias: string, instances: readonly { instanceId: string; myAs2Id: string }[], total = instances.length): DomainError {
  return new DomainError(OurKeyErrorCode.KeyInUse, `Key ${keyId} is in use: ${total} AS2 instance(s) sign and decrypt with the alias ${alias}`, undefined, {
    alias,
    used_by: instances.slice(0, IN_USE_INSTANCES_NAMED).map((i) => ({ instance_id: i.instanceId, my_as2_id: i.myAs2Id })),
    used_by_total: total,
  });
}

export function keyNotCurrent(keyId: string): DomainError {
  return new DomainError(OurKeyErrorCode.KeyNotCurrent, `Key ${keyId} is not its alias's current key: only the current key is rolled over`);
}

export function keyRolloverPending(keyId: string, nextKeyId: string): DomainError {
  return new DomainError(OurKeyErrorCode.KeyRolloverPending, `Key ${keyId} has a scheduled successor ${nextKeyId}: delete that one first to cancel the rollover`, undefined, {
    next_key_id: nextKeyId,
  });
}

export function keyRolloverAlreadyScheduled(nextKeyId: string): DomainError {
  return new DomainError(OurKeyErrorCode.KeyRolloverAlreadyScheduled, `A rollover to key ${nextKeyId} is already scheduled: delete that key to cancel it first`, undefined, {
    next_key_id: nextKeyId,
  });
}

/** A rollover to the current key's own certificate; named on the field that brought it (`pkcs12`, or `certificate` with a PEM key). */
export function keyRolloverSameCertificate(currentKeyId: string, source: OurKeySource): DomainError {
  return new DomainError(CertificateLifecycleErrorCode.RolloverSameCertificate, `The next key's certificate is the current key ${currentKeyId}'s own: a rollover needs another certificate`, source === 'pkcs12' ? 'pkcs12' : 'certificate', {
    current_key_id: currentKeyId,
  });
}

export function keyOverlapNotClosed(previousKeyId: string, overlapUntil: string, activateAt: string): DomainError {
  return new DomainError(
    OurKeyErrorCode.KeyOverlapNotClosed,
    `The previous key ${previousKeyId} still decrypts until ${overlapUntil}, and activating another key would retire it: activate_at must not be before then`,
    'activate_at',
    { previous_key_id: previousKeyId, overlap_until: overlapUntil, activate_at: activateAt },
  );
}

export function inheritedKeyReadOnly(keyId: string): DomainError {
  return new DomainError(OurKeyErrorCode.InheritedKeyReadOnly, `Key ${keyId} is in the account's keystore: only an account admin changes it, under /v1/accounts/{account}/keys`);
}
