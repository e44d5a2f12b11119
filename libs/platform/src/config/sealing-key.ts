import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readString } from './environment-variables';
import { InvalidConfigurationError } from './invalid-configuration.error';
import type { PlatformConfig } from './platform-config';

/** Embedded mode's file of what the sealing keys seal (our private keys, the tenants' data keys), under DATA_DIR. */
export const EMBEDDED_SECRETS_FILE = 'secrets.sqlite';

const KEY_BYTES = 32;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** Where a service's AES-256 sealing key comes from, and what embedded mode says when it keeps its own. */
export interface SealingKeySource {
  /** The environment variable holding the key (32 bytes: 64 hex characters or base64), e.g. `PARTNER_SECRETS_KEY`. */
  readonly variable: string;
  /** Embedded mode without the variable: the generated key's file under DATA_DIR. */
  readonly file: string;
  /** Said once, when the first start generates the file. */
  readonly generated: (file: string) => string;
  /** Said on every later start that reuses it. */
  readonly reused: (file: string) => string;
  /**
   * The file under DATA_DIR that holds what the key seals (`secrets.sqlite`), made after the key at a first start: when
   * it is there and the key file is not, the key was lost (or given by the variable before), and none is generated in
   * its place: a new key would open nothing, and be left in DATA_DIR for the next backup.
   */
  readonly sealsInto?: string;
}

export interface SealingKeyLog {
  warn(message: string): void;
  info(message: string): void;
}

/**
 * A 32-byte AES-256 key: from its variable (required in distributed mode, where every replica must unseal what another
 * sealed); embedded mode without it generates one into DATA_DIR (mode 0600) on the first start and reuses it.
 */
export function sealingKeyFrom(platform: Pick<PlatformConfig, 'env' | 'mode' | 'dataDir'>, source: SealingKeySource, log: SealingKeyLog): Buffer {
  return givenSealingKey(platform, source.variable) ?? embeddedKey(platform.dataDir, source, log);
}

/**
 * The key its variable gives, or undefined where embedded mode is to keep its own (sealingKeyFrom): refuses a bad value,
 * and a missing one in distributed mode. Reads only the environment, so a module's settings check calls it before any
 * key file is generated.
 */
export function givenSealingKey(platform: Pick<PlatformConfig, 'env' | 'mode'>, variable: string): Buffer | undefined {
  const raw = readString(platform.env, variable);
  if (raw !== undefined) {
    const key = decodeKey(raw);
    if (!key) throw new InvalidConfigurationError(variable, 'must be 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)');
    return key;
  }
  if (platform.mode === 'distributed') {
    throw new InvalidConfigurationError(variable, 'is required in distributed mode, the same on every replica (e.g. `openssl rand -hex 32`)');
  }
  return undefined;
}

function decodeKey(raw: string): Buffer | undefined {
  const key = HEX_KEY.test(raw) ? Buffer.from(raw, 'hex') : BASE64_KEY.test(raw) ? Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64') : undefined;
  return key?.length === KEY_BYTES ? key : undefined;
}

function embeddedKey(dataDir: string, source: SealingKeySource, log: SealingKeyLog): Buffer {
  const file = join(dataDir, source.file);
  mkdirSync(dataDir, { recursive: true });
  if (source.sealsInto !== undefined && !existsSync(file) && existsSync(join(dataDir, source.sealsInto))) {
    throw new InvalidConfigurationError(
      source.variable,
      `is not set and DATA_DIR holds ${source.sealsInto} but not ${source.file}, the key that sealed it: restore ${file} from your backup, or set ${source.variable} to that key`,
    );
  }
  try {
    // 'wx': only the first start creates it; a key already there is never overwritten.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    log.warn(source.generated(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    log.info(source.reused(file));
  }
  const key = decodeKey(readFileSync(file, 'utf8').trim());
  if (!key) throw new InvalidConfigurationError('DATA_DIR', `holds ${file}, which is not a 32-byte hex key: restore it from a backup or set ${source.variable}`);
  return key;
}
