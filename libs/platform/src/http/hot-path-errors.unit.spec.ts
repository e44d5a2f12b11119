import Ajv from 'ajv';
import type { HttpAdapterHost } from '@nestjs/core';
import { houseErrorAnswer, schemaErrorField } from './hot-path-errors';
import { HttpErrorFilter } from './http-error.filter';
import { FIXED_ERROR_MESSAGES } from './error-body';
import { JsonTooDeepError } from './json-too-deep.error';
import { MalformedJsonError } from './malformed-json.error';

const item = {
  type: 'object',
  additionalProperties: false,
  required: ['direction', 'as2_from'],
  properties: { direction: { type: 'string', enum: ['inbound', 'outbound'] }, as2_from: { type: 'string', minLength: 1, maxLength: 5 }, n: { type: 'integer' } },
};
const validate = new Ajv({ allErrors: false, strict: true }).compile({
  type: 'object',
  additionalProperties: false,
  required: ['decisions'],
  properties: { decisions: { type: 'array', minItems: 1, maxItems: 2, items: item } },
});

/** The first schema error of a body, as the house's field message. */
function fieldError(body: unknown): Record<string, string[]> {
  expect(validate(body)).toBe(false);
  const answer = houseErrorAnswer({ validation: validate.errors ?? [] }, 'POST /x');
  expect(answer.status).toBe(422);
  expect(answer.body).toMatchObject({ message: 'Validation failed', error: { type: 'validation_error', code: 'VALIDATION_FAILED' } });
  return (answer.body as { errors: Record<string, string[]> }).errors;
}

describe('hot-path error answers', () => {
  const one = (fields: object) => ({ decisions: [{ direction: 'inbound', as2_from: 'A', ...fields }] });

  it('names the field by its dotted path, list indexes included, in the validation pipe’s wording', () => {
    expect(fieldError({})).toEqual({ decisions: ['The decisions field is required'] });
    expect(fieldError({ decisions: [], extra: 1 })).toEqual({ extra: ['The extra field is not allowed'] });
    expect(fieldError({ decisions: [] })).toEqual({ decisions: ['The decisions must have at least 1 item'] });
    expect(fieldError({ decisions: [{}, {}, {}] })).toEqual({ decisions: ['The decisions may not have more than 2 items'] });
    expect(fieldError({ decisions: 'x' })).toEqual({ decisions: ['The decisions must be a list'] });
    expect(fieldError({ decisions: [{ as2_from: 'A' }] })).toEqual({ 'decisions.0.direction': ['The decisions.0.direction field is required'] });
    expect(fieldError(one({ direction: 'sideways' }))).toEqual({ 'decisions.0.direction': ['The selected decisions.0.direction is invalid; use one of: inbound, outbound'] });
    expect(fieldError(one({ as2_from: '' }))).toEqual({ 'decisions.0.as2_from': ['The decisions.0.as2_from field may not be empty'] });
    expect(fieldError(one({ as2_from: 'TOOLONG' }))).toEqual({ 'decisions.0.as2_from': ['The decisions.0.as2_from may not be greater than 5 characters'] });
    expect(fieldError(one({ n: 1.5 }))).toEqual({ 'decisions.0.n': ['The decisions.0.n must be an integer'] });
    expect(fieldError(one({ as2_from: 7 }))).toEqual({ 'decisions.0.as2_from': ['The decisions.0.as2_from must be a string'] });
  });

  it('falls back to the schema’s own message for a keyword it has no wording for', () => {
    expect(schemaErrorField({ instancePath: '/a/b', keyword: 'pattern', message: 'must match pattern "^x$"' })).toEqual({ field: 'a.b', text: 'The a.b must match pattern "^x$"' });
    expect(schemaErrorField(undefined)).toEqual({ field: 'body', text: 'The body is invalid' });
  });

  it('answers the parser’s refusals with the messages the app’s error filter uses', () => {
    expect(houseErrorAnswer(new MalformedJsonError('Unexpected end'), 'POST /x').body).toEqual({ message: 'Malformed JSON body', error: { type: 'invalid_request_error', code: 'MALFORMED_JSON' } });
    expect(houseErrorAnswer(new JsonTooDeepError(), 'POST /x').body).toEqual({ message: new JsonTooDeepError().message, error: { type: 'invalid_request_error', code: 'JSON_TOO_DEEP' } });
    expect(houseErrorAnswer({ statusCode: 413 }, 'POST /x').body).toEqual({ message: FIXED_ERROR_MESSAGES[413], error: { type: 'invalid_request_error', code: 'PAYLOAD_TOO_LARGE' } });
    expect(houseErrorAnswer({ statusCode: 415 }, 'POST /x').body).toEqual({ message: 'Unsupported media type', error: { type: 'invalid_request_error', code: 'UNSUPPORTED_MEDIA_TYPE' } });
    // Fastify's own 415 in the words the app's error filter uses for the same refusal.
    const refused = (type: string) => houseErrorAnswer({ statusCode: 415, message: `Unsupported Media Type: ${type}` }, 'POST /x').body.message;
    expect([refused('text/plain'), refused('undefined')]).toEqual(['The request body must be application/json, not text/plain', 'The request body has no Content-Type: send it as application/json']);
    // A form upload as every route that reads no parts answers it; never the client's random boundary.
    expect([refused('multipart/form-data; boundary=----abc123'), refused('Text/Plain; charset=x')]).toEqual(['This route does not take a multipart/form-data body', 'The request body must be application/json, not text/plain']);
    const filter = new HttpErrorFilter({} as HttpAdapterHost);
    const fastifys = Object.assign(new Error('Unsupported Media Type: text/plain'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    expect(filter.toResponse(fastifys).body.message).toBe(refused('text/plain'));
  });
});
