import type { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdempotencyKeys } from './idempotency-keys';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on an answer replayed for a repeated Idempotency-Key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

/** The key a request claimed (IdempotencyInterceptor): its answer is recorded when sent. */
interface ClaimedRequest {
  idempotency?: { readonly id: string; readonly fingerprint: string };
}

export function markClaimed(request: FastifyRequest, claimed: { readonly id: string; readonly fingerprint: string }): void {
  (request as ClaimedRequest).idempotency = claimed;
}

/** 409s that changed nothing and ask for the same request again: another write won the race; a parked event's replay failed and it stays parked. */
const RETRYABLE_CONFLICTS = ['"CONCURRENT_MODIFICATION"', '"PARKED_EVENT_REPLAY_FAILED"'];

/**
 * Whether an answer decided the request, so a retry with its key gets it again: not a 5xx, not a "not now" that changed
 * nothing and asks for a retry (429: a rate or a concurrency limit; 408; a retryable 409, RETRYABLE_CONFLICTS). A retry
 * of those runs again, as the answer itself says to.
 */
export function isDecidedAnswer(status: number, body: string): boolean {
  if (status >= 500 || status === 429 || status === 408) return false;
  return status !== 409 || !RETRYABLE_CONFLICTS.some((code) => body.includes(code));
}

/**
 * Records the answer of every request that claimed an Idempotency-Key (IdempotencyInterceptor claims, after the
 * guards): whatever sends it, the handler or the error filter. An answer that decided nothing (isDecidedAnswer) frees
 * the key instead, so a retry runs again.
 */
export function registerIdempotencyHooks(fastify: FastifyInstance, keys: IdempotencyKeys, logger: Logger): void {
  fastify.addHook('onClose', async () => keys.stop());
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claimed = (request as ClaimedRequest).idempotency;
    if (!claimed) return payload;
    (request as ClaimedRequest).idempotency = undefined;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : null;
    try {
      if (body === null || !isDecidedAnswer(reply.statusCode, body)) await keys.release(claimed.id);
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
