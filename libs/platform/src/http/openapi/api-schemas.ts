import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** The API's timestamps (seed 002): ISO-8601 UTC with exactly six fraction digits. */
export const API_TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z$';

export const apiTimestampSchema = (description?: string): SchemaObject => ({
  type: 'string',
  format: 'date-time',
  pattern: API_TIMESTAMP_PATTERN,
  example: '2024-01-15T10:30:00.000000Z',
  ...(description ? { description } : {}),
});

export const nullableApiTimestampSchema = (description?: string): SchemaObject => ({ ...apiTimestampSchema(description), nullable: true });

/** `{message, error: {type, code, details?}, errors?}`: every 4xx and 5xx body. */
export const ERROR_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['message', 'error'],
  properties: {
    message: { type: 'string', description: 'For people; may change between versions.' },
    error: {
      type: 'object',
      required: ['type', 'code'],
      properties: {
        type: {
          type: 'string',
          enum: ['invalid_request_error', 'authentication_error', 'billing_error', 'authorization_error', 'not_found_error', 'conflict_error', 'validation_error', 'rate_limit_error', 'api_error'],
        },
        code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: 'Stable, for programs (seed 002 error codes).' },
        details: { type: 'object', additionalProperties: true },
      },
    },
    errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, description: 'Messages per (dotted) request field.' },
  },
  example: { message: 'Partner not found', error: { type: 'not_found_error', code: 'PARTNER_NOT_FOUND' } },
};

/** A 422: the error body; `errors` names the fields when the failure is a field's (the seed's validation example). */
export const VALIDATION_ERROR_BODY_SCHEMA: SchemaObject = {
  allOf: [{ $ref: '#/components/schemas/ErrorBody' }],
  example: {
    message: 'Validation failed',
    errors: { as2_id: ['The AS2 ID field is required', 'The AS2 ID must not contain spaces'], url: ['The URL must be a valid HTTPS endpoint'] },
    error: { type: 'validation_error', code: 'VALIDATION_FAILED' },
  },
};

/** Pagination of every list (seed 002). */
export const PAGINATION_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['current_page', 'last_page', 'per_page', 'total', 'from', 'to'],
  properties: {
    current_page: { type: 'integer', minimum: 1 },
    last_page: { type: 'integer', minimum: 1 },
    per_page: { type: 'integer', minimum: 1 },
    total: { type: 'integer', minimum: 0 },
    from: { type: 'integer', minimum: 1, nullable: true },
    to: { type: 'integer', minimum: 1, nullable: true },
  },
};

/** `{data: [items], pagination}`. */
export const pageOf = (items: SchemaObject | { $ref: string }): SchemaObject => ({
  type: 'object',
  required: ['data', 'pagination'],
  properties: { data: { type: 'array', items }, pagination: { $ref: '#/components/schemas/Pagination' } },
});

/** `{message?, data}`: a single resource, with the confirmation message writes carry. */
export const dataOf = (data: SchemaObject | { $ref: string }, withMessage = false): SchemaObject => ({
  type: 'object',
  required: withMessage ? ['message', 'data'] : ['data'],
  properties: { ...(withMessage ? { message: { type: 'string' } } : {}), data },
});

const FOLLOWER_KIND: SchemaObject = { type: 'string', enum: ['projection', 'reactor', 'relay'] };
const nullableInteger: SchemaObject = { type: 'integer', nullable: true };

/** GET /v1/admin/followers: each follower's lag, or `unknown` when its store cannot say. */
export const FOLLOWERS_REPORT: SchemaObject = {
  type: 'object',
  required: ['data', 'stall_bound_seconds'],
  properties: {
    data: {
      type: 'array',
      items: {
        oneOf: [
          {
            type: 'object',
            required: ['name', 'kind', 'running', 'position', 'headPosition', 'caughtUp', 'secondsBehind', 'eventsBehind', 'lastError', 'parked', 'stalledSeconds', 'stalled', 'failing'],
            properties: {
              name: { type: 'string' },
              kind: FOLLOWER_KIND,
              running: { type: 'boolean' },
              position: nullableInteger,
              headPosition: nullableInteger,
              caughtUp: { type: 'boolean', nullable: true },
              secondsBehind: { type: 'number', nullable: true },
              eventsBehind: nullableInteger,
              lastError: { type: 'string', nullable: true },
              parked: { type: 'integer', minimum: 0 },
              stalledSeconds: { type: 'number', minimum: 0 },
              stalled: { type: 'boolean' },
              failing: { type: 'boolean', description: 'true while the follower has a last error (as /health/ready says)' },
            },
          },
          { type: 'object', required: ['name', 'kind', 'unknown'], properties: { name: { type: 'string' }, kind: FOLLOWER_KIND, unknown: { type: 'boolean', enum: [true] } } },
        ],
      },
    },
    stall_bound_seconds: { type: 'number' },
  },
};
