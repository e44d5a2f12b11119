import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions as HttpServerOptions, type ServerResponse } from 'node:http';
import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors';
import { type FastifyInstance, type FastifyServerOptions, type onResponseHookHandler, type RouteOptions } from 'fastify';
import { corsHeadersFor, corsHeadersWithoutOrigin } from './cors';
import { FastLane, type FastLaneRoute } from './fast-lane';
import { acceptJsonBodiesOnly, jsonBodyTextParser } from './json-body-parser';
import { MALFORMED_URL_ANSWER, replyToFrameworkError, replyWithHouseError } from './hot-path-errors';
import { loadOwnFastify } from './own-fastify';
import { ClosingConnections } from './closing-connections';
import { RequestsInFlight } from './requests-in-flight';
import { answerExpectationsAndConnectInHouseShape } from './expect-and-connect';
import { ambiguityOf } from './ambiguous-request-head';
import { capBodyPieces } from './body-pieces';
import { failsIfMatch } from './conditional-requests';
import { contentCodingRefusalBody, hasUnsupportedContentCoding } from './content-coding';
import { transferCodingRefusalOf } from './transfer-coding';
import { malformedPartOf } from './malformed-url';
import { NO_SNIFFING } from './no-sniffing';
import { writeEarlyRefusal } from './early-refusal';
import { PipelinedRequests } from './pipelined-requests';

const hooksOf = <H>(hooks: H | H[] | undefined): H[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);

/** What one route of the hot path answered since the last scrape, for `as2_http_requests_total`. */
export interface HotPathCount {
  readonly method: string;
  readonly route: string;
  readonly statusCode: number;
  readonly count: number;
}

/** Told how long each answer of a hot-path route took (`route`: its template, `:` for a literal colon), for the latency histograms. */
export type TimeAnswer = (method: string, route: string, statusCode: number, seconds: number) => void;

export interface HotPathRouteOptions {
  /** Takes a request only when true (synchronous, on the raw request); otherwise the app answers it. */
  readonly when?: (request: IncomingMessage) => boolean;
  /** In-process requests (`app.inject`) are served here too: the app has a Nest route at the same path for the rest. */
  readonly inProcess?: boolean;
}

/**
 * The longest path parameter either Fastify instance routes (Fastify's default is 100): as long as Node's header limit
 * (16 KiB, the request line within it) lets one be, so any id reaches its route, which refuses it with the route's own
 * code (404 PARTNER_NOT_FOUND), not Fastify's bare 404 for no route.
 */
export const MAX_PARAM_LENGTH = 16 * 1024;

const IN_PROCESS = Symbol('hotPathInProcess');
type DispatchedRequest = IncomingMessage & { [IN_PROCESS]?: true };

/** A path with `:name` segments: null where any non-empty segment matches. */
interface PathPattern {
  readonly segments: readonly (string | null)[];
  readonly methods: ReadonlySet<string>;
  readonly when: ((request: IncomingMessage) => boolean) | undefined;
  readonly inProcess: boolean;
}

/**
 * Routes that must cost what a bare Fastify server costs (the gateway's per-message decisions): a second Fastify
 * instance served by the same HTTP server, without the app's per-request hooks (request ids, tracing, access log,
 * idempotency, Nest's middleware) and without a logger, with the app's CORS (the same @fastify/cors options). The HTTP server hands it the method and exact paths
 * registered here once it is ready; every other request goes to the app as before. A route keeps its own JSON
 * Schema, error handler and the platform's JSON-only body parser; requests are counted per status in plain numbers
 * that /metrics adds to `as2_http_requests_total` when scraped. A route may also have a fast lane (`fastLane`) that
 * answers, before this instance sees them, the requests its headers show it would answer with its handler.
 */
export class HotPathRoutes {
  readonly fastify: FastifyInstance;
  /** Exact path → methods served here. */
  private readonly paths = new Map<string, Set<string>>();
  /** The body limits of exact-path routes that set their own (`bodyLimit`), by `METHOD path`: their fast lanes keep them too. */
  private readonly bodyLimits = new Map<string, number>();
  /** Paths with parameters, tried in order after the exact paths. */
  private readonly patterns: PathPattern[] = [];
  /** route → method → status → requests not yet scraped (nested: no key is built per request). */
  private readonly counts = new Map<string, Map<string, Map<number, number>>>();
  /** Exact path → the fast lane of its route (tried before Fastify sees the request). */
  private readonly lanes = new Map<string, FastLane<unknown>>();
  /** The headers the CORS plugin adds to an answer to a request without an Origin, for the fast lanes; null without CORS. */
  private readonly corsHeaders: Readonly<Record<string, string>> | null;
  /** The app's CORS options (undefined: CORS is off), for the answers given before any route. */
  private readonly cors: FastifyCorsOptions | undefined;
  private ready = false;
  /** Set when the app begins to close: every request after it is refused with the house 503 (Fastify's own has its shape). */
  private closing = false;
  /** Ends the server's connections once it closes (set by the server factory). */
  private closeConnections: (() => void) | undefined;
  /** The server's connections and the requests they carry (set by the server factory). */
  private connections: ClosingConnections | undefined;
  /** The requests this server is answering, for background work that gives way to them. */
  readonly requests = new RequestsInFlight();
  /** Where each answer's duration goes (timeAnswersWith); none until the metrics are wired. */
  private timeAnswer: TimeAnswer | null = null;

  /** `cors`: the app's @fastify/cors options (corsOptionsFor), undefined when CORS is off. */
  constructor(
    private readonly bodyLimitBytes: number,
    cors?: FastifyCorsOptions,
  ) {
    // A Fastify of its own: the app's instance would otherwise teach the shared Fastify functions its objects' shapes.
    this.fastify = loadOwnFastify()({ logger: false, bodyLimit: bodyLimitBytes, maxParamLength: MAX_PARAM_LENGTH, frameworkErrors: replyToFrameworkError });
    acceptJsonBodiesOnly(this.fastify, bodyLimitBytes);
    this.fastify.setErrorHandler(replyWithHouseError);
    // In the reply's own headers (not the response's: a header set there first costs every writeHead its slow path).
    this.fastify.addHook('onRequest', (_request, reply, done) => {
      reply.header(NO_SNIFFING[0], NO_SNIFFING[1]);
      done();
    });
    // The routes beside Nest answer a browser as Nest's routes do (preflights never come here: OPTIONS is the app's).
    if (cors) void this.fastify.register(fastifyCors, cors);
    this.corsHeaders = cors ? corsHeadersWithoutOrigin(cors) : null;
    this.cors = cors;
  }

  /**
   * Registers a route at an exact path (`::` is a literal colon, as in Fastify), or at a path whose `:name` segments
   * each match one non-empty path segment. `options.when` (synchronous, on the raw request) takes a request only when
   * this route can answer it as the app would; the others go to the app.
   */
  route(routeOptions: RouteOptions, options: HotPathRouteOptions = {}): void {
    if (this.ready) throw new Error(`hot-path route ${routeOptions.url} registered after the server started`);
    const url = routeOptions.url;
    if (/[*?]/.test(url)) throw new Error(`hot-path routes take exact or :parameter paths only: ${url}`);
    this.fastify.route({ ...routeOptions, onResponse: [...hooksOf(routeOptions.onResponse), this.counter(url)] });
    const methods = (Array.isArray(routeOptions.method) ? routeOptions.method : [routeOptions.method]).map((method) => method.toUpperCase());
    const literal = url.replace(/::/g, '');
    // an exact path that takes only some requests is tried as a pattern of literal segments
    if (!/:/.test(literal) && options.when === undefined && options.inProcess !== true) {
      const path = url.replace(/::/g, ':');
      const served = this.paths.get(path) ?? new Set<string>();
      for (const method of methods) served.add(method);
      this.paths.set(path, served);
      if (routeOptions.bodyLimit !== undefined) for (const method of methods) this.bodyLimits.set(`${method} ${path}`, routeOptions.bodyLimit);
      return;
    }
    if (url.includes('::')) throw new Error(`hot-path routes with parameters or a condition take no literal colon: ${url}`);
    const segments = url.split('/').map((segment) => (segment.startsWith(':') ? null : segment));
    this.patterns.push({ segments, methods: new Set(methods), when: options.when, inProcess: options.inProcess === true });
  }

  /**
   * Answers the requests of a route registered here that `lane.admit` takes (and the lane's header rules allow)
   * without Fastify's request lifecycle, exactly as the route would (see FastLane); the route answers the rest.
   */
  fastLane<Caller>(lane: FastLaneRoute<Caller>): void {
    if (this.ready) throw new Error(`fast lane ${lane.url} registered after the server started`);
    const path = lane.url.replace(/::/g, ':');
    const method = lane.method.toUpperCase();
    if (this.paths.get(path)?.has(method) !== true) throw new Error(`a fast lane needs its exact-path route registered first: ${method} ${lane.url}`);
    if (this.lanes.has(path)) throw new Error(`one fast lane per path: ${lane.url}`);
    const statuses = this.statusesOf(lane.url, method);
    const route = labelOf(lane.url);
    const count = (status: number, seconds: number) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      this.timeAnswer?.(method, route, status, seconds);
    };
    this.lanes.set(path, new FastLane({ ...lane, method }, this.bodyLimits.get(`${method} ${path}`) ?? this.bodyLimitBytes, jsonBodyTextParser(this.fastify), count, this.corsHeaders) as FastLane<unknown>);
  }

  private statusesOf(route: string, method: string): Map<number, number> {
    let methods = this.counts.get(route);
    if (!methods) this.counts.set(route, (methods = new Map()));
    let statuses = methods.get(method);
    if (!statuses) methods.set(method, (statuses = new Map()));
    return statuses;
  }

  /**
   * The route's own onResponse hook counting its answers per method and status: its map is found once, here (a
   * root-level hook would read `request.routeOptions`, a new object per request, to learn the route). The app's own
   * onResponse hook counts what it handed over in-process.
   */
  private counter(route: string): onResponseHookHandler {
    let methods = this.counts.get(route);
    if (!methods) this.counts.set(route, (methods = new Map()));
    const byMethod = methods;
    const label = labelOf(route);
    return (request, reply, done) => {
      if ((request.raw as DispatchedRequest)[IN_PROCESS] === true) return done();
      let statuses = byMethod.get(request.method);
      if (!statuses) byMethod.set(request.method, (statuses = new Map()));
      statuses.set(reply.statusCode, (statuses.get(reply.statusCode) ?? 0) + 1);
      this.timeAnswer?.(request.method, label, reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
  }

  /**
   * An answer the server gave before any route (see {@link refuseEarly}, and the parser's refusals: their method unread,
   * `UNKNOWN`), counted as the app counts a request no route matched (`route="unmatched"`), so `/metrics` holds every answer.
   */
  countEarlyRefusal(method: string, status: number): void {
    const statuses = this.statusesOf(UNMATCHED_ROUTE, method);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    this.timeAnswer?.(method, UNMATCHED_ROUTE, status, 0);
  }

  /** Each answer's duration goes to `timeAnswer` from now on (the app's latency histograms; the counts stay drained at scrapes). */
  timeAnswersWith(timeAnswer: TimeAnswer): void {
    this.timeAnswer = timeAnswer;
  }

  /** Called once the app is initialised: from then on the server hands this instance its requests. */
  async start(): Promise<void> {
    await this.fastify.ready();
    this.ready = true;
  }

  async close(): Promise<void> {
    this.ready = false;
    await this.fastify.close();
  }

  /** True when a fast lane answers the request (see {@link fastLane}). */
  takesFast(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.ready || this.lanes.size === 0) return false;
    const lane = this.lanes.get(request.url ?? '');
    return lane !== undefined && lane.take(request, response);
  }

  handles(request: IncomingMessage): boolean {
    if (!this.ready) return false;
    const url = request.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (this.paths.get(path)?.has(request.method ?? '') === true) return true;
    return this.patterns.length > 0 && this.patternFor(request, path) !== undefined;
  }

  /**
   * For the app's own Fastify: serves an in-process request (`app.inject`, which never reaches the HTTP server) here
   * when a route registered with `inProcess` takes it, so in-process tests exercise the route sockets reach.
   */
  dispatchInProcess(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.ready || this.patterns.length === 0) return false;
    const url = request.url ?? '';
    const query = url.indexOf('?');
    if (this.patternFor(request, query === -1 ? url : url.slice(0, query))?.inProcess !== true) return false;
    (request as DispatchedRequest)[IN_PROCESS] = true;
    this.fastify.routing(request, response);
    return true;
  }

  private patternFor(request: IncomingMessage, path: string): PathPattern | undefined {
    const method = request.method ?? '';
    let parts: string[] | undefined;
    for (const pattern of this.patterns) {
      if (!pattern.methods.has(method)) continue;
      parts ??= path.split('/');
      if (parts.length !== pattern.segments.length) continue;
      let matches = true;
      for (let i = 0; i < parts.length && matches; i += 1) {
        const literal = pattern.segments[i];
        matches = literal === null ? (parts[i] as string).length > 0 && (parts[i] as string).length <= MAX_PARAM_LENGTH : parts[i] === literal;
      }
      if (matches && (pattern.when === undefined || pattern.when(request))) return pattern;
    }
    return undefined;
  }

  /** The requests answered since the last call, then forgotten. */
  drainCounts(): HotPathCount[] {
    const drained: HotPathCount[] = [];
    for (const [route, methods] of this.counts) {
      for (const [method, statuses] of methods) {
        for (const [statusCode, count] of statuses) if (count > 0) drained.push({ method, route: labelOf(route), statusCode, count });
        statuses.clear();
      }
    }
    return drained;
  }

  /** The app began to close (Fastify's preClose): requests from now on are answered 503 in the house shape, their connection closed. */
  refuseFromNowOn(): void {
    if (this.closing) return;
    this.closing = true;
    this.closeConnections?.();
  }

  /**
   * The app begins to stop, before anything that answers a request does (the followers a write's answer waits for, the
   * stores): new requests are refused from now on, and this resolves once those being answered are (or after `maxMs`).
   */
  async stopTakingRequests(maxMs: number): Promise<void> {
    this.refuseFromNowOn();
    await this.connections?.answered(maxMs);
  }

  /**
   * A Fastify `serverFactory`: the HTTP server Fastify would build (its http options and timeouts), whose requests
   * go to this instance when it serves their path and to the app's handler otherwise.
   */
  serverFactory(): (handler: RequestListener, options: FastifyServerOptions) => Server {
    return (handler, options) => {
      const hot = this.fastify;
      const requests = this.requests;
      // Node's own refusal of an HTTP/1.1 request without Host is a bare 400 with no body: refused below in the house shape.
      const http: HttpServerOptions = { ...((options as { http?: HttpServerOptions }).http ?? {}), requireHostHeader: false };
      const pipelined = new PipelinedRequests();
      const answer = (request: IncomingMessage, response: ServerResponse): void => {
        connections.began(response);
        const refused = refuseEarly(request, response, this.closing, this.cors);
        if (refused !== null) return this.countEarlyRefusal(request.method ?? 'GET', refused);
        capBodyPieces(request, response, () => corsOf(request, this.cors));
        requests.began(response);
        if (this.takesFast(request, response)) return;
        if (this.handles(request)) hot.routing(request, response);
        else handler(request, response);
      };
      const server = createServer(http, (request: IncomingMessage, response: ServerResponse) => pipelined.admit(request, response, answer));
      // Every header is read, bounded by the head's 16 KiB: Node keeps the first 2,000 by default and drops the rest
      // unseen, so an Authorization or Host given twice past them, an If-Match or a Content-Encoding went unchecked.
      server.maxHeadersCount = 0;
      if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
      if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
      if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
      if (options.maxRequestsPerSocket !== undefined && options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
      answerExpectationsAndConnectInHouseShape(server, (method, status) => this.countEarlyRefusal(method, status));
      const connections = new ClosingConnections(server);
      this.connections = connections;
      const requestTimeoutMs = server.requestTimeout > 0 ? server.requestTimeout : NODE_REQUEST_TIMEOUT_MS;
      // A client that stops taking its answer gets as long as one has to send its request, then is closed.
      const stalledReaders = setInterval(() => connections.dropStalledReaders(requestTimeoutMs), Math.max(100, Math.min(5000, requestTimeoutMs / 4)));
      stalledReaders.unref();
      server.once('close', () => clearInterval(stalledReaders));
      this.closeConnections = () => connections.closeWithin(requestTimeoutMs);
      return server;
    };
  }
}

/** The route label of an answer no route gave (the app's onResponse hook names an unmatched request so too). */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * The answers the server gives before any route, or null when the request goes on to one: a closing server 503, no
 * Host 400, an ambiguous head 400, a transfer coding besides chunked 501 (or not ending in it 400), a content coding 415 (their connections closed after them, but Host's), a path or
 * a query string that does not decode 400 and an If-Match that cannot hold 412 (their bytes were framed: the connection goes
 * on after them). Returns the status written. The last three carry the CORS headers of the request's origin, as a
 * route's refusal does, so a browser's page reads why (the others are answers to no page's request).
 */
function refuseEarly(request: IncomingMessage, response: ServerResponse, closing: boolean, cors: FastifyCorsOptions | undefined): number | null {
  if (closing) return refuseWhileClosing(response);
  if (lacksHost(request)) return refuseWithoutHost(response);
  const ambiguity = ambiguityOf(request);
  if (ambiguity !== null) return refuseAmbiguous(response, ambiguity);
  const malformed = malformedPartOf(request.url);
  // A CORS preflight (any OPTIONS) is the app's to answer: its own request is sound, the one it asks about is refused
  // then. A path no route can match is refused for every method alike.
  if (request.method === 'OPTIONS') return malformed === 'path' ? writeEarlyRefusal(response, 400, MALFORMED_PATH_BODY, corsOf(request, cors)) : null;
  const transferCoding = transferCodingRefusalOf(request);
  if (transferCoding !== null) return writeEarlyRefusal(response, transferCoding.status, transferCoding.body, { ...corsOf(request, cors), connection: 'close' });
  if (hasUnsupportedContentCoding(request)) return refuseContentCoding(request, response, corsOf(request, cors));
  if (malformed !== null) return writeEarlyRefusal(response, 400, malformed === 'path' ? MALFORMED_PATH_BODY : MALFORMED_QUERY_BODY, corsOf(request, cors));
  if (failsIfMatch(request)) return writeEarlyRefusal(response, 412, IF_MATCH_FAILED_BODY, corsOf(request, cors));
  return null;
}

/** A browser reads a refusal as it reads a route's: with the CORS headers its origin gets (none without CORS). */
function corsOf(request: IncomingMessage, cors: FastifyCorsOptions | undefined): Readonly<Record<string, string>> {
  if (!cors) return {};
  const origin = request.headers.origin;
  // A repeated or empty Origin names none.
  return corsHeadersFor(cors, typeof origin === 'string' && origin.length > 0 ? origin : undefined);
}

/** A route's template as its metrics and OpenAPI name it: Fastify's `::` (a literal colon) as `:`. */
const labelOf = (url: string): string => url.replace(/::/g, ':');

/** Node's own default `requestTimeout`, for a server that disabled it (0): a closing server still stops waiting. */
const NODE_REQUEST_TIMEOUT_MS = 300_000;

const CLOSING_BODY = JSON.stringify({ message: 'Service unavailable.', error: { type: 'api_error', code: 'SERVICE_UNAVAILABLE' } });

const NO_HOST_BODY = JSON.stringify({ message: 'An HTTP/1.1 request needs a Host header', error: { type: 'invalid_request_error', code: 'BAD_REQUEST' } });

/** HTTP/1.1 makes Host mandatory (RFC 9112, 3.2): without one the request is refused, as Node's parser would. */
function lacksHost(request: IncomingMessage): boolean {
  return request.headers.host === undefined && request.httpVersionMajor === 1 && request.httpVersionMinor === 1;
}

/** A request whose head two parties could read two ways: 400 in the house error shape, and the connection closed after it. */
function refuseAmbiguous(response: ServerResponse, message: string): number {
  return writeEarlyRefusal(response, 400, JSON.stringify({ message, error: { type: 'invalid_request_error', code: 'BAD_REQUEST' } }), { connection: 'close' });
}

/**
 * A body in a content coding this API does not decode: 415 in the house shape, naming the one it takes (RFC 7694 §3),
 * and the connection closed after it rather than its body read to the end.
 */
function refuseContentCoding(request: IncomingMessage, response: ServerResponse, cors: Readonly<Record<string, string>>): number {
  return writeEarlyRefusal(response, 415, contentCodingRefusalBody(request), { ...cors, 'accept-encoding': 'identity', connection: 'close' });
}

const MALFORMED_PATH_BODY = JSON.stringify(MALFORMED_URL_ANSWER);

const MALFORMED_QUERY_BODY = JSON.stringify({ message: 'Malformed URL: the query string has an invalid percent-encoding', error: { type: 'invalid_request_error', code: 'MALFORMED_URL' } });

const IF_MATCH_FAILED_BODY = JSON.stringify({
  message: 'If-Match names an entity tag, and no answer of this API carries one: only If-Match: * can hold',
  error: { type: 'invalid_request_error', code: 'PRECONDITION_FAILED' },
});

/** An HTTP/1.1 request without Host: 400 in the house error shape. Its bytes were framed, so the connection goes on. */
function refuseWithoutHost(response: ServerResponse): number {
  return writeEarlyRefusal(response, 400, NO_HOST_BODY);
}

/** A request that arrives while the server closes: 503, the house error body, and the connection closed after it. */
function refuseWhileClosing(response: ServerResponse): number {
  return writeEarlyRefusal(response, 503, CLOSING_BODY, { connection: 'close', 'retry-after': '1' });
}
