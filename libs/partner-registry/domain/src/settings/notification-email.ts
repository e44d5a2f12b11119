import { characterCount, hasControlCharacters } from '@as2-partners/kernel';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Where failure notices are mailed (a station's, a tenant's): a header-safe, plausible address of at most 255 characters. */
export function isNotificationEmail(value: unknown): value is string {
  return typeof value === 'string' && EMAIL.test(value) && characterCount(value) <= 255 && !hasControlCharacters(value);
}
