/** Query parameters whose values a log line must not hold (a token a client put in the URL, a password, a key). */
const SECRET_PARAMETER = /token|password|passwd|pwd|secret|api[-_]?key|access[-_]?key|private[-_]?key|auth|signature|sig\b|credential|jwt|bearer|session|cookie/i;

/**
 * The request's URL for a log line: the path and query as sent, with the value of every query parameter that looks
 * like a secret replaced (`?access_token=eyJ…` is `?access_token=[redacted]`). No query, or none such: unchanged.
 */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0 || !SECRET_PARAMETER.test(url.slice(at + 1))) return url;
  const parts = url
    .slice(at + 1)
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
      return equals >= 0 && SECRET_PARAMETER.test(decoded) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, at)}?${parts.join('&')}`;
}
