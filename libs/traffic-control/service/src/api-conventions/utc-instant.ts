import { DomainError } from '@as2-partners/kernel';

/** ISO-8601 date-time with an explicit zone (Z or ±hh:mm): a naive local time would be ambiguous. */
const ZONED_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Normalises to `Date#toISOString()` form, or raises the given code naming the field. */
export function utcInstantOf(value: unknown, field: string, code: string): string {
  const date = typeof value === 'string' && ZONED_DATE_TIME.test(value) ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new DomainError(code, `The ${field} must be an ISO-8601 UTC date-time, e.g. 2026-12-01T00:00:00Z`, field);
  }
  return date.toISOString();
}
