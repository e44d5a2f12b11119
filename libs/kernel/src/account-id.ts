/**
 * How an account's id may be spelled (a token's `account` claim, an account a gateway names): the ids and keys it heads
 * join their parts with `|`, `/` or `.` (`<account>|<tenant>|<message id>`), so an account holds no `|` or `/`, no `%`
 * (the escape of those), no blank and no control character, and at most 128 characters (code points, as the API counts them).
 */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
export const ACCOUNT_ID_PATTERN = /^[^|/%\s\u0000-\u001f\u007f-\u009f\u2028\u2029]{1,128}$/u;

/** What a field or claim of an account id that does not match ACCOUNT_ID_PATTERN is told. */
export const ACCOUNT_ID_MESSAGE = 'The account must be 1-128 characters without "|", "/", "%", spaces or control characters';
