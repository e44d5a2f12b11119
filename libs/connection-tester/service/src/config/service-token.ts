import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { InvalidConfigurationError, readString, readUrl, type Environment, type JwtConfig } from '@as2-partners/platform';

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

/** A service whose internal routes the tester calls: its URL and, when one can be had, the bearer token to send. */
export interface ServiceCredential {
  readonly url: string;
  /** Read at each call (a rotated token file is used); null: no token configured and no shared JWT_SECRET to mint one. */
  readonly token: (() => string | Promise<string>) | null;
}

/**
 * `<service>_URL` with `<service>_TOKEN` (or, where `tokenFile`, `<service>_TOKEN_FILE`), or with neither and a token
 * minted with the shared JWT_SECRET; null without the URL. A token without the URL, both token variables or an
 * unreadable file stop start-up; what a missing token means is the caller's to say.
 */
export function serviceCredentialFrom(env: Environment, service: 'KEYSTORE' | 'PARTNER_REGISTRY', jwt: JwtConfig | undefined, options: { readonly tokenFile: boolean }): ServiceCredential | null {
  const [urlName, tokenName, fileName] = [`${service}_URL`, `${service}_TOKEN`, `${service}_TOKEN_FILE`];
  const url = readUrl(env, urlName, ['http:', 'https:']);
  const token = readString(env, tokenName);
  const tokenFile = options.tokenFile ? readString(env, fileName) : undefined;
  if (url === undefined) {
    if (token !== undefined || tokenFile !== undefined) throw new InvalidConfigurationError(urlName, `is required with ${options.tokenFile ? `${tokenName} or ${fileName}` : tokenName}`);
    return null;
  }
  if (token !== undefined && tokenFile !== undefined) throw new InvalidConfigurationError(tokenName, `and ${fileName} are exclusive: give one`);
  if (token !== undefined) return { url, token: () => token };
  if (tokenFile === undefined) return { url, token: jwt ? mintedServiceToken(jwt) : null };
  const read = () => readFileSync(tokenFile, 'utf8').trim();
  try {
    read();
  } catch {
    throw new InvalidConfigurationError(fileName, `cannot be read (${tokenFile})`);
  }
  return { url, token: read };
}
