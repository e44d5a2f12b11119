/**
 * Partner API benchmark, embedded mode, through HTTP against the built all-in-one app in its own process:
 * creates 10,000 partners (creates/s, latency) and measures GET /v1/partners?search=… latency with them present,
 * beside a bare baseline (GET /health/live) in the same run.
 *
 *   npm run bench:partners              (PARTNERS=10000 CONCURRENCY=16 SEARCHES=1000 to change the load)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import APP_NODE_OPTIONS = require('../dev/app-node-options.cjs');
import { freePort } from './process-probes.cjs';

const root = join(__dirname, '..', '..');
const mainJs = join(root, 'dist', 'apps', 'all-in-one', 'main.js');
const partners = Number(process.env['PARTNERS'] ?? 10_000);
const concurrency = Number(process.env['CONCURRENCY'] ?? 16);
const searches = Number(process.env['SEARCHES'] ?? 1000);
const secret = 'partners-benchmark-secret-0123456789abcdef';
const account = 'bench-account';
const tenant = 'bench-tenant';

async function token(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(latencies: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

async function timed(url: string, init: RequestInit, expected: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, init);
  await response.arrayBuffer();
  if (response.status !== expected) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}, expected ${expected}`);
  return performance.now() - started;
}

async function inParallel(count: number, workers: number, task: (i: number) => Promise<number>): Promise<number[]> {
  const latencies: number[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        const i = next++;
        latencies[i] = await task(i);
      }
    }),
  );
  return latencies;
}

async function main(): Promise<void> {
  // Always through nx: its cache makes this instant when nothing changed, and a stale build is never measured.
  const build = spawnSync('npx', ['nx', 'build', 'all-in-one', '--output-style=static'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0 || !existsSync(mainJs)) throw new Error('build failed');
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-bench-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = spawn(process.execPath, [...APP_NODE_OPTIONS, mainJs], {
    cwd: root,
    env: { ...process.env, MODE: 'embedded', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await fetch(`${base}/health/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      if (attempt > 200) throw new Error('the app did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const admin = await token({ sub: 'bench-admin', account, roles: ['account_admin'] });
    const user = await token({ sub: 'bench-user', account, tenant, roles: ['tenant_admin'] });
    const json = (bearer: string) => ({ authorization: `Bearer ${bearer}`, 'content-type': 'application/json' });

    await timed(`${base}/v1/accounts/${account}/tenants`, { method: 'POST', headers: json(admin), body: JSON.stringify({ id: tenant, name: 'Benchmark tenant', plan: 'enterprise' }) }, 201);

    const baseline = await inParallel(1000, 1, () => timed(`${base}/health/live`, {}, 200));
    const baselineParallel = await inParallel(2000, concurrency, () => timed(`${base}/health/live`, {}, 200));

    const createStarted = performance.now();
    const creates = await inParallel(partners, concurrency, (i) =>
      timed(
        `${base}/v1/partners`,
        {
          method: 'POST',
          headers: json(user),
          body: JSON.stringify({ name: `Trading Partner ${i}`, as2_id: `PARTNER-${String(i).padStart(6, '0')}`, url: `https://as2.partner-${i}.example.com/receive`, sign: true, encrypt: true, sign_algorithm: 'SHA256withRSA', encrypt_algorithm: 'AES256_CBC' }),
        },
        201,
      ),
    );
    const createSeconds = (performance.now() - createStarted) / 1000;

    const terms = ['PARTNER-0042', 'partner 99', 'trading', 'PARTNER-00', 'example', 'nothing-matches-this'];
    const searchLatencies = await inParallel(searches, 1, (i) => timed(`${base}/v1/partners?search=${encodeURIComponent(terms[i % terms.length]!)}&per_page=20`, { headers: json(user) }, 200));
    const searchParallelStarted = performance.now();
    await inParallel(searches, concurrency, (i) => timed(`${base}/v1/partners?search=${encodeURIComponent(terms[i % terms.length]!)}&per_page=20`, { headers: json(user) }, 200));
    const searchRate = searches / ((performance.now() - searchParallelStarted) / 1000);

    const b = summary(baseline);
    const bp = summary(baselineParallel);
    const c = summary(creates);
    const s = summary(searchLatencies);
    const f = (n: number) => n.toFixed(2);
    console.log(`partners benchmark (embedded, ${partners} partners, concurrency ${concurrency}, node ${process.version})`);
    console.log(`baseline GET /health/live (seq)  p50 ${f(b.p50)} ms  p99 ${f(b.p99)} ms`);
    console.log(`baseline GET /health/live (x${concurrency}) p50 ${f(bp.p50)} ms  p99 ${f(bp.p99)} ms`);
    console.log(`POST /v1/partners (x${concurrency})      ${f(partners / createSeconds)} creates/s  p50 ${f(c.p50)} ms  p99 ${f(c.p99)} ms  (p50 ${f(c.p50 / bp.p50)}x parallel baseline)`);
    console.log(`GET /v1/partners?search=… (seq)  p50 ${f(s.p50)} ms  p99 ${f(s.p99)} ms  (p50 ${f(s.p50 / b.p50)}x sequential baseline)`);
    console.log(`GET /v1/partners?search=… (x${concurrency}) ${f(searchRate)} req/s`);
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => app.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
