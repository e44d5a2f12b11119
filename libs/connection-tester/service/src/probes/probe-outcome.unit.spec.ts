import { clippedOutcome, clippedText, MAX_RECORDED_TEXT } from './probe-outcome';

/** The kept start of a clipped text and the count its note gives. */
const partsOf = (clipped: string) => {
  const match = /^([\s\S]*)… \((\d+) more characters\)$/.exec(clipped);
  if (!match) throw new Error(`not clipped: ${clipped.slice(0, 40)}…`);
  return { kept: match[1] as string, more: Number(match[2]) };
};

describe('the texts a run records', () => {
  it('keeps a text of up to MAX_RECORDED_TEXT characters, and cuts a longer one within it, saying how much was left out', () => {
    expect(clippedText('a'.repeat(MAX_RECORDED_TEXT))).toBe('a'.repeat(MAX_RECORDED_TEXT));
    const text = `${'a'.repeat(MAX_RECORDED_TEXT)}bcdef`;
    const clipped = clippedText(text);
    const { kept, more } = partsOf(clipped);
    expect(clipped.length).toBeLessThanOrEqual(MAX_RECORDED_TEXT);
    expect([text.startsWith(kept), kept.length + more]).toEqual([true, text.length]);
    // Cut once: a recorded text is recorded as it is.
    expect(clippedText(clipped)).toBe(clipped);
  });

  it('never cuts a surrogate pair in half', () => {
    for (let at = 960; at < 1_000; at++) {
      const { kept } = partsOf(clippedText(`${'a'.repeat(at)}${'😀'.repeat(100)}`));
      expect([at, /[\uD800-\uDBFF]$/.test(kept)]).toEqual([at, false]);
    }
  });

  it('cuts every text of an outcome (results and steps), and leaves numbers, booleans and short texts as they are', () => {
    const long = 'D'.repeat(1_040_000);
    const outcome = clippedOutcome({
      results: { mdn_disposition: long, mic_match: false, http_status: 200, server: 'As2/1.0', error: null },
      timeline: [{ step: 'MDN disposition', status: 'failure', durationMs: 3, details: `The partner could not process the message: ${long}` }],
    });
    const { kept, more } = partsOf(outcome.results['mdn_disposition'] as string);
    expect([kept.length + more, (outcome.results['mdn_disposition'] as string).length <= MAX_RECORDED_TEXT]).toEqual([long.length, true]);
    expect({ ...outcome.results, mdn_disposition: null }).toEqual({ mdn_disposition: null, mic_match: false, http_status: 200, server: 'As2/1.0', error: null });
    expect(outcome.timeline[0]?.details.length).toBeLessThanOrEqual(MAX_RECORDED_TEXT);
  });
});
