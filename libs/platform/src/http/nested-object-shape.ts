import { getMetadataStorage, ValidationError, ValidationTypes } from 'class-validator';

function shapeError(property: string, message: string, children: ValidationError[] = []): ValidationError {
  return Object.assign(new ValidationError(), { property, constraints: children.length > 0 ? undefined : { isObject: message }, children });
}

const isRecord = (value: unknown): value is object => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Lists (JSON arrays) where a DTO declares one nested object (`@ValidateNested()`), or a list entry of a
 * `@ValidateNested({ each: true })` field: class-validator validates the items of such a list as if each were the object
 * and passes `[]` or `[[…]]` with no error, so a hostile body would reach the handlers (and the events) unchecked.
 */
export function nestedObjectShapeErrors(dto: object): ValidationError[] {
  const errors: ValidationError[] = [];
  const nested = getMetadataStorage()
    .getTargetValidationMetadatas(dto.constructor, '', true, false)
    .filter((m) => m.type === ValidationTypes.NESTED_VALIDATION);
  for (const property of new Set(nested.map((m) => m.propertyName))) {
    const each = nested.some((m) => m.propertyName === property && m.each);
    const value = (dto as Record<string, unknown>)[property];
    if (!each) {
      if (Array.isArray(value)) errors.push(shapeError(property, `The ${property} must be an object, not a list`));
      else if (isRecord(value)) {
        const inner = nestedObjectShapeErrors(value);
        if (inner.length > 0) errors.push(shapeError(property, '', inner));
      }
      continue;
    }
    if (!Array.isArray(value)) continue;
    const items = value.flatMap((item: unknown, index) => {
      if (Array.isArray(item)) return [shapeError(String(index), `Each ${property} entry must be an object, not a list`)];
      const inner = isRecord(item) ? nestedObjectShapeErrors(item) : [];
      return inner.length > 0 ? [shapeError(String(index), '', inner)] : [];
    });
    if (items.length > 0) errors.push(shapeError(property, '', items));
  }
  return errors;
}
