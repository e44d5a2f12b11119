import { commandEntityId } from '@as2-partners/kernel';
import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export const CERTIFICATE_ID_PATTERN = /^cert_[0-9A-HJKMNP-TV-Z]{26}$/;

/** `cert_` + a ULID: unique, and sortable by upload time; from the command id (Idempotency-Key), so a retry after a crash names the same one. */
export function newCertificateId(commandId?: string): string {
  return commandId === undefined ? `cert_${nextUlid()}` : commandEntityId('cert', commandId);
}
