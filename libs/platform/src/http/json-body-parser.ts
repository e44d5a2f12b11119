import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { exceedsJsonDepth, valueShapeFault } from './json-nesting-depth';
import { JsonTooDeepError } from './json-too-deep.error';
import { JsonTooManyValuesError } from './json-too-many-values.error';
import { MalformedJsonError } from './malformed-json.error';
import { firstUnsafeTextField, UNSAFE_TEXT_MESSAGE } from './unsafe-text';
import { ValidationFailedException } from './validation-failed.exception';

/** `application/json`, with parameters, and `application/<something>+json` (e.g. merge-patch). */
const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json(\s*;.*)?$/i;

/**
 * Makes the server JSON-only: every other content type is a 415. An empty body counts as no body; a body that
 * does not parse (or tries prototype poisoning) is a MalformedJsonError; the size limit gives a 413. Nesting deeper
 * than 32 is refused right after parsing (nothing recursive ever sees it); NUL and unpaired surrogates in any string or key
 * are a 422 naming the field.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  const parse = jsonBodyTextParser(fastify);
  // As bytes: Fastify counts a text body's length after decoding, so invalid UTF-8 (each bad byte decoded as U+FFFD,
  // three bytes) was refused as "Request body size did not match Content-Length".
  fastify.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    if (!isUtf8(bytes)) done(new MalformedJsonError('the body is not valid UTF-8'), undefined);
    else parse(bytes.toString('utf8'), done);
  });
}

/** The outcome of a body's text: an error to answer (malformed, too deep, unsafe text), or its value (undefined: no body). */
export type JsonBodyDone = (error: Error | null, value: unknown) => void;

/**
 * The rules of {@link acceptJsonBodiesOnly} for one body's text, with `fastify`'s JSON parser (secure-json-parse: a
 * `__proto__` or `constructor.prototype` key is an error): calls `done` before returning. Hot-path fast lanes parse with it.
 */
export function jsonBodyTextParser(fastify: FastifyInstance): (text: string, done: JsonBodyDone) => void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  return (text, done) => {
    if (text.trim().length === 0) {
      done(null, undefined);
      return;
    }
    // V8's JSON.parse does not recurse (any nesting parses); the depth is checked on the parsed value, which visits
    // values instead of the text's characters. A text that does not parse is refused as too deep when it is.
    parse(undefined as never, text, (error, value) => {
      if (error) {
        done(refusalOfUnparsed(text, error.message), undefined);
        return;
      }
      const fault = valueShapeFault(value);
      if (fault !== null) {
        done(shapeRefusal(fault), undefined);
        return;
      }
      // NUL and lone surrogates can only arrive as `\u` escapes (JSON refuses raw control characters; UTF-8 decoding
      // replaces invalid sequences), so a body without one needs no walk.
      const unsafeField = text.includes('\\u') ? firstUnsafeTextField(value) : null;
      if (unsafeField !== null) done(new ValidationFailedException({ [unsafeField]: [UNSAFE_TEXT_MESSAGE] }, 'INVALID_CHARACTERS'), undefined);
      else done(null, value);
    });
  };
}

const shapeRefusal = (fault: 'too-deep' | 'too-many-values'): Error => (fault === 'too-deep' ? new JsonTooDeepError() : new JsonTooManyValuesError());

/**
 * Why a text the JSON parser refused is refused: too deep, malformed, or (a text that is JSON) too deep or too many
 * values as any body is, else the key the parser's prototype-poisoning rule refuses (`__proto__`, or `constructor`
 * holding `prototype`), a field no DTO takes: 422 naming it, not malformed JSON.
 */
function refusalOfUnparsed(text: string, parserMessage: string): Error {
  if (exceedsJsonDepth(text)) return new JsonTooDeepError();
  let value: unknown;
  try {
    // JSON.parse makes `__proto__` an own data property: reading it back sets no prototype.
    value = JSON.parse(text);
  } catch {
    return new MalformedJsonError(parserMessage);
  }
  const fault = valueShapeFault(value);
  if (fault !== null) return shapeRefusal(fault);
  const forbidden = forbiddenKeyField(value);
  return forbidden === null ? new MalformedJsonError(parserMessage) : new ValidationFailedException({ [forbidden]: [`The ${forbidden} field is not allowed`] });
}

/** The dotted path of the first key of `value` (a parsed body, its size already bounded) the prototype-poisoning rule refuses, or null. */
function forbiddenKeyField(value: unknown): string | null {
  const pending: (readonly [value: unknown, path: string])[] = [[value, '']];
  for (let entry = pending.pop(); entry !== undefined; entry = pending.pop()) {
    const [current, path] = entry;
    if (typeof current !== 'object' || current === null) continue;
    const keys = Array.isArray(current) ? current.map((_, index) => String(index)) : Object.keys(current);
    if (!Array.isArray(current)) {
      for (const key of keys) {
        const child = (current as Record<string, unknown>)[key];
        if (key === '__proto__' || (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype'))) return path ? `${path}.${key}` : key;
      }
    }
    // Pushed last to first, so the body's first field is looked at first.
    for (const key of keys.reverse()) {
      const child = (current as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) pending.push([child, path ? `${path}.${key}` : key]);
    }
  }
  return null;
}
