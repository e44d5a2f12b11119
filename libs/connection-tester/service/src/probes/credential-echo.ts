import type { ProbeOutcome } from './probe-outcome';

/**
 * What a partner's answer must not carry into a test result (stored, published, listed to every user of the tenant):
 * the Basic credential the test sent, echoed back in a header or a status text by a server that reflects its request.
 * Each form of it (the header value, its base64, `user:password`, the password) is replaced; without a credential, or
 * with no echo, the text is returned as it is.
 */
export function withoutCredentialEcho(text: string, authorization: string | null | undefined): string {
  if (!authorization) return text;
  let cleaned = text;
  for (const form of credentialForms(authorization)) cleaned = cleaned.split(form).join('[redacted]');
  return cleaned;
}

function credentialForms(authorization: string): string[] {
  const encoded = authorization.replace(/^Basic\s+/i, '');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  // Longest first, so a form inside another is replaced as part of it; a password of a few characters would match anywhere.
  return [authorization, encoded, decoded, ...(password.length >= 4 ? [password] : [])].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
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
