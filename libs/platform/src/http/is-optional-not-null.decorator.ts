import { ValidateIf } from 'class-validator';

/**
 * Optional but never null: an absent field skips its checks (and takes its default), a null one meets them and is
 * refused. IsOptional would let a null through, to be read as "no value" or as the text "null".
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return ValidateIf((_, value) => value !== undefined);
}
