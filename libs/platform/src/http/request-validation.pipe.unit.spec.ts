import { Type } from 'class-transformer';
import { IsArray, IsOptional, IsString, ValidateNested } from 'class-validator';
import { RequestValidationPipe } from './request-validation.pipe';
import { ValidationFailedException } from './validation-failed.exception';

class Recipient {
  @IsString()
  id!: string;
}

class Transport {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => Recipient)
  recipients!: Recipient[];
}

class Options {
  @IsOptional()
  @IsString()
  url?: string;
}

class Body {
  @IsOptional()
  @ValidateNested()
  @Type(() => Options)
  options?: Options;

  @IsOptional()
  @ValidateNested()
  @Type(() => Transport)
  transport?: Transport;
}

const pipe = new RequestValidationPipe();
const validate = (body: unknown) => pipe.transform(body, { type: 'body', metatype: Body });

async function fieldErrors(body: unknown): Promise<Record<string, string[]>> {
  const error = await validate(body).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationFailedException);
  return (error as ValidationFailedException).errors;
}

describe('RequestValidationPipe: a list where a nested object belongs', () => {
  it.each([[[]], [[{ url: 'https://example.com' }]], [[[]]]])('refuses %j for a nested object', async (options) => {
    expect(await fieldErrors({ options })).toEqual({ options: ['The options must be an object, not a list'] });
  });

  it('refuses a list as an entry of a list of objects, at any depth', async () => {
    expect(await fieldErrors({ transport: { recipients: [{ id: 'a' }, []] } })).toEqual({ 'transport.recipients.1': ['Each recipients entry must be an object, not a list'] });
    expect(await fieldErrors({ transport: [] })).toEqual({ transport: ['The transport must be an object, not a list'] });
  });

  it('takes the objects it declares, empty lists of objects included', async () => {
    await expect(validate({ options: { url: 'https://example.com' }, transport: { recipients: [{ id: 'a' }] } })).resolves.toBeInstanceOf(Body);
    await expect(validate({ transport: { recipients: [] } })).resolves.toBeInstanceOf(Body);
    await expect(validate({})).resolves.toBeInstanceOf(Body);
  });
});

describe('RequestValidationPipe: a body crowded with fields', () => {
  const crowded = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 0]));

  it('refuses an object with more fields than any DTO declares in one linear pass, naming where', async () => {
    expect(await fieldErrors(crowded(130_000))).toEqual({ body: ['The body may not have more than 200 fields'] });
    expect(await fieldErrors({ options: crowded(201) })).toEqual({ options: ['The options may not have more than 200 fields'] });
    expect(await fieldErrors({ transport: { recipients: [{ id: 'a' }, crowded(300)] } })).toEqual({ 'transport.recipients.1': ['The transport.recipients.1 may not have more than 200 fields'] });
  });

  it('refuses such an object from its key count alone, before class-transformer reads (and quadratically dedupes) its fields', async () => {
    let fieldsRead = 0;
    const counted = new Proxy(crowded(5_000), {
      get(target, key, receiver) {
        fieldsRead += 1;
        return Reflect.get(target, key, receiver);
      },
    });
    expect(await fieldErrors({ options: counted })).toEqual({ options: ['The options may not have more than 200 fields'] });
    expect(fieldsRead).toBe(0);
  });

  it('leaves a body at the limit to the whitelist, which names its unknown fields', async () => {
    const errors = await fieldErrors(crowded(200));
    expect(Object.keys(errors)).toHaveLength(200);
    expect(errors['k0']).toEqual(['The k0 field is not allowed']);
  });
});
