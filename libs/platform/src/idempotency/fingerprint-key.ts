import { hkdfSync } from 'node:crypto';
import type { PlatformConfig } from '../config/platform-config';
import { readString } from '../config/environment-variables';
import { givenSealingKey, sealingKeyFrom, type SealingKeyLog } from '../config/sealing-key';

/** Embedded mode without IDEMPOTENCY_FINGERPRINT_KEY keeps its generated key in this file under DATA_DIR. */
export const IDEMPOTENCY_FINGERPRINT_KEY_FILE = 'idempotency-fingerprint.key';

const VARIABLE = 'IDEMPOTENCY_FINGERPRINT_KEY';

/** The secrets a service of ours is given, the first of which keys the fingerprints of a distributed one without its own. */
const SERVICE_SECRETS = ['PARTNER_SECRETS_KEY', 'KEYSTORE_MASTER_KEY', 'JWT_SECRET'];

/**
 * The key of the HMAC an Idempotency-Key's request is fingerprinted with: a request body may carry a secret (an outbound
 * password, a PKCS#12 password), and a plain hash of it, kept beside the key in the read-model database, would let
 * whoever reads that file confirm a guessed password. `IDEMPOTENCY_FINGERPRINT_KEY` (32 bytes: 64 hex characters or
 * base64) when set; embedded mode generates one into DATA_DIR (mode 0600) once and reuses it; a distributed service
 * derives one from the first secret it is given (`PARTNER_SECRETS_KEY`, `KEYSTORE_MASTER_KEY`, `JWT_SECRET`: the same on
 * every replica), and one given none (traffic-control or the connection tester with a JWT public key: no secret in
 * their bodies) fingerprints with a plain hash (null).
 */
export function fingerprintKeyFrom(platform: Pick<PlatformConfig, 'env' | 'mode' | 'dataDir'>, log: SealingKeyLog): Buffer | null {
  if (platform.mode === 'embedded' || readString(platform.env, VARIABLE) !== undefined) {
    return sealingKeyFrom(
      platform,
      {
        variable: VARIABLE,
        file: IDEMPOTENCY_FINGERPRINT_KEY_FILE,
        generated: (file) => `IDEMPOTENCY_FINGERPRINT_KEY is not set: generated a key in ${file} (mode 0600) to fingerprint retried requests`,
        reused: (file) => `IDEMPOTENCY_FINGERPRINT_KEY is not set: retried requests are fingerprinted with the key in ${file}`,
      },
      log,
    );
  }
  for (const name of SERVICE_SECRETS) {
    const secret = readString(platform.env, name);
    if (secret !== undefined) return Buffer.from(hkdfSync('sha256', secret, '', 'as2-partners idempotency fingerprint', 32));
  }
  return null;
}

/** IDEMPOTENCY_FINGERPRINT_KEY's value alone, checked before the app is built (checkAppSettings): no key file is generated. */
export function checkFingerprintKey(platform: Pick<PlatformConfig, 'env' | 'mode'>): void {
  if (readString(platform.env, VARIABLE) !== undefined) givenSealingKey(platform, VARIABLE);
}
