import type { IncomingMessage } from 'node:http';

/** The API documentation's files: the static file server gives them entity tags and judges their preconditions. */
const DOCUMENTATION = /^\/docs(?:\/|$)/;

/**
 * Whether a request's If-Match cannot hold (RFC 9110 §13.1.1): the API's answers carry no entity tag, so any tag the
 * client names matches no current representation; only `*` (any representation) can hold, and the route then answers
 * as it would (404 for a resource that is not there). Such a request must not be performed: 412, before any route. The
 * path is read as the router reads it (an absolute-form target's path, percent-escapes decoded), so no spelling of an
 * API path passes.
 */
export function failsIfMatch(request: IncomingMessage): boolean {
  const condition = request.headers['if-match'];
  if (condition === undefined || condition.trim() === '*') return false;
  return !DOCUMENTATION.test(routedPath(request.url ?? '/'));
}

/** The path a request target names: an absolute-form target's path, without its query, percent-escapes decoded. */
function routedPath(target: string): string {
  let path = target;
  if (!path.startsWith('/')) {
    try {
      path = new URL(path).pathname;
    } catch {
      return path;
    }
  }
  const query = path.indexOf('?');
  if (query >= 0) path = path.slice(0, query);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
