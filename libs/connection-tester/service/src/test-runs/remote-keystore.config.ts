import { readFileSync } from 'node:fs';
import { InvalidConfigurationError, readInteger, readString, readUrl, type Environment, type JwtConfig } from '@as2-partners/platform';
import { mintedServiceToken } from '../config/service-token';

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
  const baseUrl = readUrl(env, 'KEYSTORE_URL', ['http:', 'https:']);
  const token = readString(env, 'KEYSTORE_TOKEN');
  const tokenFile = readString(env, 'KEYSTORE_TOKEN_FILE');
  if (baseUrl === undefined) {
    if (token !== undefined || tokenFile !== undefined) throw new InvalidConfigurationError('KEYSTORE_URL', 'is required with KEYSTORE_TOKEN or KEYSTORE_TOKEN_FILE');
    return null;
  }
  const timeoutMs = readInteger(env, 'KEYSTORE_TIMEOUT_MS', 10_000, 100, 120_000);
  if (token !== undefined && tokenFile !== undefined) throw new InvalidConfigurationError('KEYSTORE_TOKEN', 'and KEYSTORE_TOKEN_FILE are exclusive: give one');
  if (token === undefined && tokenFile === undefined) {
    const minted = jwt ? mintedServiceToken(jwt) : null;
    if (!minted) throw new InvalidConfigurationError('KEYSTORE_TOKEN', 'or KEYSTORE_TOKEN_FILE is required with KEYSTORE_URL when tokens are not signed with JWT_SECRET: a JWT with role gateway');
    return { baseUrl, token: minted, timeoutMs };
  }
  const read = tokenFile === undefined ? () => token as string : () => readFileSync(tokenFile, 'utf8').trim();
  if (tokenFile !== undefined) {
    try {
      read();
    } catch {
      throw new InvalidConfigurationError('KEYSTORE_TOKEN_FILE', `cannot be read (${tokenFile})`);
    }
  }
  return { baseUrl, token: read, timeoutMs };
}
