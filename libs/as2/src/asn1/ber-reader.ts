import { As2Error } from '../errors/as2-error';

/** One BER/DER element as views into the caller's buffer: large content is never copied. */
export interface Asn1Element {
  /** The identifier octet (class, constructed bit, low tag number). */
  readonly tag: number;
  readonly constructed: boolean;
  /** The whole element: identifier, length and content (and end-of-contents octets when indefinite). */
  readonly raw: Buffer;
  /** The content octets (without the end-of-contents octets when indefinite). */
  readonly content: Buffer;
  /** Children of a constructed element, decoded on demand. */
  readonly children: readonly Asn1Element[];
}

export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
  constructedOctetString: 0x24,
  context: (n: number, constructed: boolean) => 0x80 | (constructed ? 0x20 : 0) | n,
} as const;

const maxDepth = 48;

function malformed(what: string): As2Error {
  return new As2Error('MALFORMED_CMS', `The CMS structure is malformed or truncated: ${what}.`);
}

interface Header {
  tag: number;
  constructed: boolean;
  headerLength: number;
  /** -1 for indefinite length */
  length: number;
}

function readHeader(buf: Buffer, offset: number): Header {
  if (offset >= buf.length) throw malformed(`expected an element at byte ${offset}, found the end of the data`);
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw malformed(`high tag numbers are not used by CMS (byte ${offset})`);
  if (offset + 1 >= buf.length) throw malformed(`length missing at byte ${offset + 1}`);
  const first = buf[offset + 1];
  if (first < 0x80) return { tag, constructed: (tag & 0x20) !== 0, headerLength: 2, length: first };
  if (first === 0x80) {
    if ((tag & 0x20) === 0) throw malformed(`indefinite length on a primitive element at byte ${offset}`);
    return { tag, constructed: true, headerLength: 2, length: -1 };
  }
  const count = first & 0x7f;
  if (count > 4) throw malformed(`length of ${count} octets at byte ${offset + 1} is beyond any supported size`);
  if (offset + 2 + count > buf.length) throw malformed(`length octets cut off at byte ${offset + 2}`);
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + buf[offset + 2 + i];
  return { tag, constructed: (tag & 0x20) !== 0, headerLength: 2 + count, length };
}

class Element implements Asn1Element {
  private decodedChildren?: Asn1Element[];

  constructor(
    readonly tag: number,
    readonly constructed: boolean,
    readonly raw: Buffer,
    readonly content: Buffer,
    private readonly depth: number,
    private readonly parsedChildren?: Asn1Element[],
  ) {}

  get children(): readonly Asn1Element[] {
    if (!this.constructed) return [];
    if (this.parsedChildren) return this.parsedChildren;
    this.decodedChildren ??= readAll(this.content, this.depth + 1);
    return this.decodedChildren;
  }
}

function readAt(buf: Buffer, offset: number, depth: number): Element {
  if (depth > maxDepth) throw malformed(`nesting deeper than ${maxDepth} levels`);
  const header = readHeader(buf, offset);
  const contentStart = offset + header.headerLength;
  if (header.length >= 0) {
    const end = contentStart + header.length;
    if (end > buf.length) {
      throw malformed(`an element at byte ${offset} declares ${header.length} content bytes but only ${buf.length - contentStart} remain`);
    }
    return new Element(header.tag, header.constructed, buf.subarray(offset, end), buf.subarray(contentStart, end), depth);
  }
  const children: Asn1Element[] = [];
  let cursor = contentStart;
  for (;;) {
    if (cursor + 2 > buf.length) throw malformed(`indefinite-length element at byte ${offset} has no end-of-contents`);
    if (buf[cursor] === 0 && buf[cursor + 1] === 0) break;
    const child = readAt(buf, cursor, depth + 1);
    children.push(child);
    cursor += child.raw.length;
  }
  return new Element(header.tag, true, buf.subarray(offset, cursor + 2), buf.subarray(contentStart, cursor), depth, children);
}

function readAll(buf: Buffer, depth: number): Asn1Element[] {
  const out: Asn1Element[] = [];
  let cursor = 0;
  while (cursor < buf.length) {
    const child = readAt(buf, cursor, depth);
    out.push(child);
    cursor += child.raw.length;
  }
  return out;
}

/** Reads one element that must span the whole buffer (trailing zero padding is tolerated). */
export function readAsn1(buf: Buffer): Asn1Element {
  const element = readAt(buf, 0, 0);
  const rest = buf.subarray(element.raw.length);
  if (rest.some((b) => b !== 0)) throw malformed(`${rest.length} unexpected bytes after the structure`);
  return element;
}

export function expectTag(element: Asn1Element | undefined, tag: number, what: string): Asn1Element {
  if (!element) throw malformed(`${what} is missing`);
  if (element.tag !== tag) {
    throw malformed(`${what} has tag 0x${element.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  }
  return element;
}

/** Content of an OCTET STRING in either encoding: primitive, or BER-constructed from segments (as OpenSSL streams it). */
export function octetStringValue(element: Asn1Element): Buffer {
  if (!element.constructed) return element.content;
  const segments: Buffer[] = [];
  const collect = (e: Asn1Element): void => {
    for (const child of e.children) {
      if (child.constructed) collect(child);
      else segments.push(child.content);
    }
  };
  collect(element);
  return segments.length === 1 ? segments[0] : Buffer.concat(segments);
}

export function oidValue(element: Asn1Element | undefined, what: string): string {
  const e = expectTag(element, Tag.oid, what);
  const bytes = e.content;
  if (bytes.length === 0) throw malformed(`${what} is an empty object identifier`);
  const parts: number[] = [];
  let value = 0;
  for (let i = 0; i < bytes.length; i++) {
    value = value * 128 + (bytes[i] & 0x7f);
    if ((bytes[i] & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    } else if (value > Number.MAX_SAFE_INTEGER / 128) {
      throw malformed(`${what} has an arc too large`);
    }
  }
  return parts.join('.');
}

export function childAt(element: Asn1Element, index: number, what: string): Asn1Element {
  const child = element.children[index];
  if (!child) throw malformed(`${what} is missing`);
  return child;
}
