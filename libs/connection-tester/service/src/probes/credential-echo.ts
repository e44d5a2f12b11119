import type { ProbeOutcome } from './probe-outcome';

/**
 * What a partner's answer must not carry into a test result (stored, published, listed to every user of the tenant):
 * the Basic credential the test sent, echoed back in a header, a redirect's location or a status text by a server that
 * reflects its request. Each form of it (the header value, `user:password`, the password) is replaced, as written and
 * in the encodings a server echoes with (percent- and form-encoded, base64, base64url, hex; any letter case); a text
 * that shows it once its escapes are decoded (percent, HTML's character references, JSON's and C's backslashes) is
 * redacted in its decoded form; without a credential, or with no echo, the text is returned as it is.
 */
export function withoutCredentialEcho(text: string, authorization: string | null | undefined): string {
  if (!authorization) return text;
  const pattern = credentialPattern(authorization);
  let cleaned = text.replace(pattern, '[redacted]');
  // An escape has as many spellings as characters a server chooses to escape (every byte, some, `&amp;` or `&#38;`):
  // a text whose decoded form shows the credential is redacted in that form; other texts keep their escapes. The
  // decodings add up (a JSON string's escapes inside a percent-encoded query, a JSON text quoted in JSON), a few rounds.
  let decoded = cleaned;
  for (let round = 0; round < DECODING_ROUNDS; round++) {
    const before = decoded;
    for (const { marks, decode } of ESCAPES) {
      if (!marks.test(decoded)) continue;
      decoded = decode(decoded);
      const redacted = decoded.replace(pattern, '[redacted]');
      if (redacted !== decoded) cleaned = decoded = redacted;
    }
    if (decoded === before) break;
  }
  return cleaned;
}

const DECODING_ROUNDS = 3;

/** The escapes a server may write a reflected credential with, each with what marks a text that may hold one. */
const ESCAPES: readonly { readonly marks: RegExp; readonly decode: (text: string) => string }[] = [
  { marks: /%/, decode: percentDecoded },
  { marks: /&(?:#?[0-9A-Za-z]+;|#[0-9xX]|amp|lt|gt|quot)/i, decode: htmlDecoded },
  { marks: /\\/, decode: backslashDecoded },
];

/** Every `%XX` escape (and `+`, form-encoding's space) decoded as UTF-8 bytes; an escape that is not one stays as written. */
function percentDecoded(text: string): string {
  const withSpaces = text.replace(/\+/g, ' ');
  return withSpaces.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
    const decoded = bytes.toString('utf8');
    return Buffer.from(decoded, 'utf8').equals(bytes) ? decoded : run;
  });
}

const NAMED_REFERENCES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * HTML's character references decoded: `&amp;`, `&#38;`, `&#x26;`, and the forms browsers take without the `;`
 * (`&#38`, `&amp3`); an unknown name or a code point out of range stays as written.
 */
function htmlDecoded(text: string): string {
  return text.replace(/&(?:#([xX][0-9A-Fa-f]{1,6}|[0-9]{1,7});?|([A-Za-z]+);|(amp|lt|gt|quot)(?![A-Za-z;]))/gi, (reference, numeric?: string, named?: string, bare?: string) => {
    if (numeric === undefined) return NAMED_REFERENCES[(named ?? bare ?? '').toLowerCase()] ?? reference;
    const codePoint = numeric[0] === 'x' || numeric[0] === 'X' ? parseInt(numeric.slice(1), 16) : parseInt(numeric, 10);
    return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : reference;
  });
}

const BACKSLASH_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * JSON's and C's backslash escapes decoded: `\"`, `\\`, `\/`, `\n`, `\u0026`, and runs of byte escapes (`\x26`, octal
 * `\046`; `\xc3\xa4` as Python writes the UTF-8 bytes of `ä`) read as UTF-8 when they are; another escape stays as written.
 */
function backslashDecoded(text: string): string {
  const bytesDecoded = text.replace(/(?:\\x[0-9A-Fa-f]{2}|\\[0-7]{1,3})+/g, (run) => {
    const bytes = Buffer.from((run.match(/\\(x[0-9A-Fa-f]{2}|[0-7]{1,3})/g) ?? []).map((escape) => (escape[1] === 'x' ? parseInt(escape.slice(2), 16) : parseInt(escape.slice(1), 8) & 0xff)));
    const decoded = bytes.toString('utf8');
    return Buffer.from(decoded, 'utf8').equals(bytes) ? decoded : bytes.toString('latin1');
  });
  return bytesDecoded.replace(/\\(u[0-9A-Fa-f]{4}|[^ux0-7])/g, (_escape: string, body: string) => (body.length > 1 ? String.fromCharCode(parseInt(body.slice(1), 16)) : (BACKSLASH_ESCAPES[body] ?? body)));
}

/** One pattern of every form, built once per credential (a test cleans many texts with the same one). */
const patterns = new Map<string, RegExp>();

function credentialPattern(authorization: string): RegExp {
  let pattern = patterns.get(authorization);
  if (!pattern) {
    // Longest first, so a form inside another is replaced as part of it.
    const alternatives = credentialForms(authorization).map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    pattern = new RegExp(alternatives.join('|'), 'gi');
    if (patterns.size >= 64) patterns.clear();
    patterns.set(authorization, pattern);
  }
  return pattern;
}

function credentialForms(authorization: string): string[] {
  const encoded = authorization.replace(/^Basic\s+/i, '');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  // A password of a few characters would match anywhere: only the whole credential then.
  const secrets = [decoded, ...(password.length >= 4 ? [password] : [])].filter((secret) => secret.length > 0);
  const forms = new Set([authorization, encoded]);
  for (const secret of secrets) {
    const bytes = Buffer.from(secret, 'utf8');
    const percent = encodeURIComponent(secret);
    for (const form of [secret, percent, percent.replace(/%20/g, '+'), encodeURI(secret), bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url'), bytes.toString('hex')]) forms.add(form);
  }
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * A whole outcome without the credential: what the partner controls reaches many fields (an MDN's disposition and
 * original message id, its MIC, a parser's complaint about it), so every text is cleaned, not only the headers.
 */
export function outcomeWithoutCredentialEcho(outcome: ProbeOutcome, authorization: string | null | undefined): ProbeOutcome {
  if (!authorization) return outcome;
  return {
    results: Object.fromEntries(Object.entries(outcome.results).map(([key, value]) => [key, typeof value === 'string' ? withoutCredentialEcho(value, authorization) : value])),
    timeline: outcome.timeline.map((step) => ({ ...step, details: withoutCredentialEcho(step.details, authorization) })),
  };
}
