import { openApiSchemaOf } from './json-schema-to-openapi';

describe('openApiSchemaOf', () => {
  const item = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', minLength: 1 } } };

  it('turns a type list with null into nullable, keeps every other keyword, and leaves the source untouched', () => {
    const source = { type: 'object', properties: { at: { type: ['integer', 'null'] }, name: { type: 'string', enum: ['a', 'b'], maxLength: 3 } } };
    const before = JSON.stringify(source);
    expect(openApiSchemaOf(source)).toEqual({ type: 'object', properties: { at: { type: 'integer', nullable: true }, name: { type: 'string', enum: ['a', 'b'], maxLength: 3 } } });
    expect(JSON.stringify(source)).toBe(before);
  });

  it('refers to a named subschema instead of copying it, in properties, items and additionalProperties', () => {
    const names = new Map<object, string>([[item, 'Item']]);
    const list = { type: 'object', properties: { items: { type: 'array', items: item }, one: item }, additionalProperties: item };
    expect(openApiSchemaOf(list, names)).toEqual({
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Item' } }, one: { $ref: '#/components/schemas/Item' } },
      additionalProperties: { $ref: '#/components/schemas/Item' },
    });
    // The named schema itself converts in full.
    expect(openApiSchemaOf(item, names)).toEqual(item);
  });

  it('refuses a type list OpenAPI 3.0 cannot say', () => {
    expect(() => openApiSchemaOf({ type: ['string', 'integer'] })).toThrow(/no OpenAPI 3.0 form/);
  });
});
