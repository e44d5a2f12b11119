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
