import { createPublicKey } from 'node:crypto';
import { resolve } from 'node:path';
import { parseAllowedAddressRanges, type AllowedAddressRange } from '../outbound/endpoint-address-policy';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '@as2-partners/kernel';
import ipaddr from 'ipaddr.js';
import { EMBEDDED_DEV_JWT_SECRET } from './embedded-dev-jwt-secret.constant';
import { readInteger, readListenHost, readString, readUrl, type Environment } from './environment-variables';
import { InvalidConfigurationError } from './invalid-configuration.error';

export { InvalidConfigurationError } from './invalid-configuration.error';
export type { Environment } from './environment-variables';

export type DeploymentMode = 'embedded' | 'distributed';
export type EventStoreKind = 'esdb' | 'sqlite';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How bearer tokens are verified: exactly one key source. */
export type JwtKeySource =
  | { readonly kind: 'secret'; readonly secret: string; readonly isDevSecret: boolean }
  | { readonly kind: 'public-key'; readonly publicKeyPem: string }
  | { readonly kind: 'jwks'; readonly jwksUrl: string };

export interface JwtConfig {
  readonly key: JwtKeySource;
  readonly issuer?: string;
  readonly audience?: string;
  readonly clockToleranceSeconds: number;
}

export interface PlatformConfig {
  readonly mode: DeploymentMode;
  readonly port: number;
  /** HOST; unset: 127.0.0.1 while the published development JWT secret is in use (anyone could mint tokens), else 0.0.0.0. */
  readonly host: string;
  /** Absolute path; embedded mode keeps its SQLite files here. */
  readonly dataDir: string;
  readonly jwt: JwtConfig;
  /**
   * The event-store adapter: `esdb` (default when distributed) or `sqlite` (default when embedded; in distributed
   * mode it keeps DATA_DIR/events.sqlite — one replica only — for single-node installs and hosts without EventStoreDB).
   */
  readonly eventStore: EventStoreKind;
  readonly esdbUrl?: string;
  readonly kafkaBrokers: readonly string[];
  readonly mongoUrl?: string;
  readonly bodyLimitBytes: number;
  /** How long a client may take to send a request's headers and body before the server answers 408 and closes. */
  readonly requestTimeoutMs: number;
  readonly logLevel: LogLevel;
  /** `PRIVATE_ENDPOINTS_ALLOW`: non-public ranges partner endpoints may still use (on-premise partners); empty by default. */
  readonly privateEndpointsAllow: readonly AllowedAddressRange[];
  /** The variables this configuration was read from: each service reads its own settings from the same place. */
  readonly env: Environment;
  /** `FOLLOWER_RETRY_ATTEMPTS`, `FOLLOWER_RETRY_INITIAL_MS`, `FOLLOWER_RETRY_MAX_MS`: how long a projection or consumer insists on an event before parking it. */
  readonly followerRetry: RetryPolicy;
  /** `PIPELINE_STALL_SECONDS`: a projection or reactor held on one event this long makes the pod unready (default 120). */
  readonly pipelineStallSeconds: number;
  /** `METRICS_TOKEN`: when set, `/metrics` asks for `Authorization: Bearer <token>`; unset, it is public like /health. */
  readonly metricsToken?: string;
  /** `IDEMPOTENCY_TTL_SECONDS`: how long an Idempotency-Key's first answer is kept (default 24 h). */
  readonly idempotencyTtlSeconds: number;
  /** Things an operator must see at start-up (e.g. the dev JWT secret in use). */
  readonly warnings: readonly string[];
}

const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const MIN_SECRET_LENGTH = 32;

/** An address only this machine reaches: 127.0.0.0/8, ::1, localhost, however written (`127.1`, `::ffff:127.0.0.1`, `LOCALHOST`). */
function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  try {
    return ipaddr.process(host).range() === 'loopback';
  } catch {
    return false;
  }
}

/** Reads and validates the configuration once, at start-up; throws naming the first bad variable. */
export function loadPlatformConfig(env: Environment = process.env): PlatformConfig {
  const warnings: string[] = [];
  const mode = readMode(env);
  const port = readInteger(env, 'PORT', 3000, 1, 65535);
  const explicitHost = readListenHost(env, 'HOST');
  const dataDir = resolve(readString(env, 'DATA_DIR') ?? './data');
  const jwt = readJwtConfig(env, mode, warnings);
  const host = explicitHost ?? (usesDevSecret(jwt) ? '127.0.0.1' : '0.0.0.0');
  // Anyone can mint tokens with the published secret: such an instance is for this machine alone.
  if (usesDevSecret(jwt) && !isLoopbackHost(host)) {
    throw new InvalidConfigurationError('HOST', `must be a loopback address (127.0.0.1, ::1, localhost) while JWT_SECRET is unset or the documented development secret, got "${host}": anyone could mint tokens for it; set JWT_SECRET to listen on other addresses`);
  }
  const eventStore = readEventStoreKind(env, mode);
  const esdbUrl = readUrl(env, 'ESDB_URL', ['esdb:', 'esdb+discover:']);
  const kafkaBrokers = readBrokers(env);
  const mongoUrl = readUrl(env, 'MONGO_URL', ['mongodb:', 'mongodb+srv:']);
  const bodyLimitBytes = readInteger(env, 'BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES, 1, Number.MAX_SAFE_INTEGER);
  const requestTimeoutMs = readInteger(env, 'REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 100, 3_600_000);
  const logLevel = readLogLevel(env);
  const privateEndpointsAllow = readAllowedAddressRanges(env, 'PRIVATE_ENDPOINTS_ALLOW');
  const followerRetry = readFollowerRetry(env);
  const pipelineStallSeconds = readInteger(env, 'PIPELINE_STALL_SECONDS', 120, 1, 86_400);
  const metricsToken = readString(env, 'METRICS_TOKEN');
  // Spaces only: meant as a token, read as none, /metrics would stay public.
  if (metricsToken === undefined && (env['METRICS_TOKEN'] ?? '') !== '') throw new InvalidConfigurationError('METRICS_TOKEN', 'must be at least 16 characters, not only spaces');
  if (metricsToken !== undefined && metricsToken.length < 16) throw new InvalidConfigurationError('METRICS_TOKEN', 'must be at least 16 characters');
  const idempotencyTtlSeconds = readInteger(env, 'IDEMPOTENCY_TTL_SECONDS', 86_400, 60, 30 * 86_400);

  if (mode === 'distributed') {
    if (eventStore === 'esdb' && !esdbUrl) throw new InvalidConfigurationError('ESDB_URL', 'is required in distributed mode (or set EVENT_STORE=sqlite)');
    if (kafkaBrokers.length === 0) throw new InvalidConfigurationError('KAFKA_BROKERS', 'is required in distributed mode');
    if (!mongoUrl) throw new InvalidConfigurationError('MONGO_URL', 'is required in distributed mode');
  }

  if (mode === 'embedded' && eventStore === 'esdb') {
    throw new InvalidConfigurationError('EVENT_STORE', 'must be "sqlite" in embedded mode, got "esdb"');
  }

  return { mode, port, host, dataDir, jwt, eventStore, esdbUrl, kafkaBrokers, mongoUrl, bodyLimitBytes, requestTimeoutMs, logLevel, privateEndpointsAllow, followerRetry, pipelineStallSeconds, metricsToken, idempotencyTtlSeconds, env, warnings };
}

function readFollowerRetry(env: Environment): RetryPolicy {
  const maxAttempts = readInteger(env, 'FOLLOWER_RETRY_ATTEMPTS', DEFAULT_RETRY_POLICY.maxAttempts, 1, 1000);
  const initialDelayMs = readInteger(env, 'FOLLOWER_RETRY_INITIAL_MS', DEFAULT_RETRY_POLICY.initialDelayMs, 0, 3_600_000);
  const maxDelayMs = readInteger(env, 'FOLLOWER_RETRY_MAX_MS', Math.max(DEFAULT_RETRY_POLICY.maxDelayMs, initialDelayMs), initialDelayMs, 3_600_000);
  return { maxAttempts, initialDelayMs, maxDelayMs };
}

function usesDevSecret(jwt: JwtConfig): boolean {
  return jwt.key.kind === 'secret' && jwt.key.isDevSecret;
}

function readMode(env: Environment): DeploymentMode {
  const value = readString(env, 'MODE') ?? 'embedded';
  if (value !== 'embedded' && value !== 'distributed') {
    throw new InvalidConfigurationError('MODE', `must be "embedded" or "distributed", got "${value}"`);
  }
  return value;
}

function readEventStoreKind(env: Environment, mode: DeploymentMode): EventStoreKind {
  const value = readString(env, 'EVENT_STORE') ?? (mode === 'distributed' ? 'esdb' : 'sqlite');
  if (value !== 'esdb' && value !== 'sqlite') {
    throw new InvalidConfigurationError('EVENT_STORE', `must be "esdb" or "sqlite", got "${value}"`);
  }
  return value;
}

function readBrokers(env: Environment): string[] {
  const raw = readString(env, 'KAFKA_BROKERS');
  if (raw === undefined) return [];
  const brokers = raw.split(',').map((b) => b.trim()).filter((b) => b.length > 0);
  for (const broker of brokers) {
    const match = /^[^\s:/]+:(\d+)$/.exec(broker) ?? /^\[[0-9a-fA-F:.]+\]:(\d+)$/.exec(broker);
    const port = match ? Number(match[1]) : NaN;
    if (!match || port < 1 || port > 65535) {
      throw new InvalidConfigurationError('KAFKA_BROKERS', `must be a comma list of host:port, got "${broker}"`);
    }
  }
  return brokers;
}

function readAllowedAddressRanges(env: Environment, name: string): AllowedAddressRange[] {
  try {
    return parseAllowedAddressRanges(readString(env, name) ?? '');
  } catch (error) {
    throw new InvalidConfigurationError(name, `must be a comma list of CIDR ranges: ${(error as Error).message}`);
  }
}

function readLogLevel(env: Environment): LogLevel {
  const raw = readString(env, 'LOG_LEVEL') ?? 'info';
  const level = LOG_LEVELS.find((l) => l === raw.toLowerCase());
  if (!level) throw new InvalidConfigurationError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level;
}

function readJwtConfig(env: Environment, mode: DeploymentMode, warnings: string[]): JwtConfig {
  const secret = readString(env, 'JWT_SECRET');
  const publicKeyPem = readString(env, 'JWT_PUBLIC_KEY');
  const jwksUrl = readUrl(env, 'JWT_JWKS_URL', ['https:', 'http:']);
  const sources = [secret && 'JWT_SECRET', publicKeyPem && 'JWT_PUBLIC_KEY', jwksUrl && 'JWT_JWKS_URL'].filter(Boolean);
  if (sources.length > 1) {
    throw new InvalidConfigurationError(String(sources[0]), `must not be combined with ${sources.slice(1).join(', ')}: set exactly one key source`);
  }

  let key: JwtKeySource;
  if (secret) {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new InvalidConfigurationError('JWT_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters (HS256), got ${secret.length}`);
    }
    key = { kind: 'secret', secret, isDevSecret: secret === EMBEDDED_DEV_JWT_SECRET };
  } else if (publicKeyPem) {
    key = { kind: 'public-key', publicKeyPem: readPublicKey(publicKeyPem) };
  } else if (jwksUrl) {
    key = { kind: 'jwks', jwksUrl };
  } else if (mode === 'embedded') {
    key = { kind: 'secret', secret: EMBEDDED_DEV_JWT_SECRET, isDevSecret: true };
  } else {
    throw new InvalidConfigurationError('JWT_SECRET', 'or JWT_PUBLIC_KEY or JWT_JWKS_URL is required in distributed mode');
  }
  if (key.kind === 'secret' && key.isDevSecret) {
    if (mode === 'distributed') {
      throw new InvalidConfigurationError('JWT_SECRET', 'must not be the documented embedded development secret in distributed mode');
    }
    warnings.push(
      'JWT_SECRET is unset or the documented development secret: anyone can mint tokens for this instance, so it listens on a loopback address only. Set JWT_SECRET for any shared or production use.',
    );
  }

  return {
    key,
    issuer: readString(env, 'JWT_ISSUER'),
    audience: readString(env, 'JWT_AUDIENCE'),
    clockToleranceSeconds: readInteger(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 5, 0, 300),
  };
}

/** Accepts a PEM with literal `\n` escapes too, as env files often carry one-line keys. */
function readPublicKey(raw: string): string {
  const pem = raw.includes('\\n') ? raw.replace(/\\n/g, '\n') : raw;
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw new InvalidConfigurationError('JWT_PUBLIC_KEY', 'must be an RSA public key in PEM format (RS256)');
  }
  return pem;
}
