/** The API's timestamp format: ISO-8601 UTC with microseconds (`2024-01-15T10:30:00.000000Z`), as in the seed. */
export function toApiTimestamp(iso: string): string;
export function toApiTimestamp(iso: string | null): string | null;
export function toApiTimestamp(iso: string | null): string | null {
  if (iso === null) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`Not a timestamp: ${iso}`);
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** For values whose type is not known (event data shown as is): an ISO-8601 UTC timestamp in the API's format, anything else unchanged. */
export function apiTimestampIfIso<T>(value: T): T | string {
  return typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value)) ? toApiTimestamp(value) : value;
}

/** RFC 3339's date-time: a date, a time and an offset (Z or ±hh:mm). What a `date-time` field accepts. */
export const DATE_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An instant a query may bound by: a date (its midnight UTC) or a date-time, its seconds and offset optional. ISO 8601
 * forms beyond these (basic `20270101`, weeks, ordinal days, an hour alone, a decimal comma) are refused: nothing
 * reads them as the same instant everywhere.
 */
export const DATE_OR_DATE_TIME = /^\d{4}-\d{2}-\d{2}([Tt]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?$/;
