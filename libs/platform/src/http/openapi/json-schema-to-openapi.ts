import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * An OpenAPI 3.0 schema from a JSON Schema a route validates or serialises with (one definition for both): a type list
 * with `null` becomes `nullable`, and a subschema listed in `names` becomes a reference to that component.
 */
export function openApiSchemaOf(schema: JsonSchema, names: ReadonlyMap<object, string> = new Map()): SchemaObject {
  const converted: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'type' && Array.isArray(value)) {
      const types = value.filter((type) => type !== 'null');
      if (types.length !== 1) throw new Error(`openApiSchemaOf: a type list other than [type, "null"] has no OpenAPI 3.0 form: ${JSON.stringify(value)}`);
      converted['type'] = types[0];
      if (types.length < value.length) converted['nullable'] = true;
    } else if (keyword === 'properties' && value !== null && typeof value === 'object') {
      converted[keyword] = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, subschema(inner as JsonSchema, names)]));
    } else if ((keyword === 'items' || keyword === 'additionalProperties') && value !== null && typeof value === 'object') {
      converted[keyword] = subschema(value as JsonSchema, names);
    } else {
      converted[keyword] = Array.isArray(value) ? [...value] : value;
    }
  }
  return converted as SchemaObject;
}

function subschema(schema: JsonSchema, names: ReadonlyMap<object, string>): SchemaObject {
  const name = names.get(schema);
  return name === undefined ? openApiSchemaOf(schema, names) : ({ $ref: `#/components/schemas/${name}` } as SchemaObject);
}
