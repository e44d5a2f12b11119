/** Query parameters whose values a log line must not hold (a token a client put in the URL, a password, a key). */
const SECRET_PARAMETER = /token|password|passwd|passphrase|passcode|pincode|pwd|secret|api[-_]?key|access[-_]?key|private[-_]?key|auth|signature|sig\b|credential|jwt|bearer|session|cookie/i;
/** Names that are a secret only whole (`code`: an OAuth code; `key`), not inside another (`country_code`, `sort_key`). */
const SECRET_NAME = /^(?:code|key)$/i;
/** Whether a query may hold a name the parts or words of which are a secret: then each name is looked at. */
const SECRET_NAME_IN_QUERY = /(?:^|[&[.+])(?:code|key)(?:[=&[\].+]|$)|pin|pass|pw|otp/i;
/**
 * Words that make a name a secret wherever they stand in it, plural too (`user_pin`, `pin2`, `PINs`, `newPin`,
 * `otp_code`, `OTPCode`, `user pin`): cut at `_`, `-`, spaces and digits, each piece judged whole and then cut at its
 * case changes (a lower-case letter before a capital, a capital before a capitalised word: `PINNumber`, not `PINs`).
 */
const SECRET_WORD = /^(?:pin|pass|pw|otp|totp)s?$/i;
const PIECE_BREAK = /[_\-\s]+|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])/;
const CASE_BREAK = /(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/;
const isSecretPiece = (piece: string): boolean => SECRET_WORD.test(piece) || piece.split(CASE_BREAK).some((word) => SECRET_WORD.test(word));
/** What a name's parts are cut at and stripped of: brackets and dots (`key[]`, `user.pin`), spaces, controls and invisible format characters. */
const NAME_PART_SEPARATOR = /[[\].]/;
const INVISIBLE = /[\p{Cc}\p{Cf}\s]/gu;

/**
 * Whether a parameter's name (unescaped) looks like a secret: whole, or any part of the bracketed or dotted forms
 * clients send for arrays and objects (`key[]`, `auth[pin]`, `user.pin`), with spaces, controls and invisible
 * characters (a zero-width space, NUL) left out.
 */
const isSecretName = (name: string): boolean =>
  name.split(NAME_PART_SEPARATOR).some((part) => {
    const bare = part.replace(INVISIBLE, '');
    if (SECRET_PARAMETER.test(bare) || SECRET_NAME.test(bare)) return true;
    // cut at spaces before the invisible characters inside a word are left out (`pa\u200Bss` is `pass`)
    return part.split(/\s+/).some((spaced) => spaced.replace(INVISIBLE, '').split(PIECE_BREAK).some(isSecretPiece));
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
