// Server memory at scale (issue 10), embedded mode, end to end: the built all-in-one app started on a data dir seeded
// through the write model (bench:scale with SCALE_DATA_DIR=<dir> SCALE_WRITE_ONLY=1, read models rebuilt), then a few
// reads (list page 1, a deep page, inactive, a search, a get) and creates in the hub and in other tenants; prints RSS.
//   node tools/bench/memory.bench.mjs <data dir> [more data dirs ...]   (after `node tools/dev/start.mjs --build-only`)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './process-probes.cjs';
import { SignJWT } from 'jose';
import APP_NODE_OPTIONS from '../dev/app-node-options.cjs';

const root = join(import.meta.dirname, '..', '..');
const secret = 'scale-benchmark-secret-0123456789abcdef';
const account = 'bench-account';

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const token = (tenant) =>
  new SignJWT({ sub: 'memory-bench', account, tenant, roles: ['tenant_admin'] }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(secret));

for (const dataDir of process.argv.slice(2)) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, MODE: 'embedded', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error' };
  const started = performance.now();
  const app = spawn(process.execPath, [...APP_NODE_OPTIONS, join(root, 'dist', 'apps', 'all-in-one', 'main.js')], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (;;) {
      try {
        if ((await fetch(`${base}/health/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      if (app.exitCode !== null) throw new Error('the app exited before it was ready');
      await new Promise((r) => setTimeout(r, 20));
    }
    const readyMs = performance.now() - started;
    const atReady = rssMiB(app.pid);
    const hub = { authorization: `Bearer ${await token('hub')}` };
    const statuses = [];
    const get = async (path, headers = hub) => statuses.push((await fetch(`${base}${path}`, { headers })).status);
    const total = (await (await fetch(`${base}/v1/partners?per_page=1`, { headers: hub })).json()).pagination?.total ?? 0;
    await get('/v1/partners?page=1&per_page=20');
    await get(`/v1/partners?page=${Math.max(1, Math.floor(total / 20))}&per_page=20`);
    await get('/v1/partners?active=false');
    await get('/v1/partners?search=supplier%2077');
    for (let t = 0; t < 20; t++) await get('/v1/partners?page=1', { authorization: `Bearer ${await token(`t${t}`)}` });
    for (let i = 0; i < 20; i++) {
      const tenant = i % 2 === 0 ? 'hub' : `t${i}`;
      const as2 = `MEM-${Date.now().toString(36)}-${i}`;
      const response = await fetch(`${base}/v1/partners`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token(tenant)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Memory ${as2}`, as2_id: as2, url: `https://${as2.toLowerCase()}.example.com/as2`, sign: true, encrypt: true }),
      });
      statuses.push(response.status);
    }
    const codes = Object.entries(statuses.reduce((c, s) => ({ ...c, [s]: (c[s] ?? 0) + 1 }), {})).map(([s, n]) => `${n}× ${s}`).join(', ');
    console.log(`${dataDir}: hub ${total} partners; ready in ${readyMs.toFixed(0)} ms, RSS ${atReady.toFixed(0)} MiB at ready, ${rssMiB(app.pid).toFixed(0)} MiB after 44 reads and 20 creates (${codes})`);
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => app.once('exit', r));
  }
}
