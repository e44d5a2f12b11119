/**
 * Decision API benchmark (issue 13): the same load tool (autocannon, 50 connections, DURATION s, three alternating
 * rounds) against
 *   1. a bare Fastify server whose one route looks the pair up in a Map and returns the same JSON, and
 *   2. our decision route (the built traffic-control app, embedded mode) with 10,000 partners, 1,000 AS2 instances
 *      and 500 paused partners loaded;
 * prints the req/s ratio (goal ≥ 0.8), p99 at 80 % of our saturation rate (goal ≤ 2 ms; the bare route's p99 at that
 * rate beside it), batch decisions/s
 * (goal ≥ 200,000) and the time from process start to the first correct decision with 100,000 partners known.
 *
 *   npm run bench:traffic        (DURATION=10 CONNECTIONS=50 PARTNERS=10000 BIG_PARTNERS=100000 to change it)
 *
 * The directory is seeded as the service persists it (the registry consumer's documents and real traffic events in
 * the event store), so a start-up measures what a restart does: load the documents, follow the store, answer.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// autocannon ships no types: the part of its result this benchmark reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>, done: (error: Error | null, result: LoadResult) => void) => void;
import { SignJWT } from 'jose';
import { SqliteEventStore } from '@as2-partners/event-store-sqlite';
import { WriteModel, type EventMetadata } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { partnerTrafficDecider, TrafficControlStreams } from '@as2-partners/traffic-control-domain';
import { KnownRegistryCollections, KnownRegistryIndexes, type KnownInstanceDocument, type KnownPartnerDocument } from '@as2-partners/traffic-control-service';
import APP_NODE_OPTIONS = require('../dev/app-node-options.cjs');
import { cpuSecondsOf, freePort } from './process-probes.cjs';

interface LoadResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
}

const root = join(__dirname, '..', '..');
/** Which built app serves the decisions: `traffic-control` (default) or `all-in-one` (what `npm start` runs). */
const appName = process.env['APP'] ?? 'traffic-control';
if (appName !== 'traffic-control' && appName !== 'all-in-one') throw new Error(`APP must be traffic-control or all-in-one, not ${appName}`);
/** APP_MAIN: another build's main.js to measure (e.g. a copy of the base branch's dist under the workspace, for node_modules). */
const mainJs = process.env['APP_MAIN'] ?? join(root, 'dist', 'apps', appName, 'main.js');
/**
 * BASE_MAIN: a second build measured in the same single and batch rounds (its own copy of the seeded data), e.g. the
 * base branch's dist copied under the workspace: a before/after in one run, which the machine's load skews alike.
 */
const baseMainJs = process.env['BASE_MAIN'];
/**
 * BESIDE=minimal[,minimal+log-context+heap…]: more servers in the single rounds, each the same route code without the
 * app around it (traffic-minimal-route.mjs), with the named pieces of the app added back: a bisection of the gap.
 */
const beside = (process.env['BESIDE'] ?? '').split(',').filter(Boolean).map((name) => {
  const [base, ...pieces] = name.split('+');
  if (base !== 'minimal') throw new Error(`BESIDE takes minimal[+piece…] servers, not ${name}`);
  return { name, pieces };
});
const duration = Number(process.env['DURATION'] ?? 10);
const connections = Number(process.env['CONNECTIONS'] ?? 50);
const partners = Number(process.env['PARTNERS'] ?? 10_000);
const bigPartners = Number(process.env['BIG_PARTNERS'] ?? 100_000);
const INSTANCES = 1000;
const TENANTS = 100;
const PAUSED_EVERY = 20;
const secret = 'traffic-benchmark-secret-0123456789abcdef';
const account = 'bench-account';

const partnerId = (p: number) => `prt_${String(p).padStart(26, '0')}`;
const tenantOf = (n: number) => `t${n % TENANTS}`;

/** Partner p belongs to tenant p % 100, as does instance k; a pair is (US-k, PARTNER-p) with k ≡ p (mod 1000). */
async function seed(dataDir: string, count: number, paused: number): Promise<void> {
  const readModels = await EmbeddedReadModelStore.open(join(dataDir, 'read-models.sqlite'));
  // With the consumer's own indexes, so a start measures a restart (not a first build of its indexes over the seed).
  const instances = readModels.collection<KnownInstanceDocument>(KnownRegistryCollections.instances, KnownRegistryIndexes.instances);
  await instances.putMany(
    Array.from({ length: INSTANCES }, (_, k) => ({ _id: `ins_${k}`, instanceId: `ins_${k}`, account, tenant: tenantOf(k), myAs2Id: `US-${k}`, status: 'on' as const, deleted: false })),
  );
  const docs = readModels.collection<KnownPartnerDocument>(KnownRegistryCollections.partners, KnownRegistryIndexes.partners);
  for (let from = 0; from < count; from += 10_000) {
    const page = Array.from({ length: Math.min(10_000, count - from) }, (_, i) => from + i).map((p) => ({
      _id: partnerId(p),
      partnerId: partnerId(p),
      account,
      tenant: tenantOf(p),
      as2Id: `PARTNER-${p}`,
      name: `Partner ${p}`,
      active: true,
      deleted: false,
      stationId: null,
    }));
    await docs.putMany(page);
  }
  await readModels.close();
  const store = await SqliteEventStore.open(join(dataDir, 'events.sqlite'));
  const writeModel = new WriteModel(store);
  const now = new Date().toISOString();
  for (let i = 0; i < paused; i += 1) {
    const p = i * PAUSED_EVERY;
    const tenant = tenantOf(p);
    const metadata: EventMetadata = { account, tenant, correlationId: 'bench', causationId: null, actor: { type: 'user', id: 'bench' }, occurredAt: now };
    const ref = { partnerId: partnerId(p), account, tenant, scope: 'tenant' as const };
    await writeModel.decide(TrafficControlStreams.tenantPartnerTraffic(account, tenant, ref.partnerId), partnerTrafficDecider, { type: 'pause', ref, direction: 'outgoing', response: null, reason: 'bench', until: null, retryAfterSeconds: null, actor: 'bench', now }, metadata);
  }
  await store.close();
}

/** Extra node flags for our server only, e.g. APP_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile it. */
const appNodeArgs = process.env['APP_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];

function startApp(dataDir: string, port: number, main = mainJs): ChildProcess {
  return spawn(process.execPath, [...APP_NODE_OPTIONS, ...appNodeArgs, main], {
    cwd: root,
    env: { ...process.env, MODE: 'embedded', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** A load run with the server's CPU µs per answered request. */
async function measured(pid: number, run: () => Promise<LoadResult>): Promise<LoadResult & { cpuMicros: number }> {
  const before = cpuSecondsOf(pid);
  const result = await run();
  return { ...result, cpuMicros: ((cpuSecondsOf(pid) - before) * 1e6) / Math.max(1, result.requests.total) };
}

function decisionBody(p: number, messageId = 'm-1') {
  return JSON.stringify({ direction: 'outbound', as2_from: `US-${p % INSTANCES}`, as2_to: `PARTNER-${p}`, message_id: messageId, channel: 'rest' });
}

/** Polls until the decision for `p` is the expected one; returns when it first was. */
async function untilDecision(base: string, bearer: string, p: number, expected: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${base}/v1/traffic/decisions`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: decisionBody(p) });
      if (response.ok) {
        const answer = (await response.json()) as { decision: string; partner_id: string };
        if (answer.decision === expected && answer.partner_id === partnerId(p)) return performance.now();
      } else await response.arrayBuffer();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no ${expected} decision for PARTNER-${p} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function load(url: string, bearer: string, body: string, options: Record<string, unknown> = {}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, method: 'POST', connections, duration, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body, ...options },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** Which parts run (default: the first three): `single` (the ratio and the paced p99), `batch`, `start`; `serve` keeps our seeded server up until Ctrl-C. */
const phases = new Set((process.env['PHASES'] ?? 'single,batch,start').split(',').map((p) => p.trim()));
const BATCH_SIZE = 1000;

async function main(): Promise<void> {
  // Always through nx: its cache makes this instant when nothing changed, and a stale build is never measured.
  const build = spawnSync('npx', ['nx', 'build', appName, '--output-style=static'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0 || !existsSync(mainJs)) throw new Error('build failed');
  const gateway = await new SignJWT({ sub: 'bench-gateway', account, roles: ['gateway'] }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('2h').sign(new TextEncoder().encode(secret));
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const f = (n: number, digits = 0) => n.toFixed(digits);
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const report: string[] = [
    `traffic decisions benchmark (node ${process.version}, autocannon ${connections} connections, ${duration} s rounds, app ${appName})`,
    `loaded: ${partners} partners, ${INSTANCES} AS2 instances, ${partners / PAUSED_EVERY} paused partners`,
  ];
  try {
    if (phases.has('single') || phases.has('batch')) {
      // 1. Both servers, loaded.
      const dataDir = mkdtempSync(join(tmpdir(), 'as2-traffic-bench-'));
      dirs.push(dataDir);
      await seed(dataDir, partners, partners / PAUSED_EVERY);
      const [ourPort, barePort] = [await freePort(), await freePort()];
      let base: { readonly child: ChildProcess; readonly url: string } | null = null;
      if (baseMainJs) {
        const baseDir = mkdtempSync(join(tmpdir(), 'as2-traffic-bench-base-'));
        dirs.push(baseDir);
        cpSync(dataDir, baseDir, { recursive: true });
        const basePort = await freePort();
        base = { child: startApp(baseDir, basePort, baseMainJs), url: `http://127.0.0.1:${basePort}` };
        children.push(base.child);
      }
      const ours = startApp(dataDir, ourPort);
      children.push(ours);
      const bare = spawn(process.execPath, [join(__dirname, 'traffic-bare-route.mjs')], { env: { ...process.env, PORT: String(barePort), PARTNERS: String(partners) }, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(bare);
      const minimals: { name: string; child: ChildProcess; base: string }[] = [];
      for (const variant of beside) {
        const port = await freePort();
        const child = spawn(process.execPath, [join(__dirname, 'traffic-minimal-route.mjs')], {
          env: { ...process.env, PORT: String(port), PARTNERS: String(partners), JWT_SECRET: secret, APP_DIST: join(root, 'dist', 'apps', appName), ADD: variant.pieces.join(',') },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        children.push(child);
        minimals.push({ name: variant.name, child, base: `http://127.0.0.1:${port}` });
      }
      const ourBase = `http://127.0.0.1:${ourPort}`;
      const bareBase = `http://127.0.0.1:${barePort}`;
      await untilDecision(ourBase, gateway, 1, 'accept', 120_000);
      await untilDecision(ourBase, gateway, PAUSED_EVERY * 3, 'block', 120_000);
      await untilDecision(bareBase, gateway, 1, 'accept', 30_000);
      if (base) await untilDecision(base.url, gateway, PAUSED_EVERY * 3, 'block', 120_000);
      for (const m of minimals) await untilDecision(m.base, gateway, PAUSED_EVERY * 3, 'block', 60_000);

      if (phases.has('single')) {
        const body = decisionBody(1);
        // Warm-up (JIT, connection pools) before anything counts.
        await load(`${bareBase}/v1/traffic/decisions`, gateway, body, { duration: 2 });
        await load(`${ourBase}/v1/traffic/decisions`, gateway, body, { duration: 2 });
        for (const m of minimals) await load(`${m.base}/v1/traffic/decisions`, gateway, body, { duration: 2 });
        if (base) await load(`${base.url}/v1/traffic/decisions`, gateway, body, { duration: 2 });
        const baseRates: number[] = [];
        const baseCpu: number[] = [];
        const rates = { bare: [] as number[], ours: [] as number[] };
        const cpu = { bare: [] as number[], ours: [] as number[] };
        const besideRates = minimals.map(() => [] as number[]);
        const besideCpu = minimals.map(() => [] as number[]);
        for (let round = 1; round <= 3; round += 1) {
          const b = await measured(bare.pid!, () => load(`${bareBase}/v1/traffic/decisions`, gateway, body));
          const o = await measured(ours.pid!, () => load(`${ourBase}/v1/traffic/decisions`, gateway, body));
          if (b.non2xx || o.non2xx || b.errors || o.errors) throw new Error(`round ${round}: non-2xx ${b.non2xx}/${o.non2xx}, errors ${b.errors}/${o.errors}`);
          rates.bare.push(b.requests.average);
          rates.ours.push(o.requests.average);
          cpu.bare.push(b.cpuMicros);
          cpu.ours.push(o.cpuMicros);
          const others: string[] = [];
          if (base) {
            const before = await measured(base.child.pid!, () => load(`${base.url}/v1/traffic/decisions`, gateway, body));
            if (before.non2xx || before.errors) throw new Error(`round ${round}: the base build answered non-2xx ${before.non2xx}, errors ${before.errors}`);
            baseRates.push(before.requests.average);
            baseCpu.push(before.cpuMicros);
            others.push(`, base build ${before.requests.average.toFixed(0)} req/s (p99 ${before.latency.p99} ms, ${before.cpuMicros.toFixed(0)} µs CPU/req)`);
          }
          for (const [i, m] of minimals.entries()) {
            const r = await measured(m.child.pid!, () => load(`${m.base}/v1/traffic/decisions`, gateway, body));
            if (r.non2xx || r.errors) throw new Error(`round ${round}: ${m.name} non-2xx ${r.non2xx}, errors ${r.errors}`);
            besideRates[i]!.push(r.requests.average);
            besideCpu[i]!.push(r.cpuMicros);
            others.push(`, ${m.name} ${r.requests.average.toFixed(0)} req/s (p99 ${r.latency.p99} ms, ${r.cpuMicros.toFixed(0)} µs CPU/req)`);
          }
          console.log(
            `round ${round}: bare ${b.requests.average.toFixed(0)} req/s (p99 ${b.latency.p99} ms, ${b.cpuMicros.toFixed(0)} µs CPU/req), ` +
              `ours ${o.requests.average.toFixed(0)} req/s (p99 ${o.latency.p99} ms, ${o.cpuMicros.toFixed(0)} µs CPU/req)` +
              others.join(''),
          );
        }
        for (const [i, m] of minimals.entries()) {
          report.push(
            `${m.name.padEnd(24)} ${f(mean(besideRates[i]!))} req/s, ${f(mean(besideCpu[i]!))} µs CPU/req: ratio to bare ${f(mean(besideRates[i]!) / mean(rates.bare), 2)} (CPU bare/it ${f(mean(cpu.bare) / mean(besideCpu[i]!), 2)})`,
          );
          await stop(m.child);
        }
        if (base) {
          report.push(
            `base build (BASE_MAIN)    ${f(mean(baseRates))} req/s, ${f(mean(baseCpu))} µs CPU/req: ratio to bare ${f(mean(baseRates) / mean(rates.bare), 2)} (rounds ${baseRates.map((r, i) => f(r / (rates.bare[i] as number), 2)).join(', ')}; CPU bare/it ${f(mean(cpu.bare) / mean(baseCpu), 2)})`,
          );
        }
        const ratio = mean(rates.ours) / mean(rates.bare);
        const target = Math.floor(mean(rates.ours) * 0.8);
        const paced = await load(`${ourBase}/v1/traffic/decisions`, gateway, body, { overallRate: target });
        // The bare route at the same rate: the p99 this machine allows any server at that load, beside ours.
        const pacedBare = await load(`${bareBase}/v1/traffic/decisions`, gateway, body, { overallRate: target });
        report.push(
          `bare Fastify Map route   ${f(mean(rates.bare))} req/s (rounds ${rates.bare.map((r) => f(r)).join(', ')})`,
          `POST /v1/traffic/decisions ${f(mean(rates.ours))} req/s (rounds ${rates.ours.map((r) => f(r)).join(', ')})`,
          `ratio ours/bare          ${f(ratio, 2)} (goal >= 0.80; rounds ${rates.ours.map((r, i) => f(r / (rates.bare[i] as number), 2)).join(', ')})`,
          `CPU per request          ours ${f(mean(cpu.ours))} µs, bare ${f(mean(cpu.bare))} µs: bare/ours ${f(mean(cpu.bare) / mean(cpu.ours), 2)} (the req/s ratio at equal CPU, which machine load does not skew)`,
          `p99 at 80% of saturation ours ${paced.latency.p99} ms at ${f(paced.requests.average)} req/s, bare route ${pacedBare.latency.p99} ms at ${f(pacedBare.requests.average)} req/s (target ${target} req/s; goal <= 2 ms)`,
        );
      }

      if (phases.has('batch')) {
        // Every 20th item names a paused partner (50 of 1,000 are blocks, each recorded and noticed), as in the single rounds' directory.
        const batchBody = JSON.stringify({ decisions: Array.from({ length: BATCH_SIZE }, (_, i) => JSON.parse(decisionBody((i * 7) % partners, `m-${i}`))) });
        const batchLoad = (base: string) => load(`${base}/v1/traffic/decisions:batch`, gateway, batchBody, { connections: 4 });
        await batchLoad(bareBase);
        await batchLoad(ourBase);
        if (base) await batchLoad(base.url);
        const rounds = { bare: [] as number[], ours: [] as number[] };
        const cpu = { bare: [] as number[], ours: [] as number[] };
        const baseCpu: number[] = [];
        const p99 = { bare: [] as number[], ours: [] as number[] };
        for (let round = 1; round <= 3; round += 1) {
          const b = await measured(bare.pid!, () => batchLoad(bareBase));
          const o = await measured(ours.pid!, () => batchLoad(ourBase));
          if (b.non2xx || o.non2xx || b.errors || o.errors) throw new Error(`batch round ${round}: non-2xx ${b.non2xx}/${o.non2xx}, errors ${b.errors}/${o.errors}`);
          if (base) {
            const before = await measured(base.child.pid!, () => batchLoad(base.url));
            if (before.non2xx || before.errors) throw new Error(`batch round ${round}: the base build answered non-2xx ${before.non2xx}, errors ${before.errors}`);
            baseCpu.push(before.cpuMicros / BATCH_SIZE);
            console.log(`batch round ${round}: base build ${f(before.requests.average * BATCH_SIZE)} decisions/s (${f(before.cpuMicros / BATCH_SIZE, 2)} µs CPU/decision)`);
          }
          rounds.bare.push(b.requests.average * BATCH_SIZE);
          rounds.ours.push(o.requests.average * BATCH_SIZE);
          cpu.bare.push(b.cpuMicros / BATCH_SIZE);
          cpu.ours.push(o.cpuMicros / BATCH_SIZE);
          p99.bare.push(b.latency.p99);
          p99.ours.push(o.latency.p99);
          console.log(
            `batch round ${round}: bare ${f(b.requests.average * BATCH_SIZE)} decisions/s (${f(b.cpuMicros / BATCH_SIZE, 2)} µs CPU/decision), ` +
              `ours ${f(o.requests.average * BATCH_SIZE)} decisions/s (${f(o.cpuMicros / BATCH_SIZE, 2)} µs CPU/decision)`,
          );
        }
        const ourRate = mean(rounds.ours);
        report.push(
          `bare batch Map route     ${f(mean(rounds.bare))} decisions/s (rounds ${rounds.bare.map((r) => f(r)).join(', ')}; ${f(mean(cpu.bare), 2)} µs CPU per decision; p99 ${f(mean(p99.bare))} ms per batch)`,
          `POST …/decisions:batch   ${f(ourRate)} decisions/s (rounds ${rounds.ours.map((r) => f(r)).join(', ')}; ${f(mean(cpu.ours), 2)} µs CPU per decision; p99 ${f(mean(p99.ours))} ms per batch)`,
          `batch vs goal            ${f(ourRate / 200_000, 2)} of 200,000 decisions/s; ratio ours/bare batch ${f(ourRate / mean(rounds.bare), 2)} (CPU bare/ours ${f(mean(cpu.bare) / mean(cpu.ours), 2)})`,
        );
        if (base) report.push(`base build (BASE_MAIN)    ${f(mean(baseCpu), 2)} µs CPU per decision; this build/base ${f(mean(cpu.ours) / mean(baseCpu), 2)}`);
      }
      await stop(ours);
      await stop(bare);
    }

    if (phases.has('serve')) {
      // Our server alone, seeded, until interrupted: for profiling by hand (APP_NODE_ARGS) or trying a body with curl.
      const dataDir = mkdtempSync(join(tmpdir(), 'as2-traffic-bench-'));
      dirs.push(dataDir);
      await seed(dataDir, partners, partners / PAUSED_EVERY);
      const port = Number(process.env['PORT'] ?? (await freePort()));
      const ours = startApp(dataDir, port);
      children.push(ours);
      await untilDecision(`http://127.0.0.1:${port}`, gateway, 1, 'accept', 120_000);
      console.log(`serving on http://127.0.0.1:${port} (pid ${ours.pid}); bearer ${gateway}`);
      await new Promise((resolve) => process.once('SIGINT', resolve));
    }

    if (phases.has('start')) {
      // 2. Start-up with 100,000 partners known: from spawning the process to the first correct decision.
      const bigDir = mkdtempSync(join(tmpdir(), 'as2-traffic-bench-big-'));
      dirs.push(bigDir);
      await seed(bigDir, bigPartners, 0);
      const bigPort = await freePort();
      const started = performance.now();
      const big = startApp(bigDir, bigPort);
      children.push(big);
      const firstDecision = (await untilDecision(`http://127.0.0.1:${bigPort}`, gateway, bigPartners - 1, 'accept', 300_000)) - started;
      await stop(big);
      report.push(`start to first correct decision with ${bigPartners} partners: ${f(firstDecision)} ms`);
    }
    for (const line of report) console.log(line);
  } finally {
    for (const child of children) await stop(child);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
