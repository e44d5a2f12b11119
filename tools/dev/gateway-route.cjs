'use strict';
// Which service a public request goes to: gateway/routes.json's first matching route, else its default, matched
// against the path as nginx matches its locations (the compose proxy and the Ingress): percent-decoded, slashes
// merged, `.` and `..` segments resolved. The request itself goes on unchanged. null: a path nginx refuses (400).

/** The path nginx matches locations against, or null for one it refuses (bad percent-encoding, `..` above the root). */
function normalizedPath(rawPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  const segments = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return null;
      segments.pop();
    } else segments.push(segment);
  }
  const trailing = segments.length > 0 && /\/\.{0,2}$/.test(decoded) ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}

/** Each table's routes with their patterns compiled, once per table rather than on every request. */
const compiled = new WeakMap();

function routesOf(table) {
  let routes = compiled.get(table);
  if (!routes) {
    routes = table.routes.map((route) => ({ pattern: new RegExp(route.path), service: route.service }));
    compiled.set(table, routes);
  }
  return routes;
}

/** The service of a request URL by the table, or null when nginx would refuse its path. */
function serviceFor(table, url) {
  const path = normalizedPath((url || '/').split('?')[0]);
  if (path === null) return null;
  const route = routesOf(table).find((candidate) => candidate.pattern.test(path));
  return route ? route.service : table.default;
}

module.exports = { normalizedPath, serviceFor };
