import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** `prt_` + a ULID: unique, and sortable by creation time. */
export function newPartnerId(): string {
  return `prt_${nextUlid()}`;
}
