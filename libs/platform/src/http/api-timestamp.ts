/** The API's timestamp format: ISO-8601 UTC with microseconds (`2024-01-15T10:30:00.000000Z`), as in the seed. */
export function toApiTimestamp(iso: string): string;
export function toApiTimestamp(iso: string | null): string | null;
export function toApiTimestamp(iso: string | null): string | null {
  if (iso === null) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`Not a timestamp: ${iso}`);
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
