import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidConfigurationError, readString, type PlatformConfig } from '@as2-partners/platform';

/** Embedded mode without KEYSTORE_MASTER_KEY keeps its generated master key in this file under DATA_DIR. */
export const KEYSTORE_MASTER_KEY_FILE = 'keystore-master.key';

const KEY_BYTES = 32;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

export interface KeystoreMasterKeyLog {
  /** Once, when embedded mode generates the key file: the operator must know the keystore hangs on that file. */
  warn(message: string): void;
  info(message: string): void;
}

/**
 * The AES-256 master key that seals each private key's data key. `KEYSTORE_MASTER_KEY` (32 bytes: 64 hex characters
 * or base64) is required in distributed mode, where every replica must unseal what another sealed; embedded mode
 * without it generates one into DATA_DIR (mode 0600) on the first start and reuses it.
 */
export function keystoreMasterKeyFrom(platform: Pick<PlatformConfig, 'env' | 'mode' | 'dataDir'>, log: KeystoreMasterKeyLog): Buffer {
  const raw = readString(platform.env, 'KEYSTORE_MASTER_KEY');
  if (raw !== undefined) {
    const key = decodeKey(raw);
    if (!key) throw new InvalidConfigurationError('KEYSTORE_MASTER_KEY', 'must be 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)');
    return key;
  }
  if (platform.mode === 'distributed') {
    throw new InvalidConfigurationError('KEYSTORE_MASTER_KEY', 'is required in distributed mode, the same on every replica (e.g. `openssl rand -hex 32`)');
  }
  return embeddedKey(platform.dataDir, log);
}

function decodeKey(raw: string): Buffer | undefined {
  const key = HEX_KEY.test(raw) ? Buffer.from(raw, 'hex') : BASE64_KEY.test(raw) ? Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64') : undefined;
  return key?.length === KEY_BYTES ? key : undefined;
}

function embeddedKey(dataDir: string, log: KeystoreMasterKeyLog): Buffer {
  const file = join(dataDir, KEYSTORE_MASTER_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': only the first start creates it; a key already there is never overwritten.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    log.warn(
      `KEYSTORE_MASTER_KEY is not set: GENERATED a keystore master key in ${file} (mode 0600). Every private key of ours is sealed with it: ` +
        'back it up with DATA_DIR (without it the keys are lost) and set KEYSTORE_MASTER_KEY in any real deployment',
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    log.info(`KEYSTORE_MASTER_KEY is not set: our private keys are sealed with the master key in ${file}`);
  }
  const key = decodeKey(readFileSync(file, 'utf8').trim());
  if (!key) throw new InvalidConfigurationError('DATA_DIR', `holds ${file}, which is not a 32-byte hex key: restore it from a backup or set KEYSTORE_MASTER_KEY`);
  return key;
}
