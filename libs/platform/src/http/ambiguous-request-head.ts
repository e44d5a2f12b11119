import type { IncomingMessage } from 'node:http';

/**
 * A Host value as RFC 9112 §3.2 allows it: `uri-host [ ":" port ]` (a reg-name, an IPv4 address or an IP-literal in
 * brackets), or empty (a target without an authority).
 */
const HOST_VALUE = /^(?:\[[0-9A-Za-z:.%~_+-]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?$/;

/**
 * Why a request's head is ambiguous, or null: Host given twice or malformed (RFC 9112 §3.2: a server MUST answer 400),
 * Authorization given twice (Node keeps the first, a proxy in front may read the last: two parties would authenticate
 * two tokens). Read from the raw headers, which keep every line as sent; a name's length is compared first, so the
 * usual request costs a few comparisons.
 */
export function ambiguityOf(request: IncomingMessage): string | null {
  const raw = request.rawHeaders;
  let hosts = 0;
  let authorizations = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && name.toLowerCase() === 'host') {
      hosts += 1;
      if (!HOST_VALUE.test(raw[i + 1])) return 'The Host header must be a host name or address with an optional port';
    } else if (name.length === 13 && name.toLowerCase() === 'authorization') {
      authorizations += 1;
    }
  }
  if (hosts > 1) return 'The Host header may be given once';
  if (authorizations > 1) return 'The Authorization header may be given once';
  return null;
}
