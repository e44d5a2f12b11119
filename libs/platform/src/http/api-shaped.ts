import { apiTimestampIfIso } from './api-timestamp';

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Event data or error details as the API shows every body: snake_case keys (a key holding `_` already, such as an id
 * `prt_…` used as a key, is kept) and timestamps with six fraction digits; `omit` names keys left out.
 */
export function apiShaped(value: unknown, omit: ReadonlySet<string> = new Set()): unknown {
  if (Array.isArray(value)) return value.map((item) => apiShaped(item, omit));
  if (value === null || typeof value !== 'object') return apiTimestampIfIso(value);
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !omit.has(key))
      .map(([key, inner]) => [key.includes('_') ? key : snake(key), apiShaped(inner, omit)]),
  );
}
