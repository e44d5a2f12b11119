import { join } from 'node:path';
import type { DeploymentMode } from '@as2-partners/platform';

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

export class InvalidCertificateLifecycleConfig extends Error {}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new InvalidCertificateLifecycleConfig(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export function certificateLifecycleConfigFrom(env: NodeJS.ProcessEnv, dataDir: string, mode: DeploymentMode): CertificateLifecycleConfig {
  const tsaUrl = env['TSA_URL']?.trim() || null;
  if (tsaUrl !== null && !/^https?:\/\//.test(tsaUrl)) throw new InvalidCertificateLifecycleConfig(`TSA_URL must be an http(s) URL, got "${tsaUrl}"`);
  return {
    tsaUrl,
    tsaCertificateFile: env['TSA_CERTIFICATE_FILE']?.trim() || null,
    bundledTsaDir: env['TSA_DIR']?.trim() || join(dataDir, 'tsa'),
    schedulerIntervalMs: positiveInt(env, 'CERT_SCHEDULER_INTERVAL_MS', 1000),
    expiryIntervalMs: positiveInt(env, 'CERT_EXPIRY_INTERVAL_MS', 86_400_000),
    unknownPartnerWaitMs: mode === 'embedded' ? 0 : positiveInt(env, 'UNKNOWN_PARTNER_WAIT_MS', 3000),
  };
}

export const CERTIFICATE_LIFECYCLE_CONFIG = Symbol('CertificateLifecycleConfig');
