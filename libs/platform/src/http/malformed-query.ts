/** A `%` not followed by two hexadecimal digits. */
const BROKEN_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/**
 * Whether a request target's query string is malformed: a `%` that starts no escape (`%zz`), or escapes that decode to
 * no UTF-8 text (`%FF`). The query parser would take such a value as it is, or as something else than was meant,
 * while the same bytes in the path are refused 400 MALFORMED_URL: the query is refused the same way.
 */
export function hasMalformedQuery(url: string | undefined): boolean {
  if (url === undefined) return false;
  const start = url.indexOf('?');
  if (start < 0 || url.indexOf('%', start) < 0) return false;
  const query = url.slice(start + 1);
  if (BROKEN_ESCAPE.test(query)) return true;
  try {
    decodeURIComponent(query);
    return false;
  } catch {
    return true;
  }
}
