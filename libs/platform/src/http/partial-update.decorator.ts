import { UnprocessableEntityException } from '@nestjs/common';

const partialUpdateDtos = new WeakSet<object>();
/** Their names, which are their OpenAPI schema names: the document says they need at least one field. */
export const PARTIAL_UPDATE_SCHEMA_NAMES = new Set<string>();

/** Marks a PATCH body DTO: a body that names no field (none at all, `{}`, `{"mdn":{}}`) is a 422 NO_CHANGE_GIVEN, not a silent 200. */
export function PartialUpdate(): ClassDecorator {
  return (target) => {
    partialUpdateDtos.add(target);
    PARTIAL_UPDATE_SCHEMA_NAMES.add(target.name);
  };
}

export function isPartialUpdateDto(metatype: unknown): boolean {
  for (let type = metatype; typeof type === 'function' && type !== Function.prototype; type = Object.getPrototypeOf(type)) {
    if (partialUpdateDtos.has(type)) return true;
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when some field, at any depth, holds a value (null and [] count: they clear or set something); empty groups do not. */
export function namesAnyField(body: unknown): boolean {
  const pending: unknown[] = [body];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    if (!isPlainObject(value)) return true;
    for (const field of Object.values(value)) if (field !== undefined) pending.push(field);
  }
  return false;
}

export function noChangeGiven(): UnprocessableEntityException {
  return new UnprocessableEntityException({ message: 'No change given: send at least one field to change', code: 'NO_CHANGE_GIVEN' });
}
