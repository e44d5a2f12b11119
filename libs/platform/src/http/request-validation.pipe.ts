import { BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { ValidationFailedException } from './validation-failed.exception';

const NON_DTO_TYPES: readonly unknown[] = [String, Boolean, Number, Array, Object];

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The global pipe: DTOs are whitelisted (unknown fields are errors, against mass assignment), transformed,
 * and failures become one 422 with messages per field.
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => ValidationFailedException.fromValidationErrors(errors),
    });
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDtoBody = metadata.type === 'body' && metadata.metatype !== undefined && !NON_DTO_TYPES.includes(metadata.metatype);
    if (!isDtoBody) return super.transform(value, metadata);
    // A missing body is validated as {}, so the client learns which fields are required.
    const body = value === undefined || value === null ? {} : value;
    if (!isPlainObject(body)) {
      throw new BadRequestException({ message: 'The request body must be a JSON object', code: 'INVALID_BODY' });
    }
    return super.transform(body, metadata);
  }
}
