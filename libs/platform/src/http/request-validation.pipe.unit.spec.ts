import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, ValidateNested } from 'class-validator';
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
const validate = (body: unknown, metatype: new () => object = Body) => pipe.transform(body, { type: 'body', metatype });

async function fieldErrors(body: unknown, metatype: new () => object = Body): Promise<Record<string, string[]>> {
  const error = await validate(body, metatype).then(
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

class CappedRecipient {
  @IsString({ message: 'The id must be a string' })
  id!: string;
}

class CappedTransport {
  @IsArray()
  @ArrayMaxSize(2, { message: 'The recipients may hold at most 2 entries' })
  @ValidateNested({ each: true })
  @Type(() => CappedRecipient)
  recipients!: CappedRecipient[];
}

class CappedBatch {
  @IsArray()
  @ArrayMaxSize(3, { message: 'The events may hold at most 3 records' })
  @ValidateNested({ each: true })
  @Type(() => CappedTransport)
  events!: CappedTransport[];

  @IsOptional()
  @ValidateNested()
  @Type(() => CappedTransport)
  transport?: CappedTransport;
}

describe('RequestValidationPipe: a list longer than its DTO allows', () => {
  const validateBatch = (body: unknown) => validate(body, CappedBatch);
  const batchErrors = (body: unknown) => fieldErrors(body, CappedBatch);

  it('is refused on its length alone: one message, none for its entries (100,000 empty records, not 100,000 sets of errors)', async () => {
    expect(await batchErrors({ events: Array.from({ length: 100_000 }, () => ({})) })).toEqual({ events: ['The events may hold at most 3 records'] });
  });

  it('is found inside a nested object and inside a list entry, named by its dotted field', async () => {
    expect(await batchErrors({ events: [], transport: { recipients: [{ id: 'a' }, { id: 'b' }, {}] } })).toEqual({ 'transport.recipients': ['The recipients may hold at most 2 entries'] });
    expect(await batchErrors({ events: [{ recipients: [] }, { recipients: [1, 2, 3, 4] }] })).toEqual({ 'events.1.recipients': ['The recipients may hold at most 2 entries'] });
  });

  it('leaves lists within their caps to class-validator, which names each entry', async () => {
    expect(await batchErrors({ events: [{ recipients: [{ id: 'a' }, {}] }, {}, {}] })).toEqual(
      expect.objectContaining({ 'events.0.recipients.1.id': ['The events.0.recipients.1.id field is required'], 'events.1.recipients': ['The events.1.recipients field is required'] }),
    );
    await expect(validateBatch({ events: [{ recipients: [{ id: 'a' }, { id: 'b' }] }] })).resolves.toBeInstanceOf(CappedBatch);
  });
});

describe('RequestValidationPipe: fields named as properties every object inherits', () => {
  class Query {
    @IsOptional()
    @IsString()
    search?: string;
  }
  /** A query string's fields as Fastify parses them: an object without a prototype. */
  const queryOf = (fields: Record<string, string>) => Object.assign(Object.create(null) as object, fields);

  it('refuses them as any unknown field, in a query and in a body (class-transformer drops them without a word)', async () => {
    for (const name of ['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__', '__defineGetter__']) {
      const query = queryOf({ search: 'acme' });
      Object.defineProperty(query, name, { value: '1', enumerable: true });
      const error = await pipe.transform(query, { type: 'query', metatype: Query }).then(
        () => null,
        (e: unknown) => e,
      );
      expect([name, (error as ValidationFailedException | null)?.errors]).toEqual([name, { [name]: [`The ${name} field is not allowed`] }]);
      expect([name, await fieldErrors(JSON.parse(`{"${name}": "1"}`))]).toEqual([name, { [name]: [`The ${name} field is not allowed`] }]);
    }
  });

  it('refuses them in a nested object and in an entry of a list of objects, by their path', async () => {
    for (const name of ['toString', 'constructor', 'valueOf', 'hasOwnProperty', 'isPrototypeOf']) {
      expect([name, await fieldErrors(JSON.parse(`{"options": {"url": "x", "${name}": 1}}`))]).toEqual([name, { [`options.${name}`]: [`The options.${name} field is not allowed`] }]);
      expect([name, await fieldErrors(JSON.parse(`{"transport": {"recipients": [{"id": "a"}, {"id": "b", "${name}": 1}]}}`))]).toEqual([
        name,
        { [`transport.recipients.1.${name}`]: [`The transport.recipients.1.${name} field is not allowed`] },
      ]);
    }
  });

  it('takes a query or body without them as before', async () => {
    await expect(pipe.transform(queryOf({ search: 'acme' }), { type: 'query', metatype: Query })).resolves.toEqual(Object.assign(new Query(), { search: 'acme' }));
    await expect(validate({ options: { url: 'x' } })).resolves.toBeInstanceOf(Body);
  });
});
