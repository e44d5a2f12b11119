/**
 * DER encoding into chunk lists: a big content buffer is referenced, not copied, until the caller flattens the
 * whole structure once (`flatten`). Primitives come back as finished Buffers, constructed values as chunks.
 */
export interface DerChunks {
  readonly length: number;
  readonly chunks: readonly Buffer[];
}

export type DerPart = Buffer | DerChunks;

function asChunks(part: DerPart): DerChunks {
  return Buffer.isBuffer(part) ? { length: part.length, chunks: [part] } : part;
}

function lengthOctets(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...parts: DerPart[]): DerChunks {
  const chunks: Buffer[] = [];
  let length = 0;
  for (const part of parts) {
    const c = asChunks(part);
    chunks.push(...c.chunks);
    length += c.length;
  }
  const header = Buffer.concat([Buffer.from([tag]), lengthOctets(length)]);
  return { length: header.length + length, chunks: [header, ...chunks] };
}

export function flatten(part: DerPart): Buffer {
  const c = asChunks(part);
  return c.chunks.length === 1 ? c.chunks[0] : Buffer.concat(c.chunks as Buffer[], c.length);
}

const primitive = (tag: number, content: Buffer): Buffer => flatten(tlv(tag, content));

/** Two's-complement minimal encoding of a non-negative big-endian magnitude. */
function unsignedIntegerContent(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  if (trimmed.length === 0) return Buffer.from([0]);
  return trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
}

function oidContent(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const body: number[] = [];
  const pushArc = (arc: number): void => {
    const septets = [arc % 128];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) septets.unshift(0x80 | (rest % 128));
    body.push(...septets);
  };
  pushArc(arcs[0] * 40 + arcs[1]);
  arcs.slice(2).forEach(pushArc);
  return Buffer.from(body);
}

const two = (n: number): string => String(n).padStart(2, '0');

export const der = {
  sequence: (...parts: DerPart[]) => tlv(0x30, ...parts),
  /** DER SET OF: elements sorted by their encodings (X.690 11.6), which signed attributes require. */
  setOf: (...parts: DerPart[]) => tlv(0x31, ...parts.map(flatten).sort(Buffer.compare)),
  octetString: (...parts: DerPart[]) => tlv(0x04, ...parts),
  null: () => Buffer.from([0x05, 0x00]),
  boolean: (value: boolean) => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]),
  /** A non-negative INTEGER from a safe integer or a big-endian magnitude. */
  integer(value: number | Buffer): Buffer {
    if (typeof value !== 'number') return primitive(0x02, unsignedIntegerContent(value));
    const hex = value.toString(16);
    return primitive(0x02, unsignedIntegerContent(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')));
  },
  oid: (dotted: string) => primitive(0x06, oidContent(dotted)),
  utf8String: (text: string) => primitive(0x0c, Buffer.from(text, 'utf8')),
  /** BIT STRING of named bits: trailing zero bits dropped, as DER requires for named-bit lists. */
  namedBits(bits: readonly number[]): Buffer {
    if (bits.length === 0) return primitive(0x03, Buffer.from([0]));
    const highest = Math.max(...bits);
    const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
    for (const bit of bits) bytes[Math.floor(bit / 8)] |= 0x80 >> bit % 8;
    return primitive(0x03, Buffer.concat([Buffer.from([7 - (highest % 8)]), bytes]));
  },
  utcTime(date: Date): Buffer {
    const text =
      two(date.getUTCFullYear() % 100) + two(date.getUTCMonth() + 1) + two(date.getUTCDate()) +
      two(date.getUTCHours()) + two(date.getUTCMinutes()) + two(date.getUTCSeconds()) + 'Z';
    return primitive(0x17, Buffer.from(text, 'latin1'));
  },
  /** GeneralizedTime in UTC with milliseconds; DER forbids trailing zeros in the fraction. */
  generalizedTime(date: Date): Buffer {
    const fraction = String(date.getUTCMilliseconds()).padStart(3, '0').replace(/0+$/, '');
    const text =
      String(date.getUTCFullYear()).padStart(4, '0') + two(date.getUTCMonth() + 1) + two(date.getUTCDate()) +
      two(date.getUTCHours()) + two(date.getUTCMinutes()) + two(date.getUTCSeconds()) + (fraction ? `.${fraction}` : '') + 'Z';
    return primitive(0x18, Buffer.from(text, 'latin1'));
  },
  explicit: (n: number, ...parts: DerPart[]) => tlv(0xa0 | n, ...parts),
  /** IMPLICIT [n] on a constructed type (SET OF, SEQUENCE): same content, context tag. */
  implicitConstructed: (n: number, ...parts: DerPart[]) => tlv(0xa0 | n, ...parts),
  /** IMPLICIT [n] on a primitive type (OCTET STRING): same content, context tag. */
  implicitPrimitive: (n: number, ...parts: DerPart[]) => tlv(0x80 | n, ...parts),
  algorithm: (oid: string, parameters?: DerPart) => tlv(0x30, der.oid(oid), ...(parameters ? [parameters] : [])),
};
