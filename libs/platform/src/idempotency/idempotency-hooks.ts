import { createHash } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../auth/caller';
import { AuthenticationFailedError, type JwtVerifier } from '../auth/jwt-verifier';
import { errorTypeOf } from '../http/error-body';
import { requestIdsOf } from '../http/request-ids';
import { IdempotencyKeys } from './idempotency-keys';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on an answer replayed for a repeated Idempotency-Key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Printable ASCII without spaces, as UUIDs, ULIDs and other client-chosen tokens are. */
const ACCEPTABLE_KEY = /^[\x21-\x7e]{1,255}$/;
const BEARER = /^Bearer +(\S+)$/i;

interface ClaimedRequest {
  idempotency?: { readonly id: string; readonly fingerprint: string };
}

/**
 * Idempotency-Key on every POST, PUT, PATCH and DELETE: the first request with a key runs and its answer is kept
 * (per tenant, for IDEMPOTENCY_TTL_SECONDS); the same key with the same request answers that again with
 * `Idempotent-Replayed: true`; with another request 422 IDEMPOTENCY_KEY_REUSED; while the first still runs 409
 * IDEMPOTENCY_KEY_IN_USE. A 5xx is not kept, so a retry runs again. Requests without a valid bearer token are left
 * to the auth guard (401).
 */
export function registerIdempotencyHooks(fastify: FastifyInstance, keys: IdempotencyKeys, verifier: JwtVerifier, logger: Logger): void {
  fastify.addHook('onClose', async () => keys.stop());
  fastify.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!MUTATING.has(request.method)) return;
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (!ACCEPTABLE_KEY.test(key)) {
      return refuse(reply, 400, 'INVALID_IDEMPOTENCY_KEY', 'The Idempotency-Key must be 1 to 255 printable ASCII characters without spaces');
    }
    const caller = await callerOf(request, verifier);
    if (caller === null) return;
    const id = IdempotencyKeys.idOf(caller.account, caller.tenant, key);
    const fingerprint = fingerprintOf(request, caller);
    let claim;
    try {
      claim = await keys.claim(id, fingerprint);
    } catch (error) {
      logger.warn(`Idempotency-Key store unavailable, request refused unrun: ${error instanceof Error ? error.message : String(error)}`);
      void reply.header('retry-after', '5');
      return refuse(reply, 503, 'IDEMPOTENCY_STORE_UNAVAILABLE', 'Idempotency keys cannot be checked right now; retry with the same key');
    }
    switch (claim.outcome) {
      case 'claimed':
        (request as ClaimedRequest).idempotency = { id, fingerprint };
        // The handler's creates decide with it as their command id: a retry after a crash names the same entities.
        requestIdsOf(request).commandId = claim.commandId;
        return;
      case 'replay':
        void reply.code(claim.status).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
        if (claim.contentType !== undefined) void reply.header('content-type', claim.contentType);
        return reply.send(claim.body);
      case 'in_progress':
        void reply.header('retry-after', '1');
        return refuse(reply, 409, 'IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still running; retry shortly');
      case 'reused':
        return refuse(reply, 422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
    }
  });

  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claimed = (request as ClaimedRequest).idempotency;
    if (!claimed) return payload;
    (request as ClaimedRequest).idempotency = undefined;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : null;
    try {
      if (reply.statusCode >= 500 || body === null) await keys.release(claimed.id);
      else {
        const contentType = reply.getHeader('content-type');
        await keys.complete(claimed.id, claimed.fingerprint, { status: reply.statusCode, contentType: contentType === undefined ? undefined : String(contentType), body });
      }
    } catch (error) {
      // The answer still goes out; the claim's lease frees the key for a retry later.
      logger.warn(`Could not record the answer of Idempotency-Key ${claimed.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return payload;
  });
}

async function callerOf(request: FastifyRequest, verifier: JwtVerifier): Promise<Caller | null> {
  const match = BEARER.exec(String(request.headers['authorization'] ?? ''));
  if (!match) return null;
  try {
    return await verifier.verify(match[1]);
  } catch (error) {
    if (error instanceof AuthenticationFailedError) return null;
    throw error;
  }
}

/**
 * Method, path and query, the caller (a key is the tenant's, but one user's answer is never replayed to another) and
 * the JSON body as parsed (so whitespace does not matter). A multipart upload counts without its body: a client's
 * retry sends it with a new multipart boundary.
 */
function fingerprintOf(request: FastifyRequest, caller: Caller): string {
  const multipart = String(request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/');
  const body = multipart ? 'multipart' : JSON.stringify(request.body ?? null);
  return createHash('sha256').update([request.method, request.url, caller.sub, body].join('\u0000')).digest('hex');
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ message, error: { type: errorTypeOf(status), code } });
}
