import { ForbiddenException, Inject, Injectable, Optional, UnauthorizedException, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import Ajv, { type ValidateFunction } from 'ajv';
import fastJson from 'fast-json-stringify';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import {
  AfterStart,
  CORRELATION_ID_HEADER,
  correlationIdFromHeader,
  HotPathRoutes,
  DELETED_TENANT_REFUSAL,
  logRefusedCaller,
  logRefusedToken,
  PlatformMetrics,
  replyWithAppError,
  replyWithHouseError,
  tenantDeletedError,
  type FastLaneRoute,
} from '@as2-partners/platform';
import { ALL_ACCOUNTS } from '@as2-partners/traffic-control-domain';
import { BATCH_DECISIONS_BODY_LIMIT_BYTES, batchDecisionSchema, singleDecisionSchema, type DecisionRequest } from './decision.schemas';
import type { GatewayCheck, GatewayCredentials } from './gateway-credentials';
import type { TrafficDecisions } from './traffic-decisions';

export const GATEWAY_CREDENTIALS = Symbol('GatewayCredentials');
export const TRAFFIC_DECISIONS = Symbol('TrafficDecisions');

export const DECISION_PATH = '/v1/traffic/decisions';
/** Fastify reads a single colon as a path parameter: `::` is the literal colon of `decisions:batch`. */
export const BATCH_DECISION_PATH = '/v1/traffic/decisions::batch';

// Strict: no type coercion, unknown fields refused (Fastify's default AJV coerces and strips silently).
const ajv = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: true });

/** A function compiled at its first use or by `compile()`, whichever comes first. */
type CompiledOnFirstUse<F> = F & { readonly compile: () => void };

/**
 * Compiles the schema at its first request or after start (AfterStart), not during the start (~0.1 s of a start's
 * CPU, and ~50 ms in the turn of the first request otherwise); Fastify reads `errors` off the validator.
 */
function compiledOnFirstUse(schema: object): CompiledOnFirstUse<ValidateFunction> {
  let compiled: ValidateFunction | null = null;
  const compile = () => void (compiled ??= ajv.compile(schema));
  const validate = ((data: unknown) => {
    compiled ??= ajv.compile(schema);
    // No body at all, or a blank one, is an empty one, as on the app's other routes: 422 naming the required fields
    // (the routes' preValidation gives Fastify's validation `{}` for it too, which would hand it null).
    const valid = compiled(data === undefined ? {} : data);
    validate.errors = compiled.errors;
    return valid;
  }) as CompiledOnFirstUse<ValidateFunction>;
  return Object.assign(validate, { compile });
}

/** Fastify's serializer of a response schema (the same library and options), compiled at its first answer or by `compile()`. */
function serializerOnFirstUse(schema: object): CompiledOnFirstUse<(answer: unknown) => string> {
  let compiled: ((answer: unknown) => string) | null = null;
  const compile = () => (compiled ??= fastJson(schema as Parameters<typeof fastJson>[0]) as (answer: unknown) => string);
  return Object.assign((answer: unknown) => compile()(answer), { compile: () => void compile() });
}

/**
 * The gateway's hot path as plain Fastify routes beside Nest (Nest's pipeline costs about 3× on a handler this small):
 * JSON Schema validation, a compiled serializer, the gateway JWT checked against a cache of verified tokens, and
 * the answer from memory. Same rules as the Nest routes: bearer JWT required, role `gateway`, house error shapes.
 * Over a socket, a request with a remembered gateway token and a plain JSON body takes the hot path's fast lane: the
 * same validator, decision and serializer without Fastify's request lifecycle, which cost ~5 of the ~29 µs CPU a bare
 * Fastify route takes per request here, the single route's last gap to 0.8× of one (docs/benchmarks.md, "Fast lane").
 */
@Injectable()
export class DecisionRoute implements OnModuleInit {
  private readonly routing: DecisionRouting;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(GATEWAY_CREDENTIALS) credentials: GatewayCredentials,
    @Inject(TRAFFIC_DECISIONS) decisions: TrafficDecisions,
    @Optional() private readonly hotPath?: HotPathRoutes,
    @Optional() afterStart?: AfterStart,
    @Optional() metrics?: PlatformMetrics,
  ) {
    // Their answers' durations, wherever they are answered (fast lane, hot path, in-process), as decision latencies too.
    metrics?.timeDecisionsAt(DECISION_PATH, 'single');
    metrics?.timeDecisionsAt(BATCH_DECISION_PATH.replace('::', ':'), 'batch');
    this.routing = decisionRouting(credentials, decisions);
    // Compiled after start, a turn each, before the first request needs them (not in its turn): registered here, before
    // any module's init registers its own after-start work, so they come before the directory's refill decisions wait for.
    this.routing.compilers.forEach((compile, i) => afterStart?.register(`compiling the decision routes' schemas (${i + 1})`, compile, { first: true }));
  }

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    // One-shot commands (read-model rebuilds) run without an HTTP server.
    if (!adapter) return;
    // Sockets reach the hot-path instance (none of the app's per-request hooks); the app's own Fastify keeps the same
    // routes for in-process requests (inject) and the route table.
    const { routes, lanes } = this.routing;
    const fastify = adapter.getInstance<FastifyInstance>();
    for (const route of routes) fastify.route(route);
    if (!this.hotPath) return;
    for (const route of routes) this.hotPath.route(route);
    for (const lane of lanes) this.hotPath.fastLane(lane);
  }
}

/** The batch's answer is its JSON text already: written as it is. */
const batchAnswerText = (text: unknown): string => text as string;

/** A request without a body (or a blank one) is validated as an empty object, as the fast lane's validator takes it. */
function noBodyIsEmpty(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  if (request.body === undefined) request.body = {};
  done();
}

/** What the onRequest check found, read by the handler (the body is validated in between). */
interface CheckedRequest extends FastifyRequest {
  /** The gateway credential: its account, and its tenant claim (that tenant's and the account's partners only; null: account-wide). */
  gateway?: { readonly account: string; readonly tenant: string | null };
  decidedAt?: number;
}

/**
 * A verified credential whose tenant claim names a deleted tenant: every route refuses it (the app's DeletedTenantGuard),
 * before its roles are looked at, as Nest's routes do.
 */
function claimsDeletedTenant(check: GatewayCheck, decisions: TrafficDecisions): check is Extract<GatewayCheck, { account: string }> & { readonly tenant: string } {
  return 'account' in check && check.tenant !== null && check.account !== ALL_ACCOUNTS && decisions.isTenantDeleted(check.account, check.tenant);
}

/** A refused credential is answered as Nest's guards' refusals are (the house error answer: its body, challenge and correlation id). */
function settle(request: CheckedRequest, reply: FastifyReply, done: (error?: Error) => void, check: GatewayCheck, now: number, decisions: TrafficDecisions): void {
  if (!check.ok && check.status === 401) {
    logRefusedToken(check.reason, request);
    return replyWithAppError(new UnauthorizedException(), request, reply);
  }
  if (claimsDeletedTenant(check, decisions)) {
    logRefusedCaller(DELETED_TENANT_REFUSAL, check, request);
    return replyWithAppError(tenantDeletedError(check.tenant), request, reply);
  }
  if (!check.ok) {
    logRefusedCaller('the token lacks the gateway role', check, request);
    return replyWithAppError(new ForbiddenException(), request, reply);
  }
  request.gateway = check;
  request.decidedAt = now;
  done();
}

/** A request the fast lane takes: its gateway credential and the clock reading its decision uses. */
interface LaneCaller {
  readonly account: string;
  readonly tenant: string | null;
  readonly now: number;
}

/** The two decision routes (for any Fastify instance) and their fast lanes (for the hot-path one's HTTP server). */
export interface DecisionRouting {
  readonly routes: RouteOptions[];
  readonly lanes: FastLaneRoute<LaneCaller>[];
  /** The routes' validators and serializer, each compiled by its own call (one per turn after start). */
  readonly compilers: readonly (() => void)[];
}

/**
 * The two decision routes. A token already verified is checked synchronously (one map lookup) in the onRequest hook, so
 * the usual request runs without a promise of its own; the first sight of a token verifies it asynchronously. Each
 * route's fast lane validates, decides and serializes with the route's very functions, and takes only requests whose
 * token is remembered as a gateway's (the route's refusals, and a token's first sight, stay the route's).
 */
export function decisionRouting(credentials: GatewayCredentials, decisions: TrafficDecisions): DecisionRouting {
  const validateOne = compiledOnFirstUse(singleDecisionSchema.body);
  const validateBatch = compiledOnFirstUse(batchDecisionSchema.body);
  const serializeOne = serializerOnFirstUse(singleDecisionSchema.response[200]);
  const decideOne = (body: unknown, account: string, tenant: string | null, now: number): unknown => {
    const answer = decisions.decide(account, tenant, body as DecisionRequest, now);
    answer.as_of = decisions.asOf();
    return answer;
  };
  // The batch's answer is JSON text already (the decisions written as they are decided).
  const decideBatch = (body: unknown, account: string, tenant: string | null, now: number): string =>
    decisions.decideAllAsJson(account, tenant, (body as { decisions: DecisionRequest[] }).decisions, now);
  // While the directory is refilled after a restart: the same answers, once the pair's partners are brought in.
  const decideOneWhileFilling = async (body: unknown, account: string, tenant: string | null): Promise<unknown> => {
    const answer = await decisions.decideWhileFilling(account, tenant, body as DecisionRequest);
    answer.as_of = decisions.asOf();
    return answer;
  };
  const decideBatchWhileFilling = (body: unknown, account: string, tenant: string | null): Promise<string> =>
    decisions.decideAllAsJsonWhileFilling(account, tenant, (body as { decisions: DecisionRequest[] }).decisions);
  // `contentType`: for an answer that is JSON text already (Fastify would call a string text/plain).
  const answerWith =
    (decide: typeof decideOne, decideWhileFilling: typeof decideOneWhileFilling, contentType?: string) =>
    (request: FastifyRequest, reply: FastifyReply, account: string, tenant: string | null, now: number): void | Promise<void> => {
      void reply.header(CORRELATION_ID_HEADER, correlationIdFromHeader(request.headers[CORRELATION_ID_HEADER]));
      if (contentType !== undefined) void reply.type(contentType);
      // the promise settles once the answer is sent (undefined: Fastify sends nothing more)
      if (!decisions.filled) return decideWhileFilling(request.body, account, tenant).then((answer) => void reply.send(answer));
      void reply.send(decide(request.body, account, tenant, now));
    };
  // The credential is checked on request, before the body is parsed or validated: a caller without a valid gateway
  // token learns nothing about the body rules (401/403 whatever it sent).
  const authenticate = (request: CheckedRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    // After a restart, a request waits until the directory's refill holds every fact but the partners (a deleted
    // tenant's among them); the handler then brings in its pair's partners: never a decision from part of them.
    if (!decisions.pairsAnswerable) {
      decisions.whenPairsAnswerable().then(() => authenticate(request, reply, done), done);
      return;
    }
    // One clock reading per request, for the token's expiry and the decision alike.
    const now = decisions.now();
    const cached = credentials.checkCached(request.headers.authorization, now);
    if (cached) return settle(request, reply, done, cached, now, decisions);
    credentials.check(request.headers.authorization).then(
      (check) => settle(request, reply, done, check, now, decisions),
      (error: Error) => done(error),
    );
  };
  const authenticated =
    (answer: (request: FastifyRequest, reply: FastifyReply, account: string, tenant: string | null, now: number) => void | Promise<void>) =>
    (request: CheckedRequest, reply: FastifyReply): void | Promise<void> => {
      const gateway = request.gateway as NonNullable<CheckedRequest['gateway']>;
      return answer(request, reply, gateway.account, gateway.tenant, request.decidedAt as number);
    };
  // A remembered gateway token only: no token, a refused one and a token not seen yet are the route's to answer.
  const admit = (request: IncomingMessage): LaneCaller | undefined => {
    // The route waits for a directory being refilled; the lane never does.
    if (!decisions.filled) return undefined;
    const now = decisions.now();
    const check = credentials.checkCached(request.headers.authorization, now);
    return check?.ok === true && !claimsDeletedTenant(check, decisions) ? { account: check.account, tenant: check.tenant, now } : undefined;
  };
  const laneAnswer = (decide: typeof decideOne) => (body: unknown, caller: LaneCaller) => decide(body, caller.account, caller.tenant, caller.now);
  const routes: RouteOptions[] = [
    {
      method: 'POST',
      url: DECISION_PATH,
      schema: singleDecisionSchema,
      validatorCompiler: () => validateOne,
      serializerCompiler: () => serializeOne,
      errorHandler: replyWithHouseError,
      onRequest: authenticate,
      preValidation: noBodyIsEmpty,
      handler: authenticated(answerWith(decideOne, decideOneWhileFilling)),
    },
    {
      method: 'POST',
      url: BATCH_DECISION_PATH,
      bodyLimit: BATCH_DECISIONS_BODY_LIMIT_BYTES,
      schema: batchDecisionSchema,
      validatorCompiler: () => validateBatch,
      // A string with a JSON content type is sent as it is (no serializer runs).
      serializerCompiler: () => batchAnswerText,
      errorHandler: replyWithHouseError,
      onRequest: authenticate,
      preValidation: noBodyIsEmpty,
      handler: authenticated(answerWith(decideBatch, decideBatchWhileFilling, 'application/json; charset=utf-8')),
    },
  ];
  const lanes: FastLaneRoute<LaneCaller>[] = [
    { method: 'POST', url: DECISION_PATH, admit, validate: validateOne, answer: laneAnswer(decideOne), serialize: serializeOne },
    { method: 'POST', url: BATCH_DECISION_PATH, admit, validate: validateBatch, answer: laneAnswer(decideBatch), serialize: batchAnswerText },
  ];
  return { routes, lanes, compilers: [validateOne.compile, validateBatch.compile, serializeOne.compile] };
}
