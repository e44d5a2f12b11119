import { createPublicKey, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { OldestKeys } from '@as2-partners/kernel';
import type { JwtConfig } from '../config/platform-config';
import type { Caller } from './caller';
import { callerFromClaims } from './caller-claims';
import { bearerTokenOf } from './bearer-token';

/** A bearer token that does not authenticate anyone; `reason` is for logs only. */
export class AuthenticationFailedError extends Error {
  constructor(readonly reason: string) {
    super(`Authentication failed: ${reason}`);
    this.name = 'AuthenticationFailedError';
  }
}

type VerificationKey = KeyObject | JWTVerifyGetKey;

/** Verified tokens remembered (a client reuses its token for many requests); the earliest verified leaves first. */
const MAX_REMEMBERED = 10_000;
/** How long a verification is trusted at most, so a key withdrawn from a JWKS stops tokens within this time. */
export const REMEMBER_VERIFIED_TOKEN_MS = 5 * 60_000;
const REMEMBER_MS = REMEMBER_VERIFIED_TOKEN_MS;

/**
 * Verifies bearer JWTs with jose against the one configured key source and returns the caller they name. A token
 * verified once is remembered, keyed by its exact text, until its `exp` (at most five minutes): the next request with
 * it pays one map lookup instead of a signature check. The caller returned is frozen, since requests share it.
 */
export class JwtVerifier {
  private readonly remembered = new Map<string, { readonly caller: Caller; readonly untilMs: number }>();
  private readonly oldestRemembered = new OldestKeys(this.remembered);

  private constructor(
    private readonly key: VerificationKey,
    private readonly algorithms: string[],
    private readonly config: JwtConfig,
  ) {}

  static fromConfig(config: JwtConfig): JwtVerifier {
    switch (config.key.kind) {
      case 'secret':
        // a KeyObject built once: given the secret's bytes, jose would build one per request
        return new JwtVerifier(createSecretKey(Buffer.from(config.key.secret, 'utf8')), ['HS256'], config);
      case 'public-key':
        return new JwtVerifier(createPublicKey(config.key.publicKeyPem), ['RS256'], config);
      case 'jwks':
        return new JwtVerifier(createRemoteJWKSet(new URL(config.key.jwksUrl)), ['RS256'], config);
    }
  }

  /** The caller of a token verified before and still remembered, without waiting; undefined otherwise (call verify). */
  rememberedCaller(token: string): Caller | undefined {
    const known = this.remembered.get(token);
    return known !== undefined && known.untilMs > Date.now() ? known.caller : undefined;
  }

  /**
   * The remembered caller of a request a route beside Nest may answer: a bearer token verified before, one of `roles`,
   * and no CORS `Origin` (CORS is Nest's); undefined when the request is Nest's to answer.
   */
  rememberedCallerOf(headers: IncomingHttpHeaders, roles: readonly string[]): Caller | undefined {
    if (headers.origin !== undefined) return undefined;
    const token = bearerTokenOf(headers.authorization);
    const caller = token === undefined ? undefined : this.rememberedCaller(token);
    return caller !== undefined && caller.roles.some((role) => roles.includes(role)) ? caller : undefined;
  }

  async verify(token: string): Promise<Caller> {
    const known = this.remembered.get(token);
    if (known !== undefined) {
      if (known.untilMs > Date.now()) return known.caller;
      this.remembered.delete(token);
    }
    const { caller, exp } = await this.verifyNow(token);
    const untilMs = Math.min(typeof exp === 'number' ? exp * 1000 : 0, Date.now() + REMEMBER_MS);
    if (untilMs > Date.now()) {
      if (this.remembered.size >= MAX_REMEMBERED) this.remembered.delete(this.oldestRemembered.next() as string);
      this.remembered.set(token, { caller, untilMs });
    }
    return caller;
  }

  /**
   * Checks a token no key signed (its signature is random bytes) once, so jose's verification runs for the first time
   * before the first request does (~5–15 ms of lazy code then). It is refused and remembered nowhere. Not for a JWKS,
   * whose keys would be fetched.
   */
  async warmUp(): Promise<void> {
    if (typeof this.key === 'function') return;
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signature = randomBytes(this.algorithms[0] === 'HS256' ? 32 : 256).toString('base64url');
    const token = `${part({ alg: this.algorithms[0], typ: 'JWT' })}.${part({ sub: 'warm-up', exp: Math.floor(Date.now() / 1000) + 60 })}.${signature}`;
    await this.verifyNow(token).catch(() => undefined);
  }

  private async verifyNow(token: string): Promise<{ caller: Caller; exp: unknown }> {
    let payload: Record<string, unknown>;
    try {
      const verified = await jwtVerify(token, this.key as KeyObject, {
        algorithms: this.algorithms,
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: this.config.clockToleranceSeconds,
        requiredClaims: ['exp'],
      });
      payload = verified.payload;
    } catch (error) {
      throw new AuthenticationFailedError(error instanceof Error ? error.message : String(error));
    }
    // jose checks `iat` against the clock only with a maximum token age: a token issued later than now (past the
    // tolerance) was made by a clock no issuer should have, or to outlive a revocation.
    const issuedAt = payload['iat'];
    if (typeof issuedAt === 'number' && issuedAt > Date.now() / 1000 + this.config.clockToleranceSeconds) {
      throw new AuthenticationFailedError('"iat" claim timestamp check failed (it should be in the past)');
    }
    try {
      const caller = callerFromClaims(payload);
      Object.freeze(caller.roles);
      return { caller: Object.freeze(caller), exp: payload['exp'] };
    } catch (error) {
      throw new AuthenticationFailedError(error instanceof Error ? error.message : String(error));
    }
  }
}
