import { DomainError } from '@as2-partners/kernel';

/** ISO-8601 date-time with an explicit zone (Z or ±hh:mm): a naive local time would be ambiguous for a switch both sides make. */
const ZONED_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Normalises to `Date#toISOString()` form, or raises the given code naming the field. */
export function utcInstantOf(value: unknown, field: string, code: string): string {
  const parts = typeof value === 'string' ? ZONED_DATE_TIME.exec(value) : null;
  const date = parts && isCalendarDate(parts) ? new Date(value as string) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new DomainError(code, `The ${field} must be an ISO-8601 UTC date-time, e.g. 2026-12-01T00:00:00Z`, field);
  }
  return date.toISOString();
}

/** Date.parse rolls 2027-02-30 over to March 2 and 24:00 to the next day: a day the calendar lacks is refused instead. */
function isCalendarDate(parts: RegExpExecArray): boolean {
  const [year, month, day, hour] = [1, 2, 3, 4].map((i) => Number(parts[i]));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23;
}
