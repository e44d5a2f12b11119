/**
 * C0 and C1 controls (CR, LF, TAB, NUL…, DEL: Unicode's Cc), the Unicode line and paragraph separators, and the
 * bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), as ranges for a pattern's class (an
 * OpenAPI `pattern`: `[^${CONTROL_CHARACTER_RANGES}]`).
 */
export const CONTROL_CHARACTER_RANGES = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';

const CONTROL_CHARACTER = new RegExp(`[${CONTROL_CHARACTER_RANGES}]`, 'u');

/**
 * Text the gateway writes into an AS2/MIME or HTTP header line (subject, name, e-mail, endpoint URLs, basic-auth
 * credentials) must hold no control character: a CR or LF there starts a header of the sender's choosing, and a
 * bidirectional override shows a reader other text than the bytes say ("Trojan Source": `\u202eevil` reads backwards);
 * right-to-left names need none of them.
 */
export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}
