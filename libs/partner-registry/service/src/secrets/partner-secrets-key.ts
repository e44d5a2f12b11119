import { EMBEDDED_SECRETS_FILE, givenSealingKey, sealingKeyFrom, type PlatformConfig } from '@as2-partners/platform';

/** Embedded mode without PARTNER_SECRETS_KEY keeps its generated key in this file under DATA_DIR. */
export const PARTNER_SECRETS_KEY_FILE = 'partner-secrets.key';

const VARIABLE = 'PARTNER_SECRETS_KEY';

/**
 * The AES-256 key that seals outbound passwords. `PARTNER_SECRETS_KEY` (32 bytes: 64 hex characters or base64) is
 * required in distributed mode, where every replica must unseal what another sealed; embedded mode without it
 * generates a key once into DATA_DIR (mode 0600) and reuses it, so `npm start` data stays readable after a restart.
 */
export function partnerSecretsKeyFrom(platform: Pick<PlatformConfig, 'env' | 'mode' | 'dataDir'>, log: (message: string) => void): Buffer {
  return sealingKeyFrom(
    platform,
    {
      variable: VARIABLE,
      file: PARTNER_SECRETS_KEY_FILE,
      generated: (file) =>
        `PARTNER_SECRETS_KEY is not set: generated a key in ${file} (mode 0600) to seal outbound passwords; keep it with the data, a copy of DATA_DIR without it cannot unseal them`,
      // Made after the key at a first start: there without the key file, the key was lost.
      sealsInto: EMBEDDED_SECRETS_FILE,
      reused: (file) => `PARTNER_SECRETS_KEY is not set: outbound passwords are sealed with the key in ${file}`,
    },
    { warn: log, info: log },
  );
}

/** PARTNER_SECRETS_KEY's value alone, checked before any provider is built (ReadsSettings): no key file is generated. */
export function checkPartnerSecretsKey(platform: Pick<PlatformConfig, 'env' | 'mode'>): void {
  givenSealingKey(platform, VARIABLE);
}
