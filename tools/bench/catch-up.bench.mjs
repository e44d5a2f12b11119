// The first start's catch-up of a built all-in-one on a seeded data dir (bench:scale's SCALE_DATA_DIR, read models
// rebuilt or not): a copy of the dir is started, /v1/admin/followers read every second until every follower with a lag
// (relays, store-fed projections and reactors) is at the head and no position has moved for 3 s (bus consumers tell no
// lag). Prints one JSON line: ready, then the catch-up from ready to the last position that moved, in wall and CPU ms
// (the process's, from /proc), and the events it covered per wall and per CPU second. Extra node flags after the dirs
// (e.g. --cpu-prof --cpu-prof-dir=<dir>). Alternate two builds on the same template to compare.
// CATCH_UP_KEEP=1 keeps the copy (its path on stderr).
// usage: node tools/bench/catch-up.bench.mjs <app dir holding dist/> <template data dir> [node flags...]
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import APP_NODE_OPTIONS from '../dev/app-node-options.cjs';

const [appDir, template, ...nodeFlags] = process.argv.slice(2);
const port = String(38_000 + Math.floor(Math.random() * 1000));
const secret = 'scale-benchmark-secret-0123456789abcdef';
const operator = await new SignJWT({ sub: 'bench-operator', account: 'bench-account', roles: ['operator'] }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('4h').sign(new TextEncoder().encode(secret));
const dataDir = mkdtempSync(join(tmpdir(), 'catch-up-'));
cpSync(template, dataDir, { recursive: true });
const events = new Database(join(dataDir, 'events.sqlite'), { readonly: true }).prepare('SELECT count(*) AS n FROM events').get().n;
const env = { ...process.env, MODE: 'embedded', PORT: port, HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error' };
const loadAtStart = loadavg()[0];
const t0 = performance.now();
const app = spawn(process.execPath, [...APP_NODE_OPTIONS, ...nodeFlags, `${appDir}/dist/apps/all-in-one/main.js`], { cwd: appDir, env, stdio: ['ignore', 'ignore', 'inherit'] });
const cpu = () => {
  const f = readFileSync(`/proc/${app.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
for (;;) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) break;
  } catch {
    // not listening yet
  }
  if (app.exitCode !== null) throw new Error('the app exited before it was ready');
  await pause(20);
}
const readyMs = performance.now() - t0;
const readyCpu = cpu();
let last = '';
let lastChange = { ms: performance.now(), cpu: readyCpu };
for (;;) {
  const report = await (await fetch(`http://127.0.0.1:${port}/v1/admin/followers`, { headers: { authorization: `Bearer ${operator}` } })).json();
  const positions = report.data.map((f) => `${f.name}:${f.position ?? '-'}`).join(' ');
  const now = { ms: performance.now(), cpu: cpu() };
  if (positions !== last) {
    last = positions;
    lastChange = now;
  } else if (report.data.every((f) => !f.eventsBehind) && now.ms - lastChange.ms > 3000) break;
  if (now.ms - t0 > 3_600_000) throw new Error('not caught up within an hour');
  await pause(1000);
}
const wallMs = lastChange.ms - t0 - readyMs;
const cpuMs = lastChange.cpu - readyCpu;
app.kill('SIGTERM');
await new Promise((r) => app.once('exit', r));
if (process.env.CATCH_UP_KEEP) console.error(`kept ${dataDir}`);
else rmSync(dataDir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    app: appDir,
    events,
    readyMs: Math.round(readyMs),
    readyCpuMs: readyCpu,
    catchUpMs: Math.round(wallMs),
    catchUpCpuMs: cpuMs,
    eventsPerWallSecond: Math.round((events / wallMs) * 1000),
    eventsPerCpuSecond: Math.round((events / Math.max(cpuMs, 1)) * 1000),
    load: `${loadAtStart.toFixed(1)} → ${loadavg()[0].toFixed(1)}`,
  }),
);
