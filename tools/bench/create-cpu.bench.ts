/**
 * CPU per partner create of built all-in-one apps, side by side: each build in its own process on a fresh data
 * directory, CREATES creates through POST /v1/partners at CONCURRENCY connections, the server's CPU from /proc while
 * they run and until the process is idle again (background work a create causes, e.g. building its details body,
 * included). Builds alternate over ROUNDS rounds so the machine's load skews them alike.
 *
 *   BUILD_DIRS=dist/base-all-in-one,dist/apps/all-in-one SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/create-cpu.bench.ts
 *   (CREATES=2000 CONCURRENCY=16 ROUNDS=2)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import APP_NODE_OPTIONS = require('../dev/app-node-options.cjs');
import { cpuSecondsOf, freePort } from './process-probes.cjs';

const root = join(__dirname, '..', '..');
const builds = (process.env['BUILD_DIRS'] ?? join(root, 'dist', 'apps', 'all-in-one')).split(',').map((dir) => resolve(root, dir));
const creates = Number(process.env['CREATES'] ?? 2000);
const concurrency = Number(process.env['CONCURRENCY'] ?? 16);
const rounds = Number(process.env['ROUNDS'] ?? 2);
const secret = 'create-cpu-benchmark-secret-0123456789abcdef';

async function idle(pid: number): Promise<void> {
  for (let window = 0; window < 600; window += 1) {
    const before = cpuSecondsOf(pid);
    await new Promise((r) => setTimeout(r, 500));
    if (cpuSecondsOf(pid) - before < 0.025) return;
  }
}

async function ready(url: string): Promise<void> {
  for (let attempt = 0; attempt < 1200; attempt += 1) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

async function measure(buildDir: string, round: number): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'create-cpu-bench-'));
  const port = await freePort();
  const app = spawn(process.execPath, [...APP_NODE_OPTIONS, join(buildDir, 'main.js')], {
    cwd: root,
    env: { ...process.env, MODE: 'embedded', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await ready(`${base}/health/ready`);
    const token = await new SignJWT({ sub: 'bench', account: 'bench-account', tenant: 'bench-tenant', roles: ['tenant_admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(new TextEncoder().encode(secret));
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const admin = await new SignJWT({ sub: 'bench-admin', account: 'bench-account', roles: ['account_admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(new TextEncoder().encode(secret));
    const registered = await fetch(`${base}/v1/accounts/bench-account/tenants`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${admin}` },
      body: JSON.stringify({ id: 'bench-tenant', name: 'Benchmark tenant', plan: 'enterprise' }),
    });
    if (registered.status !== 201) throw new Error(`tenant registration answered ${registered.status}`);
    // a few creates first: the process's first requests (JIT) are not what is measured
    for (let i = 0; i < 20; i += 1) await fetch(`${base}/v1/partners`, { method: 'POST', headers, body: JSON.stringify({ name: `Warm ${i}`, as2_id: `WARM-${i}`, url: 'https://warm.example.com/as2' }) });
    await idle(app.pid!);
    let next = 0;
    const before = cpuSecondsOf(app.pid!);
    const started = performance.now();
    const result = await autocannon({
      url: base,
      connections: concurrency,
      amount: creates,
      headers,
      requests: [{ method: 'POST', path: '/v1/partners', setupRequest: (request: Record<string, unknown>) => ({ ...request, body: JSON.stringify({ name: `Bench ${next}`, as2_id: `BENCH-${round}-${next++}`, url: 'https://bench.example.com/as2' }) }) }],
    });
    const seconds = (performance.now() - started) / 1000;
    const during = cpuSecondsOf(app.pid!) - before;
    await idle(app.pid!);
    const after = cpuSecondsOf(app.pid!) - before;
    const ok = result['2xx'];
    return `${buildDir.replace(`${root}/`, '').padEnd(26)} round ${round + 1}: ${ok} created (${result.non2xx} non-2xx) in ${seconds.toFixed(1)} s, ` +
      `${((during * 1e6) / ok).toFixed(0)} µs CPU per create while creating, ${((after * 1e6) / ok).toFixed(0)} µs until idle`;
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => (app.exitCode !== null ? r(null) : app.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`${creates} creates, ${concurrency} connections, node ${process.version}`);
  for (let round = 0; round < rounds; round += 1) for (const build of builds) console.log(await measure(build, round));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
