import type { FastifyInstance } from 'fastify';

interface RoutePattern {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

const tables = new WeakMap<object, Map<string, RoutePattern>>();

/** `/v1/partners/:id/trust` → a regex matching one concrete path; `*` matches the rest of the path. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/** Records every route fastify registers from now on, so a request no route serves can be told apart: unknown path (404) or wrong method (405). */
export function recordRouteMethods(fastify: FastifyInstance): void {
  const table = new Map<string, RoutePattern>();
  tables.set(fastify, table);
  fastify.addHook('onRoute', (route) => {
    // A catch-all (CORS preflight's `*`) says nothing about which paths exist.
    if (route.url === '*' || route.url === '/*') return;
    const entry = table.get(route.url) ?? { pattern: patternOf(route.url), methods: new Set<string>() };
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) entry.methods.add(method.toUpperCase());
    table.set(route.url, entry);
  });
}

/** The methods routes serve on this concrete path (query ignored), sorted; empty when no route has the path. */
export function allowedMethodsOf(fastify: object, url: string): string[] {
  const table = tables.get(fastify);
  if (!table) return [];
  const path = url.split('?')[0] ?? '';
  const methods = new Set<string>();
  for (const { pattern, methods: served } of table.values()) if (pattern.test(path)) for (const method of served) methods.add(method);
  return [...methods].sort();
}
