import { decodeJwt } from 'jose';
import { AuthenticationFailedError, type Caller, type JwtVerifier } from '@as2-partners/platform';

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;
const MAX_CACHED = 1000;

export type GatewayCheck = { readonly ok: true; readonly account: string } | { readonly ok: false; readonly status: 401 | 403 };

/**
 * Checks a gateway's bearer JWT with the platform's verifier (a key in memory, or a JWKS jose caches: no network call
 * per request) and remembers a verified token until it expires, so the hot path pays one map lookup. Only role
 * `gateway` passes; its `account` claim scopes the decisions (`*`: every account).
 */
export class GatewayCredentials {
  private readonly verified = new Map<string, { caller: Caller; expiresAtMs: number }>();

  constructor(
    private readonly verifier: JwtVerifier,
    private readonly nowMs: () => number,
  ) {}

  async check(authorization: string | undefined): Promise<GatewayCheck> {
    if (!authorization) return { ok: false, status: 401 };
    const cached = this.verified.get(authorization);
    const caller = cached && cached.expiresAtMs > this.nowMs() ? cached.caller : await this.verify(authorization);
    if (!caller) return { ok: false, status: 401 };
    return caller.roles.includes('gateway') ? { ok: true, account: caller.account } : { ok: false, status: 403 };
  }

  private async verify(authorization: string): Promise<Caller | null> {
    this.verified.delete(authorization);
    const match = BEARER.exec(authorization);
    if (!match) return null;
    try {
      const caller = await this.verifier.verify(match[1]);
      const exp = decodeJwt(match[1]).exp;
      if (typeof exp === 'number') {
        // Bounded: the oldest entry goes first (a Map iterates in insertion order).
        if (this.verified.size >= MAX_CACHED) this.verified.delete(this.verified.keys().next().value as string);
        this.verified.set(authorization, { caller, expiresAtMs: exp * 1000 });
      }
      return caller;
    } catch (error) {
      if (error instanceof AuthenticationFailedError) return null;
      throw error;
    }
  }
}
