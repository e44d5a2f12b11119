import type { FastifyInstance } from 'fastify';

interface RoutePattern {
  readonly pattern: RegExp;
  readonly literal: boolean;
  readonly methods: Set<string>;
}

const tables = new WeakMap<object, Map<string, RoutePattern>>();

/** `/v1/partners/:id/trust` → a regex matching one concrete path; `*` matches the rest of the path; `::` is a literal colon. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/::/g, ':').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/** A route without parameters (`/v1/partnerships/resolve`): a path it matches is its resource, whatever `:id` routes also match. */
const isLiteral = (url: string) => !url.split('/').some((segment) => segment.startsWith(':') || segment === '*');

/** Records every route fastify registers from now on, so a request no route serves can be told apart: unknown path (404) or wrong method (405). */
export function recordRouteMethods(fastify: FastifyInstance): void {
  const table = new Map<string, RoutePattern>();
  tables.set(fastify, table);
  fastify.addHook('onRoute', (route) => {
    // A catch-all (CORS preflight's `*`) says nothing about which paths exist.
    if (route.url === '*' || route.url === '/*') return;
    const entry = table.get(route.url) ?? { pattern: patternOf(route.url), literal: isLiteral(route.url), methods: new Set<string>() };
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) entry.methods.add(method.toUpperCase());
    table.set(route.url, entry);
  });
}

/**
 * The methods routes serve on this concrete path (query ignored), sorted; empty when no route has the path. A path a
 * literal route names is that route's resource: its methods only (DELETE on `/v1/partnerships/resolve` is no partnership).
 */
export function allowedMethodsOf(fastify: object, url: string): string[] {
  const table = tables.get(fastify);
  if (!table) return [];
  const path = url.split('?')[0] ?? '';
  const matching = [...table.values()].filter(({ pattern }) => pattern.test(path));
  const literal = matching.filter((route) => route.literal);
  const methods = new Set<string>();
  for (const { methods: served } of literal.length > 0 ? literal : matching) for (const method of served) methods.add(method);
  return [...methods].sort();
}
