import { DomainError } from '@as2-partners/kernel';
import { OurKeyErrorCode } from './our-key.errors';

/** Seed 001's my_as2_alias: 1–100 letters, digits, `-`, `_`, `.`. */
export const KEY_ALIAS_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

export function assertKeyAlias(alias: unknown): string {
  if (typeof alias !== 'string' || !KEY_ALIAS_PATTERN.test(alias)) {
    throw new DomainError(OurKeyErrorCode.InvalidKeyAlias, 'The alias must be 1-100 letters, digits, "-", "_" or "."', 'alias');
  }
  return alias;
}
