import { join } from 'node:path';
import { InvalidConfigurationError, readInteger, readString, readUrl, type DeploymentMode, type Environment } from '@as2-partners/platform';

/** This service's own settings, read once from the environment beside the platform's config. */
export interface CertificateLifecycleConfig {
  /** RFC 3161 TSA; null: run the bundled TSA in-process with its identity in `<DATA_DIR>/tsa`. */
  readonly tsaUrl: string | null;
  /** PEM bundle (TSA certificate and chain) stored as evidence beside tokens from `tsaUrl`. */
  readonly tsaCertificateFile: string | null;
  readonly bundledTsaDir: string;
  /** How often the scheduler looks for due activations. */
  readonly schedulerIntervalMs: number;
  /** How often expiry notices are evaluated (daily), besides at start. */
  readonly expiryIntervalMs: number;
  /**
   * How long a request waits for a partner this service does not know yet (the partner-registry's events may be in
   * flight). 0 in embedded mode: the registry delivers its events before its commands return.
   */
  readonly unknownPartnerWaitMs: number;
}

// Node timers fire at once beyond 2^31-1 ms, so a huge interval would spin instead of wait.
const MAX_TIMER_MS = 2_147_483_647;

/** Throws the platform's InvalidConfigurationError naming the variable, so a bad value stops start-up with one line. */
export function certificateLifecycleConfigFrom(env: Environment, dataDir: string, mode: DeploymentMode): CertificateLifecycleConfig {
  const tsaUrl = readUrl(env, 'TSA_URL', ['http:', 'https:']) ?? null;
  const tsaDir = readString(env, 'TSA_DIR');
  // A bundled TSA whose identity lives in a pod's scratch space signs with a new key per pod and per restart.
  if (mode === 'distributed' && tsaUrl === null && tsaDir === undefined) {
    throw new InvalidConfigurationError(
      'TSA_URL',
      'is required in distributed mode (your RFC 3161 TSA); or set TSA_DIR to a persistent directory holding the bundled TSA identity, the same for every replica (a volume or a mounted Secret)',
    );
  }
  return {
    tsaUrl,
    tsaCertificateFile: readString(env, 'TSA_CERTIFICATE_FILE') ?? null,
    bundledTsaDir: tsaDir ?? join(dataDir, 'tsa'),
    schedulerIntervalMs: readInteger(env, 'CERT_SCHEDULER_INTERVAL_MS', 1000, 1, MAX_TIMER_MS),
    expiryIntervalMs: readInteger(env, 'CERT_EXPIRY_INTERVAL_MS', 86_400_000, 1, MAX_TIMER_MS),
    // embedded: the registry runs in this process and its events arrive before its command returns: never wait
    unknownPartnerWaitMs: mode === 'embedded' ? 0 : readInteger(env, 'UNKNOWN_PARTNER_WAIT_MS', 3000, 1, MAX_TIMER_MS),
  };
}

export const CERTIFICATE_LIFECYCLE_CONFIG = Symbol('CertificateLifecycleConfig');
