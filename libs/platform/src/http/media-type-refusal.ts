/** Fastify's refusal of a body's content type (`Unsupported Media Type: text/plain`, `…: undefined` when none was sent). */
const FASTIFY_MEDIA_TYPE = /^Unsupported Media Type: (.*)$/;

/** Fastify's 415 in the house's words, on every kind of route: what the route takes, and the type sent when there was one. */
export function mediaTypeRefusalMessage(message: string | undefined): string {
  const sent = message === undefined ? undefined : FASTIFY_MEDIA_TYPE.exec(message)?.[1];
  if (sent === undefined) return message ?? 'Unsupported media type';
  if (sent === '' || sent === 'undefined') return 'The request body has no Content-Type: send it as application/json';
  // The type without its parameters (a multipart boundary is the client's random text).
  const type = sent.split(';')[0].trim().toLowerCase();
  return type === MULTIPART_FORM ? MULTIPART_REFUSAL : `The request body must be application/json, not ${type}`;
}

const MULTIPART_FORM = 'multipart/form-data';
/** What a route that reads no multipart parts answers a form upload (MultipartWhereDeclaredInterceptor too). */
export const MULTIPART_REFUSAL = 'This route does not take a multipart/form-data body';
