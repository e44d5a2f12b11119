import { Transform } from 'class-transformer';

/** Up to 16 digits (exact in a double) after any leading zeros: `00000000000000002` is 2, not a number too large. */
const DECIMAL_DIGITS = /^0*[0-9]{1,16}$/;

/**
 * A query parameter read as an integer only when spelled in decimal digits: `Number()` (class-transformer's
 * `@Type(() => Number)`) would also take `0x10`, `1e1`, `+5`, ` 10` or an empty string, which the schema's
 * `integer` does not. Anything else stays as given, so the property's `@IsInt` refuses it with its own message.
 */
export function DecimalInteger(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL_DIGITS.test(value) ? Number(value) : value));
}
