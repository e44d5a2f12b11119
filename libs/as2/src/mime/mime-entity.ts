import { As2Error } from '../errors/as2-error';
import { MimeHeaders, parseHeaderBlock, parseHeaderValue, serializeHeaders, type MimeHeader } from './mime-headers';

/** A MIME entity as views into the received bytes, so MICs and signatures see exactly what was sent. */
export interface MimeEntity {
  readonly headers: MimeHeaders;
  /** Headers and body, byte-exact. */
  readonly raw: Buffer;
  readonly body: Buffer;
}

const maxHeaderBytes = 64 * 1024;

/** Splits headers from body at the first empty line (CRLF CRLF, or LF LF from senders that lost their CRs). */
export function parseMimeEntity(raw: Buffer): MimeEntity {
  let lineStart = 0;
  while (lineStart <= raw.length) {
    if (lineStart > maxHeaderBytes) {
      throw new As2Error('MALFORMED_MIME', `No end of MIME headers within the first ${maxHeaderBytes} bytes: the content is not a MIME entity.`);
    }
    const lf = raw.indexOf(0x0a, lineStart);
    if (lf < 0) throw new As2Error('MALFORMED_MIME', 'The MIME entity has no empty line between headers and body.');
    const lineEnd = lf > lineStart && raw[lf - 1] === 0x0d ? lf - 1 : lf;
    if (lineEnd === lineStart) {
      if (lineStart === 0) throw new As2Error('MALFORMED_MIME', 'The MIME entity has no headers (it starts with an empty line).');
      return { headers: parseHeaderBlock(raw.subarray(0, lineStart)), raw, body: raw.subarray(lf + 1) };
    }
    lineStart = lf + 1;
  }
  throw new As2Error('MALFORMED_MIME', 'The MIME entity has no empty line between headers and body.');
}

/** Whether the bytes parse as a MIME entity (headers, an empty line, a body): how decrypted AS2 content is told from garbage. */
export function isMimeEntity(raw: Buffer): boolean {
  try {
    parseMimeEntity(raw);
    return true;
  } catch {
    return false;
  }
}

/** An entity to send, as chunks: headers then the body parts, never concatenated until the message is flattened. */
export interface OutgoingEntity {
  readonly headers: readonly MimeHeader[];
  readonly body: readonly Buffer[];
}

export function entityChunks(entity: OutgoingEntity): Buffer[] {
  return [serializeHeaders(entity.headers), ...entity.body];
}

export function contentTypeOf(headers: MimeHeaders): { value: string; params: Readonly<Record<string, string>> } {
  const header = headers.get('content-type');
  if (!header) return { value: 'text/plain', params: {} };
  return parseHeaderValue(header);
}
