import { clippedText, type ProbeOutcome } from './probe-outcome';

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
  // Only its start is ever recorded: a longer text is cleaned that far (far past where any credential starting within
  // what is recorded ends, in any of its encodings) and cut as it would be, not decoded and searched a MiB at a time.
  if (text.length > CLEANED_WINDOW) return clippedText(withoutCredentialEcho(text.slice(0, CLEANED_WINDOW), authorization), text.length);
  const forms = credentialFormsOf(authorization);
  let cleaned = redacted(text, forms);
  // An escape has as many spellings as characters a server chooses to escape (every byte, some, `&amp;` or `&#38;`):
  // a text whose decoded form shows the credential is redacted in that form; other texts keep their escapes. The
  // decodings add up (a JSON string's escapes inside a percent-encoded query, a JSON text quoted in JSON), a few rounds.
  let decoded = cleaned;
  for (let round = 0; round < DECODING_ROUNDS; round++) {
    const before = decoded;
    for (const { marks, decode } of ESCAPES) {
      if (!marks.test(decoded)) continue;
      decoded = decode(decoded);
      const decodedClean = redacted(decoded, forms);
      if (decodedClean !== decoded) cleaned = decoded = decodedClean;
    }
    if (decoded === before) break;
  }
  return cleaned;
}

const DECODING_ROUNDS = 3;
const CLEANED_WINDOW = 64 * 1024;

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

/** Every form of a credential, ASCII letters folded to lower case, longest first (as credentialForms gives them; folding keeps lengths); worked out once per credential (a test cleans many texts with it). */
const formsByCredential = new Map<string, readonly string[]>();

function credentialFormsOf(authorization: string): readonly string[] {
  let forms = formsByCredential.get(authorization);
  if (!forms) {
    forms = [...new Set(credentialForms(authorization).map(foldedAscii))];
    if (formsByCredential.size >= 64) formsByCredential.clear();
    formsByCredential.set(authorization, forms);
  }
  return forms;
}

/** ASCII letters in lower case, every other character as it is: the same length, so places in it are places in the text. */
const foldedAscii = (text: string): string => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/**
 * The text with every form replaced by `[redacted]`, as a global pattern of them would (the leftmost first, the longest
 * at one place, in any case of ASCII letters), in time linear in the text: a pattern of up to 1,024-character
 * alternatives, or `indexOf`, tried at every place of a 1 MiB answer a partner crafted to nearly match them (`a`×1,023
 * then `b`, a thousand times, against a password of 1,024 `a`), took seconds of the event loop.
 */
function redacted(text: string, forms: readonly string[]): string {
  const folded = foldedAscii(text);
  const found = forms.map((form) => ({ form, starts: startsOf(form, folded), next: 0 }));
  let out = '';
  let from = 0;
  for (;;) {
    let chosen: (typeof found)[number] | null = null;
    let chosenAt = -1;
    for (const candidate of found) {
      while (candidate.next < candidate.starts.length && (candidate.starts[candidate.next] as number) < from) candidate.next += 1;
      const at = candidate.next < candidate.starts.length ? (candidate.starts[candidate.next] as number) : -1;
      if (at !== -1 && (chosen === null || at < chosenAt)) {
        chosen = candidate;
        chosenAt = at;
      }
    }
    if (chosen === null) return from === 0 ? text : out + text.slice(from);
    out += `${text.slice(from, chosenAt)}[redacted]`;
    from = chosenAt + chosen.form.length;
  }
}

/** Where `form` starts in `text`, every place (overlapping), by Knuth-Morris-Pratt: each character of the text read once. */
function startsOf(form: string, text: string): number[] {
  const m = form.length;
  const fallback = new Int32Array(m);
  for (let i = 1, k = 0; i < m; i++) {
    while (k > 0 && form.charCodeAt(i) !== form.charCodeAt(k)) k = fallback[k - 1] as number;
    if (form.charCodeAt(i) === form.charCodeAt(k)) k += 1;
    fallback[i] = k;
  }
  const starts: number[] = [];
  for (let i = 0, k = 0; i < text.length; i++) {
    while (k > 0 && text.charCodeAt(i) !== form.charCodeAt(k)) k = fallback[k - 1] as number;
    if (text.charCodeAt(i) === form.charCodeAt(k)) k += 1;
    if (k === m) {
      starts.push(i - m + 1);
      k = fallback[k - 1] as number;
    }
  }
  return starts;
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
