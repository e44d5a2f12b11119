/** The seed's error shapes: `{ message, error: { type, code, details? } }`, plus `errors` for validation failures. */
export interface ErrorBody {
  readonly message: string;
  readonly errors?: Readonly<Record<string, readonly string[]>>;
  readonly error?: {
    readonly type: string;
    readonly code: string;
    readonly details?: Readonly<Record<string, unknown>>;
  };
}

const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'authorization_error',
  404: 'not_found_error',
  409: 'conflict_error',
  422: 'validation_error',
  429: 'rate_limit_error',
};

/** The error type a status implies: 4xx without a specific type are invalid requests, 5xx are API errors. */
export function errorTypeOf(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** The house's one message for statuses whose cause is the status itself (every route, Nest's or beside it). */
export const FIXED_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  401: 'Unauthenticated.',
  403: 'This action is unauthorized.',
  413: 'The request body is too large.',
  503: 'Service unavailable.',
};

/** What a JSON body that is not an object (null, a list, a number) is told, 400 INVALID_BODY, on every route. */
export const NOT_AN_OBJECT = 'The request body must be a JSON object';
