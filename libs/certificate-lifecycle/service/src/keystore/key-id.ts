import { commandEntityId } from '@as2-partners/kernel';
import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export const KEY_ID_PATTERN = /^key_[0-9A-HJKMNP-TV-Z]{26}$/;

/** `key_` + a ULID: unique, and sortable by creation time; from the command id (Idempotency-Key), so a retry after a crash names the same one. */
export function newKeyId(commandId?: string): string {
  return commandId === undefined ? `key_${nextUlid()}` : commandEntityId('key', commandId);
}

/** The sealed blob's id in the sealed-key store: its own id, so the key id alone never finds the blob. */
export function newSealedKeyId(): string {
  return `skb_${nextUlid()}`;
}
