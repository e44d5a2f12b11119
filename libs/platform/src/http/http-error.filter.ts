import { Catch, HttpException, HttpStatus, Inject, Logger, NotFoundException, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DomainError, EventStoreUnavailableError, WrongExpectedRevisionError } from '@as2-partners/kernel';
import { domainErrorStatusOf, UNREGISTERED_DOMAIN_ERROR_STATUS } from './domain-error-statuses';
import { errorTypeOf, FIXED_ERROR_MESSAGES, type ErrorBody } from './error-body';
import { JsonTooDeepError } from './json-too-deep.error';
import { JsonTooManyValuesError } from './json-too-many-values.error';
import { apiTimestampsIn } from './api-timestamp';
import { MalformedJsonError } from './malformed-json.error';
import { acceptedMediaTypesOf, mediaTypeRefusalMessage } from './media-type-refusal';
import { requestIdsOf, type RequestWithIds } from './request-ids';
import { allowedMethodsOf } from './route-methods';
import { apiShaped } from './api-shaped';
import { isStoreOutage } from './store-outage';
import { INFRASTRUCTURE } from '../event-sourcing/event-sourcing.tokens';
import type { InfrastructureConnections } from '../event-sourcing/infrastructure-connections';
import { ValidationFailedException } from './validation-failed.exception';
import { loggableUrl } from '../logging/loggable-url';

export interface ErrorResponse {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
}

/** RFC 6750: a 401 names the scheme the client must use. */
/** The challenge every 401 carries (RFC 6750). */
export const WWW_AUTHENTICATE = 'Bearer realm="as2-partners"';

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  412: 'PRECONDITION_FAILED',
  416: 'RANGE_NOT_SATISFIABLE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** What a client's refusal by Fastify or the static file server says, by status, where the status says more than "Bad request". */
const REFUSAL_MESSAGES: Readonly<Record<number, string>> = {
  404: 'The requested resource was not found.',
  412: 'A precondition of the request (If-Match, If-Unmodified-Since) does not hold',
  416: 'The requested range is not satisfiable',
};


/** Nest's message for a request no route matches (`Cannot GET /x`). */
const UNKNOWN_ROUTE = /^Cannot [A-Z]+ /;
/** What a request no route matches is told (not Nest's text, which echoes the path). */
const UNKNOWN_ROUTE_MESSAGE = 'The requested resource was not found.';

const INTERNAL_ERROR: ErrorResponse = {
  status: HttpStatus.INTERNAL_SERVER_ERROR,
  body: { message: 'Internal server error', error: { type: 'api_error', code: 'INTERNAL_ERROR' } },
};

function coded(status: number, message: string, code: string, details?: Readonly<Record<string, unknown>>): ErrorResponse {
  return { status, body: { message: apiTimestampsIn(message), error: { type: errorTypeOf(status), code, ...(details ? { details } : {}) } } };
}

/**
 * The 4xx status Fastify gave an error of its own (`FST_…`) or a request body the client stopped sending (Node's
 * `aborted`, which Fastify marks 400), or 404 for a path the static file server refused: the client's doing, not a
 * server fault to log as one.
 */
function clientRefusalStatusOf(exception: unknown): number | null {
  if (!(exception instanceof Error)) return null;
  const { statusCode, code } = exception as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode > 499) return null;
  const fastifys = typeof code === 'string' && code.startsWith('FST_');
  const aborted = code === 'ECONNRESET' && exception.message === 'aborted';
  if (fastifys || aborted) return statusCode;
  if ((exception as { expose?: unknown }).expose !== true) return null;
  // The static file server's refusals (http-errors, `expose`, under /docs): a path outside its root or with a NUL in it
  // is a file these paths do not serve; a precondition (If-Match, 412) or a range (416) that fails keeps its status.
  return statusCode === HttpStatus.FORBIDDEN || statusCode === HttpStatus.BAD_REQUEST ? HttpStatus.NOT_FOUND : statusCode;
}

/**
 * A store this process needs could not take or serve the request: 503 with Retry-After (readiness says so meanwhile),
 * not a 500, and the cause's text only in the log. A write committed but not confirmed on disk may be there: the
 * client retries with the same Idempotency-Key, which answers what the first try did.
 */
function storeUnavailable(error: unknown): ErrorResponse {
  const message =
    error instanceof EventStoreUnavailableError
      ? error.maybeStored
        ? 'The change may have been stored but could not be confirmed; retry with the same Idempotency-Key.'
        : 'The change could not be stored right now; nothing was changed. Retry later.'
      : 'A data store of this service cannot be reached right now; retry later (a change with the same Idempotency-Key).';
  return { ...coded(503, message, 'STORE_UNAVAILABLE'), headers: { 'Retry-After': '5' } };
}

/** 405 with `Allow` for a request on a path the routes recorded on `fastify` serve with other methods only, else undefined. */
function methodNotAllowedOn(fastify: object, method: string | undefined, url: string | undefined): ErrorResponse | undefined {
  const allowed = allowedMethodsOf(fastify, url ?? '');
  if (allowed.length === 0 || allowed.includes(String(method).toUpperCase())) return undefined;
  return {
    ...coded(405, `The ${String(method).toUpperCase()} method is not allowed here; use ${allowed.join(', ')}.`, 'METHOD_NOT_ALLOWED', { allowed }),
    headers: { Allow: allowed.join(', ') },
  };
}

/** What a request no route serves is answered, as the filter answers Nest's not-found error: 405 on a path served with other methods, else 404. */
export function unmatchedRouteResponse(fastify: object, method: string, url: string): ErrorResponse {
  return methodNotAllowedOn(fastify, method, url) ?? coded(404, UNKNOWN_ROUTE_MESSAGE, 'NOT_FOUND');
}

/** The one place errors become HTTP: every response body follows the seed's error shapes, and internals never leak. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');
  private readonly warnedCodes = new Set<string>();

  /** `infrastructure`: whose views may have lost writes (`viewsRefusal`); absent where nothing can tell (a hot path's errors). */
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(INFRASTRUCTURE) private readonly infrastructure?: InfrastructureConnections,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<RequestWithIds & { method?: string; url?: string }>();
    const { status, body, headers } = this.methodNotAllowed(exception, request) ?? this.toResponse(exception, acceptedMediaTypesOf(request));
    if (status >= 500 && exception instanceof DomainError) {
      // A rule's own answer (the connection tester at its cap: 503 TESTER_BUSY), not a fault: a warning, no stack.
      const ids = requestIdsOf(request);
      this.logger.warn(`${request.method} ${loggableUrl(request.url ?? '')} answered ${status} ${exception.code} (correlation ${ids.correlationId}, request ${ids.requestId})`);
    } else if (status >= 500 && !(exception instanceof HttpException && status === HttpStatus.SERVICE_UNAVAILABLE)) {
      const ids = requestIdsOf(request);
      this.logger.error(
        // Named by what the client got (a store down is 503 STORE_UNAVAILABLE, a fault 500 INTERNAL_ERROR), its stack beside.
        `${request.method} ${loggableUrl(request.url ?? '')} failed: answered ${status} ${body.error?.code ?? 'INTERNAL_ERROR'} (correlation ${ids.correlationId}, request ${ids.requestId})`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    const response = http.getResponse();
    for (const [name, value] of Object.entries(headers ?? {})) this.adapterHost.httpAdapter.setHeader(response, name, value);
    this.adapterHost.httpAdapter.reply(response, body, status);
  }

  /** A request no route matched, on a path that routes serve with other methods: 405 with `Allow`, not 404. */
  private methodNotAllowed(exception: unknown, request: { method?: string; url?: string }): ErrorResponse | undefined {
    if (!(exception instanceof NotFoundException) || !UNKNOWN_ROUTE.test(exception.message)) return undefined;
    return methodNotAllowedOn(this.adapterHost.httpAdapter.getInstance(), request.method, request.url);
  }

  /** `accepted`: what the request's route takes, for a 415's message (acceptedMediaTypesOf). */
  toResponse(exception: unknown, accepted?: string): ErrorResponse {
    if (exception instanceof ValidationFailedException) {
      return { status: 422, body: { message: 'Validation failed', errors: exception.errors, error: { type: 'validation_error', code: exception.code ?? 'VALIDATION_FAILED' } } };
    }
    if (exception instanceof DomainError) {
      const answer = this.fromDomainError(exception);
      // Not found in views that lost writes (a failed read-model commit, until a restart): what is stored may be
      // denied (a partner created a moment before, then its certificate upload 404), so the store cannot tell now.
      const lost = answer.status === 404 ? (this.infrastructure?.viewsRefusal?.() ?? null) : null;
      return lost ? storeUnavailable(lost) : answer;
    }
    if (exception instanceof WrongExpectedRevisionError) {
      return coded(409, 'The resource was changed by another request; reload it and retry.', 'CONCURRENT_MODIFICATION');
    }
    if (exception instanceof EventStoreUnavailableError || isStoreOutage(exception)) return storeUnavailable(exception);
    if (exception instanceof JsonTooDeepError) return coded(400, exception.message, 'JSON_TOO_DEEP');
    if (exception instanceof JsonTooManyValuesError) return coded(413, exception.message, 'PAYLOAD_TOO_LARGE');
    if (exception instanceof MalformedJsonError) return coded(400, 'Malformed JSON body', 'MALFORMED_JSON');
    if (exception instanceof HttpException) return this.fromHttpException(exception, accepted);
    const refusal = clientRefusalStatusOf(exception);
    if (refusal === HttpStatus.UNSUPPORTED_MEDIA_TYPE) return coded(refusal, mediaTypeRefusalMessage((exception as Error).message, accepted), 'UNSUPPORTED_MEDIA_TYPE');
    if (refusal !== null) return coded(refusal, FIXED_ERROR_MESSAGES[refusal] ?? REFUSAL_MESSAGES[refusal] ?? 'Bad request', CODE_BY_STATUS[refusal] ?? 'BAD_REQUEST');
    return INTERNAL_ERROR;
  }

  private fromDomainError(error: DomainError): ErrorResponse {
    let status = domainErrorStatusOf(error.code);
    if (status === undefined) {
      status = UNREGISTERED_DOMAIN_ERROR_STATUS;
      if (!this.warnedCodes.has(error.code)) {
        this.warnedCodes.add(error.code);
        this.logger.warn(`DomainError code ${error.code} has no registered HTTP status; answering ${status}`);
      }
    }
    // Details as every body shows them: snake_case keys, timestamps with six fraction digits.
    const shaped = error.details ? (apiShaped(error.details) as Record<string, unknown>) : undefined;
    if (error.field && status === 422) {
      const details = shaped ? { details: shaped } : {};
      return {
        status,
        body: { message: 'Validation failed', errors: { [error.field]: [apiTimestampsIn(error.message)] }, error: { type: 'validation_error', code: error.code, ...details } },
      };
    }
    return coded(status, error.message, error.code, shaped);
  }

  private fromHttpException(exception: HttpException, accepted?: string): ErrorResponse {
    const status = exception.getStatus();
    if (status >= 500 && status !== HttpStatus.SERVICE_UNAVAILABLE) return INTERNAL_ERROR;
    const response = exception.getResponse();
    const fields = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
    const code = typeof fields['code'] === 'string' ? fields['code'] : (CODE_BY_STATUS[status] ?? 'BAD_REQUEST');
    const details = typeof fields['details'] === 'object' && fields['details'] !== null ? (fields['details'] as Record<string, unknown>) : undefined;
    const given = typeof fields['message'] === 'string' ? fields['message'] : exception.message;
    const message = FIXED_ERROR_MESSAGES[status] ?? (UNKNOWN_ROUTE.test(given) ? UNKNOWN_ROUTE_MESSAGE : status === HttpStatus.UNSUPPORTED_MEDIA_TYPE ? mediaTypeRefusalMessage(given, accepted) : given);
    const answer = coded(status, message, code, details);
    return status === HttpStatus.UNAUTHORIZED ? { ...answer, headers: { 'WWW-Authenticate': WWW_AUTHENTICATE } } : answer;
  }
}
