import type { FastifyCorsOptions } from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { readString, type Environment } from '../config/environment-variables';
import { InvalidConfigurationError } from '../config/invalid-configuration.error';
import { unmatchedRouteResponse } from './http-error.filter';
import { NO_SNIFFING } from './no-sniffing';
import { CORRELATION_ID_HEADER, requestIdsOf } from './request-ids';

/** How long a browser may cache a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * `CORS_ORIGINS`: the browser origins allowed to call the API (`https://app.example.com,https://admin.example.com`,
 * or `*`); unset or empty: no CORS headers, browsers keep the same-origin rule.
 */
export function readCorsOrigins(env: Environment): readonly string[] {
  const raw = readString(env, 'CORS_ORIGINS') ?? '';
  const origins = raw.split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0);
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    // An origin is scheme://host[:port] and nothing else: a path or a trailing slash would never match a browser's Origin header.
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.origin !== origin) {
      throw new InvalidConfigurationError('CORS_ORIGINS', `must be a comma list of origins like https://app.example.com (or *), got "${origin}"`);
    }
  }
  if (origins.includes('*') && origins.length > 1) throw new InvalidConfigurationError('CORS_ORIGINS', 'is either * or a list of origins, not both');
  return origins;
}

/**
 * The @fastify/cors options for the configured origins (undefined: no CORS), for Nest's routes and the routes beside
 * them alike: preflights answered, bearer tokens, so no credentials (cookies).
 */
export function corsOptionsFor(origins: readonly string[]): FastifyCorsOptions | undefined {
  if (origins.length === 0) return undefined;
  return {
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', CORRELATION_ID_HEADER, 'Idempotency-Key', 'traceparent', 'tracestate'],
    // Idempotent-Replayed: a page retrying with its key sees that the answer is the first one's.
    exposedHeaders: [CORRELATION_ID_HEADER, 'WWW-Authenticate', 'Allow', 'Retry-After', 'Idempotent-Replayed'],
    credentials: false,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  };
}

/** A CORS preflight: an OPTIONS request naming both the origin and the method it asks for (an empty header names none). */
const isPreflight = (request: FastifyRequest): boolean => Boolean(request.headers.origin) && Boolean(request.headers['access-control-request-method']);

/**
 * Nest's routes (the app's Fastify): preflights answered and CORS headers added for the configured origins. Any other
 * OPTIONS request (no Origin or no Access-Control-Request-Method: no browser's preflight) is answered as any method
 * the route does not take, 405 with `Allow` in the house shape (404 off the routes), with the CORS headers of its
 * origin, instead of @fastify/cors's plain-text 400 (its options stay static: a delegate would add `Vary: Origin` to
 * every answer, which the routes beside Nest do not).
 */
export function enableCors(app: NestFastifyApplication, origins: readonly string[]): void {
  const options = corsOptionsFor(origins);
  if (!options) return;
  const fastify = app.getHttpAdapter().getInstance();
  app.enableCors(options);
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.method !== 'OPTIONS') return done(null, payload);
    // The plugin answers a preflight before the app's own hooks run: the header every answer carries is added here.
    void reply.header(NO_SNIFFING[0], NO_SNIFFING[1]);
    if (reply.statusCode !== 400 || isPreflight(request)) return done(null, payload);
    const { status, body, headers } = unmatchedRouteResponse(fastify, request.method, request.url);
    for (const [name, value] of Object.entries(headers ?? {})) void reply.header(name, value);
    void reply.code(status).header(CORRELATION_ID_HEADER, requestIdsOf(request).correlationId).type('application/json; charset=utf-8');
    done(null, JSON.stringify(body));
  });
}

/**
 * The headers @fastify/cors adds, with `options`, to the answer to a request without an Origin (a gateway's), in its
 * order: `Vary: Origin` when the answer depends on the origin (a list), the allowed origin when it is `*`, the exposed
 * headers. The fast lane writes them without running the plugin; its e2e spec compares it with the route's answer.
 */
export function corsHeadersWithoutOrigin(options: FastifyCorsOptions): Readonly<Record<string, string>> {
  return corsHeadersFor(options, undefined);
}

/**
 * The CORS headers @fastify/cors gives, with `options`, an answer to a request from `origin` (undefined: none): an
 * allowed origin reads the answer (`*`, or its own name with `Vary: Origin`); another gets `Vary: Origin` only; the
 * exposed headers are named to both. For the answers the server gives before any route, where the plugin never runs.
 */
export function corsHeadersFor(options: FastifyCorsOptions, origin: string | undefined): Readonly<Record<string, string>> {
  const allowed = options.origin === '*' ? '*' : origin !== undefined && Array.isArray(options.origin) && options.origin.includes(origin) ? origin : null;
  const headers: Record<string, string> = {};
  if (options.origin !== '*') headers['vary'] = 'Origin';
  if (allowed !== null) headers['access-control-allow-origin'] = allowed;
  if (Array.isArray(options.exposedHeaders)) headers['access-control-expose-headers'] = options.exposedHeaders.join(', ');
  return headers;
}
