/**
 * DER encoding into chunk lists: a big content buffer is referenced, not copied, until the caller
 * flattens the whole message once (`flatten`).
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

export const der = {
  sequence: (...parts: DerPart[]) => tlv(0x30, ...parts),
  /** DER SET OF: elements sorted by their encodings (X.690 11.6), which signed attributes require. */
  setOf: (...parts: DerPart[]) => tlv(0x31, ...parts.map(flatten).sort(Buffer.compare)),
  octetString: (...parts: DerPart[]) => tlv(0x04, ...parts),
  null: () => Buffer.from([0x05, 0x00]),
  integer(value: number | Buffer): Buffer {
    let bytes: Buffer;
    if (typeof value === 'number') {
      const arr: number[] = [];
      let rest = value;
      do {
        arr.unshift(rest % 256);
        rest = Math.floor(rest / 256);
      } while (rest > 0);
      bytes = Buffer.from(arr);
    } else {
      bytes = value;
    }
    if (bytes.length === 0 || bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return flatten(tlv(0x02, bytes));
  },
  oid(dotted: string): Buffer {
    const arcs = dotted.split('.').map(Number);
    const body: number[] = [];
    const pushArc = (arc: number): void => {
      const septets: number[] = [arc % 128];
      for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) septets.unshift(0x80 | (rest % 128));
      body.push(...septets);
    };
    pushArc(arcs[0] * 40 + arcs[1]);
    arcs.slice(2).forEach(pushArc);
    return flatten(tlv(0x06, Buffer.from(body)));
  },
  utcTime(date: Date): Buffer {
    const p = (n: number) => String(n).padStart(2, '0');
    const text =
      p(date.getUTCFullYear() % 100) + p(date.getUTCMonth() + 1) + p(date.getUTCDate()) +
      p(date.getUTCHours()) + p(date.getUTCMinutes()) + p(date.getUTCSeconds()) + 'Z';
    return flatten(tlv(0x17, Buffer.from(text, 'latin1')));
  },
  contextExplicit: (n: number, ...parts: DerPart[]) => tlv(0xa0 | n, ...parts),
  contextImplicitConstructed: (n: number, ...parts: DerPart[]) => tlv(0xa0 | n, ...parts),
  contextImplicitPrimitive: (n: number, ...parts: DerPart[]) => tlv(0x80 | n, ...parts),
  algorithm: (oid: string, parameters?: DerPart) => tlv(0x30, der.oid(oid), ...(parameters ? [parameters] : [])),
};
