import { clippedOutcome, clippedText, MAX_RECORDED_TEXT } from './probe-outcome';

describe('the texts a run records', () => {
  it('keeps a text of up to MAX_RECORDED_TEXT characters, and cuts a longer one saying how much was left out', () => {
    expect(clippedText('a'.repeat(MAX_RECORDED_TEXT))).toBe('a'.repeat(MAX_RECORDED_TEXT));
    expect(clippedText('a'.repeat(MAX_RECORDED_TEXT + 5))).toBe(`${'a'.repeat(MAX_RECORDED_TEXT)}… (5 more characters)`);
  });

  it('never cuts a surrogate pair in half', () => {
    const text = `${'a'.repeat(MAX_RECORDED_TEXT - 1)}😀${'b'.repeat(10)}`;
    expect(clippedText(text)).toBe(`${'a'.repeat(MAX_RECORDED_TEXT - 1)}… (12 more characters)`);
  });

  it('cuts every text of an outcome (results and steps), and leaves numbers, booleans and short texts as they are', () => {
    const long = 'D'.repeat(1_040_000);
    const outcome = clippedOutcome({
      results: { mdn_disposition: long, mic_match: false, http_status: 200, server: 'As2/1.0', error: null },
      timeline: [{ step: 'MDN disposition', status: 'failure', durationMs: 3, details: `The partner could not process the message: ${long}` }],
    });
    expect(outcome.results).toEqual({ mdn_disposition: `${'D'.repeat(MAX_RECORDED_TEXT)}… (1039000 more characters)`, mic_match: false, http_status: 200, server: 'As2/1.0', error: null });
    expect(outcome.timeline[0]?.details).toHaveLength(MAX_RECORDED_TEXT + '… (1039043 more characters)'.length);
  });
});
