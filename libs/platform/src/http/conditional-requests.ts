import type { IncomingMessage } from 'node:http';

/** The API's own paths: none of their answers carries an entity tag (the static `/docs` files do, and judge their own). */
const API_PATHS = /^\/(?:v1|internal)\//;

/**
 * Whether a request's If-Match cannot hold (RFC 9110 §13.1.1): the API's answers carry no entity tag, so any tag the
 * client names matches no current representation; only `*` (any representation) can hold, and the route then answers
 * as it would (404 for a resource that is not there). Such a request must not be performed: 412, before any route.
 */
export function failsIfMatch(request: IncomingMessage): boolean {
  const condition = request.headers['if-match'];
  if (condition === undefined) return false;
  return condition.trim() !== '*' && API_PATHS.test(request.url ?? '');
}
