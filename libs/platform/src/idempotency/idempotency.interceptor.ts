import { createHash, createHmac } from 'node:crypto';
import type { CallHandler, ExecutionContext, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { of, type Observable } from 'rxjs';
import type { Caller, RequestContext } from '../auth/caller';
import { AuthenticationFailedError, type JwtVerifier } from '../auth/jwt-verifier';
import { errorTypeOf, type ErrorBody } from '../http/error-body';
import type { PassThroughInterceptor } from '../http/pass-through-interceptors';
import { requestIdsOf } from '../http/request-ids';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, markClaimed } from './idempotency-hooks';
import { answersNotKept } from './answers-not-kept.decorator';
import { IdempotencyKeys } from './idempotency-keys';
import { isMultipartRequest, multipartDigestOf, readMultipartBodyOnce } from './multipart-body';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Printable ASCII without spaces, as UUIDs, ULIDs and other client-chosen tokens are. */
const ACCEPTABLE_KEY = /^[\x21-\x7e]{1,255}$/;
const BEARER = /^Bearer +(\S+)$/i;

interface GuardedRequest extends FastifyRequest {
  context?: RequestContext;
}

/**
 * Idempotency-Key on every POST, PUT, PATCH and DELETE of a Nest route: the first request with a key runs and its
 * answer is kept (per tenant, for IDEMPOTENCY_TTL_SECONDS); the same key with the same request answers that again with
 * `Idempotent-Replayed: true`; with another request 422 IDEMPOTENCY_KEY_REUSED; while the first still runs 409
 * IDEMPOTENCY_KEY_IN_USE. A 5xx is not kept, so a retry runs again (registerIdempotencyHooks records the answers).
 *
 * An interceptor, so it runs after every guard: a stored answer goes only to a caller the guards let make the request
 * now (authenticated, allowed by its roles, its tenant not deleted), and a request a guard refuses claims no key.
 */
export class IdempotencyInterceptor implements PassThroughInterceptor {
  constructor(
    private readonly keys: IdempotencyKeys,
    private readonly verifier: JwtVerifier,
    private readonly logger: Logger,
    /** BODY_LIMIT_BYTES: a multipart upload is read whole before its key is claimed, at most this much. */
    private readonly bodyLimitBytes: number = Number.POSITIVE_INFINITY,
    /** The HMAC key of the fingerprints kept (fingerprintKeyFrom); null: a plain hash (a service whose bodies carry no secret). */
    private readonly fingerprintKey: Buffer | null = null,
  ) {}

  /** A request that is no write, or carries no key (nearly all): nothing to claim or replay. */
  passesThrough(request: GuardedRequest): boolean {
    return !MUTATING.has(request.method) || request.headers[IDEMPOTENCY_KEY_HEADER] === undefined;
  }

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> | Promise<Observable<unknown>> {
    // Synchronous for the requests without a key: no promise, no extra turn.
    if (execution.getType() !== 'http') return next.handle();
    const request = execution.switchToHttp().getRequest<GuardedRequest>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (this.passesThrough(request) || header === undefined || answersNotKept(execution)) return next.handle();
    return this.withKey(execution, request, header, next);
  }

  private async withKey(execution: ExecutionContext, request: GuardedRequest, header: string | string[], next: CallHandler): Promise<Observable<unknown>> {
    const reply = execution.switchToHttp().getResponse<FastifyReply>();
    const key = Array.isArray(header) ? header[0] : header;
    if (!ACCEPTABLE_KEY.test(key)) {
      return refuse(reply, 400, 'INVALID_IDEMPOTENCY_KEY', 'The Idempotency-Key must be 1 to 255 printable ASCII characters without spaces');
    }
    // The auth guard's caller; a public route has none, and its bearer token (if any) still scopes the key.
    const caller = request.context?.caller ?? (await this.bearerCallerOf(request));
    if (caller === null) return next.handle();
    const id = IdempotencyKeys.idOf(caller.account, keyTenantOf(request, caller), key);
    let uploadDigest: string | null = null;
    if (isMultipartRequest(request)) uploadDigest = multipartDigestOf(await readMultipartBodyOnce(request, this.bodyLimitBytes), String(request.headers['content-type'] ?? ''));
    const fingerprinted = fingerprintInput(request, caller, uploadDigest);
    const fingerprint = this.fingerprintKey === null ? plainDigest(fingerprinted) : createHmac('sha256', this.fingerprintKey).update(fingerprinted).digest('hex');
    let claim;
    try {
      // A key claimed before fingerprints were keyed (kept up to IDEMPOTENCY_TTL_SECONDS) has its request's plain hash.
      claim = await this.keys.claim(id, fingerprint, this.fingerprintKey === null ? undefined : () => plainDigest(fingerprinted));
    } catch (error) {
      this.logger.warn(`Idempotency-Key store unavailable, request refused unrun: ${error instanceof Error ? error.message : String(error)}`);
      void reply.header('retry-after', '5');
      return refuse(reply, 503, 'IDEMPOTENCY_STORE_UNAVAILABLE', 'Idempotency keys cannot be checked right now; retry with the same key');
    }
    switch (claim.outcome) {
      case 'claimed':
        markClaimed(request, { id, fingerprint });
        // The handler's creates decide with it as their command id: a retry after a crash names the same entities.
        requestIdsOf(request).commandId = claim.commandId;
        if (request.context) request.context = { ...request.context, commandId: claim.commandId };
        return next.handle();
      case 'replay':
        // Nest sends what the interceptor answers with the status set here (it set the route's default before).
        void reply.code(claim.status).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
        if (claim.contentType !== undefined) void reply.header('content-type', claim.contentType);
        return of(claim.body);
      case 'in_progress':
        void reply.header('retry-after', '1');
        return refuse(reply, 409, 'IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still running; retry shortly');
      case 'reused':
        return refuse(reply, 422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
    }
  }

  private async bearerCallerOf(request: FastifyRequest): Promise<Caller | null> {
    const match = BEARER.exec(String(request.headers['authorization'] ?? ''));
    if (!match) return null;
    try {
      return await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof AuthenticationFailedError) return null;
      throw error;
    }
  }
}

/**
 * Whose keys a request's key is among: the tenant's the token names, but an account route's (`/v1/accounts/{account}/…`,
 * the account's own objects) the account's, whatever tenant an account admin's token names, so an account-level write
 * neither takes a key from that tenant's keys nor runs again for the same admin's token without a tenant.
 */
function keyTenantOf(request: FastifyRequest, caller: Caller): string | null {
  return (request.params as Record<string, unknown> | undefined)?.['account'] === undefined ? caller.tenant : null;
}

/** Each object's fields in one order, so a retry that serialises them in another is the same body. */
const inSortedKeys = (_key: string, value: unknown): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]])) : value;

/**
 * What a request's fingerprint is made of: method, path and query, the caller and its roles (a key is the tenant's,
 * but one user's answer is never replayed to another, nor to the same user holding other roles) and the JSON body as
 * parsed, its fields in one order (so neither whitespace nor the order of fields matters), or a multipart upload's
 * digest without its boundary (a client's retry sends the same parts with a new one). Never kept as it is: a body may
 * hold a secret.
 */
function fingerprintInput(request: FastifyRequest, caller: Caller, uploadDigest: string | null): string {
  const body = uploadDigest !== null ? `multipart:${uploadDigest}` : JSON.stringify(request.body ?? null, inSortedKeys);
  // The roles too: a handler may check one itself (an account admin's write to a master partner), past the guards.
  const roles = [...caller.roles].sort().join(',');
  return [request.method, request.url, caller.sub, roles, body].join('\u0000');
}

const plainDigest = (input: string): string => createHash('sha256').update(input).digest('hex');

function refuse(reply: FastifyReply, status: number, code: string, message: string): Observable<ErrorBody> {
  void reply.code(status);
  return of({ message, error: { type: errorTypeOf(status), code } });
}
