interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

/** An Accept header's ranges (RFC 9110 §12.5.1), lower-cased; a malformed q counts as 1, a range without a `/` is skipped. */
function mediaRangesOf(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',')) {
    const [range = '', ...parameters] = part.split(';');
    const [type, subtype] = range.trim().toLowerCase().split('/');
    if (!type || !subtype) continue;
    const qParameter = parameters.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2));
    ranges.push({ type, subtype, q: Number.isFinite(q) && q >= 0 && q <= 1 ? q : 1 });
  }
  return ranges;
}

/** How specifically a range names an offer: 3 exactly, 2 by `type/*`, 1 by `*\/*`, 0 not at all. */
function specificity(range: MediaRange, offer: string): number {
  const [type, subtype] = offer.split('/');
  if (range.type === '*' && range.subtype === '*') return 1;
  if (range.type !== type) return 0;
  if (range.subtype === '*') return 2;
  return range.subtype === subtype ? 3 : 0;
}

/**
 * The offer an Accept header prefers: the highest q, each offer's q taken from the most specific range naming it;
 * between equal q's the offer named more specifically, then the earlier offer. `offers[0]` when there is no header or
 * it accepts none of them (the route's own default, as before negotiation: no 406).
 */
export function preferredMediaType(accept: string | undefined, offers: readonly string[]): string {
  const ranges = accept === undefined ? [] : mediaRangesOf(accept);
  let best = offers[0] as string;
  let bestQ = 0;
  let bestSpecificity = 0;
  for (const offer of offers) {
    let q = 0;
    let named = 0;
    for (const range of ranges) {
      const s = specificity(range, offer.toLowerCase());
      if (s > named) [named, q] = [s, range.q];
    }
    if (q > bestQ || (q === bestQ && q > 0 && named > bestSpecificity)) [best, bestQ, bestSpecificity] = [offer, q, named];
  }
  return best;
}
