import { characterCount, CONTROL_CHARACTER_RANGES, hasControlCharacters } from '@as2-partners/kernel';
import type { ValidationArguments } from 'class-validator';
import { propertyRule } from '@as2-partners/platform';

/** Reasons are free text an operator reads later: one line of up to 500 characters. */
export const MAX_REASON_LENGTH = 500;

/**
 * No C0/C1 control character (CR, LF, TAB, NUL…) nor line or paragraph separator: the reason goes into the gateway's
 * decision and the notice mails, where a line break would start a line of the author's choosing (as the registry's reasons).
 */
export const REASON_TEXT_PATTERN = `^[^${CONTROL_CHARACTER_RANGES}]+$`;

/**
 * A reason of 1 to 500 characters on one line, not blank, with one message saying what is wrong (a missing reason was
 * also told it was longer than 500 characters when length rules were stacked). A resume (`paused: false`) needs none,
 * but one it sends is a reason too, and is told so rather than that pausing needs one.
 */
export function IsReasonText(requiredMessage: string): PropertyDecorator {
  return propertyRule({
    name: 'isReasonText',
    validate: (value) =>
      typeof value === 'string' && value.trim().length >= 1 && characterCount(value) <= MAX_REASON_LENGTH && !hasControlCharacters(value),
    message: (args: ValidationArguments) => {
      const value = args.value as unknown;
      const missing = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
      if (missing && (args.object as { paused?: unknown }).paused === false) return "A resume's reason, when sent, must not be empty or blank";
      if (missing) return requiredMessage;
      if (typeof value !== 'string') return 'The reason must be a string';
      if (hasControlCharacters(value)) return 'The reason must not contain control characters (line breaks, tabs, NUL)';
      return `The reason may not be greater than ${MAX_REASON_LENGTH} characters`;
    },
  });
}
