import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { houseErrorAnswer, type HotPathError } from './hot-path-errors';
import type { JsonBodyDone } from './json-body-parser';
import { MalformedJsonError } from './malformed-json.error';
import { CORRELATION_ID_HEADER, correlationIdFromHeader } from './request-ids';
import { NO_SNIFFING } from './no-sniffing';

/**
 * A hot-path route's answer without Fastify's request lifecycle, for the requests it can answer exactly as its Fastify
 * route would. Fastify's own lifecycle (request and reply objects, hooks, the content-type parser's stream plumbing,
 * the route's schema and serializer lookups) costs ~5 µs of the ~29 µs CPU a bare Fastify route takes per request on
 * this machine: a raw node:http server doing the same work answered ~1.2× its req/s (docs/benchmarks.md).
 */
export interface FastLaneRoute<Caller> {
  /** The method of its Fastify route (the lane serves one). */
  readonly method: string;
  /** Its Fastify route's url as registered with HotPathRoutes: an exact path, `::` for a literal colon. */
  readonly url: string;
  /**
   * From the headers alone, synchronously: what the answer needs of them when the route would answer with its handler
   * (a remembered credential, say), or undefined to leave the request to the Fastify route (every other outcome).
   */
  readonly admit: (request: IncomingMessage) => Caller | undefined;
  /** The route's compiled body validator (the same function its Fastify route validates with). */
  readonly validate: ((body: unknown) => boolean) & { errors?: HotPathError['validation'] | null };
  /** The route's 200 answer for a valid body (what its handler sends). */
  readonly answer: (body: unknown, caller: Caller, request: IncomingMessage) => unknown;
  /** The route's compiled 200 serializer (the same function its Fastify route serializes with). */
  readonly serialize: (answer: unknown) => string;
}

/** The content types the lane takes: the JSON ones Fastify hands the platform's parser as UTF-8 text. Others: the route's. */
const JSON_CONTENT_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);
const JSON_ANSWER = 'application/json; charset=utf-8';

/** What the body parser found (set synchronously by its `done`). */
interface Parsed {
  error: Error | null;
  value: unknown;
}

/** The route's body parser's refusal of bytes that are not UTF-8 (acceptJsonBodiesOnly). */
const NOT_UTF8: HotPathError = new MalformedJsonError('the body is not valid UTF-8');

/** Counts one answer of the route by status, with the seconds from its headers to its answer (HotPathRoutes' metrics). */
export type CountAnswer = (statusCode: number, seconds: number) => void;

/**
 * One route's fast lane. `take` decides from the headers alone (synchronously, before Fastify sees the request):
 * POST-like method and exact path (no query string), no Origin (a browser's CORS request is the route's), a JSON
 * content type, no Content-Encoding or Transfer-Encoding, a Content-Length from 1 to the body limit, and the route's
 * own `admit`. A taken request is answered here: its body
 * read (bounded by its Content-Length, which Node's parser enforces), parsed by the platform's JSON rules, validated,
 * answered, serialized, counted; its errors answered as the route's error handler answers them. Anything else is the
 * route's, exactly as before.
 */
export class FastLane<Caller> {
  private readonly where: string;
  /** The CORS headers as a flat name, value, name, value… list (what writeHead takes), null without CORS. */
  private readonly corsPairs: (string | number)[] | null;

  constructor(
    private readonly route: FastLaneRoute<Caller>,
    private readonly bodyLimit: number,
    private readonly parse: (text: string, done: JsonBodyDone) => void,
    private readonly count: CountAnswer,
    /** What the route's CORS plugin adds to an answer to a request without an Origin (corsHeadersWithoutOrigin); null without CORS. */
    corsHeaders: Readonly<Record<string, string>> | null = null,
  ) {
    this.where = `${route.method} ${route.url}`;
    this.corsPairs = corsHeaders === null ? null : Object.entries(corsHeaders).flat();
  }

  /** True when this lane answers the request (the caller must then leave it alone). */
  take(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== this.route.method) return false;
    const headers = request.headers;
    if (headers.origin !== undefined || headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return false;
    const type = headers['content-type'];
    if (type === undefined || !(type === 'application/json' || JSON_CONTENT_TYPES.has(type.toLowerCase()))) return false;
    const declared = headers['content-length'];
    if (declared === undefined) return false;
    const length = Number(declared);
    if (!Number.isInteger(length) || length < 1 || length > this.bodyLimit) return false;
    const started = performance.now();
    const caller = this.route.admit(request);
    if (caller === undefined) return false;
    this.read(request, response, caller, started);
    return true;
  }

  private read(request: IncomingMessage, response: ServerResponse, caller: Caller, started: number): void {
    let first: Buffer | null = null;
    let more: Buffer[] | null = null;
    request.on('data', (chunk: Buffer) => {
      if (first === null) first = chunk;
      else (more ??= [first]).push(chunk);
    });
    request.on('end', () => {
      const bytes = more === null ? (first ?? Buffer.alloc(0)) : Buffer.concat(more);
      // As the route's body parser: bytes that are not UTF-8 are a malformed body.
      if (!isUtf8(bytes)) this.refuse(request, response, NOT_UTF8, started);
      else this.answer(request, response, bytes.toString('utf8'), caller, started);
    });
    // A request aborted mid-body: nothing to answer (Node closes the socket); the listener keeps the error unthrown.
    request.on('error', ignore);
  }

  private answer(request: IncomingMessage, response: ServerResponse, text: string, caller: Caller, started: number): void {
    const parsed: Parsed = { error: null, value: undefined };
    this.parse(text, (error, value) => {
      parsed.error = error;
      parsed.value = value;
    });
    if (parsed.error !== null) return this.refuse(request, response, parsed.error, started);
    const validate = this.route.validate;
    if (!validate(parsed.value)) return this.refuse(request, response, { validation: validate.errors ?? [] }, started);
    let payload: string;
    try {
      payload = this.route.serialize(this.route.answer(parsed.value, caller, request));
    } catch (error) {
      return this.refuse(request, response, error as HotPathError, started);
    }
    this.send(request, response, 200, payload, started);
  }

  private refuse(request: IncomingMessage, response: ServerResponse, error: HotPathError, started: number): void {
    // One id for the answer's header and a failure's log line (a request without one gets a new one).
    const correlationId = correlationIdFromHeader(request.headers[CORRELATION_ID_HEADER]);
    const { status, body } = houseErrorAnswer(error, this.where, correlationId);
    this.send(request, response, status, JSON.stringify(body), started, correlationId);
  }

  /** The headers of the route's answers, in its order: nosniff, its CORS headers, the correlation id, then the type and length Fastify adds. */
  private send(request: IncomingMessage, response: ServerResponse, status: number, payload: string, started: number, correlationId = correlationIdFromHeader(request.headers[CORRELATION_ID_HEADER])): void {
    const length = Buffer.byteLength(payload);
    const cors = this.corsPairs;
    response.writeHead(
      status,
      // With CORS, a flat name/value list: an object spread from the CORS headers cost ~6 µs per answer (a slow-mode object).
      cors !== null
        ? [NO_SNIFFING[0], NO_SNIFFING[1], ...cors, CORRELATION_ID_HEADER, correlationId, 'content-type', JSON_ANSWER, 'content-length', length]
        : { [NO_SNIFFING[0]]: NO_SNIFFING[1], [CORRELATION_ID_HEADER]: correlationId, 'content-type': JSON_ANSWER, 'content-length': length },
    );
    response.end(payload);
    this.count(status, (performance.now() - started) / 1000);
  }
}

function ignore(): void {
  // the request was aborted: there is nobody to answer
}
