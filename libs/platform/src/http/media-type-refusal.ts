import { RouteConfig } from '@nestjs/platform-fastify';

/** Fastify's refusal of a body's content type (`Unsupported Media Type: text/plain`, `…: undefined` when none was sent). */
const FASTIFY_MEDIA_TYPE = /^Unsupported Media Type: (.*)$/;

/** The Fastify route config key naming what a route's body may be, when not JSON (TakesMediaTypes). */
export const ACCEPTED_MEDIA_TYPES = 'as2AcceptedMediaTypes';

/**
 * A route whose body is not JSON names what it takes, for its 415's message (`multipart/report or multipart/signed`):
 * set in the route's Fastify config, read by the error filter.
 */
export const TakesMediaTypes = (description: string): MethodDecorator => RouteConfig({ [ACCEPTED_MEDIA_TYPES]: description });

/** What the route `request` matched takes (TakesMediaTypes), else JSON. */
export function acceptedMediaTypesOf(request: unknown): string {
  const config = (request as { routeOptions?: { config?: Record<string, unknown> } } | undefined)?.routeOptions?.config;
  const named = config?.[ACCEPTED_MEDIA_TYPES];
  return typeof named === 'string' ? named : 'application/json';
}

/** Fastify's 415 in the house's words, on every kind of route: what the route takes, and the type sent when there was one. */
export function mediaTypeRefusalMessage(message: string | undefined, accepted = 'application/json'): string {
  const sent = message === undefined ? undefined : FASTIFY_MEDIA_TYPE.exec(message)?.[1];
  if (sent === undefined) return message ?? 'Unsupported media type';
  if (sent === '' || sent === 'undefined') return `The request body has no Content-Type: send it as ${accepted}`;
  // The type without its parameters (a multipart boundary is the client's random text).
  const type = sent.split(';')[0].trim().toLowerCase();
  return type === MULTIPART_FORM && accepted === 'application/json' ? MULTIPART_REFUSAL : `The request body must be ${accepted}, not ${type}`;
}

const MULTIPART_FORM = 'multipart/form-data';
/** What a route that reads no multipart parts answers a form upload (MultipartWhereDeclaredInterceptor too). */
export const MULTIPART_REFUSAL = 'This route does not take a multipart/form-data body';
