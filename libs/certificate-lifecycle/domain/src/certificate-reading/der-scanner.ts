import { certificateTrailingData, invalidCertificate } from './certificate-reading.errors';

/** Deeper than any certificate needs (about 7) and far below what a recursive parser could survive. */
export const MAX_DER_DEPTH = 24;

/** One DER element: identifier octet (high-tag-number form collapsed to its first octet) and byte offsets. */
export interface DerElement {
  readonly tag: number;
  readonly constructed: boolean;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

export interface DerScan {
  readonly root: DerElement;
  /** The root's direct children, in order. */
  readonly children: readonly DerElement[];
}

/**
 * Walks every element of one DER value without recursion, so hostile nesting cannot overflow the stack:
 * definite lengths only, every child inside its parent, depth ≤ maxDepth, nothing after the root element.
 */
export function scanDer(der: Uint8Array, maxDepth: number = MAX_DER_DEPTH): DerScan {
  if (der.length === 0) throw invalidCertificate('The certificate is empty');
  const root = readElement(der, 0, Number.MAX_SAFE_INTEGER);
  if (root.end > der.length) throw invalidCertificate('The DER encoding is truncated');
  if (root.end < der.length) throw certificateTrailingData(`${der.length - root.end} bytes follow the end of the DER certificate`);

  const children: DerElement[] = [];
  const openEnds: number[] = [];
  let position = root.constructed ? root.contentStart : root.end;
  if (root.constructed) openEnds.push(root.end);
  while (openEnds.length > 0) {
    if (position === openEnds[openEnds.length - 1]) {
      openEnds.pop();
      continue;
    }
    if (openEnds.length + 1 > maxDepth) throw invalidCertificate(`The DER encoding nests deeper than ${maxDepth} levels`);
    const element = readElement(der, position, openEnds[openEnds.length - 1]);
    if (openEnds.length === 1) children.push(element);
    if (element.constructed) {
      openEnds.push(element.end);
      position = element.contentStart;
    } else {
      position = element.end;
    }
  }
  return { root, children };
}

function readElement(der: Uint8Array, start: number, limit: number): DerElement {
  let offset = start;
  const at = (): number => {
    if (offset >= der.length || offset >= limit) throw invalidCertificate('The DER encoding is truncated');
    return der[offset++];
  };
  const tag = at();
  if ((tag & 0x1f) === 0x1f) {
    let tagBytes = 0;
    while (at() & 0x80) {
      if (++tagBytes > 3) throw invalidCertificate('The DER encoding has an oversized tag');
    }
  }
  const first = at();
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    throw invalidCertificate('The encoding uses an indefinite length, which DER forbids');
  } else {
    const lengthBytes = first & 0x7f;
    if (lengthBytes > 4) throw invalidCertificate('The DER encoding declares an absurd length');
    length = 0;
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + at();
  }
  const contentStart = offset;
  const end = contentStart + length;
  if (end > limit) {
    throw invalidCertificate('A DER length runs past the end of its enclosing value');
  }
  return { tag, constructed: (tag & 0x20) !== 0, start, contentStart, end };
}
