import { EMBEDDED_SECRETS_FILE, givenSealingKey, sealingKeyFrom, type PlatformConfig, type SealingKeyLog } from '@as2-partners/platform';

/** Embedded mode without KEYSTORE_MASTER_KEY keeps its generated master key in this file under DATA_DIR. */
export const KEYSTORE_MASTER_KEY_FILE = 'keystore-master.key';

const VARIABLE = 'KEYSTORE_MASTER_KEY';

/** `warn` once, when embedded mode generates the key file: the operator must know the keystore hangs on that file. */
export type KeystoreMasterKeyLog = SealingKeyLog;

/**
 * The AES-256 master key that seals each private key's data key. `KEYSTORE_MASTER_KEY` (32 bytes: 64 hex characters
 * or base64) is required in distributed mode, where every replica must unseal what another sealed; embedded mode
 * without it generates one into DATA_DIR (mode 0600) on the first start and reuses it.
 */
export function keystoreMasterKeyFrom(platform: Pick<PlatformConfig, 'env' | 'mode' | 'dataDir'>, log: KeystoreMasterKeyLog): Buffer {
  return sealingKeyFrom(
    platform,
    {
      variable: VARIABLE,
      file: KEYSTORE_MASTER_KEY_FILE,
      generated: (file) =>
        `KEYSTORE_MASTER_KEY is not set: GENERATED a keystore master key in ${file} (mode 0600). Every private key of ours is sealed with it: ` +
        'back it up with DATA_DIR (without it the keys are lost) and set KEYSTORE_MASTER_KEY in any real deployment',
      // Made after the key at a first start: there without the key file, the key was lost.
      sealsInto: EMBEDDED_SECRETS_FILE,
      reused: (file) => `KEYSTORE_MASTER_KEY is not set: our private keys are sealed with the master key in ${file}`,
    },
    log,
  );
}

/** KEYSTORE_MASTER_KEY's value alone, checked before any provider is built (ReadsSettings): no key file is generated. */
export function checkKeystoreMasterKey(platform: Pick<PlatformConfig, 'env' | 'mode'>): void {
  givenSealingKey(platform, VARIABLE);
}
