import { characterCount } from '@as2-partners/kernel';
import type { ValidationArguments } from 'class-validator';
import { propertyRule } from '@as2-partners/platform';

/** Reasons are free text an operator reads later: one line of up to 500 characters. */
export const MAX_REASON_LENGTH = 500;

/**
 * A reason of 1 to 500 characters, with one message saying what is wrong (a missing reason was also told it was
 * longer than 500 characters when length rules were stacked).
 */
export function IsReasonText(requiredMessage: string): PropertyDecorator {
  return propertyRule({
    name: 'isReasonText',
    validate: (value) => typeof value === 'string' && value.length >= 1 && characterCount(value) <= MAX_REASON_LENGTH,
    message: (args: ValidationArguments) => {
      const value = args.value as unknown;
      if (value === undefined || value === null || value === '') return requiredMessage;
      if (typeof value !== 'string') return 'The reason must be a string';
      return `The reason may not be greater than ${MAX_REASON_LENGTH} characters`;
    },
  });
}
