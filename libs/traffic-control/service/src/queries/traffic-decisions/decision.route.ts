import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import Ajv from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CORRELATION_ID_HEADER, correlationIdFromHeader, errorTypeOf } from '@as2-partners/platform';
import { batchDecisionSchema, singleDecisionSchema, type DecisionRequest } from './decision.schemas';
import type { GatewayCredentials } from './gateway-credentials';
import type { TrafficDecisions } from './traffic-decisions';

export const GATEWAY_CREDENTIALS = Symbol('GatewayCredentials');
export const TRAFFIC_DECISIONS = Symbol('TrafficDecisions');

export const DECISION_PATH = '/v1/traffic/decisions';
/** Fastify reads a single colon as a path parameter: `::` is the literal colon of `decisions:batch`. */
export const BATCH_DECISION_PATH = '/v1/traffic/decisions::batch';

const logger = new Logger('TrafficDecisionRoute');

// Strict: no type coercion, unknown fields refused (Fastify's default AJV coerces and strips silently).
const ajv = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: true });

function errorBody(status: number, message: string, code: string, errors?: Record<string, string[]>) {
  return { message, ...(errors ? { errors } : {}), error: { type: errorTypeOf(status), code } };
}

/** Fastify's own errors on these routes (schema, body parser) in the house error shape; never a 5xx for bad input. */
function replyWithError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header(CORRELATION_ID_HEADER, correlationIdFromHeader(request.headers[CORRELATION_ID_HEADER]));
  if (error.validation) {
    const first = error.validation[0];
    const field = (first?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || String((first?.params as { missingProperty?: string; additionalProperty?: string })?.missingProperty ?? (first?.params as { additionalProperty?: string })?.additionalProperty ?? 'body');
    void reply.code(422).send(errorBody(422, 'Validation failed', 'VALIDATION_FAILED', { [field]: [`The ${field} ${first?.message ?? 'is invalid'}`] }));
    return;
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : error.name === 'MalformedJsonError' || error.name === 'JsonTooDeepError' ? 400 : null;
  if (error.name === 'ValidationFailedException') {
    void reply.code(422).send(errorBody(422, 'Validation failed', 'INVALID_CHARACTERS', (error as unknown as { errors: Record<string, string[]> }).errors));
    return;
  }
  if (status !== null) {
    const code = error.name === 'JsonTooDeepError' ? 'JSON_TOO_DEEP' : error.name === 'MalformedJsonError' ? 'MALFORMED_JSON' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    void reply.code(status).send(errorBody(status, status === 415 ? 'Unsupported media type' : status === 413 ? 'Payload too large' : 'Bad request', code));
    return;
  }
  logger.error(`Decision route failed: ${error.message}`);
  void reply.code(500).send(errorBody(500, 'Internal server error', 'INTERNAL_ERROR'));
}

/**
 * The gateway's hot path as plain Fastify routes beside Nest (Nest's pipeline costs about 3× on a handler this small):
 * JSON Schema validation, a compiled serializer, the gateway JWT checked against a cache of verified tokens, and
 * the answer from memory. Same rules as the Nest routes: bearer JWT required, role `gateway`, house error shapes.
 */
@Injectable()
export class DecisionRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(GATEWAY_CREDENTIALS) private readonly credentials: GatewayCredentials,
    @Inject(TRAFFIC_DECISIONS) private readonly decisions: TrafficDecisions,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    // One-shot commands (read-model rebuilds) run without an HTTP server.
    if (!adapter) return;
    mountDecisionRoutes(adapter.getInstance<FastifyInstance>(), this.credentials, this.decisions);
  }
}

export function mountDecisionRoutes(fastify: FastifyInstance, credentials: GatewayCredentials, decisions: TrafficDecisions): void {
  const authenticate = async (request: FastifyRequest, reply: FastifyReply): Promise<string | null> => {
    const check = await credentials.check(request.headers.authorization);
    if (check.ok) return check.account;
    void reply.code(check.status).send(check.status === 401 ? errorBody(401, 'Unauthenticated', 'UNAUTHENTICATED') : errorBody(403, 'Forbidden', 'FORBIDDEN'));
    return null;
  };
  const validatorCompiler = ({ schema }: { schema: object }) => ajv.compile(schema);

  fastify.route({
    method: 'POST',
    url: DECISION_PATH,
    schema: singleDecisionSchema,
    validatorCompiler,
    errorHandler: replyWithError,
    handler: async (request, reply) => {
      const account = await authenticate(request, reply);
      if (account === null) return reply;
      const answer = decisions.decide(account, request.body as DecisionRequest);
      answer.as_of = decisions.asOf();
      return answer;
    },
  });

  fastify.route({
    method: 'POST',
    url: BATCH_DECISION_PATH,
    schema: batchDecisionSchema,
    validatorCompiler,
    errorHandler: replyWithError,
    handler: async (request, reply) => {
      const account = await authenticate(request, reply);
      if (account === null) return reply;
      const now = decisions.now();
      const asOf = decisions.asOf();
      return { decisions: (request.body as { decisions: DecisionRequest[] }).decisions.map((item) => decisions.decide(account, item, now)), as_of: asOf };
    },
  });
}
