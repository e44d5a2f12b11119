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
 * every test of the history is kept and listed; a longer text is cut, saying how much was left out.
 */
export const MAX_RECORDED_TEXT = 1_000;

export function clippedText(text: string): string {
  if (text.length <= MAX_RECORDED_TEXT) return text;
  // Never half a surrogate pair: the cut falls before it.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(MAX_RECORDED_TEXT - 1)) ? MAX_RECORDED_TEXT - 1 : MAX_RECORDED_TEXT;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/** The outcome as it is recorded: every text in it at most MAX_RECORDED_TEXT characters. */
export function clippedOutcome(outcome: ProbeOutcome): ProbeOutcome {
  return {
    results: Object.fromEntries(Object.entries(outcome.results).map(([key, value]) => [key, typeof value === 'string' ? clippedText(value) : value])),
    timeline: outcome.timeline.map((step) => (step.details.length > MAX_RECORDED_TEXT ? { ...step, details: clippedText(step.details) } : step)),
  };
}
