import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { JwtConfig } from '../config/platform-config';
import type { Caller } from './caller';
import { callerFromClaims } from './caller-claims';

/** A bearer token that does not authenticate anyone; `reason` is for logs only. */
export class AuthenticationFailedError extends Error {
  constructor(readonly reason: string) {
    super(`Authentication failed: ${reason}`);
    this.name = 'AuthenticationFailedError';
  }
}

type VerificationKey = KeyObject | JWTVerifyGetKey;

/** Verifies bearer JWTs with jose against the one configured key source and returns the caller they name. */
export class JwtVerifier {
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

  async verify(token: string): Promise<Caller> {
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
    try {
      return callerFromClaims(payload);
    } catch (error) {
      throw new AuthenticationFailedError(error instanceof Error ? error.message : String(error));
    }
  }
}
