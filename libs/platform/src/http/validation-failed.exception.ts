import type { ValidationError } from 'class-validator';

export type FieldErrors = Record<string, string[]>;

/**
 * class-validator's own words for a nested object given a string, a number or a boolean ("nested property mdn must be
 * either object or array"), in the house's; a list entry is named by its index (`items.1`). A list where an object
 * belongs has its own message before validation.
 */
const nestedShapeMessage = (field: string): string => `The ${field} must be an object`;

/** class-validator's constraints that check a value's type: when one fails, the field's other rules say nothing more. */
const TYPE_CONSTRAINTS: ReadonlySet<string> = new Set(['isArray', 'isString', 'isBoolean', 'isInt', 'isNumber', 'isObject']);

/** The constraints whose failure on a field that was not sent at all means it is required: its type, its allowed values. */
const ABSENCE_TELLERS: ReadonlySet<string> = new Set([...TYPE_CONSTRAINTS, 'isIn', 'isEnum']);

/** The house's words for a required field that was not sent (seed 002: "The AS2 ID field is required"), its name in words. */
const requiredMessage = (field: string): string => `The ${field.replace(/_/g, ' ')} field is required`;

/** Request DTO validation failed: messages per (dotted) field, and the code of the first coded constraint. */
export class ValidationFailedException extends Error {
  constructor(
    readonly errors: FieldErrors,
    readonly code?: string,
  ) {
    super('Validation failed');
    this.name = 'ValidationFailedException';
  }

  /** Flattens class-validator's tree; nested DTOs and array items give dotted keys (`mdn.url`, `items.0.name`). */
  static fromValidationErrors(validationErrors: readonly ValidationError[]): ValidationFailedException {
    const errors: FieldErrors = {};
    let code: string | undefined;
    const visit = (error: ValidationError, prefix: string): void => {
      const field = prefix ? `${prefix}.${error.property}` : error.property;
      const failed = Object.entries(error.constraints ?? {});
      // A value of the wrong type is told so alone: "must be an array" beside "must name at least one slot" and "must
      // not repeat" for a string contradicts itself.
      const wrongType = failed.filter(([constraint]) => TYPE_CONSTRAINTS.has(constraint));
      // A field not sent at all (class-validator kept its value: undefined) is required, not "a string" or "one of"
      // something: its own required message when it has one, else the house's. A rule between fields ("give exactly one
      // of") still speaks for itself, as do errors made before class-validator (no value kept).
      const saysRequired = failed.filter(([, message]) => /\brequired\b/i.test(message));
      const kept = Object.hasOwn(error, 'value');
      // Not sent, or null where the field says it is required: told it is required, not also the format it breaks.
      const absent =
        kept && ((error.value === undefined && (saysRequired.length > 0 || failed.some(([constraint]) => ABSENCE_TELLERS.has(constraint)))) || (error.value === null && saysRequired.length > 0));
      const told = absent ? (saysRequired.length > 0 ? saysRequired : [['isDefined', requiredMessage(field)] as const]) : wrongType.length > 0 ? wrongType : failed;
      for (const [constraint, message] of told) {
        const text = constraint === 'whitelistValidation' ? `The ${field} field is not allowed` : constraint === 'nestedValidation' ? nestedShapeMessage(field) : message;
        const messages = (errors[field] ??= []);
        if (!messages.includes(text)) messages.push(text);
      }
      // The code still comes from every rule the value broke (an as2_id of the wrong type is INVALID_AS2_ID_FORMAT too).
      for (const [constraint] of failed) {
        const contextCode = (error.contexts?.[constraint] as { code?: unknown } | undefined)?.code;
        if (code === undefined && typeof contextCode === 'string') code = contextCode;
      }
      for (const child of error.children ?? []) visit(child, field);
    };
    for (const error of validationErrors) visit(error, '');
    return new ValidationFailedException(errors, code);
  }
}
