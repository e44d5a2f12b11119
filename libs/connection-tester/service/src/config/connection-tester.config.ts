import { readInteger, readUrl, type DeploymentMode, type Environment, type JwtConfig } from '@as2-partners/platform';
import { serviceCredentialFrom } from './service-token';

/** This service's own settings, read once from the environment beside the platform's config. */
export interface ConnectionTesterConfig {
  /** Manual tests running at once for one tenant (per replica), more get 429 at once; its monitoring runs, counted apart, wait. */
  readonly maxConcurrentPerTenant: number;
  /** Manual tests running at once in this replica, more get 503 at once; as many monitoring runs besides, which wait. */
  readonly maxConcurrentTotal: number;
  /** Upper bound on a test's time, whatever the partner's `timeout_seconds` says. */
  readonly maxTimeoutSeconds: number;
  /** Largest answer (HTTP body, MDN) read from a partner. */
  readonly maxResponseBytes: number;
  /** Public URL of this service's receipt route (`…/v1/connection-tests/mdn`), given to async-MDN partners; null: async MDN tests cannot run (embedded default: this process on 127.0.0.1:PORT). */
  readonly receiptUrl: string | null;
  /** How often the monitoring schedule looks for due runs. */
  readonly monitorTickMs: number;
  /** How long a request waits for a partner not yet learned from the registry (0 in embedded mode). */
  readonly unknownPartnerWaitMs: number;
  /** The partner-registry's internal route for outbound credentials, in distributed mode; null: in process (all-in-one) or none. */
  readonly partnerRegistry: { readonly url: string; readonly token: () => string | Promise<string> } | null;
}

const MAX_TIMER_MS = 2_147_483_647;

/** Throws the platform's InvalidConfigurationError naming the variable, so a bad value stops start-up with one line. */
export function connectionTesterConfigFrom(env: Environment, mode: DeploymentMode, jwt?: JwtConfig): ConnectionTesterConfig {
  return {
    maxConcurrentPerTenant: readInteger(env, 'CONNECTION_TEST_MAX_CONCURRENT_PER_TENANT', 3, 1, 1000),
    maxConcurrentTotal: readInteger(env, 'CONNECTION_TEST_MAX_CONCURRENT', 50, 1, 100_000),
    maxTimeoutSeconds: readInteger(env, 'CONNECTION_TEST_MAX_TIMEOUT_SECONDS', 120, 1, 3600),
    maxResponseBytes: readInteger(env, 'CONNECTION_TEST_MAX_RESPONSE_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    // Embedded, partners on this machine (the test partner) post to the one process; deployments name their public URL.
    receiptUrl:
      readUrl(env, 'CONNECTION_TEST_RECEIPT_URL', ['http:', 'https:']) ??
      (mode === 'embedded' ? `http://127.0.0.1:${readInteger(env, 'PORT', 3000, 0, 65_535)}/v1/connection-tests/mdn` : null),
    monitorTickMs: readInteger(env, 'CONNECTION_MONITOR_TICK_MS', 30_000, 10, MAX_TIMER_MS),
    unknownPartnerWaitMs: mode === 'embedded' ? 0 : readInteger(env, 'UNKNOWN_PARTNER_WAIT_MS', 3000, 1, MAX_TIMER_MS),
    partnerRegistry: partnerRegistryFrom(env, jwt),
  };
}

/**
 * PARTNER_REGISTRY_URL with its gateway token PARTNER_REGISTRY_TOKEN, or, when the services share an HS256 JWT_SECRET,
 * a short-lived gateway token the tester mints itself (as for the keystore); the URL alone without either leaves it
 * unused, so tests say they sent no HTTP auth. A token without a URL is a mistake.
 */
function partnerRegistryFrom(env: Environment, jwt: JwtConfig | undefined): ConnectionTesterConfig['partnerRegistry'] {
  const registry = serviceCredentialFrom(env, 'PARTNER_REGISTRY', jwt, { tokenFile: false });
  return registry?.token ? { url: registry.url, token: registry.token } : null;
}

export const CONNECTION_TESTER_CONFIG = Symbol('CONNECTION_TESTER_CONFIG');
