import { SignJWT } from 'jose';
import type { JwtConfig } from '@as2-partners/platform';

const LIFETIME_SECONDS = 300;
const RENEW_BEFORE_SECONDS = 60;

/**
 * The tester's own credential for the keystore's and the registry's internal routes when the services share an HS256
 * JWT_SECRET (compose, the k8s manifests): a short-lived `gateway` token for every account (the routes take the account
 * from the request), minted here and renewed before it expires. Deployments verifying tokens from an identity provider
 * give KEYSTORE_TOKEN and PARTNER_REGISTRY_TOKEN.
 */
export function mintedServiceToken(jwt: JwtConfig, nowMs: () => number = Date.now): (() => Promise<string>) | null {
  if (jwt.key.kind !== 'secret') return null;
  const secret = new TextEncoder().encode(jwt.key.secret);
  let cached: { token: string; expiresAt: number } | null = null;
  return async () => {
    const now = Math.floor(nowMs() / 1000);
    if (cached && cached.expiresAt - RENEW_BEFORE_SECONDS > now) return cached.token;
    let token = new SignJWT({ account: '*', roles: ['gateway'] }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('connection-tester').setIssuedAt(now).setExpirationTime(now + LIFETIME_SECONDS);
    if (jwt.issuer) token = token.setIssuer(jwt.issuer);
    if (jwt.audience) token = token.setAudience(jwt.audience);
    cached = { token: await token.sign(secret), expiresAt: now + LIFETIME_SECONDS };
    return cached.token;
  };
}
