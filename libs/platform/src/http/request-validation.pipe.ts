import { BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import type { ValidationError, ValidatorOptions } from 'class-validator';
import { passCheckOf } from './compiled-validation';
import { NOT_AN_OBJECT } from './error-body';
import { nestedObjectShapeErrors } from './nested-object-shape';
import { undeclaredInheritedName, undeclaredNestedInheritedName } from './inherited-names';
import { overlongList } from './overlong-lists';
import { isPartialUpdateDto, namesAnyField, noChangeGiven } from './partial-update.decorator';
import { ValidationFailedException } from './validation-failed.exception';

const NON_DTO_TYPES: readonly unknown[] = [String, Boolean, Number, Array, Object];

/**
 * The most fields one object of a request body may have: no DTO declares nearly as many. class-transformer dedupes an
 * object's keys in quadratic time, so a 1 MB body of 130,000 unknown keys held the event loop for a minute before the
 * whitelist refused them; such a body is refused first, in one linear walk.
 */
export const MAX_FIELDS_PER_OBJECT = 200;

/** The dotted path of the first object in `value` with more than `max` keys ('' for the body itself), or null. */
function objectWithTooManyFields(value: unknown, max: number): string | null {
  const pending: { readonly item: unknown; readonly path: string }[] = [{ item: value, path: '' }];
  while (pending.length > 0) {
    const { item, path } = pending.pop() as { item: unknown; path: string };
    if (typeof item !== 'object' || item === null) continue;
    const keys = Object.keys(item);
    if (!Array.isArray(item) && keys.length > max) return path;
    for (const key of keys) pending.push({ item: (item as Record<string, unknown>)[key], path: path ? `${path}.${key}` : key });
  }
  return null;
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An undeclared field named as an inherited property: the 422 any unknown field gets. */
function refuseInheritedNames(value: object, target: object): void {
  const field = undeclaredInheritedName(value, target);
  if (field !== null) throw new ValidationFailedException({ [field]: [`The ${field} field is not allowed`] });
}

/**
 * A body with an object of more than MAX_FIELDS_PER_OBJECT fields (itself or one nested) is refused 422 before any other
 * check, naming that object: the pipe's bodies and those a route reads itself (JSON or multipart forms) alike.
 */
export function refuseCrowdedObjects(body: unknown): void {
  const crowded = objectWithTooManyFields(body, MAX_FIELDS_PER_OBJECT);
  if (crowded === null) return;
  const field = crowded || 'body';
  throw new ValidationFailedException({ [field]: [`The ${field} may not have more than ${MAX_FIELDS_PER_OBJECT} fields`] });
}

/**
 * The global pipe: DTOs are whitelisted (unknown fields are errors, against mass assignment), transformed,
 * and failures become one 422 with messages per field. A @PartialUpdate() body must name at least one field.
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      // The value is kept on each error (never answered): a field that was not sent is told it is required.
      validationError: { target: false, value: true },
      exceptionFactory: (errors) => ValidationFailedException.fromValidationErrors(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDto = metadata.metatype !== undefined && !NON_DTO_TYPES.includes(metadata.metatype);
    if (isDto && metadata.type === 'query' && isPlainObject(value)) refuseInheritedNames(value as object, metadata.metatype as object);
    if (!isDto || metadata.type !== 'body') return super.transform(value, metadata);
    // A missing body is validated as {}, so the client learns which fields are required; a JSON `null` is no object (400).
    const body = value === undefined ? {} : value;
    if (!isPlainObject(body)) {
      throw new BadRequestException({ message: NOT_AN_OBJECT, code: 'INVALID_BODY' });
    }
    refuseCrowdedObjects(body);
    refuseInheritedNames(body as object, metadata.metatype as object);
    const overlong = overlongList(body, metadata.metatype as new () => object);
    if (overlong !== null) throw new ValidationFailedException({ [overlong.field]: [overlong.message] });
    const dto = await super.transform(body, metadata);
    const nested = undeclaredNestedInheritedName(body as object, dto as object);
    if (nested !== null) throw new ValidationFailedException({ [nested]: [`The ${nested} field is not allowed`] });
    if (isPartialUpdateDto(metadata.metatype) && !namesAnyField(body)) throw noChangeGiven();
    return dto;
  }

  /** A list where a nested object belongs is refused before class-validator, which would validate its items instead. */
  /** A body every constraint passes is known so from the compiled check; any other is class-validator's to report. */
  protected override async validate(object: object, validatorOptions?: ValidatorOptions): Promise<ValidationError[]> {
    const shape = nestedObjectShapeErrors(object);
    if (shape.length > 0) return shape;
    if (validatorOptions?.groups === undefined && passCheckOf(object.constructor)?.(object)) return [];
    return super.validate(object, validatorOptions);
  }

  /** Nest's own version recurses; this one walks with an explicit stack, so no body can overflow the call stack. */
  protected override stripProtoKeys(value: unknown): void {
    const pending: unknown[] = [value];
    while (pending.length > 0) {
      const item = pending.pop();
      if (typeof item !== 'object' || item === null || ArrayBuffer.isView(item)) continue;
      if (Array.isArray(item)) {
        for (const element of item) pending.push(element);
        continue;
      }
      delete (item as { __proto__?: unknown }).__proto__;
      for (const key in item) pending.push((item as Record<string, unknown>)[key]);
    }
  }
}
