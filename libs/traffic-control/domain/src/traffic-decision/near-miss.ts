/** An AS2 id as a careless sender might spell it: case folded, surrounding spaces and quotes gone. */
export function nearMissKey(as2Id: string): string {
  return as2Id.trim().replace(/^["']+|["']+$/g, '').trim().toLowerCase();
}

/**
 * Whether a near miss of this AS2 id is found without the near-miss index: the id is its own near-miss key, or that key
 * upper-cased (most ids), so a lookup of either form in the scope's partners finds it. An ASCII id not spaced or quoted
 * at its ends (nearMissKey only lower-cases it) is answered by a scan of its char codes, with no string made (a refill
 * asks for each of a million partners); any other id builds its key.
 */
export function foundWithoutIndex(as2Id: string): boolean {
  const last = as2Id.length - 1;
  if (last >= 0 && !spacedOrQuoted(as2Id.charCodeAt(0)) && !spacedOrQuoted(as2Id.charCodeAt(last))) {
    let upper = false;
    let lower = false;
    let ascii = true;
    for (let i = 0; i <= last && ascii; i += 1) {
      const c = as2Id.charCodeAt(i);
      if (c >= 0x80) ascii = false;
      else if (c >= 0x41 && c <= 0x5a) upper = true;
      else if (c >= 0x61 && c <= 0x7a) lower = true;
    }
    if (ascii) return !(upper && lower);
  }
  const key = nearMissKey(as2Id);
  return key === as2Id || key.toUpperCase() === as2Id;
}

/** A char code `trim` may take off an end (ASCII space and controls, any non-ASCII one: no scan then), or a quote. */
function spacedOrQuoted(c: number): boolean {
  return c <= 0x20 || c === 0x22 || c === 0x27 || c >= 0x80;
}
