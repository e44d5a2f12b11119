import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions as HttpServerOptions, type ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type onResponseHookHandler, type RouteOptions } from 'fastify';
import { acceptJsonBodiesOnly } from './json-body-parser';
import { replyWithHouseError } from './hot-path-errors';

const hooksOf = <H>(hooks: H | H[] | undefined): H[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);

/** What one route of the hot path answered since the last scrape, for `as2_http_requests_total`. */
export interface HotPathCount {
  readonly method: string;
  readonly route: string;
  readonly statusCode: number;
  readonly count: number;
}

/**
 * Routes that must cost what a bare Fastify server costs (the gateway's per-message decisions): a second Fastify
 * instance served by the same HTTP server, without the app's per-request hooks (request ids, tracing, access log,
 * idempotency, Nest's middleware, CORS) and without a logger. The HTTP server hands it the method and exact paths
 * registered here once it is ready; every other request goes to the app as before. A route keeps its own JSON
 * Schema, error handler and the platform's JSON-only body parser; requests are counted per status in plain numbers
 * that /metrics adds to `as2_http_requests_total` when scraped.
 */
export class HotPathRoutes {
  readonly fastify: FastifyInstance;
  /** Exact path → methods served here. */
  private readonly paths = new Map<string, Set<string>>();
  /** route → method → status → requests not yet scraped (nested: no key is built per request). */
  private readonly counts = new Map<string, Map<string, Map<number, number>>>();
  private ready = false;

  constructor(bodyLimitBytes: number) {
    this.fastify = Fastify({ logger: false, bodyLimit: bodyLimitBytes });
    acceptJsonBodiesOnly(this.fastify, bodyLimitBytes);
    this.fastify.setErrorHandler(replyWithHouseError);
  }

  /** Registers a route at an exact path (no parameters; `::` is a literal colon, as in Fastify). */
  route(options: RouteOptions): void {
    if (this.ready) throw new Error(`hot-path route ${options.url} registered after the server started`);
    const path = options.url.replace(/::/g, ':');
    if (/:[^:]|[*?]/.test(options.url.replace(/::/g, ''))) throw new Error(`hot-path routes take exact paths only: ${options.url}`);
    this.fastify.route({ ...options, onResponse: [...hooksOf(options.onResponse), this.counter(options.url)] });
    const methods = this.paths.get(path) ?? new Set<string>();
    for (const method of Array.isArray(options.method) ? options.method : [options.method]) methods.add(method.toUpperCase());
    this.paths.set(path, methods);
  }

  /**
   * The route's own onResponse hook counting its answers per method and status: its map is found once, here (a
   * root-level hook would read `request.routeOptions`, a new object per request, to learn the route).
   */
  private counter(route: string): onResponseHookHandler {
    let methods = this.counts.get(route);
    if (!methods) this.counts.set(route, (methods = new Map()));
    const byMethod = methods;
    return (request, reply, done) => {
      let statuses = byMethod.get(request.method);
      if (!statuses) byMethod.set(request.method, (statuses = new Map()));
      statuses.set(reply.statusCode, (statuses.get(reply.statusCode) ?? 0) + 1);
      done();
    };
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

  handles(request: IncomingMessage): boolean {
    if (!this.ready) return false;
    const url = request.url ?? '';
    const query = url.indexOf('?');
    return this.paths.get(query === -1 ? url : url.slice(0, query))?.has(request.method ?? '') === true;
  }

  /** The requests answered since the last call, then forgotten. */
  drainCounts(): HotPathCount[] {
    const drained: HotPathCount[] = [];
    for (const [route, methods] of this.counts) {
      for (const [method, statuses] of methods) {
        for (const [statusCode, count] of statuses) if (count > 0) drained.push({ method, route, statusCode, count });
        statuses.clear();
      }
    }
    return drained;
  }

  /**
   * A Fastify `serverFactory`: the HTTP server Fastify would build (its http options and timeouts), whose requests
   * go to this instance when it serves their path and to the app's handler otherwise.
   */
  serverFactory(): (handler: RequestListener, options: FastifyServerOptions) => Server {
    return (handler, options) => {
      const hot = this.fastify;
      const server = createServer((options as { http?: HttpServerOptions }).http ?? {}, (request: IncomingMessage, response: ServerResponse) => {
        if (this.handles(request)) hot.routing(request, response);
        else handler(request, response);
      });
      if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
      if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
      if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
      if (options.maxRequestsPerSocket !== undefined && options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
      return server;
    };
  }
}
