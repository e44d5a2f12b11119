import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { errorCodes, type FastifyRequest } from 'fastify';

/** What @fastify/multipart decorates a request with (its reader takes the body from `this.raw`). */
interface MultipartReading {
  isMultipart?: () => boolean;
  parts?: (options?: object) => AsyncIterable<unknown>;
}

export function isMultipartRequest(request: FastifyRequest): boolean {
  return (request as unknown as MultipartReading).isMultipart?.() === true;
}

/** The client's body could not be read to its end (a connection cut mid-upload). */
export class MultipartBodyUnreadable extends Error {}

/**
 * Reads a multipart body whole (at most `limitBytes`: a chunked body past it is the 413 a body declaring that much
 * gets) and hands the same bytes to the route's own `request.parts()`, which would otherwise read the request's
 * stream: so an Idempotency-Key can be matched against the upload's content before the route runs.
 */
export async function readMultipartBodyOnce(request: FastifyRequest, limitBytes: number): Promise<Buffer> {
  const raw = request.raw;
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of raw) {
      length += (chunk as Buffer).length;
      if (length > limitBytes) {
        raw.resume();
        throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof errorCodes.FST_ERR_CTP_BODY_TOO_LARGE) throw error;
    throw new MultipartBodyUnreadable(error instanceof Error ? error.message : String(error));
  }
  const body = Buffer.concat(chunks, length);
  const multipart = request as unknown as MultipartReading;
  const parts = multipart.parts;
  if (parts !== undefined) {
    // The plugin's reader takes the stream from `this.raw`: the route's call reads these bytes instead.
    multipart.parts = (options?: object) => {
      const replay = Object.assign(Readable.from([body]), { headers: raw.headers });
      return parts.call(Object.create(request, { raw: { value: replay } }) as MultipartReading, options);
    };
  }
  return body;
}

/**
 * The body's digest without its boundary: a client's retry sends the same parts between another boundary, which
 * is the same upload; any other difference (a field, a file's byte, a file name) is another one.
 */
export function multipartDigestOf(body: Buffer, contentType: string): string {
  const hash = createHash('sha256');
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const delimiter = boundary === null ? null : Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  if (delimiter === null) return hash.update(body).digest('hex');
  let from = 0;
  for (let at = body.indexOf(delimiter); at !== -1; at = body.indexOf(delimiter, from)) {
    hash.update(body.subarray(from, at)).update('\u0000--boundary\u0000');
    from = at + delimiter.length;
  }
  return hash.update(body.subarray(from)).digest('hex');
}
