import { createHmac } from 'node:crypto';

/**
 * An HS256 JWT of `payload` signed with `secret`, synchronously (jose only signs asynchronously): for tokens the process
 * mints for itself (the warm-up's throwaway app) and for tests. Only signing is done here; every token is verified by
 * jose in the guard.
 */
export function signHs256Token(payload: Readonly<Record<string, unknown>>, secret: string): string {
  const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}
