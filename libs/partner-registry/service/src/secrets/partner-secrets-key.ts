import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidConfigurationError, readString, type PlatformConfig } from '@as2-partners/platform';

/** Embedded mode without PARTNER_SECRETS_KEY keeps its generated key in this file under DATA_DIR. */
export const PARTNER_SECRETS_KEY_FILE = 'partner-secrets.key';

const KEY_BYTES = 32;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * The AES-256 key that seals outbound passwords. `PARTNER_SECRETS_KEY` (32 bytes: 64 hex characters or base64) is
 * required in distributed mode, where every replica must unseal what another sealed; embedded mode without it
 * generates a key once into DATA_DIR (mode 0600) and reuses it, so `npm start` data stays readable after a restart.
 */
export function partnerSecretsKeyFrom(platform: Pick<PlatformConfig, 'env' | 'mode' | 'dataDir'>, log: (message: string) => void): Buffer {
  const raw = readString(platform.env, 'PARTNER_SECRETS_KEY');
  if (raw !== undefined) {
    const key = decodeKey(raw);
    if (!key) throw new InvalidConfigurationError('PARTNER_SECRETS_KEY', 'must be 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)');
    return key;
  }
  if (platform.mode === 'distributed') {
    throw new InvalidConfigurationError('PARTNER_SECRETS_KEY', 'is required in distributed mode, the same on every replica (e.g. `openssl rand -hex 32`)');
  }
  return embeddedKey(platform.dataDir, log);
}

function decodeKey(raw: string): Buffer | undefined {
  const key = HEX_KEY.test(raw) ? Buffer.from(raw, 'hex') : BASE64_KEY.test(raw) ? Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64') : undefined;
  return key?.length === KEY_BYTES ? key : undefined;
}

function embeddedKey(dataDir: string, log: (message: string) => void): Buffer {
  const file = join(dataDir, PARTNER_SECRETS_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': only the first start creates it; a key already there is never overwritten.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    log(`PARTNER_SECRETS_KEY is not set: generated a key in ${file} (mode 0600) to seal outbound passwords; keep it with the data, a copy of DATA_DIR without it cannot unseal them`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    log(`PARTNER_SECRETS_KEY is not set: outbound passwords are sealed with the key in ${file}`);
  }
  const key = decodeKey(readFileSync(file, 'utf8').trim());
  if (!key) throw new InvalidConfigurationError('DATA_DIR', `holds ${file}, which is not a 32-byte hex key: restore it from a backup or set PARTNER_SECRETS_KEY`);
  return key;
}
