import { Logger } from '@nestjs/common';
import { DomainError } from '@as2-partners/kernel';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpAdapterHost } from '@nestjs/core';
import { errorTypeOf, FIXED_ERROR_MESSAGES, NOT_AN_OBJECT } from './error-body';
import { HttpErrorFilter, type ErrorResponse } from './http-error.filter';
import type { InfrastructureConnections } from '../event-sourcing/infrastructure-connections';
import { CORRELATION_ID_HEADER, correlationIdFromHeader, requestIdsOf } from './request-ids';
import { loggableUrl } from '../logging/loggable-url';
import { mediaTypeRefusalMessage } from './media-type-refusal';

const logger = new Logger('HotPathRoutes');

function errorBody(status: number, message: string, code: string, errors?: Record<string, string[]>) {
  return { message, ...(errors ? { errors } : {}), error: { type: errorTypeOf(status), code } };
}

/** What a hot-path route answers for an error: its status and house error body. */
export interface HouseErrorAnswer {
  readonly status: number;
  readonly body: ReturnType<typeof errorBody>;
}

/** One JSON Schema (ajv) error, as Fastify hands it on. */
export interface SchemaError {
  readonly instancePath?: string;
  readonly keyword?: string;
  readonly message?: string;
  readonly params?: unknown;
}

/**
 * A schema error as the house's field message (the wording the app's validation pipe uses): the field's dotted path
 * (list indexes included) and one sentence.
 */
export function schemaErrorField(error: SchemaError | undefined): { field: string; text: string } {
  const params = (error?.params ?? {}) as { missingProperty?: string; additionalProperty?: string; type?: string; limit?: number; allowedValues?: unknown[] };
  const path = (error?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const child = params.missingProperty ?? params.additionalProperty;
  const field = [path, child].filter((part) => part !== undefined && part !== '').join('.') || 'body';
  switch (error?.keyword) {
    case 'required':
      return { field, text: `The ${field} field is required` };
    case 'additionalProperties':
      return { field, text: `The ${field} field is not allowed` };
    case 'type':
      return { field, text: `The ${field} must be ${params.type === 'array' ? 'a list' : `${params.type === 'integer' || params.type === 'object' ? 'an' : 'a'} ${params.type}`}` };
    case 'enum':
      return { field, text: `The selected ${field} is invalid; use one of: ${(params.allowedValues ?? []).join(', ')}` };
    case 'minLength':
      return { field, text: params.limit === 1 ? `The ${field} field may not be empty` : `The ${field} must be at least ${params.limit} characters` };
    case 'maxLength':
      return { field, text: `The ${field} may not be greater than ${params.limit} characters` };
    case 'minItems':
      return { field, text: `The ${field} must have at least ${params.limit} ${params.limit === 1 ? 'item' : 'items'}` };
    case 'maxItems':
      return { field, text: `The ${field} may not have more than ${params.limit} items` };
    case 'maxProperties':
      return { field, text: `The ${field} may not have more than ${params.limit} fields` };
    default:
      return { field, text: `The ${field} ${error?.message ?? 'is invalid'}` };
  }
}

/** The schema's refusal of the body itself as no object (its root's type), not of a field in it. */
function isNotAnObject(error: SchemaError | undefined): boolean {
  return error?.keyword === 'type' && (error.instancePath ?? '') === '' && (error.params as { type?: string } | undefined)?.type === 'object';
}

/** The parts of a Fastify error (schema, body parser, a handler's throw) the house answer is chosen by. */
export interface HotPathError {
  readonly name?: string;
  readonly message?: string;
  readonly statusCode?: number;
  readonly validation?: readonly SchemaError[];
}

/**
 * Fastify's own errors on a plain Fastify route (schema, body parser) in the house error shape, as the app's error
 * filter answers them: 422 for a body the schema refuses, 400/413/415 for the parser's refusals, never a 5xx for bad
 * input; anything else is a 500, logged with `where` (method and route). The fast lane answers with it too.
 */
export function houseErrorAnswer(error: HotPathError, where: string, correlationId?: string): HouseErrorAnswer {
  if (error.validation) {
    // A body that is JSON but no object (null, a list, a number) is a malformed request, as the app's validation pipe says.
    if (isNotAnObject(error.validation[0])) return { status: 400, body: errorBody(400, NOT_AN_OBJECT, 'INVALID_BODY') };
    const { field, text } = schemaErrorField(error.validation[0]);
    return { status: 422, body: errorBody(422, 'Validation failed', 'VALIDATION_FAILED', { [field]: [text] }) };
  }
  if (error.name === 'ValidationFailedException') {
    const { errors, code } = error as unknown as { errors: Record<string, string[]>; code?: string };
    return { status: 422, body: errorBody(422, 'Validation failed', code ?? 'VALIDATION_FAILED', errors) };
  }
  if (error.name === 'JsonTooManyValuesError') return { status: 413, body: errorBody(413, error.message ?? FIXED_ERROR_MESSAGES[413] ?? 'Bad request', 'PAYLOAD_TOO_LARGE') };
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : error.name === 'MalformedJsonError' || error.name === 'JsonTooDeepError' ? 400 : null;
  if (status !== null) {
    const code = error.name === 'JsonTooDeepError' ? 'JSON_TOO_DEEP' : error.name === 'MalformedJsonError' ? 'MALFORMED_JSON' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    const message =
      FIXED_ERROR_MESSAGES[status] ?? (error.name === 'MalformedJsonError' ? 'Malformed JSON body' : error.name === 'JsonTooDeepError' ? (error.message ?? 'Bad request') : status === 415 ? mediaTypeRefusalMessage(error.message) : 'Bad request');
    return { status, body: errorBody(status, message, code) };
  }
  logFailure(where, 500, correlationId, error.message ?? String(error));
  return { status: 500, body: errorBody(500, 'Internal server error', 'INTERNAL_ERROR') };
}

/**
 * A hot-path answer that failed, as one line with the request's correlation id, method, route and status (these routes
 * log no line per request: they are counted and timed in /metrics), so it is found beside the client's own logs.
 */
function logFailure(where: string, statusCode: number, correlationId: string | undefined, error: string): void {
  logger.error({ msg: `${where} failed: ${error}`, route: where, statusCode, ...(correlationId === undefined ? {} : { correlationId }) });
}

/** {@link houseErrorAnswer} as a Fastify route's error handler. */
export function replyWithHouseError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const correlationId = correlationIdFromHeader(request.headers[CORRELATION_ID_HEADER]);
  reply.header(CORRELATION_ID_HEADER, correlationId);
  const { status, body } = houseErrorAnswer(error, `${request.method} ${request.routeOptions.url ?? loggableUrl(request.url)}`, correlationId);
  void reply.code(status).send(body);
}

/** The house answer to a path that does not decode (the router's, and the server's before any route). */
export const MALFORMED_URL_ANSWER = { message: 'Malformed URL', error: { type: 'invalid_request_error', code: 'MALFORMED_URL' } } as const;

/** Errors Fastify raises before routing (a URL that does not decode): both Fastify instances' `frameworkErrors`. */
export function replyToFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const body = error.code === 'FST_ERR_BAD_URL' ? MALFORMED_URL_ANSWER : { message: 'Bad request', error: { type: 'invalid_request_error', code: 'BAD_REQUEST' } };
  void reply.code(400).header(CORRELATION_ID_HEADER, requestIdsOf(request).correlationId).send(body);
}

const houseErrors = new HttpErrorFilter(undefined as unknown as HttpAdapterHost);

/** An error a hot-path handler raises (a DomainError, an HttpException), answered as the app's HttpErrorFilter answers it. */
export function replyWithAppError(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  replyWithAnswerOf(houseErrors, exception, request, reply);
}

/**
 * {@link replyWithAppError} for a route that reads views: as the app's filter answers with `infrastructure`, a not-found
 * while the views may have lost writes (a failed read-model commit, until a restart) is 503 STORE_UNAVAILABLE.
 */
export function viewReadingErrorReplier(infrastructure: InfrastructureConnections | undefined): (exception: unknown, request: FastifyRequest, reply: FastifyReply) => void {
  if (!infrastructure) return replyWithAppError;
  const errors = new HttpErrorFilter(undefined as unknown as HttpAdapterHost, infrastructure);
  return (exception, request, reply) => replyWithAnswerOf(errors, exception, request, reply);
}

function replyWithAnswerOf(errors: HttpErrorFilter, exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const response = errors.toResponse(exception);
  if (response.status >= 500) {
    const where = `${request.method} ${request.routeOptions.url ?? loggableUrl(request.url)}`;
    const { correlationId } = requestIdsOf(request);
    // a rule's own answer (a not-found the views cannot tell now): a warning, no stack, as the app's filter
    if (exception instanceof DomainError) logger.warn({ msg: `${where} answered ${response.status} ${exception.code}`, route: where, statusCode: response.status, correlationId });
    else logFailure(where, response.status, correlationId, exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  }
  replyWithErrorResponse(response, request, reply);
}

/** Sends an error answer the house's filter made (its status, body and headers) with the request's correlation id. */
export function replyWithErrorResponse({ status, body, headers }: ErrorResponse, request: FastifyRequest, reply: FastifyReply): void {
  for (const [name, value] of Object.entries(headers ?? {})) reply.header(name, value);
  void reply.code(status).header(CORRELATION_ID_HEADER, requestIdsOf(request).correlationId).send(body);
}
