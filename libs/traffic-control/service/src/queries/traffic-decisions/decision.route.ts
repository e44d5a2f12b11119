import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import Ajv, { type ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { CORRELATION_ID_HEADER, correlationIdFromHeader, errorTypeOf, HotPathRoutes, replyWithHouseError } from '@as2-partners/platform';
import { batchDecisionSchema, singleDecisionSchema, type DecisionRequest } from './decision.schemas';
import type { GatewayCheck, GatewayCredentials } from './gateway-credentials';
import type { TrafficDecisions } from './traffic-decisions';

export const GATEWAY_CREDENTIALS = Symbol('GatewayCredentials');
export const TRAFFIC_DECISIONS = Symbol('TrafficDecisions');

export const DECISION_PATH = '/v1/traffic/decisions';
/** Fastify reads a single colon as a path parameter: `::` is the literal colon of `decisions:batch`. */
export const BATCH_DECISION_PATH = '/v1/traffic/decisions::batch';

// Strict: no type coercion, unknown fields refused (Fastify's default AJV coerces and strips silently).
const ajv = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: true });

/** Compiles the schema at its first request, not at start (~0.1 s of a start's CPU); Fastify reads `errors` off the validator. */
function compiledOnFirstUse(schema: object): ValidateFunction {
  let compiled: ValidateFunction | null = null;
  const validate = ((data: unknown) => {
    compiled ??= ajv.compile(schema);
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  }) as ValidateFunction;
  return validate;
}

function errorBody(status: number, message: string, code: string) {
  return { message, error: { type: errorTypeOf(status), code } };
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
    @Optional() private readonly hotPath?: HotPathRoutes,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    // One-shot commands (read-model rebuilds) run without an HTTP server.
    if (!adapter) return;
    // Sockets reach the hot-path instance (none of the app's per-request hooks); the app's own Fastify keeps the same
    // routes for in-process requests (inject) and the route table.
    const routes = decisionRoutes(this.credentials, this.decisions);
    const fastify = adapter.getInstance<FastifyInstance>();
    for (const route of routes) fastify.route(route);
    if (this.hotPath) for (const route of routes) this.hotPath.route(route);
  }
}

const batchAnswerText = (answer: unknown): string => JSON.stringify(answer);

const WWW_AUTHENTICATE = 'Bearer realm="as2-partners"';

function refuse(reply: FastifyReply, status: 401 | 403): void {
  if (status === 401) void reply.code(401).header('WWW-Authenticate', WWW_AUTHENTICATE).send(errorBody(401, 'Unauthenticated', 'UNAUTHENTICATED'));
  else void reply.code(403).send(errorBody(403, 'Forbidden', 'FORBIDDEN'));
}

/** What the onRequest check found, read by the handler (the body is validated in between). */
interface CheckedRequest extends FastifyRequest {
  /** The gateway credential: its account, and its tenant claim (that tenant's and the account's partners only; null: account-wide). */
  gateway?: { readonly account: string; readonly tenant: string | null };
  decidedAt?: number;
}

function settle(request: CheckedRequest, reply: FastifyReply, done: (error?: Error) => void, check: GatewayCheck, now: number): void {
  if (!check.ok) return refuse(reply, check.status);
  request.gateway = check;
  request.decidedAt = now;
  done();
}

/**
 * The two decision routes. A token already verified is checked synchronously (one map lookup) in the onRequest hook, so
 * the usual request runs without a promise of its own; the first sight of a token verifies it asynchronously.
 */
export function decisionRoutes(credentials: GatewayCredentials, decisions: TrafficDecisions): RouteOptions[] {
  const validatorCompiler = ({ schema }: { schema: object }) => compiledOnFirstUse(schema);
  const answerOne = (request: FastifyRequest, reply: FastifyReply, account: string, tenant: string | null, now: number): void => {
    const answer = decisions.decide(account, tenant, request.body as DecisionRequest, now);
    answer.as_of = decisions.asOf();
    void reply.header(CORRELATION_ID_HEADER, correlationIdFromHeader(request.headers[CORRELATION_ID_HEADER])).send(answer);
  };
  const answerBatch = (request: FastifyRequest, reply: FastifyReply, account: string, tenant: string | null, now: number): void => {
    const text = decisions.decideAllAsJson(account, tenant, (request.body as { decisions: DecisionRequest[] }).decisions, now);
    // JSON text already: a string with a JSON content type is sent as it is (no serializer).
    void reply.header(CORRELATION_ID_HEADER, correlationIdFromHeader(request.headers[CORRELATION_ID_HEADER])).type('application/json; charset=utf-8').send(text);
  };
  // The credential is checked on request, before the body is parsed or validated: a caller without a valid gateway
  // token learns nothing about the body rules (401/403 whatever it sent).
  const authenticate = (request: CheckedRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    // One clock reading per request, for the token's expiry and the decision alike.
    const now = decisions.now();
    const cached = credentials.checkCached(request.headers.authorization, now);
    if (cached) return settle(request, reply, done, cached, now);
    credentials.check(request.headers.authorization).then(
      (check) => settle(request, reply, done, check, now),
      (error: Error) => done(error),
    );
  };
  const authenticated =
    (answer: (request: FastifyRequest, reply: FastifyReply, account: string, tenant: string | null, now: number) => void) =>
    (request: CheckedRequest, reply: FastifyReply): void => {
      const gateway = request.gateway as NonNullable<CheckedRequest['gateway']>;
      answer(request, reply, gateway.account, gateway.tenant, request.decidedAt as number);
    };
  return [
    { method: 'POST', url: DECISION_PATH, schema: singleDecisionSchema, validatorCompiler, errorHandler: replyWithHouseError, onRequest: authenticate, handler: authenticated(answerOne) },
    {
      method: 'POST',
      url: BATCH_DECISION_PATH,
      schema: batchDecisionSchema,
      validatorCompiler,
      // A thousand answers built field by field above (nothing else to strip): V8's JSON.stringify writes them ~1.5×
      // faster than the schema-compiled serializer, which wins only on the single answer.
      serializerCompiler: () => batchAnswerText,
      errorHandler: replyWithHouseError,
      onRequest: authenticate,
      handler: authenticated(answerBatch),
    },
  ];
}
