import type { ValidationArguments } from 'class-validator';

/**
 * A validation message that tells a missing field (or null) from one of another type: "The activate_at field is
 * required" for the first, "The activate_at must be an ISO-8601 date-time string" for a number, a list or true.
 */
export function requiredOr(field: string, shouldBe: string): (args: ValidationArguments) => string {
  return (args) => (args.value === undefined || args.value === null ? `The ${field} field is required` : `The ${field} must be ${shouldBe}`);
}

/** What an instant field should be, in requiredOr's words. */
export const DATE_TIME_TEXT = 'an ISO-8601 date-time string';
