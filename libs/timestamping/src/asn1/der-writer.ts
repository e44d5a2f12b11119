/** Minimal DER encoder for the structures RFC 3161 and CMS need; every function returns a finished TLV. */
function lengthOctets(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), lengthOctets(body.length), body]);
}

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
  sequence: (...parts: Buffer[]) => tlv(0x30, ...parts),
  /** SET OF sorted by encoding (X.690 11.6), as signed attributes require. */
  setOf: (...parts: Buffer[]) => tlv(0x31, ...[...parts].sort(Buffer.compare)),
  octetString: (content: Buffer) => tlv(0x04, content),
  null: () => Buffer.from([0x05, 0x00]),
  boolean: (value: boolean) => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]),
  /** A non-negative INTEGER from a safe integer or a big-endian magnitude. */
  integer(value: number | Buffer): Buffer {
    if (typeof value !== 'number') return tlv(0x02, unsignedIntegerContent(value));
    const hex = value.toString(16);
    return tlv(0x02, unsignedIntegerContent(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')));
  },
  oid: (dotted: string) => tlv(0x06, oidContent(dotted)),
  utf8String: (text: string) => tlv(0x0c, Buffer.from(text, 'utf8')),
  /** BIT STRING of named bits: trailing zero bits dropped, as DER requires for named-bit lists. */
  namedBits(bits: readonly number[]): Buffer {
    if (bits.length === 0) return tlv(0x03, Buffer.from([0]));
    const highest = Math.max(...bits);
    const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
    for (const bit of bits) bytes[Math.floor(bit / 8)] |= 0x80 >> bit % 8;
    return tlv(0x03, Buffer.from([7 - (highest % 8)]), bytes);
  },
  utcTime(date: Date): Buffer {
    const text =
      two(date.getUTCFullYear() % 100) + two(date.getUTCMonth() + 1) + two(date.getUTCDate()) +
      two(date.getUTCHours()) + two(date.getUTCMinutes()) + two(date.getUTCSeconds()) + 'Z';
    return tlv(0x17, Buffer.from(text, 'latin1'));
  },
  /** GeneralizedTime in UTC with milliseconds; DER forbids trailing zeros in the fraction. */
  generalizedTime(date: Date): Buffer {
    const fraction = String(date.getUTCMilliseconds()).padStart(3, '0').replace(/0+$/, '');
    const text =
      String(date.getUTCFullYear()).padStart(4, '0') + two(date.getUTCMonth() + 1) + two(date.getUTCDate()) +
      two(date.getUTCHours()) + two(date.getUTCMinutes()) + two(date.getUTCSeconds()) + (fraction ? `.${fraction}` : '') + 'Z';
    return tlv(0x18, Buffer.from(text, 'latin1'));
  },
  explicit: (n: number, ...parts: Buffer[]) => tlv(0xa0 | n, ...parts),
  /** IMPLICIT [n] on a constructed type (SET OF, SEQUENCE): same content, context tag. */
  implicitConstructed: (n: number, ...parts: Buffer[]) => tlv(0xa0 | n, ...parts),
  algorithm: (oid: string, parameters?: Buffer) => tlv(0x30, der.oid(oid), ...(parameters ? [parameters] : [])),
};
