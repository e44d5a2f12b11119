/** Query parameters whose values a log line must not hold (a token a client put in the URL, a password, a key). */
const SECRET_PARAMETER = /token|password|passwd|passphrase|pwd|secret|api[-_]?key|access[-_]?key|private[-_]?key|auth|signature|sig\b|credential|jwt|bearer|session|cookie/i;
/** Names that are a secret only whole (`code`: an OAuth code; `key`, `pass`, `pin`), not inside another (`country_code`). */
const SECRET_NAME = /^(?:code|key|pass|pin)$/i;
const SECRET_NAME_IN_QUERY = /(?:^|[&[+])(?:code|key|pass|pin)(?:[=&[\]+]|$)/i;

/**
 * Whether a parameter's name (unescaped) looks like a secret: whole, or any part of its bracketed form as clients send
 * arrays and objects (`key[]`, `auth[pin]`), spaces around it ignored.
 */
const isSecretName = (name: string): boolean =>
  name.split(/[[\]]/).some((part) => {
    const trimmed = part.trim();
    return SECRET_PARAMETER.test(trimmed) || SECRET_NAME.test(trimmed);
  });

/**
 * The request's URL for a log line: the path and query as sent, with the value of every query parameter that looks
 * like a secret replaced (`?access_token=eyJ…` is `?access_token=[redacted]`). No query, or none such: unchanged.
 */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url.slice(at + 1);
  // Without an escape, a name that looks like a secret is seen in the query as it is.
  if (query.indexOf('%') < 0 && !SECRET_PARAMETER.test(query) && !SECRET_NAME_IN_QUERY.test(query)) return url;
  const parts = query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: judged as written
      }
      return equals >= 0 && isSecretName(decoded) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, at)}?${parts.join('&')}`;
}
