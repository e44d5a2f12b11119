import type { ValidationArguments } from 'class-validator';
import { propertyRule } from './property-rule.decorator';

/**
 * An integer from `min` to `max` (a query parameter after DecimalInteger; `unit` names what it counts in the message), with the one message that says what is wrong:
 * not an integer, below `min`, or above `max` (class-validator's IsInt, Min and Max each added theirs to any failure).
 */
export function IntegerBetween(label: string, min: number, max: number, unit?: { readonly one: string; readonly many: string }): PropertyDecorator {
  const bound = (n: number): string => (unit === undefined ? String(n) : `${n} ${n === 1 ? unit.one : unit.many}`);
  return propertyRule({
    name: 'integerBetween',
    validate: (value) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
    message: (args: ValidationArguments) => {
      const value = args.value as unknown;
      // A field a rule requires (ValidateIf) that was left out.
      if (value === undefined || value === null) return `The ${label} field is required`;
      // Digits past what a number holds exactly are still a number out of range, not "no integer".
      if (typeof value === 'string' && /^-?[0-9]{17,}$/.test(value)) return value.startsWith('-') ? `The ${label} must be at least ${bound(min)}` : `The ${label} may not be greater than ${bound(max)}`;
      const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?[0-9]{1,16}$/.test(value) ? Number(value) : null;
      // A number in range refused all the same is no integer here (a JSON string "15", where a query's digits became a number).
      if (number === null || !Number.isInteger(number) || (number >= min && number <= max)) return `The ${label} must be an integer`;
      return number < min ? `The ${label} must be at least ${bound(min)}` : `The ${label} may not be greater than ${bound(max)}`;
    },
  });
}
