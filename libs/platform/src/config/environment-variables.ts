import { isIP } from 'node:net';
import { InvalidConfigurationError } from './invalid-configuration.error';

/** The environment a deployable reads its configuration from (process.env, or a test's own). */
export type Environment = Readonly<Record<string, string | undefined>>;

// Every service's settings are read with these, so every bad value fails the same way: InvalidConfigurationError naming the variable.

/** Empty strings count as unset, so `FOO=` in a .env file does not override a default with nothing. */
export function readString(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function readInteger(env: Environment, name: string, fallback: number, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}-${max}`;
    throw new InvalidConfigurationError(name, `must be an integer ${range}, got "${raw}"`);
  }
  return value;
}

export function readUrl(env: Environment, name: string, protocols: readonly string[]): string | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  let protocol: string;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    throw new InvalidConfigurationError(name, `must be a URL (${protocols.map((p) => `${p}//`).join(' or ')}…), got an unparseable value`);
  }
  if (!protocols.includes(protocol)) {
    throw new InvalidConfigurationError(name, `must use ${protocols.map((p) => `${p}//`).join(' or ')}, got "${protocol}//"`);
  }
  return raw;
}

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** An address to listen on: an IPv4/IPv6 literal or a host name, without port or scheme. */
export function readListenHost(env: Environment, name: string): string | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  if (isIP(raw) === 0 && !HOSTNAME.test(raw)) {
    throw new InvalidConfigurationError(name, `must be an IP address or a host name (e.g. 127.0.0.1, 0.0.0.0, ::), got "${raw}"`);
  }
  return raw;
}
