import { OldestKeys } from '@as2-partners/kernel';
import { decodeJwt } from 'jose';
import { AuthenticationFailedError, bearerTokenOf, REMEMBER_VERIFIED_TOKEN_MS, type JwtVerifier } from '@as2-partners/platform';

const MAX_CACHED = 1000;

/**
 * `tenant`: the token's tenant claim, which scopes the decisions to that tenant (null: the whole account). A valid token
 * without the role (403) keeps its claims too: a deleted tenant's token is refused for its tenant first, as Nest's routes do.
 */
export type GatewayCheck =
  | { readonly ok: true; readonly account: string; readonly tenant: string | null }
  /** `reason`: why, for the log (never the token). */
  | { readonly ok: false; readonly status: 401; readonly reason: string }
  | { readonly ok: false; readonly status: 403; readonly account: string; readonly tenant: string | null };

const unauthenticated = (reason: string): GatewayCheck => ({ ok: false, status: 401, reason });
const NO_AUTHORIZATION = unauthenticated('no Authorization header');
const NOT_BEARER = unauthenticated('the Authorization header is not a bearer JWT');

/**
 * Checks a gateway's bearer JWT with the platform's verifier (a key in memory, or a JWKS jose caches: no network call
 * per request) and remembers the outcome for a verified token until its `exp` (at most the verifier's five minutes),
 * so the hot path pays one map lookup.
 * Only role `gateway` passes; its `account` claim scopes the decisions (`*`: every account), and so does its `tenant`
 * claim where it has one (that tenant's and the account's partners and instances only). The cache is bounded
 * (the earliest verified out first); tokens without `exp` or that fail verification are never cached.
 */
export class GatewayCredentials {
  private readonly verified = new Map<string, { check: GatewayCheck; expiresAtMs: number }>();
  private readonly oldestVerified = new OldestKeys(this.verified);

  constructor(
    private readonly verifier: JwtVerifier,
    private readonly nowMs: () => number,
  ) {}

  /** The outcome for a token verified before and not expired since, without waiting; undefined otherwise. */
  checkCached(authorization: string | undefined, nowMs = this.nowMs()): GatewayCheck | undefined {
    if (!authorization) return NO_AUTHORIZATION;
    const cached = this.verified.get(authorization);
    if (cached === undefined) return undefined;
    if (cached.expiresAtMs > nowMs) return cached.check;
    this.verified.delete(authorization);
    return undefined;
  }

  async check(authorization: string | undefined): Promise<GatewayCheck> {
    return this.checkCached(authorization) ?? (await this.verify(authorization as string));
  }

  private async verify(authorization: string): Promise<GatewayCheck> {
    const token = bearerTokenOf(authorization);
    if (token === undefined) return NOT_BEARER;
    try {
      const caller = await this.verifier.verify(token);
      const { account, tenant } = caller;
      const check: GatewayCheck = caller.roles.includes('gateway') ? { ok: true, account, tenant } : { ok: false, status: 403, account, tenant };
      const exp = decodeJwt(token).exp;
      if (typeof exp === 'number') {
        // Bounded: the oldest entry goes first (in insertion order).
        if (this.verified.size >= MAX_CACHED) this.verified.delete(this.oldestVerified.next() as string);
        // At most as long as the verifier trusts a verification (a key withdrawn from a JWKS stops the token then too).
        this.verified.set(authorization, { check, expiresAtMs: Math.min(exp * 1000, this.nowMs() + REMEMBER_VERIFIED_TOKEN_MS) });
      }
      return check;
    } catch (error) {
      if (error instanceof AuthenticationFailedError) return unauthenticated(error.message);
      throw error;
    }
  }
}
