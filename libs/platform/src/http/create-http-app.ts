import { randomUUID } from 'node:crypto';
import { Logger, Module, type DynamicModule, type Type } from '@nestjs/common';
import fastifyMultipart from '@fastify/multipart';
import { ModuleRef, NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { PlatformConfig } from '../config/platform-config';
import { PlatformModule, type PlatformAppOptions } from '../platform.module';
import { PlatformMetrics } from '../observability/platform-metrics';
import { CLOCK, currentLogContext, READ_MODEL_STORE, withLogContext, type Clock, type LogContext, type ReadModelStore } from '@as2-partners/kernel';
import { JwtVerifier } from '../auth/jwt-verifier';
import { authenticateBeforeBody, verifiedCallerOf } from '../auth/authenticate-before-body';
import { deletedTenantsIn } from '../auth/deleted-tenant.guard';
import { checkFingerprintKey, fingerprintKeyFrom } from '../idempotency/fingerprint-key';
import { checkModuleSettings } from '../config/module-settings';
import { registerIdempotencyHooks } from '../idempotency/idempotency-hooks';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { IDEMPOTENCY_KEYS_COLLECTION, IdempotencyKeys, type IdempotencyRecord } from '../idempotency/idempotency-keys';
import { answerClientError } from './client-error-answer';
import { acceptJsonBodiesOnly } from './json-body-parser';
import { MultipartWhereDeclaredInterceptor } from './multipart-where-declared.interceptor';
import { skipPassThroughInterceptors } from './pass-through-interceptors';
import { AfterStart } from './after-start';
import { HotPathRoutes, MAX_PARAM_LENGTH } from './hot-path-routes';
import type { DestinationStream } from 'pino';
import { createRootLogger } from '../logging/root-logger';
import { requestLogger } from '../logging/request-logger';
import { PlatformLogger } from '../logging/platform-logger';
import { callerOf } from '../auth/caller-of-request';
import { startRequestSpan, type RequestSpan } from '../tracing/tracing';
import { loggableUrl } from '../logging/loggable-url';

interface RequestWithSpan {
  span?: RequestSpan;
}

interface RequestWithLogContext {
  logContext?: LogContext;
}
import { corsOptionsFor, enableCors, readCorsOrigins } from './cors';
import { completeOpenApiDocument } from './openapi/complete-openapi-document';
import { OpenApiDocumentFiles } from './openapi/openapi-document-files';
import { OpenApiOperations } from './openapi/openapi-operations';
import { unmatchedRouteResponse } from './http-error.filter';
import { replyToFrameworkError, replyWithErrorResponse } from './hot-path-errors';
import { recordRouteMethods } from './route-methods';
import { CORRELATION_ID_HEADER, correlationIdFromHeader, requestIdsOf, type RequestIds, type RequestWithIds } from './request-ids';
import { isStoreOutage } from './store-outage';
import { startFailedWith, startSucceeded } from './failed-start';
import { NO_SNIFFING } from './no-sniffing';

export interface HttpAppOptions extends PlatformAppOptions {
  /** Default true; tests turn it off so each app does not add process signal listeners. */
  readonly shutdownHooks?: boolean;
  /** Shown in the OpenAPI document. */
  readonly title?: string;
  readonly version?: string;
  /** Where the JSON log lines go; default stdout. Tests pass a stream to read them. */
  readonly logDestination?: DestinationStream;
}

/** The largest file part a multipart request may carry; controllers apply tighter limits of their own. */
export const MULTIPART_FILE_LIMIT_BYTES = 1024 * 1024;
/** A claim not renewed for this long was left by a process that died: its retry takes the key over. */
export const IDEMPOTENCY_LEASE_MS = 15_000;

/** A named path parameter matched as '' (a trailing slash where an id belongs); a wildcard's rest (`*`) may be empty. */
function hasEmptyParameter(params: unknown): boolean {
  if (typeof params !== 'object' || params === null) return false;
  for (const key in params) if (key !== '*' && (params as Record<string, unknown>)[key] === '') return true;
  return false;
}

/**
 * The signals a stop closes the app on (requests being answered finish first). Not a fault's (SIGBUS, SIGSEGV, SIGILL,
 * SIGFPE, SIGABRT, SIGTRAP), which Nest's default list has: a handler that returns from a memory fault (a shared-memory
 * file of SQLite's truncated under the process) runs the faulting instruction again, forever, the process spinning with
 * its writer lock held; left alone the fault ends the process and its supervisor starts another.
 */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;

/**
 * Reads every setting the app's modules and its edge read beside the platform's config, throwing on the first bad one:
 * Nest builds providers in no order a module controls, and one generating a key file into DATA_DIR came before another
 * refusing a bad value. Opens, writes and generates nothing.
 */
export function checkAppSettings(rootModule: Type<unknown> | DynamicModule, config: PlatformConfig): void {
  checkModuleSettings(rootModule, config);
  checkFingerprintKey(config);
  readCorsOrigins(config.env);
}

/**
 * The HTTP application every deployable uses: Fastify, JSON bodies (multipart only where a controller reads parts), the platform edge (auth guard, validation pipe,
 * error filter, health), OpenAPI at /docs, one JSON log line per request. Initialised, not yet listening.
 */
export async function createHttpApp(
  rootModule: Type<unknown> | DynamicModule,
  config: PlatformConfig,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  checkAppSettings(rootModule, config);
  const corsOrigins = readCorsOrigins(config.env);
  // The hot-path routes (plain Fastify, none of the hooks below but CORS) share the app's HTTP server.
  const hotPath = new HotPathRoutes(config.bodyLimitBytes, corsOptionsFor(corsOrigins));
  @Module({ imports: [PlatformModule.forRoot(config, options, hotPath), rootModule] })
  class HttpApplicationModule {}

  const root = createRootLogger({ level: config.logLevel, service: options.kafkaClientId ?? 'as2-partners', destination: options.logDestination });
  const logger = new PlatformLogger(root);
  for (const warning of config.warnings) logger.warn(`WARNING: ${warning}`, 'Config');
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    maxParamLength: MAX_PARAM_LENGTH,
    // A client gets requestTimeoutMs for its headers and body, then 408 and the connection closed (Node's default is 300 s).
    requestTimeout: config.requestTimeoutMs,
    http: { headersTimeout: config.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs) },
    trustProxy: false,
    disableRequestLogging: true,
    // Fastify writes through the same pino logger as Nest and kafkajs: one JSON line format for the process.
    loggerInstance: root,
    // The request id is also the causation id of the events a request appends, so a UUID rather than fastify's counter.
    genReqId: () => randomUUID(),
    requestIdLogLabel: 'requestId',
    serverFactory: hotPath.serverFactory(),
    // A request Node's parser refuses (smuggling attempts, timeouts) is answered in the house error shape too.
    clientErrorHandler: (error, socket) => answerClientError(error, socket, (status) => hotPath.countEarlyRefusal('UNKNOWN', status)),
    // Errors fastify raises before routing (a URL that does not decode) never reach Nest's filter.
    frameworkErrors: replyToFrameworkError,
  });
  // pino's child for a request only once it writes a line (requestLogger); set before any route takes the factory in
  adapter.getInstance().setChildLoggerFactory(requestLogger);
  // abortOnError false: a failing provider (a bad setting) rejects here, for the caller to report, instead of exiting the process.
  const app = await NestFactory.create<NestFastifyApplication>(HttpApplicationModule, adapter, { bodyParser: false, logger, abortOnError: false }).catch(
    async (error: unknown) => {
      // Nest closes nothing it created before the failing provider: what the adapters opened is closed by their handlers.
      throw await startFailed(error, logger);
    },
  );

  const setUp = async (): Promise<void> => {
    const fastify = app.getHttpAdapter().getInstance();
    // In-process requests (inject) never reach the HTTP server: the hot-path routes that want them are handed them first.
    fastify.addHook('onRequest', (request, reply, done) => {
      if (hotPath.dispatchInProcess(request.raw, reply.raw)) reply.hijack();
      else done();
    });
    recordRouteMethods(fastify);
    enableCors(app, corsOrigins);
    acceptJsonBodiesOnly(fastify, config.bodyLimitBytes);
    // File uploads (certificates) read parts on demand in their controller; everything else stays JSON-only.
    await app.register(fastifyMultipart as never, { limits: { fileSize: MULTIPART_FILE_LIMIT_BYTES, files: 1, fields: 20, parts: 21, fieldSize: 64 * 1024 } });
    fastify.addHook('onRequest', async (request, reply) => {
      const span = startRequestSpan(request.method, request.headers);
      (request as RequestWithSpan).span = span;
      const ids: RequestIds = {
        correlationId: correlationIdFromHeader(request.headers[CORRELATION_ID_HEADER]),
        requestId: request.id,
        trace: { traceparent: span.trace.traceparent, traceId: span.trace.traceId, ...(span.trace.tracestate ? { tracestate: span.trace.tracestate } : {}) },
      };
      (request as RequestWithIds).ids = ids;
      reply.header(CORRELATION_ID_HEADER, ids.correlationId);
      reply.header(NO_SNIFFING[0], NO_SNIFFING[1]);
    });
    // Every line logged while a request runs (Nest's included) carries its ids; the auth guard adds the caller.
    fastify.addHook('onRequest', (request, _reply, done) => {
      const ids = requestIdsOf(request);
      const context: LogContext = { requestId: ids.requestId, correlationId: ids.correlationId, traceId: ids.trace?.traceId };
      (request as RequestWithLogContext).logContext = context;
      withLogContext(context, done);
    });
    // A request no route serves is 404 (405 on a path served with other methods) whatever it sent: answered on arrival,
    // before its body is read, as Nest's not-found handler would answer it after (malformed JSON, a body over the limit).
    fastify.addHook('onRequest', (request, reply, done) => {
      // An empty path parameter (`/v1/partners/`) names no resource either: no route's handler is asked for ''.
      if (!request.is404 && !hasEmptyParameter(request.params)) return done();
      replyWithErrorResponse(unmatchedRouteResponse(fastify, request.method, request.url), request, reply);
    });
    // Who calls, before what was sent: a secured route without a valid bearer token is 401 before its body is read.
    authenticateBeforeBody(fastify, app.get(JwtVerifier), deletedTenantsIn(app.get(ModuleRef)));
    // The body is read in the socket's async context: enter the request's again before the handler runs.
    fastify.addHook('preHandler', (request, _reply, done) => {
      const context = (request as RequestWithLogContext).logContext;
      if (!context || currentLogContext() === context) done();
      else withLogContext(context, done);
    });
    const readModels = app.get<ReadModelStore>(READ_MODEL_STORE);
    // Distributed, one key is the tenant's across every service (a key reused on another service's route is 422 too).
    const keysCollection = readModels.collectionSharedByServices?.<IdempotencyRecord>(IDEMPOTENCY_KEYS_COLLECTION, [['expiresAt']]) ?? readModels.collection<IdempotencyRecord>(IDEMPOTENCY_KEYS_COLLECTION, [['expiresAt']]);
    const idempotencyKeys = new IdempotencyKeys(keysCollection, {
      ttlMs: config.idempotencyTtlSeconds * 1000,
      leaseMs: IDEMPOTENCY_LEASE_MS,
      clock: app.get<Clock>(CLOCK),
      // At the end of the request's turn, not once the commit interval has passed: a keyed write waits for it twice.
      ...(readModels.committed ? { committed: () => (readModels.committed as NonNullable<typeof readModels.committed>)({ soon: true }) } : {}),
    });
    const idempotencyLogger = new Logger('Idempotency');
    registerIdempotencyHooks(fastify, idempotencyKeys, idempotencyLogger);
    // Before the idempotency interceptor: a body no route reads is refused before any key is claimed for it.
    app.useGlobalInterceptors(new MultipartWhereDeclaredInterceptor(app.get(Reflector), config.bodyLimitBytes));
    // An interceptor, not a Fastify hook: Nest runs it after every guard, so a stored answer is replayed only to a caller they let through.
    const fingerprintKey = fingerprintKeyFrom(config, { warn: (message) => idempotencyLogger.log(message), info: (message) => idempotencyLogger.debug(message) });
    app.useGlobalInterceptors(new IdempotencyInterceptor(idempotencyKeys, app.get(JwtVerifier), idempotencyLogger, config.bodyLimitBytes, fingerprintKey));
    // Neither has anything to do for most requests: those skip Nest's interceptor chain (see skipPassThroughInterceptors).
    skipPassThroughInterceptors();
    const metrics = app.get(PlatformMetrics);
    metrics.countRequestsFrom(() => hotPath.drainCounts());
    hotPath.timeAnswersWith(metrics.timeAnswer);
    // From the close's first step on, a new request is answered 503 in the house shape (not Fastify's own body).
    fastify.addHook('preClose', (done) => {
      hotPath.refuseFromNowOn();
      done();
    });
    fastify.addHook('onClose', async () => hotPath.close());
    fastify.addHook('onResponse', async (request, reply) => {
      // The route template keeps the label set bounded: ids in paths never become labels; unknown paths share one.
      // Fastify's `::` (a literal colon, `decisions:batch`) as the OpenAPI document names the path.
      const route = request.routeOptions.url?.replace(/::/g, ':') ?? 'unmatched';
      metrics.httpRequests.inc({ method: request.method, route, status_code: String(reply.statusCode) });
      (request as RequestWithSpan).span?.end(reply.statusCode, request.routeOptions.url);
      metrics.timeAnswer(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
      // Never the headers: the Authorization header must not reach the logs. The request id is in pino's bindings.
      // A caller refused 403 on arrival (authenticateBeforeBody) reached no guard: its verified token names it all the same.
      const caller = callerOf(request) ?? verifiedCallerOf(request) ?? null;
      request.log.info(
        {
          method: request.method,
          url: loggableUrl(request.url),
          route: request.routeOptions.url,
          statusCode: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime),
          correlationId: requestIdsOf(request).correlationId,
          traceId: requestIdsOf(request).trace?.traceId,
          ...(caller ? { account: caller.account, tenant: caller.tenant, user: caller.sub } : {}),
        },
        'request completed',
      );
    });

    const documentation = new OpenApiDocumentFiles(() =>
      completeOpenApiDocument(
        SwaggerModule.createDocument(
          app,
          new DocumentBuilder()
            .setTitle(options.title ?? 'as2-partners')
            .setVersion(options.version ?? '0.1.0')
            .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
            .addSecurityRequirements('bearer')
            .build(),
        ),
        // Routes mounted on Fastify beside Nest (the traffic decisions), which SwaggerModule does not see.
        app.get(OpenApiOperations).all(),
      ),
    );
    documentation.serveOn(app);
  };
  if (options.shutdownHooks !== false) app.enableShutdownHooks([...SHUTDOWN_SIGNALS]);
  try {
    // Set-up before init reads stores too (the idempotency keys' collection): a failure there is the start's as well.
    await setUp();
    await app.init();
    await hotPath.start();
  } catch (error) {
    // A store that failed the start (a corrupt read-model file) is told so: the next start can repair what it can.
    const failure = await startFailed(error, logger);
    // What was opened is closed (the event store's writer lock released): a caller may start again in this process.
    await app.close().catch(() => undefined);
    throw failure;
  }
  startSucceeded();
  // Head starts (the traffic refill, pre-joined bodies) run once the server has been quiet after the listen (AfterStart), not before them.
  app.get(AfterStart).begin();
  return app;
}

/**
 * A start that failed: what the adapters registered for it is told (a corrupt SQLite file marks the read-model file,
 * the connections opened for it are closed); one that failed on a store says so. The error to fail the start with: an
 * adapter's own account of it (a corrupt events.sqlite, named, that no restart repairs), else the error itself.
 */
async function startFailed(error: unknown, logger: { error(message: string): void }): Promise<unknown> {
  const explained = await startFailedWith(error);
  if (explained) return explained;
  if (isStoreOutage(error)) logger.error(`Start failed on a store: ${error instanceof Error ? error.message : String(error)}; a restart repairs a corrupt read-model file (set aside, rebuilt from the events)`);
  return error;
}
