/**
 * Read-path benchmark, side by side in one run: the built all-in-one app (embedded mode) and a bare Fastify anchor
 * serving the same partner documents from a Map, each in its own process, loaded by autocannon in turn.
 * Partners are seeded straight into the read-model file through the build's own store (no write model): PARTNERS
 * in one tenant, OTHER_TENANTS × PER_TENANT beside it. Prints req/s, p50/p99 and the app/anchor ratio per route.
 *
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/read-path.bench.ts
 *   (PARTNERS=10000 OTHER_TENANTS=0 PER_TENANT=100 CONNECTIONS=50 DURATION=5; BUILD_DIR=<an all-in-one build> to
 *   measure another build, e.g. one of main, with the same seed; APP_NODE_ARGS='--cpu-prof' to profile the app,
 *   ROUTES=6,0,5 to run only some routes, in that order; ROUNDS=3 to repeat each route and print the ratio's min/median/max;
 *   SETTLE=0 to start loading at ready, not once the app's background work after ready (building every partner's
 *   details body) is done: the app's CPU under 5 % over half a second, printed with the CPU it took; JIT_WARMUP=0 not to
 *   read JIT_PARTNERS=2000 partners of a tenant of their own first, unmeasured, so route 6's first round is not the
 *   process's first requests; RESTART=1 to start the app, let it settle, stop it with SIGTERM and start it again on the same
 *   files before measuring: the pre-joined bodies are then carried over from the first run, and the second start's
 *   settle time and CPU say what the walk after a restart costs)
 * Route 5 reads every partner of the hub once before it runs (a warm pass, not measured): by-id reads of partners
 * read before, whose details the app keeps as JSON text; route 0 reads at random, mostly partners not read yet; route 6
 * reads partners the app never read before, PARTNERS / ROUNDS a run (first reads only while nothing else read them; the
 * anchor's runs are as many requests, at random); route 7 searches a term every hub partner's name holds, on one of
 * its first 50 pages; route 8 repeats one selective search (one URL, as autocannon sends it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { SignJWT } from 'jose';
import APP_NODE_OPTIONS = require('../dev/app-node-options.cjs');
import { cpuSecondsOf, freePort } from './process-probes.cjs';

const root = join(__dirname, '..', '..');
const buildDir = resolve(process.env['BUILD_DIR'] ?? join(root, 'dist', 'apps', 'all-in-one'));
const partners = Number(process.env['PARTNERS'] ?? 10_000);
const otherTenants = Number(process.env['OTHER_TENANTS'] ?? 0);
const perTenant = Number(process.env['PER_TENANT'] ?? 100);
const connections = Number(process.env['CONNECTIONS'] ?? 50);
const duration = Number(process.env['DURATION'] ?? 5);
const rounds = Number(process.env['ROUNDS'] ?? 1);
const jitPartners = process.env['JIT_WARMUP'] === '0' ? 0 : Number(process.env['JIT_PARTNERS'] ?? 2000);
const jitTenant = 'jit';
const secret = 'read-path-benchmark-secret-0123456789abcdef';
const account = 'bench-account';
const tenant = 'hub';
const VIEWS = 'partner_registry_partner_views';
const TENANTS = 'partner_registry_tenants';

const partnerId = (owner: string, i: number): string => `prt_${owner.toUpperCase().padEnd(6, '0').slice(0, 6)}${String(i).padStart(20, '0')}`;

function view(owner: string, i: number): Record<string, unknown> & { _id: string } {
  const id = partnerId(owner, i);
  const at = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
  return {
    _id: `${account}|${owner}|${id}`,
    account,
    tenant: owner,
    partnerId: id,
    type: 'tenant',
    typeOrder: 0,
    masterPartnerId: null,
    as2Id: `AS2-${owner.toUpperCase()}-${i}`,
    settings: {
      name: `Trading Partner ${i} of ${owner}`,
      url: `https://as2.partner-${i}.example.com/receive`,
      active: i % 10 !== 0,
      sign: true,
      encrypt: true,
      compress: false,
      mdnMode: 'async',
      signAlgorithm: 'SHA256withRSA',
      encryptAlgorithm: 'AES256_CBC',
      email: `ops${i}@example.com`,
      subject: null,
      mdn: { url: null, signed: false, algorithm: null },
      connection: { timeoutSeconds: 60, retryAttempts: 3, retryIntervalSeconds: 300 },
      httpAuth: { enabled: false, username: null, sealedPassword: null },
    },
    overrides: null,
    hasOverrides: false,
    createdAt: at,
    updatedAt: at,
  };
}

function tenantDoc(owner: string): Record<string, unknown> & { _id: string } {
  const at = '2024-01-01T00:00:00.000Z';
  return { _id: `${account}|${owner}`, account, tenantId: owner, registered: true, name: owner, plan: 'enterprise', createdAt: at, updatedAt: at, deletedAt: null };
}

interface Store {
  collection(name: string, indexes?: unknown, search?: unknown): { putMany(docs: unknown[]): Promise<void> };
  close(): Promise<void>;
}

/** Seeds through the measured build's own store and partner-view declarations, so its file is in its own format. */
async function seed(file: string): Promise<void> {
  const { EmbeddedReadModelStore } = require(join(buildDir, 'libs/read-model-embedded/src/index.js')) as { EmbeddedReadModelStore: { open(file: string): Promise<Store> } };
  const query = require(join(buildDir, 'libs/partner-registry/service/src/queries/partner-views/partner-list.query.js')) as Record<string, unknown>;
  const store = await EmbeddedReadModelStore.open(file);
  try {
    const views = store.collection(VIEWS, query['PARTNER_VIEW_INDEXES'], query['PARTNER_VIEW_SEARCH']);
    const owners = [tenant, ...Array.from({ length: otherTenants }, (_, t) => `t${t}`), ...(jitPartners > 0 ? [jitTenant] : [])];
    await store.collection(TENANTS, [['account', 'registered']]).putMany(owners.map(tenantDoc));
    for (let i = 0; i < partners; i += 2000) await views.putMany(Array.from({ length: Math.min(2000, partners - i) }, (_, k) => view(tenant, i + k)));
    for (let t = 0; t < otherTenants; t += 20) {
      const docs = [];
      for (let k = t; k < Math.min(otherTenants, t + 20); k += 1) for (let i = 0; i < perTenant; i += 1) docs.push(view(`t${k}`, i));
      await views.putMany(docs);
    }
    if (jitPartners > 0) await views.putMany(Array.from({ length: jitPartners }, (_, i) => view(jitTenant, i)));
  } finally {
    await store.close();
  }
}

/** The anchor: the hub tenant's documents in a Map, a by-id lookup and a scan for search/list, no auth, no framework beyond Fastify. */
async function runAnchor(file: string, port: number): Promise<void> {
  const db = new Database(file, { readonly: true });
  const table = db.prepare("SELECT name FROM sqlite_master WHERE name = 'read_model_docs'").get() ? 'read_model_docs' : 'read_model_documents';
  const byId = new Map<string, string>();
  const docs: { doc: Record<string, unknown>; json: string }[] = [];
  for (const row of db.prepare(`SELECT body FROM ${table} WHERE collection = ?`).iterate(VIEWS) as Iterable<{ body: string }>) {
    const doc = JSON.parse(row.body) as Record<string, unknown>;
    if (doc['tenant'] !== tenant) continue;
    byId.set(doc['partnerId'] as string, row.body);
    docs.push({ doc, json: row.body });
  }
  db.close();
  const app = Fastify();
  app.get<{ Params: { id: string } }>('/v1/partners/:id', (request, reply) => {
    const json = byId.get(request.params.id);
    if (!json) return reply.code(404).send({ message: 'not found' });
    return reply.type('application/json').send(`{"data":${json}}`);
  });
  app.get<{ Querystring: Record<string, string> }>('/v1/partners', (request, reply) => {
    const search = request.query['search']?.toLowerCase();
    const active = request.query['active'] === undefined ? undefined : request.query['active'] === 'true';
    const page = Number(request.query['page'] ?? 1);
    const perPage = Number(request.query['per_page'] ?? 20);
    const matches = docs.filter(({ doc }) => {
      const settings = doc['settings'] as { name: string; active: boolean };
      if (active !== undefined && settings.active !== active) return false;
      return !search || settings.name.toLowerCase().includes(search) || (doc['as2Id'] as string).toLowerCase().includes(search);
    });
    const items = matches.slice((page - 1) * perPage, page * perPage).map(({ json }) => json);
    return reply.type('application/json').send(`{"data":[${items.join(',')}],"pagination":{"total":${matches.length}}}`);
  });
  await app.listen({ port, host: '127.0.0.1' });
}

async function ready(url: string): Promise<void> {
  // a first start on a seeded file builds the other collections' partial indexes, each a pass over every document (minutes at 1,000,000)
  for (let attempt = 0; attempt < 9000; attempt += 1) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

/** Waits until the process uses under 5 % of a core over half a second (its work after ready done); its CPU seconds meanwhile. */
async function settled(pid: number): Promise<{ seconds: number; cpu: number }> {
  const [started, cpuAtStart] = [performance.now(), cpuSecondsOf(pid)];
  for (let window = 0; window < 1200; window += 1) {
    const before = cpuSecondsOf(pid);
    await new Promise((r) => setTimeout(r, 500));
    if (cpuSecondsOf(pid) - before < 0.025) break;
  }
  return { seconds: (performance.now() - started) / 1000, cpu: cpuSecondsOf(pid) - cpuAtStart };
}

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server CPU per request sent (all served by the end of the drain), in µs. */
  cpuMicros: number;
}

/** `amount`: that many requests rather than DURATION seconds (req/s is then requests over the run's time). */
async function load(pid: number, base: string, drainPath: string, path: () => string, headers: Record<string, string>, amount?: number): Promise<Result> {
  const cpuBefore = cpuSecondsOf(pid);
  const started = performance.now();
  const result = await autocannon({
    url: base,
    connections,
    ...(amount === undefined ? { duration } : { amount }),
    headers,
    requests: [{ method: 'GET', setupRequest: (request: Record<string, unknown>) => ({ ...request, path: path() }) }],
  });
  // requests still queued when the run ends are served before this answer: the next run starts on an idle server
  await fetch(`${base}${drainPath}`);
  // every request sent has now been served, in or after the run
  const served = (result.requests as { sent?: number }).sent ?? result.requests.total;
  const cpuMicros = served > 0 ? ((cpuSecondsOf(pid) - cpuBefore) * 1e6) / served : Number.NaN;
  const rps = amount === undefined ? result.requests.average : (result.requests.total * 1000) / (performance.now() - started);
  return { rps, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx, cpuMicros };
}

/** Reads every hub partner once, not measured (the by-id route's second run: partners read before). */
async function warm(base: string, headers: Record<string, string>): Promise<void> {
  let next = 0;
  await autocannon({
    url: base,
    connections,
    amount: partners,
    headers,
    requests: [{ method: 'GET', setupRequest: (request: Record<string, unknown>) => ({ ...request, path: `/v1/partners/${partnerId(tenant, next++ % partners)}` }) }],
  });
}

async function main(): Promise<void> {
  if (process.env['READ_PATH_ANCHOR']) {
    const [file, port] = process.argv.slice(2);
    await runAnchor(file, Number(port));
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'read-path-bench-'));
  const file = join(dataDir, 'read-models.sqlite');
  const children: ChildProcess[] = [];
  try {
    let started = performance.now();
    await seed(file);
    console.log(`seeded ${partners} partners in "${tenant}" + ${otherTenants} × ${perTenant} in ${((performance.now() - started) / 1000).toFixed(1)} s (build ${buildDir})`);
    const [appPort, anchorPort] = [await freePort(), await freePort()];
    started = performance.now();
    const nodeArgs = process.env['APP_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
    const startApp = (): ChildProcess =>
      spawn(process.execPath, [...APP_NODE_OPTIONS, ...nodeArgs, join(buildDir, 'main.js')], {
        cwd: root,
        env: { ...process.env, MODE: 'embedded', PORT: String(appPort), HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    const startAndSettle = async (label: string): Promise<ChildProcess> => {
      started = performance.now();
      const child = startApp();
      children.push(child);
      await ready(`http://127.0.0.1:${appPort}/health/ready`);
      console.log(`${label}app ready in ${((performance.now() - started) / 1000).toFixed(1)} s, rss ${rssMiB(child.pid!).toFixed(0)} MiB`);
      if (process.env['SETTLE'] !== '0') {
        const after = await settled(child.pid!);
        console.log(`${label}app settled ${after.seconds.toFixed(1)} s after ready (CPU ${after.cpu.toFixed(2)} s meanwhile), rss ${rssMiB(child.pid!).toFixed(0)} MiB`);
      }
      return child;
    };
    let app: ChildProcess;
    if (process.env['RESTART'] === '1') {
      const first = await startAndSettle('first start: ');
      first.kill('SIGTERM');
      await new Promise((r) => (first.exitCode !== null ? r(null) : first.once('exit', r)));
      children.splice(children.indexOf(first), 1);
      app = await startAndSettle('restart: ');
    } else {
      app = await startAndSettle('');
    }
    const anchor = spawn(process.execPath, ['-r', '@swc-node/register', __filename, file, String(anchorPort)], {
      cwd: root,
      env: { ...process.env, READ_PATH_ANCHOR: '1', SWC_NODE_PROJECT: 'tsconfig.base.json' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(anchor);
    await ready(`http://127.0.0.1:${anchorPort}/v1/partners/none`);

    const bearer = await new SignJWT({ sub: 'bench-user', account, tenant, roles: ['tenant_admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(new TextEncoder().encode(secret));
    if (jitPartners > 0) {
      const jitBearer = await new SignJWT({ sub: 'bench-user', account, tenant: jitTenant, roles: ['tenant_admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('2h')
        .sign(new TextEncoder().encode(secret));
      let next = 0;
      await autocannon({
        url: `http://127.0.0.1:${appPort}`,
        connections,
        amount: jitPartners * 2,
        headers: { authorization: `Bearer ${jitBearer}` },
        requests: [{ method: 'GET', setupRequest: (request: Record<string, unknown>) => ({ ...request, path: `/v1/partners/${partnerId(jitTenant, next++ % jitPartners)}` }) }],
      });
      console.log(`JIT warm-up: ${jitPartners * 2} reads of ${jitPartners} partners of tenant "${jitTenant}", not measured`);
    }
    const random = (): number => Math.floor(Math.random() * partners);
    let unread = 0;
    const deepPage = Math.max(1, Math.min(5000, Math.floor(partners / 20)));
    const routes: [string, () => string][] = [
      ['GET /v1/partners/{id}', () => `/v1/partners/${partnerId(tenant, random())}`],
      ['search (selective)', () => `/v1/partners?search=${encodeURIComponent(`as2-hub-${random()}`)}&per_page=20`],
      ['list page 1', () => '/v1/partners?per_page=20'],
      [`list page ${deepPage}`, () => `/v1/partners?per_page=20&page=${deepPage}`],
      ['?active=false page 1', () => '/v1/partners?active=false&per_page=20'],
      ['GET /v1/partners/{id} again', () => `/v1/partners/${partnerId(tenant, random())}`],
      ['GET /v1/partners/{id} first', () => `/v1/partners/${partnerId(tenant, unread++ % partners)}`],
      // every hub name holds "partner": a term that matches the whole tenant
      ['search (non-selective)', () => `/v1/partners?search=partner&per_page=20&page=${1 + Math.floor(Math.random() * 50)}`],
      // what an outside benchmark sends (autocannon repeats one URL): one selective term, again and again
      ['search (one term)', () => `/v1/partners?search=${encodeURIComponent(`as2-hub-${Math.floor(partners / 3)}`)}`],
    ];
    // Route 6's app runs read each partner at most once (PARTNERS / ROUNDS a run, not DURATION): first reads only (run it first).
    const firstReads = new Set([6]);
    const firstReadsPerRun = Math.max(1, Math.floor(partners / rounds));
    const warmed = new Set([5]);
    const f = (n: number, digits = 1): string => n.toFixed(digits);
    console.log(`read path, ${connections} connections, ${duration} s per run, node ${process.version}`);
    console.log('(req/s and latency ms as measured; CPU µs per request from /proc, ratio = anchor CPU / app CPU = req/s ratio at equal CPU)');
    console.log('route                      app req/s   p50   p99  cpu µs | anchor req/s   p50   p99  cpu µs | req/s ratio  cpu ratio');
    const only = process.env['ROUTES']?.split(',').map(Number);
    for (const index of only ?? routes.map((_, i) => i)) {
      const [name, path] = routes[index]!;
      if (warmed.has(index)) await warm(`http://127.0.0.1:${appPort}`, { authorization: `Bearer ${bearer}` });
      const ratios: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        const amount = firstReads.has(index) ? firstReadsPerRun : undefined;
        const ours = await load(app.pid!, `http://127.0.0.1:${appPort}`, '/health/live', path, { authorization: `Bearer ${bearer}` }, amount);
        // the anchor keeps nothing per partner: a run over the same kind of paths, as long as the app's (a run of as many
        // requests where the app's is one: its start and drain weigh the same in both)
        const anchorPath = firstReads.has(index) ? routes[0]![1] : path;
        const bare = await load(anchor.pid!, `http://127.0.0.1:${anchorPort}`, '/v1/partners/none', anchorPath, {}, amount);
        ratios.push(ours.rps / bare.rps);
        const errors = ours.errors || bare.errors ? `  (errors/non-2xx: app ${ours.errors}, anchor ${bare.errors})` : '';
        console.log(
          `${name.padEnd(26)} ${f(ours.rps, 0).padStart(9)} ${f(ours.p50).padStart(5)} ${f(ours.p99).padStart(5)} ${f(ours.cpuMicros, 0).padStart(7)} | ` +
            `${f(bare.rps, 0).padStart(12)} ${f(bare.p50).padStart(5)} ${f(bare.p99).padStart(5)} ${f(bare.cpuMicros, 0).padStart(7)} | ` +
            `${f(ours.rps / bare.rps, 2).padStart(10)}× ${f(bare.cpuMicros / ours.cpuMicros, 2).padStart(9)}×${errors}`,
        );
      }
      if (rounds > 1) {
        const sorted = [...ratios].sort((a, b) => a - b);
        console.log(`${name.padEnd(26)} req/s ratio over ${rounds} rounds: min ${f(sorted[0]!, 2)}× median ${f(sorted[Math.floor(sorted.length / 2)]!, 2)}× max ${f(sorted[sorted.length - 1]!, 2)}×`);
      }
    }
    console.log(`app rss after the runs ${rssMiB(app.pid!).toFixed(0)} MiB`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
