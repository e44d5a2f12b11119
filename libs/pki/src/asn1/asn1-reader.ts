import { Asn1Error } from './asn1-error';

/** One BER/DER element as views into the caller's buffer: content is never copied. */
export interface Asn1Element {
  /** The first identifier octet (class, constructed bit, tag number; a high tag number collapses to 0x1f). */
  readonly tag: number;
  readonly constructed: boolean;
  /** The whole element: identifier, length and content (and end-of-contents octets when indefinite). */
  readonly raw: Buffer;
  /** The content octets (without the end-of-contents octets when indefinite). */
  readonly content: Buffer;
  /** Children of a constructed element, decoded on first use from the already validated bytes. */
  readonly children: readonly Asn1Element[];
}

export interface Asn1ReadOptions {
  /** Most nesting levels, the outermost element being level 1. */
  readonly maxDepth: number;
  /** BER indefinite lengths on constructed elements, as OpenSSL streams CMS; DER forbids them. */
  readonly indefiniteLengths?: boolean;
  /** Multi-octet tag numbers (never used by CMS, X.509 or RFC 3161, legal in DER). */
  readonly highTagNumbers?: boolean;
  /** Zero bytes after the outermost element, as some AS2 peers pad their CMS. */
  readonly trailingZeros?: boolean;
  /**
   * Every length in its shortest form, as DER has it (BER lets `30 83 00 01 00` say 256): one certificate has one
   * encoding, so its fingerprint is the one OpenSSL reports and a re-encoded copy is not a second certificate.
   */
  readonly minimalLengths?: boolean;
}

interface Header {
  readonly tag: number;
  readonly constructed: boolean;
  readonly contentStart: number;
  /** -1 for an indefinite length */
  readonly length: number;
}

function readHeader(buf: Buffer, offset: number, limit: number, options: Asn1ReadOptions): Header {
  let position = offset;
  const next = (): number => {
    if (position >= limit) throw new Asn1Error(`element cut off at byte ${position}`, 'truncated');
    return buf[position++];
  };
  const tag = next();
  if ((tag & 0x1f) === 0x1f) {
    if (!options.highTagNumbers) throw new Asn1Error(`high tag number at byte ${offset}`, 'high-tag');
    let tagBytes = 0;
    while (next() & 0x80) {
      if (++tagBytes > 3) throw new Asn1Error(`oversized tag at byte ${offset}`, 'high-tag');
    }
  }
  const constructed = (tag & 0x20) !== 0;
  const first = next();
  if (first < 0x80) return { tag, constructed, contentStart: position, length: first };
  if (first === 0x80) {
    if (!options.indefiniteLengths) throw new Asn1Error(`indefinite length at byte ${offset} (DER required)`, 'indefinite-length');
    if (!constructed) throw new Asn1Error(`indefinite length on a primitive element at byte ${offset}`, 'indefinite-length');
    return { tag, constructed, contentStart: position, length: -1 };
  }
  const count = first & 0x7f;
  if (count > 4) throw new Asn1Error(`length of ${count} octets at byte ${offset + 1}`, 'oversized-length');
  const lengthOctets = position;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + next();
  // The long form is minimal when the length needs it (128 or more) and its first octet is not zero.
  if (options.minimalLengths && (length < 0x80 || buf[lengthOctets] === 0)) {
    throw new Asn1Error(`the length at byte ${lengthOctets - 1} is not in its shortest form (DER required)`, 'non-minimal-length');
  }
  return { tag, constructed, contentStart: position, length };
}

interface OpenElement {
  readonly start: number;
  /** -1 while an indefinite-length element waits for its end-of-contents octets */
  readonly end: number;
  /** Where its content must stop: its own end, or the nearest definite ancestor's. */
  readonly limit: number;
}

/**
 * Walks every element once without recursion, so hostile nesting cannot overflow the stack, and returns where each
 * indefinite-length element ends (they are the only ends a header does not tell).
 */
function validate(buf: Buffer, options: Asn1ReadOptions): Map<number, number> {
  const indefiniteEnds = new Map<number, number>();
  const root = readHeader(buf, 0, buf.length, options);
  const open: OpenElement[] = [];
  if (root.length >= 0) {
    const end = root.contentStart + root.length;
    if (end > buf.length) throw new Asn1Error(`the element at byte 0 declares ${root.length} content bytes but only ${buf.length - root.contentStart} remain`, 'truncated');
    if (root.constructed) open.push({ start: 0, end, limit: end });
  } else {
    open.push({ start: 0, end: -1, limit: buf.length });
  }
  let position = root.contentStart;
  while (open.length > 0) {
    const parent = open[open.length - 1];
    if (position === parent.end) {
      open.pop();
      continue;
    }
    if (parent.end < 0 && position + 1 < parent.limit && buf[position] === 0 && buf[position + 1] === 0) {
      indefiniteEnds.set(parent.start, position + 2);
      position += 2;
      open.pop();
      continue;
    }
    if (open.length + 1 > options.maxDepth) throw new Asn1Error(`nesting deeper than ${options.maxDepth} levels`, 'too-deep');
    const header = readHeader(buf, position, parent.limit, options);
    if (header.length < 0) {
      open.push({ start: position, end: -1, limit: parent.limit });
      position = header.contentStart;
      continue;
    }
    const end = header.contentStart + header.length;
    if (end > parent.limit) throw new Asn1Error(`the element at byte ${position} runs past the end of its enclosing value`, 'overrun');
    if (header.constructed) open.push({ start: position, end, limit: end });
    position = header.constructed ? header.contentStart : end;
  }
  return indefiniteEnds;
}

class Element implements Asn1Element {
  readonly raw: Buffer;
  readonly content: Buffer;
  private decodedChildren?: Asn1Element[];

  constructor(
    private readonly buf: Buffer,
    readonly tag: number,
    readonly constructed: boolean,
    start: number,
    private readonly contentStart: number,
    private readonly contentEnd: number,
    end: number,
    private readonly context: ReadContext,
  ) {
    this.raw = buf.subarray(start, end);
    this.content = buf.subarray(contentStart, contentEnd);
  }

  get children(): readonly Asn1Element[] {
    if (!this.constructed) return [];
    this.decodedChildren ??= elementsBetween(this.buf, this.contentStart, this.contentEnd, this.context);
    return this.decodedChildren;
  }
}

interface ReadContext {
  readonly options: Asn1ReadOptions;
  readonly indefiniteEnds: ReadonlyMap<number, number>;
}

function elementAt(buf: Buffer, start: number, limit: number, context: ReadContext): Element {
  const header = readHeader(buf, start, limit, context.options);
  if (header.length >= 0) {
    const end = header.contentStart + header.length;
    return new Element(buf, header.tag, header.constructed, start, header.contentStart, end, end, context);
  }
  const end = context.indefiniteEnds.get(start);
  if (end === undefined) throw new Asn1Error(`the indefinite-length element at byte ${start} has no end-of-contents`, 'truncated');
  return new Element(buf, header.tag, true, start, header.contentStart, end - 2, end, context);
}

function elementsBetween(buf: Buffer, start: number, end: number, context: ReadContext): Element[] {
  const out: Element[] = [];
  for (let cursor = start; cursor < end; ) {
    const child = elementAt(buf, cursor, end, context);
    out.push(child);
    cursor += child.raw.length;
  }
  return out;
}

/**
 * Reads one element that must span the whole buffer. Every nested element is checked before this returns, so
 * walking `children` afterwards cannot fail; throws Asn1Error naming the first fault.
 */
export function readAsn1(buf: Buffer, options: Asn1ReadOptions): Asn1Element {
  if (buf.length === 0) throw new Asn1Error('no data', 'truncated');
  // Bytes after a definite-length root are reported before any fault inside it: the clearer of the two.
  const rootHeader = readHeader(buf, 0, buf.length, options);
  if (rootHeader.length >= 0) refuseTrailingBytes(buf, rootHeader.contentStart + rootHeader.length, options);
  const context: ReadContext = { options, indefiniteEnds: validate(buf, options) };
  const root = elementAt(buf, 0, buf.length, context);
  refuseTrailingBytes(buf, root.raw.length, options);
  return root;
}

function refuseTrailingBytes(buf: Buffer, end: number, options: Asn1ReadOptions): void {
  const rest = buf.subarray(Math.min(end, buf.length));
  if (rest.length > 0 && !(options.trailingZeros && rest.every((b) => b === 0))) {
    throw new Asn1Error(`${rest.length} bytes after the structure`, 'trailing-data');
  }
}

/** Strict DER (definite lengths, low tag numbers, nothing after the structure), as RFC 3161 and X.509 require. */
export function readDer(buf: Buffer, maxDepth = 32): Asn1Element {
  return readAsn1(buf, { maxDepth });
}
