import type { ValidationArguments } from 'class-validator';
import { propertyRule } from '@as2-partners/platform';
import { MAX_RETRY_AFTER_SECONDS } from '@as2-partners/traffic-control-domain';

const isWholeSeconds = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/**
 * Whole seconds from 1 to a day, with one message saying what is wrong (a string "30" was told it was no integer,
 * below 1 and above the maximum when the rules were stacked). Absent skips it; null is no number of seconds (the OpenAPI
 * does not make it nullable).
 */
export function IsRetryAfterSeconds(): PropertyDecorator {
  return propertyRule({
    name: 'isRetryAfterSeconds',
    validate: (value) => value === undefined || (isWholeSeconds(value) && value >= 1 && value <= MAX_RETRY_AFTER_SECONDS),
    message: (args: ValidationArguments) => {
      const value = args.value as unknown;
      if (!isWholeSeconds(value)) return 'The retry_after_seconds must be an integer (seconds)';
      if (value < 1) return 'The retry_after_seconds must be at least 1';
      return `The retry_after_seconds may not be greater than ${MAX_RETRY_AFTER_SECONDS}`;
    },
  });
}
