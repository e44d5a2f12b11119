import type { ValidationError } from 'class-validator';

export type FieldErrors = Record<string, string[]>;

/**
 * class-validator's own words for a nested object given a string, a number or a boolean ("nested property mdn must be
 * either object or array"), in the house's; a list entry is named by its index (`items.1`). A list where an object
 * belongs has its own message before validation.
 */
const nestedShapeMessage = (field: string): string => `The ${field} must be an object`;

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
      for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
        const text = constraint === 'whitelistValidation' ? `The ${field} field is not allowed` : constraint === 'nestedValidation' ? nestedShapeMessage(field) : message;
        const messages = (errors[field] ??= []);
        if (!messages.includes(text)) messages.push(text);
        const contextCode = (error.contexts?.[constraint] as { code?: unknown } | undefined)?.code;
        if (code === undefined && typeof contextCode === 'string') code = contextCode;
      }
      for (const child of error.children ?? []) visit(child, field);
    };
    for (const error of validationErrors) visit(error, '');
    return new ValidationFailedException(errors, code);
  }
}
