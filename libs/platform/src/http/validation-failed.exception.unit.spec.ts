import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { IsString, validate, ValidateNested, ValidationError } from 'class-validator';
import { ValidationFailedException } from './validation-failed.exception';

class Inner {
  @IsString()
  url!: string;
}

class Outer {
  @ValidateNested()
  @Type(() => Inner)
  mdn!: Inner;

  @ValidateNested({ each: true })
  @Type(() => Inner)
  items!: Inner[];
}

function error(property: string, constraints: Record<string, string>, options: { children?: ValidationError[]; contexts?: Record<string, object>; value?: unknown } = {}): ValidationError {
  return Object.assign(new ValidationError(), { property, constraints, children: options.children ?? [], contexts: options.contexts }, 'value' in options ? { value: options.value } : {});
}

describe('ValidationFailedException.fromValidationErrors', () => {
  it('collects every message per field', () => {
    const failed = ValidationFailedException.fromValidationErrors([
      error('as2_id', { isNotEmpty: 'The AS2 ID field is required', matches: 'The AS2 ID must not contain spaces' }),
      error('url', { isUrl: 'The URL must be a valid HTTPS endpoint' }),
    ]);
    expect(failed.errors).toEqual({ as2_id: ['The AS2 ID field is required', 'The AS2 ID must not contain spaces'], url: ['The URL must be a valid HTTPS endpoint'] });
    expect(failed.code).toBeUndefined();
  });

  it('lists a message once per field even when two constraints share it', () => {
    const failed = ValidationFailedException.fromValidationErrors([error('as2_id', { isString: 'The AS2 ID field is required', isNotEmpty: 'The AS2 ID field is required' })]);
    expect(failed.errors).toEqual({ as2_id: ['The AS2 ID field is required'] });
  });

  it('uses dotted keys for nested objects and array items', () => {
    const failed = ValidationFailedException.fromValidationErrors([
      error('mdn', {}, { children: [error('url', { isUrl: 'bad url' })] }),
      error('certificates', {}, { children: [error('1', {}, { children: [error('pem', { isString: 'pem must be a string' })] })] }),
    ]);
    expect(failed.errors).toEqual({ 'mdn.url': ['bad url'], 'certificates.1.pem': ['pem must be a string'] });
  });

  it("rewords class-validator's own message for a nested object given a scalar", async () => {
    const errors = await validate(plainToInstance(Outer, { mdn: 'x', items: [{ url: 'u' }, 5] }));
    expect(ValidationFailedException.fromValidationErrors(errors).errors).toEqual({ mdn: ['The mdn must be an object'], 'items.1': ['The items.1 must be an object'] });
  });

  it('rewords unknown fields', () => {
    const failed = ValidationFailedException.fromValidationErrors([error('mdn', {}, { children: [error('extra', { whitelistValidation: 'property extra should not exist' })] })]);
    expect(failed.errors).toEqual({ 'mdn.extra': ['The mdn.extra field is not allowed'] });
  });

  it('takes the code of the first constraint whose context carries one', () => {
    const failed = ValidationFailedException.fromValidationErrors([
      error('name', { isNotEmpty: 'required' }, { contexts: { isNotEmpty: { severity: 'high' } } }),
      error('as2_id', { matches: 'bad format' }, { contexts: { matches: { code: 'INVALID_AS2_ID_FORMAT' } } }),
      error('url', { isUrl: 'bad url' }, { contexts: { isUrl: { code: 'INVALID_ENDPOINT_URL' } } }),
    ]);
    expect(failed.code).toBe('INVALID_AS2_ID_FORMAT');
  });

  it('tells a value of the wrong type so alone, not the rules a value of the right type would break, and keeps their code', () => {
    const failed = ValidationFailedException.fromValidationErrors([
      error('slots', { isArray: 'The slots must be an array', arrayMinSize: 'The slots must name at least one slot', arrayUnique: 'The slots must not repeat' }),
      error('as2_id', { isString: 'The as2_id must be a string', matches: 'bad format' }, { contexts: { matches: { code: 'INVALID_AS2_ID_FORMAT' } } }),
      error('name', { isNotEmpty: 'required', maxLength: 'too long' }),
    ]);
    expect(failed.errors).toEqual({ slots: ['The slots must be an array'], as2_id: ['The as2_id must be a string'], name: ['required', 'too long'] });
    expect(failed.code).toBe('INVALID_AS2_ID_FORMAT');
  });

  it('tells a field that was not sent that it is required, in its own words when it has them, and keeps rules between fields as they are', () => {
    const failed = ValidationFailedException.fromValidationErrors([
      error('paused', { isBoolean: 'The paused field must be true or false' }, { value: undefined }),
      error('direction', { isIn: 'The direction must be one of: incoming, outgoing, both' }, { value: undefined }),
      error('partner_id', { isString: 'The partner id must be a string', isNotEmpty: 'The partner id field is required', maxLength: 'too long' }, { value: undefined }),
      error('alias', { isDefined: 'The alias field is required', matches: 'The alias must be letters' }, { value: undefined }),
      error('content', { exactlyOne: 'Give exactly one of content or signed_attributes' }, { value: undefined }),
      error('options', { isObject: 'The options must be an object, not a list' }),
      error('enabled', { isBoolean: 'The enabled field must be true or false' }, { value: null }),
      error('level', { isIn: 'The level must be one of: a, b' }, { value: 'c', contexts: { isIn: { code: 'INVALID_LEVEL' } } }),
      error('test_type', { isIn: 'The test type must be ping or mdn' }, { value: undefined }),
      error('alias_null', { isDefined: 'The alias field is required', matches: 'The alias must be letters' }, { value: null }),
    ]);
    expect(failed.errors).toEqual({
      paused: ['The paused field is required'],
      direction: ['The direction field is required'],
      partner_id: ['The partner id field is required'],
      alias: ['The alias field is required'],
      content: ['Give exactly one of content or signed_attributes'],
      options: ['The options must be an object, not a list'],
      enabled: ['The enabled field must be true or false'],
      level: ['The level must be one of: a, b'],
      test_type: ['The test type field is required'],
      alias_null: ['The alias field is required'],
    });
    expect(failed.code).toBe('INVALID_LEVEL');
  });
});
