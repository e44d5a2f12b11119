import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '@as2-partners/kernel';
import { replyWithAppError } from '../http/hot-path-errors';
import type { RequestWithIds } from '../http/request-ids';
import { bearerTokenOf } from './bearer-token';
import type { Caller, RequestContext, Role } from './caller';
import { requireOwnAccount, requireTenant } from './caller-scope';
import { tenantDeletedError, type DeletedTenants } from './deleted-tenant.guard';
import { AuthenticationFailedError, type JwtVerifier } from './jwt-verifier';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRES_TENANT } from './requires-tenant.decorator';
import { REQUIRED_ROLES } from './roles.decorator';
import { DELETED_TENANT_REFUSAL, logRefusedCaller, logRefusedToken } from './refused-token-log';

/** Set in a Nest route's Fastify config when it needs a bearer token (every route not marked @Public()): who may call it. */
const ROUTE_ACCESS = 'as2RouteAccess';
/** The caller of a request whose token was verified on its arrival: the auth guard takes it instead of verifying again. */
const VERIFIED_CALLER = Symbol('as2VerifiedCaller');

/** What a route's method says of who may call it (a controller's class metadata is on its methods too: routeMetadata). */
export interface RouteAccess {
  readonly roles: readonly Role[] | undefined;
  readonly requiresTenant: boolean;
}

/**
 * Who calls is checked when a request arrives, before its body is read: a request to a secured Nest route without a
 * valid bearer token is answered 401 whatever it sent (malformed JSON, a `__proto__` key, NUL characters, another media
 * type, a body over the limit), so an unauthenticated caller makes the server parse nothing and learns none of the
 * route's body rules; so is a caller the auth guard would refuse 403 for its roles (`FORBIDDEN`, or `TENANT_DELETED`
 * for a deleted tenant's token), another account (`ACCOUNT_FORBIDDEN`, the `account` path parameter) or a missing tenant
 * (`TENANT_REQUIRED`), and a token of a deleted tenant. Routes beside Nest (the hot paths) check their own
 * tokens the same way. The guards still check everything after it, with the caller verified here.
 */
export function authenticateBeforeBody(fastify: FastifyInstance, verifier: JwtVerifier, deletedTenants?: DeletedTenants): void {
  fastify.addHook('onRoute', (route) => {
    // Nest copies a controller method's metadata onto the handler it registers; other routes (docs, CORS) have none.
    const handler = route.handler as object;
    if (!Reflect.hasMetadata(METHOD_METADATA, handler) || Reflect.getMetadata(IS_PUBLIC, handler) === true) return;
    const access: RouteAccess = { roles: Reflect.getMetadata(REQUIRED_ROLES, handler) as Role[] | undefined, requiresTenant: Reflect.getMetadata(REQUIRES_TENANT, handler) === true };
    route.config = { ...route.config, [ROUTE_ACCESS]: access } as typeof route.config;
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    const access = (request.routeOptions.config as unknown as Record<string, RouteAccess | undefined> | undefined)?.[ROUTE_ACCESS];
    if (access === undefined) return done();
    const answer = (error: unknown): void => replyWithAppError(error, request, reply);
    const admit = (caller: Caller): void => {
      (request as unknown as Record<symbol, Caller>)[VERIFIED_CALLER] = caller;
      const refuse = (error: Error): void => {
        logRefusedCaller(refusalReason(error, access), caller, request);
        answer(error);
      };
      const refusal = refusalOf(caller, access, (request.params as Record<string, unknown> | undefined)?.['account'], deletedTenants);
      if (refusal === null) done();
      else if (refusal instanceof Error) refuse(refusal);
      else refusal.then((error) => (error === null ? done() : refuse(error)), answer);
    };
    let caller: Caller | Promise<Caller>;
    try {
      caller = callerOfAuthorization(request, verifier);
    } catch (error) {
      return answer(error);
    }
    // A fault of the check itself (not a refused token) is the house's 500, logged, as the guard's filter would answer it.
    if (caller instanceof Promise) caller.then(admit, answer);
    else admit(caller);
  });
}

/**
 * The caller a request's `Authorization: Bearer` token names: at once when the token was verified before (no promise),
 * else once verified. No token, another scheme or a token refused: 401 (UnauthorizedException), its reason logged.
 */
export function callerOfAuthorization(request: RequestWithIds & { readonly method?: string; readonly url?: string }, verifier: JwtVerifier): Caller | Promise<Caller> {
  const refused = (reason: string): UnauthorizedException => {
    logRefusedToken(reason, request);
    return new UnauthorizedException();
  };
  const header = request.headers.authorization;
  const token = bearerTokenOf(header === undefined ? undefined : String(header));
  if (token === undefined) throw refused(header === undefined ? 'no Authorization header' : 'the Authorization header is not a bearer JWT');
  const remembered = verifier.rememberedCaller(token);
  if (remembered !== undefined) return remembered;
  return verifier.verify(token).catch((error: unknown) => {
    throw error instanceof AuthenticationFailedError ? refused(error.message) : error;
  });
}

/**
 * The 403 this caller gets on this route, in the guards' order, or null: its roles (a deleted tenant's token
 * TENANT_DELETED then), another account's path, no tenant where one is needed, a deleted tenant (its verdict known
 * without waiting, else asked). The auth guard asks it too, after the check on arrival or without it.
 */
export function refusalOf(caller: Caller, access: RouteAccess, account: unknown, deletedTenants: DeletedTenants | undefined): Error | null | Promise<Error | null> {
  const ctx = { caller } as RequestContext;
  const tenant = caller.tenant;
  if (access.roles && access.roles.length > 0 && !access.roles.some((role) => caller.roles.includes(role))) {
    if (tenant === null || deletedTenants === undefined) return new ForbiddenException();
    const known = deletedTenants.knownVerdict?.(caller.account, tenant);
    if (known !== undefined) return known ? tenantDeletedError(tenant) : new ForbiddenException();
    return deletedTenants.isDeleted(caller.account, tenant).then((deleted) => (deleted ? tenantDeletedError(tenant) : new ForbiddenException()));
  }
  try {
    if (typeof account === 'string') requireOwnAccount(ctx, account);
    if (access.requiresTenant) requireTenant(ctx);
  } catch (error) {
    return error as Error;
  }
  if (tenant === null || deletedTenants === undefined) return null;
  const known = deletedTenants.knownVerdict?.(caller.account, tenant);
  if (known !== undefined) return known ? tenantDeletedError(tenant) : null;
  // Not known without waiting (the tenant's first request since a start): asked, so a deleted tenant's 403 comes before its body is read too.
  return deletedTenants.isDeleted(caller.account, tenant).then((deleted) => (deleted ? tenantDeletedError(tenant) : null));
}

/**
 * Why a verified caller was refused 403, for its log line: the roles the route takes, a deleted tenant in the hot
 * paths' words (one reason to search the logs for, whichever route refused), or the refusal's own words.
 */
function refusalReason(error: Error, access: RouteAccess): string {
  if (error instanceof ForbiddenException) return `the token has none of the roles the route takes (${(access.roles ?? []).join(', ')})`;
  return error instanceof DomainError && error.code === 'TENANT_DELETED' ? DELETED_TENANT_REFUSAL : error.message;
}

/** The caller whose token {@link authenticateBeforeBody} verified for this request, if it did. */
export function verifiedCallerOf(request: object): Caller | undefined {
  return (request as Record<symbol, Caller | undefined>)[VERIFIED_CALLER];
}
