// A restart of a built all-in-one on a seeded data dir (bench:scale's hub tenant, e.g. SCALE_DATA_DIR's): start to
// /health/ready (wall, and the process's CPU from /proc), then the first command right after ready (a create of an AS2
// id the hub already holds: 422 DUPLICATE_AS2_ID, answered from the restored directory) and, at the same time, a gateway's
// traffic decision for a hub partner (answered from the refilled traffic directory), then six creates. One JSON line.
// LOOP_BLOCKS=1: the longest turns of the app's event loop from ready on (tools/bench/loop-blocks.cjs; wall and CPU ms),
// the app kept up HOLD_MS (default 5,000) after the creates so the work begun after ready is over.
// Alternate two builds (a copy of the other build's dist beside a node_modules link) on the same data dir to compare.
// APP_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/p': the app's node options; WINDOWS_FILE=<file>: each create's window on the
// monotonic clock (µs, as a --cpu-prof profile's) written there for cpu-profile-windows.mjs (runs "start to ready", "create 0" … "create 5").
// APP_STDOUT=<file>: the app's stdout written there (e.g. with APP_NODE_ARGS=--trace-gc). Each create also reads the main thread's
// run-queue wait (runnable, waiting for a core) and the CPU of the app's other threads (GC workers, libuv's pool).
// usage: node tools/bench/restart.bench.mjs <app dir holding dist/> <data dir> [port]   (DUP_AS2_ID=HUB-0000001, CREATE_FIRST=1, CREATE_AFTER_MS=300)
import { spawn } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import APP_NODE_OPTIONS from '../dev/app-node-options.cjs';
import { warmClientPosts } from './process-probes.cjs';
const [appDir, dataDir, port = '38180'] = process.argv.slice(2);
const secret = 'scale-benchmark-secret-0123456789abcdef';
const token = await new SignJWT({ sub: 'bench-user', account: 'bench-account', tenant: 'hub', roles: ['tenant_admin'] }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('4h').sign(new TextEncoder().encode(secret));
const gateway = await new SignJWT({ sub: 'bench-gateway', account: 'bench-account', roles: ['gateway'] }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('4h').sign(new TextEncoder().encode(secret));
const loopFile = process.env.LOOP_BLOCKS === '1' ? join(tmpdir(), `restart-loop-blocks-${process.pid}.json`) : null;
const preload = loopFile ? ['-r', join(import.meta.dirname, 'loop-blocks.cjs')] : [];
const env = { ...process.env, MODE: 'embedded', PORT: port, HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error', ...(loopFile ? { LOOP_BLOCKS_FILE: loopFile } : {}) };
// The build's module cache (tools/build/module-cached-entry.cjs) is written 10 s after a start that compiled a module: a
// run of this harness is shorter, so on a fresh build every run would compile ~2,400 modules (+0.5 s to ready). A run
// that finds none waits for the app to write it before stopping it, and says so (moduleCache).
const moduleCacheFile = join(appDir, 'dist', 'apps', 'all-in-one', 'main.modules.v8-cache');
const moduleCacheKept = existsSync(moduleCacheFile);
// This process's own first POST is not the server's first create's (undici compiles its body path on the first).
await warmClientPosts();
const t0 = performance.now(); const t0Us = Number(process.hrtime.bigint() / 1000n);
const appNodeArgs = (process.env.APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
const app = spawn(process.execPath, [...APP_NODE_OPTIONS, ...appNodeArgs, ...preload, `${appDir}/dist/apps/all-in-one/main.js`], { cwd: appDir, env, stdio: ['ignore', process.env.APP_STDOUT ? openSync(process.env.APP_STDOUT, 'w') : 'ignore', 'inherit'] });
// the app's main (JS) thread's CPU in ns (/proc/<pid>/schedstat: not scaled by other processes' load, unlike wall time)
const threadNs = () => Number(readFileSync(`/proc/${app.pid}/schedstat`, 'utf8').split(' ')[0]);
// the same thread's run-queue wait (runnable, not running: waiting for a core) and every other thread's CPU (GC workers, libuv's pool)
const runQueueNs = () => Number(readFileSync(`/proc/${app.pid}/schedstat`, 'utf8').split(' ')[1]);
const allThreadsNs = () => readdirSync(`/proc/${app.pid}/task`).reduce((sum, task) => { try { return sum + Number(readFileSync(`/proc/${app.pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]); } catch { return sum; } }, 0);
const cpu = () => { const f = readFileSync(`/proc/${app.pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
for (;;) { try { if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) break; } catch {} await new Promise((r) => setTimeout(r, 20)); }
const readyMs = performance.now() - t0; const readyCpu = cpu();
const windows = [{ round: 1, run: 'start to ready', fromUs: t0Us, toUs: Number(process.hrtime.bigint() / 1000n) }];
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const create = async (i) => { const id = `RST-${process.pid}-${i}-${Math.random().toString(36).slice(2, 8)}`; const fromUs = nowUs(); const fromNs = threadNs(); const fromRq = runQueueNs(); const fromAll = allThreadsNs(); const s = performance.now(); const r = await fetch(`http://127.0.0.1:${port}/v1/partners`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: id, as2_id: id, url: `https://${id.toLowerCase()}.example.com/as2` }) }); await r.text(); if (r.status !== 201) throw new Error(`create ${r.status}`); windows.push({ round: 1, run: `create ${windows.length - 1}`, fromUs, toUs: nowUs() }); const ownNs = threadNs() - fromNs; cpuMs.push(ownNs / 1e6); runQueueMs.push((runQueueNs() - fromRq) / 1e6); otherThreadsMs.push((allThreadsNs() - fromAll - ownNs) / 1e6); return performance.now() - s; };
const cpuMs = []; const runQueueMs = []; const otherThreadsMs = [];
// a duplicate of a hub AS2 id seeded before the restart: must be refused by the restored directory
const timed = async (request) => { const s = performance.now(); const r = await request(); const body = await r.text(); return { status: r.status, body, ms: performance.now() - s }; };
// CREATE_FIRST=1: a create is the first request after ready (as bench:scale's "first create"), before the duplicate and the decision.
// CREATE_AFTER_MS=<ms>: that long a pause between the ready answer and the first request (a client that comes later).
if (process.env.CREATE_AFTER_MS) await new Promise((r) => setTimeout(r, Number(process.env.CREATE_AFTER_MS)));
const createdFirst = process.env.CREATE_FIRST === '1' ? await create(-1) : null;
const [dup, decision] = await Promise.all([
  timed(() => fetch(`http://127.0.0.1:${port}/v1/partners`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'dup', as2_id: process.env.DUP_AS2_ID ?? 'HUB-0000001', url: 'https://dup.example.com/as2' }) })),
  // inbound from a hub partner: the answer names the partner only when the refilled directory holds it
  timed(() => fetch(`http://127.0.0.1:${port}/v1/traffic/decisions`, { method: 'POST', headers: { authorization: `Bearer ${gateway}`, 'content-type': 'application/json' }, body: JSON.stringify({ direction: 'inbound', as2_from: process.env.DUP_AS2_ID ?? 'HUB-0000001', as2_to: 'BENCH-OURS', message_id: '<restart@bench>' }) })),
]);
const decided = decision.status === 200 ? JSON.parse(decision.body) : null;
const first = createdFirst ?? (await create(0)); const next = []; for (let i = 1; i <= 5; i++) next.push(await create(i));
next.sort((a, b) => a - b);
const [firstCpu, ...nextCpu] = cpuMs; nextCpu.sort((a, b) => a - b);
const [firstRq, ...nextRq] = runQueueMs; nextRq.sort((a, b) => a - b);
const [firstOthers, ...nextOthers] = otherThreadsMs; nextOthers.sort((a, b) => a - b);
if (loopFile) await new Promise((r) => setTimeout(r, Number(process.env.HOLD_MS ?? 5000)));
const load = loadavg()[0].toFixed(1);
if (!moduleCacheKept) for (const until = performance.now() + 20_000; !existsSync(moduleCacheFile) && performance.now() < until; ) await new Promise((r) => setTimeout(r, 200));
app.kill('SIGTERM');
await new Promise((r) => app.once('exit', r));
if (process.env.WINDOWS_FILE) writeFileSync(process.env.WINDOWS_FILE, JSON.stringify(windows));
let loop = {};
if (loopFile) {
  // blocks that ended after ready (the process began just after the spawn: its clock and ours differ by a few ms)
  const blocks = JSON.parse(readFileSync(loopFile, 'utf8')).filter((b) => b.at > readyMs);
  rmSync(loopFile, { force: true });
  const longest = (key) => blocks.reduce((m, b) => (b[key] > (m?.[key] ?? -1) ? b : m), null);
  loop = { loopBlocksOver50ms: blocks.length, longestWall: longest('wallMs'), longestCpu: longest('cpuMs') };
}
console.log(JSON.stringify({ app: appDir, moduleCache: moduleCacheKept ? 'kept' : existsSync(moduleCacheFile) ? 'none (written by this run)' : 'none', readyMs: Math.round(readyMs), readyCpuMs: readyCpu, duplicate: `${dup.status} ${JSON.parse(dup.body).error?.code ?? ''} in ${Math.round(dup.ms)} ms`, decision: `${decision.status} ${decided ? `${decided.decision} ${decided.reason_code} partner ${decided.partner_id ? 'found' : 'none'}` : decision.body.slice(0, 80)} in ${Math.round(decision.ms)} ms`, firstCreateMs: Math.round(first), nextCreateMedianMs: Math.round(next[2]), firstCreateThreadCpuMs: Math.round(firstCpu), nextCreateThreadCpuMedianMs: Math.round(nextCpu[2]), firstCreateRunQueueMs: Math.round(firstRq), nextCreateRunQueueMedianMs: Math.round(nextRq[2]), firstCreateOtherThreadsCpuMs: Math.round(firstOthers), nextCreateOtherThreadsCpuMedianMs: Math.round(nextOthers[2]), load, ...loop }));
