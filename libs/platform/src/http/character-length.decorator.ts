import { characterCount } from '@as2-partners/kernel';
import type { ValidationOptions } from 'class-validator';
import { propertyRule } from './property-rule.decorator';

/**
 * A string of `min` to `max` characters, counted as users count them (code points: an emoji is one), where
 * class-validator's Length counts UTF-16 units (an emoji is two, so 128 emoji failed a 255 limit). With `min` 0 it is an
 * upper bound only.
 */
export function CharacterLength(min: number, max: number, options: ValidationOptions = {}): PropertyDecorator {
  return propertyRule(
    {
      name: 'characterLength',
      validate: (value) => {
        // An upper bound alone (min 0) leaves a missing or non-string value to the field's other rules (required, IsEmail):
        // one message for what is wrong, not "too long" beside "required".
        if (typeof value !== 'string') return min === 0;
        const count = characterCount(value);
        return count >= min && count <= max;
      },
      message: `The value must be between ${min} and ${max} characters`,
    },
    options,
  );
}
