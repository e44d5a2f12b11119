import type { TimelineStep } from '@as2-partners/connection-tester-domain';

export type ResultValue = string | number | boolean | null;

/** What a run found: seed 002's `results` object and its timeline. */
export interface ProbeOutcome {
  readonly results: Record<string, ResultValue>;
  readonly timeline: readonly TimelineStep[];
}

/**
 * The most characters of one text a run records (a result's value, a step's details): what a partner answers is
 * bounded by CONNECTION_TEST_MAX_RESPONSE_BYTES, but one text of it (an MDN's disposition) is copied into several, and
 * every test of the history is kept and listed; a longer text is cut, ending with how much was left out, within the limit.
 */
export const MAX_RECORDED_TEXT = 1_000;

/** `text` (of a text `length` characters long, when it is already a part of one) as recorded: cut to MAX_RECORDED_TEXT. */
export function clippedText(text: string, length = text.length): string {
  if (length <= MAX_RECORDED_TEXT) return text;
  // Room for the note (its count has no more digits than the length); never half a surrogate pair before it.
  let end = MAX_RECORDED_TEXT - `… (${length} more characters)`.length;
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}… (${length - end} more characters)`;
}

/** The outcome as it is recorded: every text in it at most MAX_RECORDED_TEXT characters. */
export function clippedOutcome(outcome: ProbeOutcome): ProbeOutcome {
  return {
    results: Object.fromEntries(Object.entries(outcome.results).map(([key, value]) => [key, typeof value === 'string' ? clippedText(value) : value])),
    timeline: outcome.timeline.map((step) => (step.details.length > MAX_RECORDED_TEXT ? { ...step, details: clippedText(step.details) } : step)),
  };
}
