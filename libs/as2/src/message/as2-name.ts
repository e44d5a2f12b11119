import { As2Error } from '../errors/as2-error';

const maxLength = 128;

/** Printable ASCII and space (RFC 4130 §6.2 AS2-qtext); anything else cannot travel in an AS2-From/To header. */
export function validateAs2Name(name: string, header = 'AS2 identifier'): string {
  if (name.length === 0) throw new As2Error('INVALID_AS2_NAME', `The ${header} is empty.`);
  if (name.length > maxLength) throw new As2Error('INVALID_AS2_NAME', `The ${header} "${name.slice(0, 40)}…" is ${name.length} characters long; RFC 4130 allows at most ${maxLength}.`);
  const bad = [...name].find((c) => c < ' ' || c > '~');
  if (bad !== undefined) {
    throw new As2Error('INVALID_AS2_NAME', `The ${header} "${name}" contains the character U+${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}; only printable ASCII and spaces are allowed (RFC 4130 §6.2).`);
  }
  return name;
}

/** RFC 4130 §6.2: an atomic name as is; a name with space, `"` or `\` as a quoted string with `\"` and `\\`. */
export function quoteAs2Name(name: string): string {
  validateAs2Name(name);
  if (!/[ "\\]/.test(name)) return name;
  return `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

/** Reads an AS2-From/AS2-To header value back to the identifier (comparisons stay case-sensitive). */
export function parseAs2Name(value: string, header: string): string {
  const trimmed = value.trim();
  if (!trimmed.startsWith('"')) {
    if (/[ "\\]/.test(trimmed)) throw new As2Error('INVALID_AS2_NAME', `The ${header} header "${trimmed}" contains a space, quote or backslash but is not quoted (RFC 4130 §6.2).`);
    return validateAs2Name(trimmed, `${header} header`);
  }
  let out = '';
  let i = 1;
  for (; i < trimmed.length && trimmed[i] !== '"'; i++) {
    if (trimmed[i] === '\\') {
      i++;
      if (trimmed[i] !== '"' && trimmed[i] !== '\\') throw new As2Error('INVALID_AS2_NAME', `The ${header} header "${trimmed}" has an invalid escape; only \\" and \\\\ are allowed.`);
    }
    out += trimmed[i];
  }
  if (i !== trimmed.length - 1) throw new As2Error('INVALID_AS2_NAME', `The ${header} header "${trimmed}" is not a well-formed quoted name.`);
  return validateAs2Name(out, `${header} header`);
}
