import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import Busboy from '@fastify/busboy';
import { BadRequestException } from '@nestjs/common';
import { errorCodes, type FastifyRequest } from 'fastify';

/** What @fastify/multipart decorates a request with (its reader takes the body from `this.raw`). */
interface MultipartReading {
  isMultipart?: () => boolean;
  parts?: (options?: object) => AsyncIterable<unknown>;
}

export function isMultipartRequest(request: FastifyRequest): boolean {
  return (request as unknown as MultipartReading).isMultipart?.() === true;
}

/** The body a first call read, for the next (the route's form check first, then the Idempotency-Key's digest). */
const KEPT_BODY = Symbol('multipart body read once');
type KeptMultipartBody = { [KEPT_BODY]?: Buffer };

/** The client's body could not be read to its end (a connection cut mid-upload), or ends inside a part: 400, as malformed JSON is. */
const unreadable = (): BadRequestException => new BadRequestException({ message: 'The multipart body could not be read to its end', code: 'INVALID_BODY' });

/**
 * Reads a multipart body whole (at most `limitBytes`: a chunked body past it is the 413 a body declaring that much
 * gets) and hands the same bytes to the route's own `request.parts()`, which would otherwise read the request's
 * stream: so an Idempotency-Key can be matched against the upload's content before the route runs. Read once: a
 * second call answers the same bytes. A body that cannot be read to its end, or that the reader fails on, is 400
 * `INVALID_BODY`.
 */
export async function readMultipartBodyOnce(request: FastifyRequest, limitBytes: number): Promise<Buffer> {
  const kept = (request as unknown as KeptMultipartBody)[KEPT_BODY];
  if (kept !== undefined) return kept;
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
    throw unreadable();
  }
  const body = Buffer.concat(chunks, length);
  // A body the route's reader would fail on midway (cut off inside a part): it would emit the error on the stream of a
  // part nobody listens to yet (every byte is there at once), an error no handler can catch. Refused here instead.
  const failure = await multipartFailureOf(body, request.headers);
  if (failure !== null) throw unreadable();
  (request as unknown as KeptMultipartBody)[KEPT_BODY] = body;
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

/** The boundary parameter of a multipart Content-Type, or null. */
function boundaryOf(contentType: string): string | null {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match === null ? null : (match[1] ?? match[2] ?? null);
}

/**
 * Why the multipart reader the routes use (@fastify/busboy, as @fastify/multipart runs it) fails on this body, read
 * here with every part's stream listened to; null when it reads to the end. The same reader on the same bytes and
 * headers: the boundary is the one it finds among the Content-Type's parameters, however they are spelled.
 */
function multipartFailureOf(body: Buffer, headers: IncomingHttpHeaders): Promise<string | null> {
  return new Promise((resolve) => {
    let reader: InstanceType<typeof Busboy>;
    try {
      reader = new Busboy({ headers: { ...headers, 'content-type': String(headers['content-type'] ?? '') } });
    } catch (error) {
      resolve(error instanceof Error ? error.message : String(error));
      return;
    }
    let failure: string | null = null;
    const failed = (error: unknown) => (failure ??= error instanceof Error ? error.message : String(error));
    reader.on('file', (_field: string, file: Readable) => file.on('error', failed).resume());
    reader.on('error', (error: unknown) => resolve(failed(error)));
    reader.on('finish', () => resolve(failure));
    // Whatever ends it otherwise (a destroyed reader): answered, never left waiting.
    reader.on('close', () => resolve(failure ?? 'the multipart reader stopped before the end of the body'));
    reader.end(body);
  });
}

const CRLF = Buffer.from('\r\n');

/**
 * The body's digest without its boundary: a client's retry sends the same parts between another boundary, which
 * is the same upload; any other difference (a field, a file's byte, a file name) is another one. Only the delimiters
 * are left out (the boundary at the body's start or after a line break): the same text inside a value is the value's.
 */
export function multipartDigestOf(body: Buffer, contentType: string): string {
  const hash = createHash('sha256');
  const boundary = boundaryOf(contentType);
  if (boundary === null) return hash.update(body).digest('hex');
  const first = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.concat([CRLF, first]);
  let from = 0;
  if (body.subarray(0, first.length).equals(first)) {
    hash.update('\u0000--boundary\u0000');
    from = first.length;
  }
  for (let at = body.indexOf(delimiter, from); at !== -1; at = body.indexOf(delimiter, from)) {
    hash.update(body.subarray(from, at)).update('\u0000\r\n--boundary\u0000');
    from = at + delimiter.length;
  }
  return hash.update(body.subarray(from)).digest('hex');
}
