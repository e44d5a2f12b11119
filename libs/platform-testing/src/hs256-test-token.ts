import { createHmac } from 'node:crypto';

/**
 * Signs a test token synchronously (jose only signs asynchronously, and `token()` is called inline in tests).
 * Only signing is done here; every token is verified by jose in the guard, so a wrong signature fails the tests.
 */
export function signHs256TestToken(payload: Readonly<Record<string, unknown>>, secret: string): string {
  const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}
