/** C0 and C1 controls (CR, LF, TAB, NUL…), DEL, and the Unicode line and paragraph separators. */
const CONTROL_CHARACTER = /[\p{Cc}\u2028\u2029]/u;

/**
 * Text the gateway writes into an AS2/MIME or HTTP header line (subject, name, e-mail, endpoint URLs, basic-auth
 * credentials) must hold no control character: a CR or LF there starts a header of the sender's choosing.
 */
export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}
