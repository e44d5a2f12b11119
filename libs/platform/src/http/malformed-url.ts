/** A `%` not followed by two hexadecimal digits. */
const BROKEN_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** Whether a part of a request target holds an escape that is no escape (`%zz`) or escapes that decode to no UTF-8 text (`%FF`). */
function isMalformed(part: string): boolean {
  if (BROKEN_ESCAPE.test(part)) return true;
  try {
    decodeURIComponent(part);
    return false;
  } catch {
    return true;
  }
}

/**
 * The part of a request target that is malformed, or null: its path, which the router could not match (it refused it
 * outside any route, so no count, log line or CORS header), or its query string, which the query parser would take as
 * it is or as something else than was meant. Both are refused 400 `MALFORMED_URL` before any route. A target without a
 * `%` is looked at no further.
 */
export function malformedPartOf(url: string | undefined): 'path' | 'query' | null {
  if (url === undefined || url.indexOf('%') < 0) return null;
  const start = url.indexOf('?');
  const path = start < 0 ? url : url.slice(0, start);
  if (path.indexOf('%') >= 0 && isMalformed(path)) return 'path';
  return start >= 0 && url.indexOf('%', start) >= 0 && isMalformed(url.slice(start + 1)) ? 'query' : null;
}
