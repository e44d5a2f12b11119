import { randomBytes } from 'node:crypto';
import { As2Error } from '../errors/as2-error';

/**
 * Splits a multipart body into its parts' raw bytes (RFC 2046 §5.1.1): the line break before a
 * delimiter belongs to the delimiter, so each part is byte-exact what its sender signed. More than `maxParts` parts is
 * MALFORMED_MIME, found before the rest of the body is read.
 */
export function splitMultipart(body: Buffer, boundary: string, maxParts = Number.POSITIVE_INFINITY): Buffer[] {
  if (!boundary || boundary.length > 200) throw new As2Error('MALFORMED_MIME', 'The multipart entity has no valid boundary parameter.');
  const dash = Buffer.from(`--${boundary}`, 'latin1');
  const isDelimiterAt = (at: number): boolean => {
    if (at !== 0 && body[at - 1] !== 0x0a) return false;
    if (!body.subarray(at, at + dash.length).equals(dash)) return false;
    const next = body[at + dash.length];
    return next === undefined || next === 0x0d || next === 0x0a || next === 0x2d || next === 0x20 || next === 0x09;
  };
  // A delimiter starts a line: sought with the line feed before it, so a run of dashes (a hostile body of 1 MB of them)
  // is one scan, not a search restarted at every dash (650 ms held for 1 MB).
  const lineDash = Buffer.concat([Buffer.from([0x0a]), dash]);
  const delimiterFrom = (from: number): number => {
    if (from === 0 && isDelimiterAt(0)) return 0;
    for (let lf = body.indexOf(lineDash, Math.max(0, from - 1)); lf >= 0; lf = body.indexOf(lineDash, lf + 1)) {
      if (isDelimiterAt(lf + 1)) return lf + 1;
    }
    return -1;
  };
  const positions: number[] = [];
  let closed = false;
  for (let at = delimiterFrom(0); at >= 0; at = delimiterFrom(at + 1)) {
    if (positions.length > maxParts) throw new As2Error('MALFORMED_MIME', `The multipart body has more than ${maxParts} parts.`);
    positions.push(at);
    if (body[at + dash.length] === 0x2d && body[at + dash.length + 1] === 0x2d) {
      closed = true;
      break;
    }
  }
  if (positions.length === 0) throw new As2Error('MALFORMED_MIME', `The boundary "${boundary}" does not occur in the multipart body.`);
  if (!closed) throw new As2Error('MALFORMED_MIME', `The multipart body has no closing boundary "--${boundary}--": it is truncated.`);
  const parts: Buffer[] = [];
  for (let i = 0; i + 1 < positions.length; i++) {
    const lf = body.indexOf(0x0a, positions[i] + dash.length);
    const start = lf + 1;
    let end = positions[i + 1] - 1;
    if (end > 0 && body[end - 1] === 0x0d) end--;
    if (lf < 0 || start > end) throw new As2Error('MALFORMED_MIME', 'A multipart body part is empty or malformed.');
    parts.push(body.subarray(start, end));
  }
  return parts;
}

export function newBoundary(): string {
  return `----=_Part_${randomBytes(12).toString('hex')}`;
}

/** The body of a multipart entity as chunks: each part is a chunk list, delimiters are CRLF-framed. */
export function joinMultipart(parts: readonly (readonly Buffer[])[], boundary: string): Buffer[] {
  const out: Buffer[] = [];
  parts.forEach((part, i) => {
    out.push(Buffer.from(`${i === 0 ? '' : '\r\n'}--${boundary}\r\n`, 'latin1'), ...part);
  });
  out.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'));
  return out;
}
