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
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
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

interface LoadResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
}

const root = join(__dirname, '..', '..');
const mainJs = join(root, 'dist', 'apps', 'traffic-control', 'main.js');
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

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

function startApp(dataDir: string, port: number): ChildProcess {
  return spawn(process.execPath, [mainJs], {
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

/** CPU seconds a process has used (user + system), from /proc: a per-request cost a loaded machine's scheduling does not skew. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A load run with the server's CPU µs per answered request. */
async function measured(pid: number, run: () => Promise<LoadResult>): Promise<LoadResult & { cpuMicros: number }> {
  const before = cpuSeconds(pid);
  const result = await run();
  return { ...result, cpuMicros: ((cpuSeconds(pid) - before) * 1e6) / Math.max(1, result.requests.total) };
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

async function main(): Promise<void> {
  // Always through nx: its cache makes this instant when nothing changed, and a stale build is never measured.
  const build = spawnSync('npx', ['nx', 'build', 'traffic-control', '--output-style=static'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0 || !existsSync(mainJs)) throw new Error('build failed');
  const gateway = await new SignJWT({ sub: 'bench-gateway', account, roles: ['gateway'] }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('2h').sign(new TextEncoder().encode(secret));
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  try {
    // 1. Both servers, loaded.
    const dataDir = mkdtempSync(join(tmpdir(), 'as2-traffic-bench-'));
    dirs.push(dataDir);
    await seed(dataDir, partners, partners / PAUSED_EVERY);
    const [ourPort, barePort] = [await freePort(), await freePort()];
    const ours = startApp(dataDir, ourPort);
    children.push(ours);
    const bare = spawn(process.execPath, [join(__dirname, 'traffic-bare-route.mjs')], { env: { ...process.env, PORT: String(barePort), PARTNERS: String(partners) }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(bare);
    const ourBase = `http://127.0.0.1:${ourPort}`;
    const bareBase = `http://127.0.0.1:${barePort}`;
    await untilDecision(ourBase, gateway, 1, 'accept', 120_000);
    await untilDecision(ourBase, gateway, PAUSED_EVERY * 3, 'block', 120_000);
    await untilDecision(bareBase, gateway, 1, 'accept', 30_000);

    const body = decisionBody(1);
    // Warm-up (JIT, connection pools) before anything counts.
    await load(`${bareBase}/v1/traffic/decisions`, gateway, body, { duration: 2 });
    await load(`${ourBase}/v1/traffic/decisions`, gateway, body, { duration: 2 });
    const rates = { bare: [] as number[], ours: [] as number[] };
    const cpu = { bare: [] as number[], ours: [] as number[] };
    for (let round = 1; round <= 3; round += 1) {
      const b = await measured(bare.pid!, () => load(`${bareBase}/v1/traffic/decisions`, gateway, body));
      const o = await measured(ours.pid!, () => load(`${ourBase}/v1/traffic/decisions`, gateway, body));
      if (b.non2xx || o.non2xx || b.errors || o.errors) throw new Error(`round ${round}: non-2xx ${b.non2xx}/${o.non2xx}, errors ${b.errors}/${o.errors}`);
      rates.bare.push(b.requests.average);
      rates.ours.push(o.requests.average);
      cpu.bare.push(b.cpuMicros);
      cpu.ours.push(o.cpuMicros);
      console.log(
        `round ${round}: bare ${b.requests.average.toFixed(0)} req/s (p99 ${b.latency.p99} ms, ${b.cpuMicros.toFixed(0)} µs CPU/req), ` +
          `ours ${o.requests.average.toFixed(0)} req/s (p99 ${o.latency.p99} ms, ${o.cpuMicros.toFixed(0)} µs CPU/req)`,
      );
    }
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const ratio = mean(rates.ours) / mean(rates.bare);

    const target = Math.floor(mean(rates.ours) * 0.8);
    const paced = await load(`${ourBase}/v1/traffic/decisions`, gateway, body, { overallRate: target });
    // The bare route at the same rate: the p99 this machine allows any server at that load, beside ours.
    const pacedBare = await load(`${bareBase}/v1/traffic/decisions`, gateway, body, { overallRate: target });

    const batchBody = JSON.stringify({ decisions: Array.from({ length: 1000 }, (_, i) => JSON.parse(decisionBody((i * 7) % partners, `m-${i}`))) });
    const batch = await measured(ours.pid!, () => load(`${ourBase}/v1/traffic/decisions:batch`, gateway, batchBody, { connections: 4 }));
    if (batch.non2xx || batch.errors) throw new Error(`batch: non-2xx ${batch.non2xx}, errors ${batch.errors}`);
    await stop(ours);
    await stop(bare);

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

    const f = (n: number, digits = 0) => n.toFixed(digits);
    console.log(`traffic decisions benchmark (node ${process.version}, autocannon ${connections} connections, ${duration} s rounds)`);
    console.log(`loaded: ${partners} partners, ${INSTANCES} AS2 instances, ${partners / PAUSED_EVERY} paused partners`);
    console.log(`bare Fastify Map route   ${f(mean(rates.bare))} req/s (rounds ${rates.bare.map((r) => f(r)).join(', ')})`);
    console.log(`POST /v1/traffic/decisions ${f(mean(rates.ours))} req/s (rounds ${rates.ours.map((r) => f(r)).join(', ')})`);
    console.log(`ratio ours/bare          ${f(ratio, 2)} (goal >= 0.80; rounds ${rates.ours.map((r, i) => f(r / (rates.bare[i] as number), 2)).join(', ')})`);
    console.log(`CPU per request          ours ${f(mean(cpu.ours))} µs, bare ${f(mean(cpu.bare))} µs: bare/ours ${f(mean(cpu.bare) / mean(cpu.ours), 2)} (the req/s ratio at equal CPU, which machine load does not skew)`);
    console.log(`p99 at 80% of saturation ${paced.latency.p99} ms at ${f(paced.requests.average)} req/s (target ${target} req/s; goal <= 2 ms); bare route at the same rate: p99 ${pacedBare.latency.p99} ms`);
    console.log(`batch decisions          ${f(batch.requests.average * 1000)} decisions/s (${f(batch.requests.average, 1)} batches of 1,000/s, p99 ${batch.latency.p99} ms, ${f(batch.cpuMicros / 1000, 1)} µs CPU per decision; goal >= 200,000)`);
    console.log(`start to first correct decision with ${bigPartners} partners: ${f(firstDecision)} ms`);
  } finally {
    for (const child of children) await stop(child);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
