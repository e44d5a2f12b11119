import { readFileSync } from 'node:fs';
import { InvalidConfigurationError, readInteger, readString, readUrl, type Environment } from '@as2-partners/platform';

/** Where the distributed tester's signatures are made: the certificate-lifecycle service's internal key routes. */
export interface RemoteKeystoreConfig {
  readonly baseUrl: string;
  /** The bearer JWT (role `gateway`, account `*` or one account), read at each call so a rotated secret file is used. */
  readonly token: () => string;
  readonly timeoutMs: number;
}

/**
 * KEYSTORE_URL (the certificate-lifecycle service) with KEYSTORE_TOKEN or KEYSTORE_TOKEN_FILE; unset, partners that want
 * signed messages cannot get a `full` test in this process (SIGNING_KEY_UNAVAILABLE), as before.
 */
export function remoteKeystoreConfigFrom(env: Environment): RemoteKeystoreConfig | null {
  const baseUrl = readUrl(env, 'KEYSTORE_URL', ['http:', 'https:']);
  const token = readString(env, 'KEYSTORE_TOKEN');
  const tokenFile = readString(env, 'KEYSTORE_TOKEN_FILE');
  if (baseUrl === undefined) {
    if (token !== undefined || tokenFile !== undefined) throw new InvalidConfigurationError('KEYSTORE_URL', 'is required with KEYSTORE_TOKEN or KEYSTORE_TOKEN_FILE');
    return null;
  }
  if ((token === undefined) === (tokenFile === undefined)) {
    throw new InvalidConfigurationError('KEYSTORE_TOKEN', 'or KEYSTORE_TOKEN_FILE (exactly one) is required with KEYSTORE_URL: a JWT with role gateway');
  }
  const read = tokenFile === undefined ? () => token as string : () => readFileSync(tokenFile, 'utf8').trim();
  if (tokenFile !== undefined) {
    try {
      read();
    } catch {
      throw new InvalidConfigurationError('KEYSTORE_TOKEN_FILE', `cannot be read (${tokenFile})`);
    }
  }
  return { baseUrl, token: read, timeoutMs: readInteger(env, 'KEYSTORE_TIMEOUT_MS', 10_000, 100, 120_000) };
}
