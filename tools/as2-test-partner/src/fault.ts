/** A failure the test partner injects on purpose, so that clients can be tested against a misbehaving partner. */
export type Fault =
  | { kind: 'wrong-mic' }
  /** The MDN returns our MIC's value right, but names sha1 as its algorithm (a partner that labels its digest wrongly). */
  | { kind: 'mislabelled-mic' }
  | { kind: 'unsigned-mdn' }
  | { kind: 'http-500' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'drop' };

export const faultSyntax = 'wrong-mic|mislabelled-mic|unsigned-mdn|http-500|slow:<ms>|drop';

export function parseFault(text: string): Fault {
  switch (text) {
    case 'wrong-mic':
    case 'mislabelled-mic':
    case 'unsigned-mdn':
    case 'http-500':
    case 'drop':
      return { kind: text };
  }
  const slow = /^slow:(\d{1,7})$/.exec(text);
  if (slow) return { kind: 'slow', delayMs: Number(slow[1]) };
  throw new Error(`--fault "${text}" is not one of ${faultSyntax}`);
}

export function describeFault(fault: Fault): string {
  return fault.kind === 'slow' ? `slow:${fault.delayMs}` : fault.kind;
}
