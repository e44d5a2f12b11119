import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PARTIAL_UPDATE_SCHEMA_NAMES } from '../partial-update.decorator';
import { LATE_VIEW_EXTENSION } from '../../read-your-writes/read-your-writes.interceptor';
import { ERROR_BODY_SCHEMA, PAGINATION_SCHEMA, VALIDATION_ERROR_BODY_SCHEMA } from './api-schemas';
import type { OpenApiOperation } from './openapi-operations';

/** Set by @Public() on an operation or controller: no bearer token needed, so the operation lists no security. */
export const PUBLIC_OPERATION_EXTENSION = 'x-public';
/** Set by @AnswersNotKept(): the write takes no Idempotency-Key (its answer is never stored). */
export const ANSWERS_NOT_KEPT_EXTENSION = 'x-answers-not-kept';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** What the server answers before any route: a path or query that does not decode, an If-Match that cannot hold, a request head too large. */
const BEFORE_ANY_ROUTE = ['400', '412', '431'];
const WRITES = new Set(['post', 'put', 'patch', 'delete']);

const ERROR_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '400': 'Malformed request: MALFORMED_JSON, JSON_TOO_DEEP, MALFORMED_URL, INVALID_BODY (a JSON body that is not an object, a multipart body that cannot be read), BAD_REQUEST (a request head the HTTP parser refuses, an HTTP/1.1 request without Host)',
  '401': 'No valid bearer token: UNAUTHENTICATED',
  '403': 'The token may not do this: FORBIDDEN, TENANT_REQUIRED, TENANT_DELETED',
  '404': 'Not found (or not visible to the caller): the resource\'s own code, NOT_FOUND for a path no route serves',
  '409': 'Conflict: CONCURRENT_MODIFICATION (reload and retry), or the code of the conflicting rule',
  '412': 'PRECONDITION_FAILED: an If-Match naming an entity tag, which no answer of this API carries (If-Match: * passes)',
  '413': 'Body larger than BODY_LIMIT_BYTES: PAYLOAD_TOO_LARGE',
  '415': 'Not JSON: UNSUPPORTED_MEDIA_TYPE',
  '422': 'Validation failed: VALIDATION_FAILED, INVALID_CHARACTERS, NO_CHANGE_GIVEN, or a rule\'s code',
  '431': 'The request line or headers are larger than the server reads (a URL over 16 KiB): HEADERS_TOO_LARGE',
  '503': 'The change could not be stored now (the store\'s disk full, read-only or failing): STORE_UNAVAILABLE, with Retry-After; retry with the same Idempotency-Key',
};

const LATE_VIEW_DESCRIPTION =
  'Stored and durable, but the views are late (the read store down, a projection stalled): the write as decided; the views catch up by themselves';

/** What a write with an Idempotency-Key may answer besides its own statuses (registerIdempotencyHooks, IdempotencyInterceptor). */
const ACCOUNT_ROUTE_FORBIDDEN = `${ERROR_DESCRIPTIONS['403']}, ACCOUNT_FORBIDDEN (a token of another account)`;

const IDEMPOTENCY_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '400': 'INVALID_IDEMPOTENCY_KEY: the Idempotency-Key is not 1-255 printable ASCII characters',
  '409': 'IDEMPOTENCY_KEY_IN_USE: a request with this Idempotency-Key is still running (Retry-After: 1)',
  '422': 'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used for another request',
  '503': 'IDEMPOTENCY_STORE_UNAVAILABLE: the Idempotency-Key cannot be checked now; the request was not run (Retry-After: 5)',
};

const IDEMPOTENCY_KEY_TEXT =
  'Optional header `Idempotency-Key` (1-255 printable ASCII characters): the first request with a key runs and its answer (status and body) is kept per tenant for IDEMPOTENCY_TTL_SECONDS; the same request with the same key is answered the same again with `Idempotent-Replayed: true`; another request with that key is 422 IDEMPOTENCY_KEY_REUSED, one while the first still runs 409 IDEMPOTENCY_KEY_IN_USE, a malformed key 400 INVALID_IDEMPOTENCY_KEY.';

/** The codes every operation with the status may answer, whatever its own description says (the platform's edge answers them). */
const SHARED_CODES: Readonly<Record<string, string>> = { '400': 'MALFORMED_JSON', '403': 'FORBIDDEN', '413': 'PAYLOAD_TOO_LARGE', '415': 'UNSUPPORTED_MEDIA_TYPE' };

const IDEMPOTENT_REPLAYED_HEADER = { description: 'true when the answer is the one kept for the request\'s Idempotency-Key', schema: { type: 'string', enum: ['true'] } };
/**
 * Whether an answer with this status may be a kept one, replayed with Idempotent-Replayed (isDecidedAnswer): any below
 * 500 but a 401 (refused before the key is claimed), a 408 or a 429 (nothing decided).
 */
const mayBeReplayed = (status: string): boolean => Number(status) < 500 && !['401', '408', '429'].includes(status);
const RETRY_AFTER_HEADER = { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } };

const errorResponse = (status: string, description: string): ResponseObject => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${status === '422' ? 'ValidationErrorBody' : 'ErrorBody'}` } } },
  ...(status === '401' ? { headers: { 'WWW-Authenticate': { description: 'Bearer realm="as2-partners"', schema: { type: 'string' } } } } : {}),
});

function completeOperation(path: string, method: string, operation: OperationObject): void {
  const extensions = operation as unknown as Record<string, unknown>;
  const isPublic = extensions[PUBLIC_OPERATION_EXTENSION] === true;
  const answersNotKept = extensions[ANSWERS_NOT_KEPT_EXTENSION] === true;
  const lateView = extensions[LATE_VIEW_EXTENSION] === true;
  delete extensions[PUBLIC_OPERATION_EXTENSION];
  delete extensions[ANSWERS_NOT_KEPT_EXTENSION];
  delete extensions[LATE_VIEW_EXTENSION];
  // Explicit on every operation, so a reader (or a tool) never has to fall back to the document's default.
  operation.security = isPublic ? [] : [{ bearer: [] }];
  operation.summary ??= `${method.toUpperCase()} ${path}`;

  const parameters = (operation.parameters ?? []) as { in?: string }[];
  const statuses = new Set<string>();
  if (!isPublic) ['401', '403'].forEach((status) => statuses.add(status));
  if (/\{[^}]+\}/.test(path)) statuses.add('404');
  // Answered before any route, whatever the operation declares: a path or a query string that does not decode (every
  // route takes a query string), an If-Match that cannot hold, a request line or headers too large to read.
  BEFORE_ANY_ROUTE.forEach((status) => statuses.add(status));
  if (operation.requestBody) ['400', '413', '415', '422'].forEach((status) => statuses.add(status));
  // A write's body is read whether the operation declares one or not (JSON only, within BODY_LIMIT_BYTES): a DELETE's too.
  if (WRITES.has(method)) ['400', '413', '415'].forEach((status) => statuses.add(status));
  if (parameters.some((parameter) => parameter.in === 'query')) statuses.add('422');
  if (!isPublic && WRITES.has(method)) ['409', '503'].forEach((status) => statuses.add(status));
  // Every write takes the header, a public one too (its bearer token, if any, scopes the key).
  const idempotent = WRITES.has(method) && !answersNotKept;
  if (idempotent) {
    ['400', '409', '422'].forEach((status) => statuses.add(status));
    // Told, not declared as a parameter: a generated request with a generated key is no client's retry (the same
    // key on two other requests is rightly 422 IDEMPOTENCY_KEY_REUSED), so contract tools must not invent keys.
    if (!(operation.description ?? '').includes('Idempotency-Key')) operation.description = `${operation.description ? `${operation.description}\n\n` : ''}${IDEMPOTENCY_KEY_TEXT}`;
  }

  const responses = operation.responses;
  // Stored, the views late: the success answer's body (the write as decided) with 202 (ReadYourWritesInterceptor).
  if (lateView) {
    const success = Object.entries(responses).find(([status]) => status === '200' || status === '201')?.[1] as ResponseObject | undefined;
    responses['202'] ??= { description: LATE_VIEW_DESCRIPTION, ...(success?.content ? { content: success.content } : {}) };
  }
  // An account's routes also refuse a token of another account (requireOwnAccount).
  const descriptionOf = (status: string) => (status === '403' && path.startsWith('/v1/accounts/{account}') ? ACCOUNT_ROUTE_FORBIDDEN : ERROR_DESCRIPTIONS[status] ?? 'Error');
  for (const status of statuses) responses[status] ??= errorResponse(status, descriptionOf(status));
  // An operation's own description of a shared status names its own codes: the shared ones are answered too.
  for (const status of statuses) {
    const given = responses[status] as ResponseObject;
    const shared = SHARED_CODES[status];
    // A code as a whole word: ACCOUNT_FORBIDDEN does not name FORBIDDEN.
    if (shared !== undefined && !new RegExp(`(^|[^A-Z_])${shared}([^A-Z_]|$)`).test(given.description)) given.description = `${given.description}; ${descriptionOf(status)}`;
  }
  if (idempotent) {
    for (const [status, response] of Object.entries(responses)) {
      const given = response as ResponseObject;
      if (IDEMPOTENCY_DESCRIPTIONS[status] && !given.description.includes('IDEMPOTENCY_')) given.description = `${given.description}; ${IDEMPOTENCY_DESCRIPTIONS[status]}`;
      if (mayBeReplayed(status)) given.headers = { ...given.headers, 'Idempotent-Replayed': IDEMPOTENT_REPLAYED_HEADER };
      // IDEMPOTENCY_KEY_IN_USE says when to try again.
      if (status === '409') given.headers = { ...given.headers, 'Retry-After': RETRY_AFTER_HEADER };
    }
  }
  // A secured route's 503 says when to try again (STORE_UNAVAILABLE, IDEMPOTENCY_STORE_UNAVAILABLE); the health checks' does not.
  const unavailable = responses['503'] as ResponseObject | undefined;
  if (unavailable && !isPublic) unavailable.headers = { 'Retry-After': RETRY_AFTER_HEADER, ...unavailable.headers };
  // Every error body is the filter's, whatever a decorator said (terminus documents its own 503 shape): keep the description, set the schema.
  for (const [status, response] of Object.entries(responses)) {
    const given = response as ResponseObject;
    if (Number(status) >= 400) responses[status] = { ...errorResponse(status, given.description), ...given, content: errorResponse(status, '').content };
  }
}

/**
 * OpenAPI 3.0: a `nullable` property with an `enum` takes null only if the enum lists it (a strict validator refuses
 * null otherwise), and the request DTOs that clear a setting with null say only `nullable`.
 */
function withNullInNullableEnums(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as { nullable?: boolean; enum?: unknown[] };
  if (node.nullable === true && Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null];
  for (const value of Object.values(node)) if (typeof value === 'object') withNullInNullableEnums(value);
}

/**
 * A property declared as a union (`oneOf`) whose TypeScript type is a class gets that class from the swagger plugin too,
 * as an `allOf` beside it: the union is then only its class, and a value of its other branches (seed 003's boolean
 * `firewall`) fails a strict check of a body the server takes. The declared union is the property's schema.
 */
function withoutDesignTypeBesideUnions(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as { oneOf?: unknown[]; allOf?: unknown[] };
  if (Array.isArray(node.oneOf) && Array.isArray(node.allOf)) delete node.allOf;
  for (const value of Object.values(node)) if (typeof value === 'object') withoutDesignTypeBesideUnions(value);
}

/** Routes served beside Nest, as they describe themselves: secured, with exactly the error statuses they answer. */
function addOperations(document: OpenAPIObject, operations: readonly OpenApiOperation[]): void {
  for (const { path, method, operation, errors, schemas } of operations) {
    const item = (document.paths[path] ??= {});
    if (item[method]) throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} is documented twice`);
    const responses = { ...operation.responses };
    // The server's answers before any route are theirs too (as completeOperation adds them to Nest's).
    for (const status of [...errors, ...BEFORE_ANY_ROUTE]) responses[status] ??= errorResponse(status, ERROR_DESCRIPTIONS[status] ?? 'Error');
    item[method] = { ...operation, security: [{ bearer: [] }], responses };
    for (const [name, schema] of Object.entries(schemas ?? {})) {
      const known = document.components?.schemas?.[name];
      if (known && JSON.stringify(known) !== JSON.stringify(schema)) throw new Error(`OpenAPI: two schemas named ${name}`);
      document.components = { ...document.components, schemas: { ...document.components?.schemas, [name]: schema } };
    }
  }
}

/**
 * Makes the generated document exact where decorators cannot: the shared error responses of every operation, public
 * operations without security, the servers, and the shared schemas the controllers' responses reference; then adds
 * the operations of routes served beside Nest (`extra`).
 */
export function completeOpenApiDocument(document: OpenAPIObject, extra: readonly OpenApiOperation[] = []): OpenAPIObject {
  document.servers = [{ url: '/', description: 'The public base URL this document is served from (one for every service)' }];
  document.info.license ??= { name: 'UNLICENSED' };
  document.components ??= {};
  document.components.schemas = {
    ErrorBody: ERROR_BODY_SCHEMA,
    ValidationErrorBody: VALIDATION_ERROR_BODY_SCHEMA,
    Pagination: PAGINATION_SCHEMA,
    ...document.components.schemas,
  };
  // The validation pipe refuses fields a request DTO does not declare (forbidNonWhitelisted): say so.
  for (const [name, schema] of Object.entries(document.components.schemas)) {
    if (name.endsWith('Dto') && 'properties' in schema) (schema as { additionalProperties?: boolean }).additionalProperties = false;
    if (PARTIAL_UPDATE_SCHEMA_NAMES.has(name)) (schema as { minProperties?: number }).minProperties = 1;
  }
  for (const schema of Object.values(document.components.schemas)) {
    withNullInNullableEnums(schema);
    withoutDesignTypeBesideUnions(schema);
  }
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) completeOperation(path, method, operation);
    }
  }
  addOperations(document, extra);
  return document;
}
