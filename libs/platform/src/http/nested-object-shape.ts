import { getMetadataStorage, ValidationError, ValidationTypes } from 'class-validator';

function shapeError(property: string, message: string, children: ValidationError[] = []): ValidationError {
  return Object.assign(new ValidationError(), { property, constraints: children.length > 0 ? undefined : { isObject: message }, children });
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Decorators are applied when a class is defined, so a DTO's nested properties are read once per class, not per request. */
const nestedProperties = new WeakMap<object, ReadonlyMap<string, boolean>>();

/** The DTO class's `@ValidateNested()` properties, each with whether it is a list of objects (`each`). */
export function nestedPropertiesOf(target: object): ReadonlyMap<string, boolean> {
  let properties = nestedProperties.get(target);
  if (!properties) {
    const nested = getMetadataStorage()
      .getTargetValidationMetadatas(target as new () => object, '', true, false)
      .filter((m) => m.type === ValidationTypes.NESTED_VALIDATION);
    properties = new Map(nested.map((m) => [m.propertyName, nested.some((n) => n.propertyName === m.propertyName && n.each)]));
    nestedProperties.set(target, properties);
  }
  return properties;
}

/**
 * Lists (JSON arrays) where a DTO declares one nested object (`@ValidateNested()`), or a list entry of a
 * `@ValidateNested({ each: true })` field: class-validator validates the items of such a list as if each were the object
 * and passes `[]` or `[[…]]` with no error, so a hostile body would reach the handlers (and the events) unchecked.
 */
export function nestedObjectShapeErrors(dto: object): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const [property, each] of nestedPropertiesOf(dto.constructor)) {
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
