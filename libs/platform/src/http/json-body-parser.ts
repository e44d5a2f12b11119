import type { FastifyInstance } from 'fastify';
import { MalformedJsonError } from './malformed-json.error';

/** `application/json`, with parameters, and `application/<something>+json` (e.g. merge-patch). */
const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json(\s*;.*)?$/i;

/**
 * Makes the server JSON-only: every other content type is a 415. An empty body counts as no body; a body that
 * does not parse (or tries prototype poisoning) is a MalformedJsonError; the size limit gives a 413.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'string', bodyLimit }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim().length === 0) {
      done(null, undefined);
      return;
    }
    parse(request, text, (error, value) => {
      if (error) done(new MalformedJsonError(error.message), undefined);
      else done(null, value);
    });
  });
}
