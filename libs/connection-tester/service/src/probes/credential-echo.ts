import type { ProbeOutcome } from './probe-outcome';

/**
 * What a partner's answer must not carry into a test result (stored, published, listed to every user of the tenant):
 * the Basic credential the test sent, echoed back in a header, a redirect's location or a status text by a server that
 * reflects its request. Each form of it (the header value, `user:password`, the password) is replaced, as written and
 * in the encodings a server echoes with (percent- and form-encoded, base64, base64url, hex; any letter case); without
 * a credential, or with no echo, the text is returned as it is.
 */
export function withoutCredentialEcho(text: string, authorization: string | null | undefined): string {
  if (!authorization) return text;
  const pattern = credentialPattern(authorization);
  const cleaned = text.replace(pattern, '[redacted]');
  // Percent-encoding has as many spellings as characters a server chooses to escape (every byte, some): a text that
  // shows the credential once its escapes are decoded is redacted in its decoded form.
  if (!text.includes('%')) return cleaned;
  const decoded = percentDecoded(cleaned);
  const redacted = decoded.replace(pattern, '[redacted]');
  return redacted === decoded ? cleaned : redacted;
}

/** Every `%XX` escape (and `+`, form-encoding's space) decoded as UTF-8 bytes; an escape that is not one stays as written. */
function percentDecoded(text: string): string {
  const withSpaces = text.replace(/\+/g, ' ');
  return withSpaces.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
    const decoded = bytes.toString('utf8');
    return Buffer.from(decoded, 'utf8').equals(bytes) ? decoded : run;
  });
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
