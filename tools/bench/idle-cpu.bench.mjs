// CPU the built all-in-one app (embedded) uses with no traffic: the background pollers' cost (followers, schedulers).
// Starts it on an empty data directory, waits until ready and IDLE_SETTLE s more, then reads its CPU time from /proc
// over IDLE_SECONDS, IDLE_ROUNDS times. Build first (`npx nx build all-in-one`).
// usage: node tools/bench/idle-cpu.bench.mjs [main.js]   (IDLE_SECONDS=10 IDLE_SETTLE=5 IDLE_ROUNDS=3; another build's
// main.js, e.g. an older checkout's, to compare)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cpuMsOf, freePort } from './process-probes.cjs';
import APP_NODE_OPTIONS from '../dev/app-node-options.cjs';

const mainJs = resolve(process.argv[2] ?? join(import.meta.dirname, '..', '..', 'dist', 'apps', 'all-in-one', 'main.js'));
const root = resolve(dirname(mainJs), '..', '..', '..');
const seconds = Number(process.env.IDLE_SECONDS ?? 10);
const settle = Number(process.env.IDLE_SETTLE ?? 5);
const rounds = Number(process.env.IDLE_ROUNDS ?? 3);
const dataDir = mkdtempSync(join(tmpdir(), 'as2-idle-'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const port = await freePort();

const env = { ...process.env, MODE: 'embedded', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, JWT_SECRET: 'idle-bench-secret-idle-bench-secret-0123', LOG_LEVEL: 'error' };
const child = spawn(process.execPath, [...APP_NODE_OPTIONS, mainJs], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
const perSecond = [];
try {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`all-in-one exited with ${child.exitCode}`);
    if (await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.status === 200, () => false)) break;
    await sleep(100);
  }
  await sleep(settle * 1000);
  for (let r = 0; r < rounds; r++) {
    const before = cpuMsOf(child.pid);
    const started = performance.now();
    await sleep(seconds * 1000);
    perSecond.push(((cpuMsOf(child.pid) - before) * 1000) / (performance.now() - started));
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  rmSync(dataDir, { recursive: true, force: true });
}
const sorted = [...perSecond].sort((a, b) => a - b);
console.log(`all-in-one idle CPU (${mainJs}), node ${process.version}, ${rounds} rounds of ${seconds} s after ready + ${settle} s (10 ms /proc ticks)`);
console.log(`CPU ms per second: min ${sorted[0].toFixed(1)} / median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} / max ${sorted.at(-1).toFixed(1)} (rounds ${perSecond.map((v) => v.toFixed(1)).join(', ')})`);
