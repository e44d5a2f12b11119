import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** One rule of a DTO field: the test a value passes, and the message (or one per failure) it gets otherwise. */
export interface PropertyRule {
  /** The constraint's name in class-validator's metadata. */
  readonly name: string;
  readonly validate: (value: unknown) => boolean;
  readonly message: string | ((args: ValidationArguments) => string);
  /** The error code the validation pipe answers a failure with; VALIDATION_FAILED without one. */
  readonly code?: string;
}

/** A class-validator property decorator for `rule`; `options` (each, groups, a message of the caller's) override its own. */
export function propertyRule(rule: PropertyRule, options: ValidationOptions = {}): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: rule.name,
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: rule.message, ...(rule.code === undefined ? {} : { context: { code: rule.code } }), ...options },
      validator: { validate: rule.validate },
    });
}
