import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;
export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>;
  readonly components: { schemas: Record<string, Json> };
}

/** Replaces every `#/components/schemas/X` reference by the schema (the API's schemas have no cycles). */
export function inlineReferences(value: unknown, document: OpenApiDocument): unknown {
  if (Array.isArray(value)) return value.map((item) => inlineReferences(item, document));
  if (value === null || typeof value !== 'object') return value;
  const ref = (value as Json)['$ref'];
  if (typeof ref === 'string') return inlineReferences(document.components.schemas[ref.replace('#/components/schemas/', '')], document);
  return Object.fromEntries(Object.entries(value as Json).map(([key, inner]) => [key, inlineReferences(inner, document)]));
}

/**
 * The schema with every object that lists its properties closed to others (`additionalProperties: false` where it says
 * nothing): a field the server sends that its document does not name is a mismatch, as a generated client would find.
 */
function closedObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(closedObjects);
  if (value === null || typeof value !== 'object') return value;
  const closedEach = (entries: Json): Json => Object.fromEntries(Object.entries(entries).map(([name, inner]) => [name, closedObjects(inner)]));
  // `properties` maps names to schemas: its entries are closed, not the map itself.
  const schema = Object.fromEntries(Object.entries(value as Json).map(([key, inner]) => [key, key === 'properties' ? closedEach(inner as Json) : closedObjects(inner)]));
  return 'properties' in schema && !('additionalProperties' in schema) ? { ...schema, additionalProperties: false } : schema;
}

/** Checks real answers against the document: the status must be documented for the operation and the body must match its schema. */
export class OpenApiConformance {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes: { method: string; path: string; pattern: RegExp }[];
  readonly exercised = new Set<string>();

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({ method, path, pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`) })),
    );
  }

  /** The problems with one answer; empty when it conforms. */
  check(method: string, url: string, status: number, body: unknown): string[] {
    const path = url.split('?')[0] ?? '';
    // A literal path wins over a templated one (`/trust/events` over `/trust/{x}`).
    const candidates = this.routes.filter((route) => route.method === method.toLowerCase() && route.pattern.test(path));
    const route = candidates.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0))[0];
    if (!route) return [`${method} ${path}: no operation in the document`];
    const response = this.document.paths[route.path]?.[route.method]?.responses[String(status)];
    if (!response) return [`${method} ${route.path}: status ${status} is not documented`];
    this.exercised.add(`${route.method.toUpperCase()} ${route.path} ${status}`);
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return body === undefined || body === '' ? [] : [`${method} ${route.path} ${status}: a body, but no schema documented`];
    const key = `${route.method} ${route.path} ${status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(closedObjects(inlineReferences(schema, this.document)) as Json);
      this.validators.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((error) => `${method} ${route.path} ${status}: ${error.instancePath || '/'} ${error.message}${'additionalProperty' in error.params ? ` (${String(error.params['additionalProperty'])})` : ''}`);
  }
}
