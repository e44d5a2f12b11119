import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { loadPlatformConfig, type Environment, type Role } from '@as2-partners/platform';
import { signHs256TestToken } from './hs256-test-token';
import { createTestHttpApp } from './create-test-http-app';

export const TEST_JWT_SECRET = 'embedded-test-app-secret-0123456789abcdef';

export interface TestTokenClaims {
  sub: string;
  account: string;
  /** null or omitted: no tenant claim (an account admin). */
  tenant: string | null;
  roles: Role[] | string[];
  /** Seconds since the epoch; default one hour from now. */
  exp: number;
}

export interface EmbeddedTestAppOptions {
  readonly imports: (Type<unknown> | DynamicModule)[];
  /** Default: a fresh temporary directory, removed by close(). A given one is kept. */
  readonly dataDir?: string;
  readonly now?: () => Date;
  /** Extra environment (e.g. BODY_LIMIT_BYTES); MODE, DATA_DIR and JWT_SECRET are set by the harness. */
  readonly env?: Environment;
  /** Where the app's JSON log lines go (default stdout): specs that check log lines pass a stream. */
  readonly logDestination?: DestinationStream;
}

export interface EmbeddedTestApp {
  /** Initialised; call `app.inject(...)`. */
  readonly app: NestFastifyApplication;
  /**
   * A signed bearer token; defaults: sub `test-user`, account `test-account`, tenant `test-tenant`, roles [`tenant_admin`].
   * The same claims give the same token for the app's life (issued at the app's creation, valid an hour unless `exp` is
   * given): routes beside Nest take only a token Nest has verified, and a token signed anew each second would be another.
   */
  token(claims?: Partial<TestTokenClaims>): string;
  readonly dataDir: string;
  close(): Promise<void>;
}

function testTokenPayload(claims: Partial<TestTokenClaims>, issuedAtSeconds: number): Record<string, unknown> {
  const { exp, tenant, ...rest } = claims;
  const payload: Record<string, unknown> = { sub: 'test-user', account: 'test-account', roles: ['tenant_admin'], ...rest };
  const effectiveTenant = tenant === undefined ? 'test-tenant' : tenant;
  if (effectiveTenant !== null) payload['tenant'] = effectiveTenant;
  return { ...payload, iat: issuedAtSeconds, exp: exp ?? issuedAtSeconds + 3600 };
}

/**
 * A real embedded application (SQLite files in a temporary DATA_DIR, in-process bus) for API tests through
 * `app.inject`, with a test JWT secret. Unless given a dataDir it works in a fresh temporary one, never ./data.
 */
export async function createEmbeddedTestApp(options: EmbeddedTestAppOptions): Promise<EmbeddedTestApp> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'as2-test-')));
  const config = loadPlatformConfig({
    LOG_LEVEL: 'warn',
    ...options.env,
    MODE: 'embedded',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
  });
  const now = options.now;
  const issuedAtSeconds = Math.floor(Date.now() / 1000);
  let app: NestFastifyApplication;
  try {
    app = await createTestHttpApp({ module: class EmbeddedTestModule {}, imports: options.imports }, config, {
      clock: now ? { now } : undefined,
      logDestination: options.logDestination,
    });
  } catch (error) {
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    app,
    dataDir,
    token: (claims = {}) => signHs256TestToken(testTokenPayload(claims, issuedAtSeconds), TEST_JWT_SECRET),
    close: async () => {
      await app.close();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
