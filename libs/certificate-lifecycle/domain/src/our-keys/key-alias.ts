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

/** `.` and `..` are URL dot-segments: `/internal/v1/keys/{alias}/sign` can never name them (URL parsers drop them). */
const DOT_SEGMENT = /^\.{1,2}$/;

/** A new alias: the pattern, and not a dot-segment (keys stored before this rule keep theirs). */
export function assertNewKeyAlias(alias: unknown): string {
  const checked = assertKeyAlias(alias);
  if (DOT_SEGMENT.test(checked)) throw new DomainError(OurKeyErrorCode.InvalidKeyAlias, 'The alias must not be "." or "..": other services name keys by alias in URLs', 'alias');
  return checked;
}
