import { Transform } from 'class-transformer';

const DECIMAL_DIGITS = /^[0-9]{1,16}$/;

/**
 * A query parameter read as an integer only when spelled in decimal digits: `Number()` (class-transformer's
 * `@Type(() => Number)`) would also take `0x10`, `1e1`, `+5`, ` 10` or an empty string, which the schema's
 * `integer` does not. Anything else stays as given, so the property's `@IsInt` refuses it with its own message.
 */
export function DecimalInteger(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL_DIGITS.test(value) ? Number(value) : value));
}
