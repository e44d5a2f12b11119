/** Thrown for any structure that is not the DER this library expects; callers map it to a status or TimestampError. */
export class Asn1FormatError extends Error {
  override readonly name = 'Asn1FormatError';
}

/** One DER element as views into the caller's buffer. */
export interface DerElement {
  readonly tag: number;
  /** Identifier, length and content octets. */
  readonly raw: Buffer;
  readonly content: Buffer;
  readonly children: readonly DerElement[];
}

export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

const maxDepth = 32;

function readAt(buf: Buffer, offset: number, depth: number): DerElement {
  if (depth > maxDepth) throw new Asn1FormatError(`nesting deeper than ${maxDepth} levels`);
  if (offset + 2 > buf.length) throw new Asn1FormatError(`element header cut off at byte ${offset}`);
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new Asn1FormatError(`high tag number at byte ${offset}`);
  const first = buf[offset + 1];
  let length = first;
  let headerLength = 2;
  if (first === 0x80) throw new Asn1FormatError(`indefinite length at byte ${offset} (DER required)`);
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 4) throw new Asn1FormatError(`length of ${count} octets at byte ${offset + 1}`);
    if (offset + 2 + count > buf.length) throw new Asn1FormatError(`length octets cut off at byte ${offset + 2}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[offset + 2 + i];
    headerLength = 2 + count;
  }
  const start = offset + headerLength;
  const end = start + length;
  if (end > buf.length) throw new Asn1FormatError(`element at byte ${offset} declares ${length} bytes, ${buf.length - start} remain`);
  const content = buf.subarray(start, end);
  const children = tag & 0x20 ? readAll(content, depth + 1) : [];
  return { tag, raw: buf.subarray(offset, end), content, children };
}

function readAll(buf: Buffer, depth: number): DerElement[] {
  const out: DerElement[] = [];
  for (let cursor = 0; cursor < buf.length; ) {
    const child = readAt(buf, cursor, depth);
    out.push(child);
    cursor += child.raw.length;
  }
  return out;
}

/** Reads one element that must span the whole buffer. */
export function readDer(buf: Buffer): DerElement {
  const element = readAt(buf, 0, 0);
  if (element.raw.length !== buf.length) throw new Asn1FormatError(`${buf.length - element.raw.length} bytes after the structure`);
  return element;
}

export function expect(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (!element) throw new Asn1FormatError(`${what} is missing`);
  if (element.tag !== tag) throw new Asn1FormatError(`${what} has tag 0x${element.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return element;
}

export function oidOf(element: DerElement | undefined, what: string): string {
  const bytes = expect(element, Tag.oid, what).content;
  if (bytes.length === 0 || bytes[bytes.length - 1] & 0x80) throw new Asn1FormatError(`${what} is not a valid object identifier`);
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new Asn1FormatError(`${what} has an arc too large`);
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) {
      const top = value < 80 ? Math.floor(value / 40) : 2;
      arcs.push(top, value - top * 40);
    } else {
      arcs.push(value);
    }
    value = 0;
  }
  return arcs.join('.');
}

/** A small non-negative INTEGER as a number (versions, status codes). */
export function smallIntegerOf(element: DerElement | undefined, what: string): number {
  const bytes = expect(element, Tag.integer, what).content;
  if (bytes.length === 0 || bytes.length > 4 || bytes[0] & 0x80) throw new Asn1FormatError(`${what} is not a small non-negative integer`);
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

/** An INTEGER's magnitude as lowercase hex without the sign-padding zero byte. */
export function integerHexOf(element: DerElement | undefined, what: string): string {
  const bytes = expect(element, Tag.integer, what).content;
  if (bytes.length === 0) throw new Asn1FormatError(`${what} is an empty integer`);
  return (bytes.length > 1 && bytes[0] === 0 ? bytes.subarray(1) : bytes).toString('hex');
}

export function generalizedTimeOf(element: DerElement | undefined, what: string): Date {
  const text = expect(element, Tag.generalizedTime, what).content.toString('latin1');
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!match) throw new Asn1FormatError(`${what} is not a UTC GeneralizedTime: ${JSON.stringify(text.slice(0, 32))}`);
  const [, y, mo, d, h, mi, s, fraction] = match;
  const millis = fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis));
}
