import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export const CERTIFICATE_ID_PATTERN = /^cert_[0-9A-HJKMNP-TV-Z]{26}$/;

/** `cert_` + a ULID: unique, and sortable by upload time. */
export function newCertificateId(): string {
  return `cert_${nextUlid()}`;
}
