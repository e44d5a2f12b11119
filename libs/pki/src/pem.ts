/** One PEM block of a text: its label, the whole block from its BEGIN line to its END line, and the base64 between. */
export interface PemBlock {
  readonly label: string;
  readonly text: string;
  readonly body: string;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';

/** Whether a character may be part of a PEM label as this reader takes them (`[A-Z0-9 ]`). */
function isLabelCharacter(code: number): boolean {
  return code === 0x20 || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
}

/** The label that starts at `at` and is closed by five dashes, or null. */
function labelAt(text: string, at: number): string | null {
  let end = at;
  while (end < text.length && isLabelCharacter(text.charCodeAt(end))) end++;
  if (end === at || !text.startsWith(DASHES, end)) return null;
  return text.slice(at, end);
}

/** Where each label's END lines start, in order: found in one pass, so that no BEGIN line searches the rest of the text. */
function endLinesByLabel(text: string): Map<string, number[]> {
  const ends = new Map<string, number[]>();
  for (let at = text.indexOf(END); at >= 0; at = text.indexOf(END, at + 1)) {
    const label = labelAt(text, at + END.length);
    if (label === null) continue;
    const positions = ends.get(label);
    if (positions) positions.push(at);
    else ends.set(label, [at]);
  }
  return ends;
}

/**
 * Every PEM block of a text, in order: a `-----BEGIN L-----` line and the first `-----END L-----` after it with the same
 * label (lenient about what lies around and between them). Linear in the text's length whatever it holds: a text of
 * many BEGIN lines without their END costs one pass, not a search of the rest of the text from each of them.
 */
export function pemBlocks(text: string): PemBlock[] {
  const ends = endLinesByLabel(text);
  const nextEnd = new Map<string, number>();
  const blocks: PemBlock[] = [];
  let at = text.indexOf(BEGIN);
  while (at >= 0) {
    const label = labelAt(text, at + BEGIN.length);
    const positions = label === null ? undefined : ends.get(label);
    if (label === null || positions === undefined) {
      at = text.indexOf(BEGIN, at + 1);
      continue;
    }
    const bodyStart = at + BEGIN.length + label.length + DASHES.length;
    let index = nextEnd.get(label) ?? 0;
    while (index < positions.length && positions[index] < bodyStart) index++;
    nextEnd.set(label, index);
    if (index === positions.length) {
      at = text.indexOf(BEGIN, at + 1);
      continue;
    }
    const endStart = positions[index];
    const blockEnd = endStart + END.length + label.length + DASHES.length;
    blocks.push({ label, text: text.slice(at, blockEnd), body: text.slice(bodyStart, endStart) });
    at = text.indexOf(BEGIN, blockEnd);
  }
  return blocks;
}

/** Every PEM block of the given label in a text, in order, as DER (lenient: for our own files and peers' bundles). */
export function pemBlocksToDer(text: string, label = 'CERTIFICATE'): Buffer[] {
  return pemBlocks(text)
    .filter((block) => block.label === label)
    .map((block) => Buffer.from(block.body.replace(/\s+/g, ''), 'base64'));
}

/** RFC 7468 text: 64-column base64 and a trailing newline. */
export function derToPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
