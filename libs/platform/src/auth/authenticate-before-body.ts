import { Logger, UnauthorizedException } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { replyWithAppError } from '../http/hot-path-errors';
import { requestIdsOf } from '../http/request-ids';
import { loggableUrl } from '../logging/loggable-url';
import { bearerTokenOf } from './bearer-token';
import type { Caller } from './caller';
import { AuthenticationFailedError, type JwtVerifier } from './jwt-verifier';
import { IS_PUBLIC } from './public.decorator';

/** Set in a Nest route's Fastify config when it needs a bearer token (every route not marked @Public()). */
const BEARER_REQUIRED = 'as2BearerRequired';
/** The caller of a request whose token was verified on its arrival: the auth guard takes it instead of verifying again. */
const VERIFIED_CALLER = Symbol('as2VerifiedCaller');

const logger = new Logger('JwtAuthGuard');

/**
 * Who calls is checked when a request arrives, before its body is read: a request to a secured Nest route without a
 * valid bearer token is answered 401 whatever it sent (malformed JSON, a `__proto__` key, NUL characters, another media
 * type, a body over the limit), so an unauthenticated caller makes the server parse nothing and learns none of the
 * route's body rules. Routes beside Nest (the hot paths) check their own tokens the same way. The auth guard still
 * checks roles, the account and the tenant after it, with the caller verified here.
 */
export function authenticateBeforeBody(fastify: FastifyInstance, verifier: JwtVerifier): void {
  fastify.addHook('onRoute', (route) => {
    // Nest copies a controller method's metadata onto the handler it registers; other routes (docs, CORS) have none.
    const handler = route.handler as object;
    if (Reflect.hasMetadata(METHOD_METADATA, handler) && Reflect.getMetadata(IS_PUBLIC, handler) !== true) route.config = { ...route.config, [BEARER_REQUIRED]: true } as typeof route.config;
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if ((request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[BEARER_REQUIRED] !== true) return done();
    const header = request.headers.authorization;
    const token = bearerTokenOf(header);
    if (token === undefined) return refuse(request, reply, header === undefined ? 'no Authorization header' : 'the Authorization header is not a bearer JWT');
    const remembered = verifier.rememberedCaller(token);
    if (remembered !== undefined) {
      (request as unknown as Record<symbol, Caller>)[VERIFIED_CALLER] = remembered;
      return done();
    }
    verifier.verify(token).then(
      (caller) => {
        (request as unknown as Record<symbol, Caller>)[VERIFIED_CALLER] = caller;
        done();
      },
      // Anything but a refused token is a fault of ours: the house's 500, logged, as the guard's filter would answer it.
      (error: unknown) => (error instanceof AuthenticationFailedError ? refuse(request, reply, error.message) : replyWithAppError(error, request, reply)),
    );
  });
}

/** The caller whose token {@link authenticateBeforeBody} verified for this request, if it did. */
export function verifiedCallerOf(request: object): Caller | undefined {
  return (request as Record<symbol, Caller | undefined>)[VERIFIED_CALLER];
}

/** Why a request got 401, for whoever investigates it: the reason and the request's ids, never the token. */
export function logRefusedToken(reason: string, correlationId: string, method: string | undefined, url: string | undefined): void {
  logger.log({ msg: `401 Unauthorized: ${reason}`, reason, correlationId, method, url: url === undefined ? undefined : loggableUrl(url) });
}

function refuse(request: FastifyRequest, reply: FastifyReply, reason: string): void {
  logRefusedToken(reason, requestIdsOf(request).correlationId, request.method, request.url);
  replyWithAppError(new UnauthorizedException(), request, reply);
}
