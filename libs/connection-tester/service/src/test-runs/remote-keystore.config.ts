import { InvalidConfigurationError, readInteger, type Environment, type JwtConfig } from '@as2-partners/platform';
import { serviceCredentialFrom } from '../config/service-token';

/** Where the distributed tester's signatures are made: the certificate-lifecycle service's internal key routes. */
export interface RemoteKeystoreConfig {
  readonly baseUrl: string;
  /** The bearer JWT (role `gateway`, account `*` or one account), read at each call so a rotated secret file is used. */
  readonly token: () => string | Promise<string>;
  readonly timeoutMs: number;
}

/**
 * KEYSTORE_URL (the certificate-lifecycle service) with KEYSTORE_TOKEN or KEYSTORE_TOKEN_FILE, or neither when the
 * services share an HS256 JWT_SECRET (the tester then mints its own short-lived gateway token); KEYSTORE_URL unset,
 * partners that want signed messages cannot get a `full` test in this process (SIGNING_KEY_UNAVAILABLE).
 */
export function remoteKeystoreConfigFrom(env: Environment, jwt?: JwtConfig): RemoteKeystoreConfig | null {
  const keystore = serviceCredentialFrom(env, 'KEYSTORE', jwt, { tokenFile: true });
  if (keystore === null) return null;
  const timeoutMs = readInteger(env, 'KEYSTORE_TIMEOUT_MS', 10_000, 100, 120_000);
  if (keystore.token === null) {
    throw new InvalidConfigurationError('KEYSTORE_TOKEN', 'or KEYSTORE_TOKEN_FILE is required with KEYSTORE_URL when tokens are not signed with JWT_SECRET: a JWT with role gateway');
  }
  return { baseUrl: keystore.url, token: keystore.token, timeoutMs };
}
