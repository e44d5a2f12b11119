import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { ConnectionTesterModule } from '@as2-partners/connection-tester-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';
import { AllInOneModule } from '../all-in-one.module';
import devProxy = require('../../../../tools/dev/gateway-route.cjs');

const root = join(__dirname, '..', '..', '..', '..');

interface RouteTable {
  readonly services: Record<string, unknown>;
  readonly routes: readonly { service: string; path: string }[];
  readonly default: string;
  readonly shared: readonly string[];
}

const table = JSON.parse(readFileSync(join(root, 'gateway', 'routes.json'), 'utf8')) as RouteTable;

/** The services' own modules: a new service adds its module here and its prefixes to gateway/routes.json. */
const SERVICES: Record<string, Type<unknown> | DynamicModule> = {
  'partner-registry': PartnerRegistryModule,
  'certificate-lifecycle': CertificateLifecycleModule,
  'traffic-control': TrafficControlModule,
  'connection-tester': ConnectionTesterModule,
};

async function openApiPaths(module: Type<unknown> | DynamicModule): Promise<string[]> {
  const t = await createEmbeddedTestApp({ imports: [module] });
  try {
    return Object.keys((await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json().paths);
  } finally {
    await t.close();
  }
}

/** A concrete URL for a templated path: ids as the API makes them. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'prt_01HQ3K4N5M6P7Q8R9S0T1U2V3W');

/** Where a proxy sends a path: the first route whose regex matches, else the default. */
function serviceFor(routes: readonly { service: string; path: RegExp }[], fallback: string, path: string): string {
  return routes.find((route) => route.path.test(path))?.service ?? fallback;
}

/** The locations of the generated nginx.conf, read back as a proxy would use them. */
function nginxRoutes(): { routes: { service: string; path: RegExp }[]; fallback: string } {
  const text = readFileSync(join(root, 'gateway', 'nginx.conf'), 'utf8');
  const locations = [...text.matchAll(/location (~ (\S+)|\/) \{\s*proxy_pass http:\/\/([a-z0-9-]+):\d+;/g)];
  const routes = locations.filter((m) => m[2]).map((m) => ({ path: new RegExp(m[2] as string), service: m[3] as string }));
  const fallback = locations.find((m) => !m[2])?.[3] ?? '';
  return { routes, fallback };
}

/** The Ingress paths, anchored as ingress-nginx anchors them, longest first as it orders them. */
function ingressRoutes(): { routes: { service: string; path: RegExp }[] } {
  const text = readFileSync(join(root, 'k8s', 'base', 'gateway-ingress.yaml'), 'utf8');
  const paths = [...text.matchAll(/- path: "([^"]+)"[\s\S]*?service: \{ name: ([a-z0-9-]+),/g)].map((m) => ({ regex: m[1] as string, service: m[2] as string }));
  return { routes: paths.sort((a, b) => b.regex.length - a.regex.length).map(({ regex, service }) => ({ path: new RegExp(`^${regex}`, 'i'), service })) };
}

describe('the public route table (gateway/routes.json)', () => {
  const documents = new Map<string, string[]>();
  let allInOne: string[];

  beforeAll(async () => {
    for (const [service, module] of Object.entries(SERVICES)) documents.set(service, await openApiPaths(module));
    allInOne = await openApiPaths(AllInOneModule);
  }, 120_000);

  it('names only known services', () => {
    expect(Object.keys(table.services).sort()).toEqual(Object.keys(SERVICES).sort());
    for (const route of table.routes) expect(Object.keys(table.services)).toContain(route.service);
    expect(Object.keys(table.services)).toContain(table.default);
  });

  it("sends every path of each service's OpenAPI document to that service (platform routes every service has aside)", () => {
    const routes = table.routes.map((route) => ({ service: route.service, path: new RegExp(route.path) }));
    const shared = table.shared.map((pattern) => new RegExp(pattern));
    const misrouted: string[] = [];
    for (const [service, paths] of documents) {
      for (const path of paths) {
        if (shared.some((pattern) => pattern.test(path))) continue;
        const target = serviceFor(routes, table.default, concrete(path));
        if (target !== service) misrouted.push(`${path}: served by ${service}, routed to ${target}`);
      }
    }
    expect(misrouted).toEqual([]);
    // The gateway's decision routes (plain Fastify beside Nest) are in traffic-control's document, so routed with it.
    expect(documents.get('traffic-control')).toEqual(expect.arrayContaining(['/v1/traffic/decisions', '/v1/traffic/decisions:batch']));
    expect([...documents.values()].flat().filter((path) => !shared.some((pattern) => pattern.test(path))).length).toBeGreaterThanOrEqual(20);
  });

  it('makes the distributed stack answer the URLs of the all-in-one: the same paths, nothing more or less', () => {
    expect(new Set([...documents.values()].flat())).toEqual(new Set(allInOne));
  });

  it('routes the compose proxy and the Ingress as the table does, for every documented path', () => {
    const routes = table.routes.map((route) => ({ service: route.service, path: new RegExp(route.path) }));
    const nginx = nginxRoutes();
    const ingress = ingressRoutes();
    expect(nginx.routes).toHaveLength(table.routes.length);
    for (const path of allInOne.map(concrete)) {
      const expected = serviceFor(routes, table.default, path);
      expect([path, serviceFor(nginx.routes, nginx.fallback, path)]).toEqual([path, expected]);
      expect([path, serviceFor(ingress.routes, 'none', path)]).toEqual([path, expected]);
    }
  });

  it("the compose proxy refuses a body past its own limit in the services' error shape, not nginx's HTML page", () => {
    const text = readFileSync(join(root, 'gateway', 'nginx.conf'), 'utf8');
    expect(text).toContain('error_page 413 @payload_too_large;');
    const answer = /location @payload_too_large \{\s*default_type application\/json;\s*return 413 '([^']*)';/.exec(text);
    expect(JSON.parse(answer?.[1] ?? 'null')).toEqual({ message: 'The request body is too large.', error: { type: 'invalid_request_error', code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('routes the local distributed proxy (tools/dev) as nginx matches: on the decoded, normalised path, for every documented path', () => {
    const routes = table.routes.map((route) => ({ service: route.service, path: new RegExp(route.path) }));
    for (const path of allInOne.map(concrete)) {
      const expected = serviceFor(routes, table.default, path);
      const spelled = [path, `${path}?x=1`, path.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`), path.replace('/v1/', '//v1/./'), `/x/..${path}`];
      expect(spelled.map((url) => [url, devProxy.serviceFor(table, url)])).toEqual(spelled.map((url) => [url, expected]));
    }
    expect(devProxy.serviceFor(table, '/v1/partners/prt_1/%74raffic')).toBe('traffic-control');
    expect(devProxy.serviceFor(table, '/v1/partners/prt_1/certificate%2Dslots')).toBe('certificate-lifecycle');
    expect([devProxy.serviceFor(table, '/v1/%zz'), devProxy.serviceFor(table, '/../v1/traffic')]).toEqual([null, null]);
  });

  it('has its generated files up to date (node tools/gateway/render-routes.mjs)', () => {
    const check = spawnSync(process.execPath, [join(root, 'tools', 'gateway', 'render-routes.mjs'), '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
