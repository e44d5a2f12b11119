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
