#!/usr/bin/env node
// CPU per create of built all-in-one apps, side by side: each run copies a seeded data directory, starts one app on
// it, waits until its followers caught up, warms it, then runs `POST /v1/partners` at CREATE_CONNECTIONS for
// CREATE_DURATION seconds and divides the app process's CPU time (user + system, /proc) by the creates answered 201,
// and its main thread's alone (what bounds one event loop's rate, whatever other threads take over).
// Before the warm-up it waits until the app's CPU is idle (CREATE_WAIT_IDLE=0: not), so the work a start leaves
// for after ready is not counted. Apps alternate run by run, so both see the same machine load; the load average is printed beside every run.
// usage: node tools/bench/create-cpu.bench.mjs <seeded data dir> <label>=<dir holding dist/apps/all-in-one> ...
//   CREATE_RUNS=3 CREATE_DURATION=5 CREATE_CONNECTIONS=16 CREATE_WARMUP=200
//   CREATE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"   node options for the apps
//   CREATE_NODE_ARGS_<label>="-r ./tools/bench/write-path-only.cjs"   node options for one app only (here: the write
//     path alone, its read side idle: write-path-only.cjs)
//   CREATE_READ_SIDE_APART_<label>=1   that app split in two processes: the write path alone (write-path-only.cjs)
//     answers the creates, and a second process of the same build follows its event store (read-side-apart.cjs) and
//     runs the read side on the other core; its CPU is printed below the run, with the time it took to catch up after
//   CREATE_RAW_SECONDS=3   raw fsync'd appends (the scale benchmark's anchor, the build's own event-store schema and
//     pragmas, one insert a transaction, rows like the seed's first created partner) before each run; 0: none
// Seed a data directory with the scale benchmark, e.g.
//   SCALE_DATA_DIR=/tmp/seed SCALE_ONLY=creates SCALE_SIZES=10000 SCALE_TENANTS=100 SCALE_POPULATION=10000 SCALE_ROUNDS=1 npm run bench:scale
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import APP_NODE_OPTIONS from '../dev/app-node-options.cjs';
import { cpuMsOf, freePort, mainThreadMsOf, untilIdle, untilReady } from './process-probes.cjs';
import { rawAppendsPerSecond as appendLoop } from './raw-append-loop.cjs';

const [seeded, ...apps] = process.argv.slice(2);
if (!seeded || apps.length === 0) throw new Error('usage: create-cpu.bench.mjs <seeded data dir> <label>=<app root> ...');
const env = process.env;
const runs = Number(env.CREATE_RUNS ?? 3);
const duration = Number(env.CREATE_DURATION ?? 5);
const connections = Number(env.CREATE_CONNECTIONS ?? 16);
const warmup = Number(env.CREATE_WARMUP ?? 200);
const rawSeconds = Number(env.CREATE_RAW_SECONDS ?? 3);
const benchDir = dirname(fileURLToPath(import.meta.url));
// The scale benchmark's secret, account and hub tenant: the seeded data belongs to them.
const secret = 'scale-benchmark-secret-0123456789abcdef';
const account = 'bench-account';
const hub = 'hub';
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

const token = (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('4h').sign(new TextEncoder().encode(secret));

let next = 0;
const run = randomUUID().slice(0, 6);
function body() {
  const i = next++;
  const as2Id = `CPU-${run}-${String(i).padStart(7, '0')}`;
  return JSON.stringify({ name: `Cpu Supplier ${run} ${i}`, as2_id: as2Id, url: `https://as2.${as2Id.toLowerCase()}.example.com/receive`, active: true, sign: true, encrypt: true });
}

/**
 * Raw fsync'd appends a second through the build's own event-store schema and pragmas (bench:scale's anchor), rows like
 * the seed's first created partner, in a scratch file of `dir` (the disk the runs' data directories are on).
 */
function rawAppendsPerSecond(appRoot, dir) {
  const built = createRequire(resolve(appRoot, 'dist', 'apps', 'all-in-one', 'main.js'));
  return appendLoop(built('./libs/event-store-sqlite/src/sqlite-schema.js'), dir, rawSeconds, seededPartnerEvent());
}

let seededEvent = null;
/** The data and metadata texts of the seed's first created partner, read once. */
function seededPartnerEvent() {
  if (seededEvent) return seededEvent;
  const seed = new Database(join(seeded, 'events.sqlite'), { readonly: true });
  try {
    seededEvent = seed.prepare("SELECT data, metadata FROM events WHERE type = 'partner.created.v1' LIMIT 1").get();
  } finally {
    seed.close();
  }
  return seededEvent;
}

/** Starts the built app of `appRoot` on `dataDir` with `nodeArgs`; resolves once it is ready. */
async function start(appRoot, dataDir, nodeArgs, label) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...APP_NODE_OPTIONS, ...nodeArgs, join(appRoot, 'dist', 'apps', 'all-in-one', 'main.js')], {
    cwd: appRoot,
    env: { ...env, MODE: 'embedded', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await untilReady(base, child, { label });
  return { child, base };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** Resolves once every follower of the app at `base` has caught up with its store. */
async function caughtUp(base, operator) {
  for (;;) {
    const report = await (await fetch(`${base}/v1/admin/followers`, { headers: { authorization: `Bearer ${operator}` } })).json();
    if (report.data.every((f) => !f.eventsBehind)) return;
    await pause(100);
  }
}

async function measure(label, appRoot, user, operator) {
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-create-cpu-'));
  const apart = env[`CREATE_READ_SIDE_APART_${label}`] === '1';
  const readSideDir = apart ? mkdtempSync(join(tmpdir(), 'as2-create-cpu-read-side-')) : null;
  const running = [];
  try {
    const raw = rawSeconds > 0 ? rawAppendsPerSecond(appRoot, tmpdir()) : null;
    cpSync(seeded, dataDir, { recursive: true });
    const nodeArgs = `${env.CREATE_NODE_ARGS ?? ''} ${env[`CREATE_NODE_ARGS_${label}`] ?? ''}`.split(' ').filter(Boolean);
    if (apart) nodeArgs.push('-r', join(benchDir, 'write-path-only.cjs'));
    const app = await start(appRoot, dataDir, nodeArgs, label);
    running.push(app.child);
    // The read side apart: the same build on a copy of the seed whose event store is the writing app's.
    let readSide = null;
    if (readSideDir) {
      cpSync(seeded, readSideDir, { recursive: true, filter: (source) => !/events\.sqlite(-wal|-shm|\.lock)?$/.test(source) });
      symlinkSync(join(dataDir, 'events.sqlite'), join(readSideDir, 'events.sqlite'));
      readSide = await start(appRoot, readSideDir, ['-r', join(benchDir, 'read-side-apart.cjs')], `${label} (read side)`);
      running.push(readSide.child);
    }
    await caughtUp(app.base, operator);
    if (readSide) await caughtUp(readSide.base, operator);
    // The work a start leaves for after ready (the traffic refill, the partner details' walk: ~2.5 s of CPU at 200,000
    // partners, stretched to tens of seconds beside creates) is not a create's: measured only once it is over.
    const idleWaitMs = env.CREATE_WAIT_IDLE === '0' ? 0 : await untilIdle(app.child.pid);
    if (readSide && env.CREATE_WAIT_IDLE !== '0') await untilIdle(readSide.child.pid);
    const headers = { authorization: `Bearer ${user}`, 'content-type': 'application/json' };
    const request = { method: 'POST', path: '/v1/partners', headers, setupRequest: (req) => ({ ...req, body: body() }) };
    await autocannon({ url: app.base, connections, amount: warmup, requests: [request] });
    if (readSide) await caughtUp(readSide.base, operator);
    const loadBefore = load();
    const before = cpuMsOf(app.child.pid);
    const mainBefore = mainThreadMsOf(app.child.pid);
    const readSideBefore = readSide && { cpu: cpuMsOf(readSide.child.pid), main: mainThreadMsOf(readSide.child.pid) };
    const result = await autocannon({ url: app.base, connections, duration, requests: [request] });
    const cpu = cpuMsOf(app.child.pid) - before;
    const mainCpu = mainThreadMsOf(app.child.pid) - mainBefore;
    const created = result['2xx'];
    const failed = result.non2xx + result.errors + result.timeouts;
    const perCreate = (ms) => ms / Math.max(created, 1);
    let apartLine = null;
    if (readSide) {
      const [cpuDuring, mainDuring] = [cpuMsOf(readSide.child.pid) - readSideBefore.cpu, mainThreadMsOf(readSide.child.pid) - readSideBefore.main];
      const catchUpStarted = performance.now();
      await caughtUp(readSide.base, operator);
      const catchUp = (performance.now() - catchUpStarted) / 1000;
      const cpuAll = cpuMsOf(readSide.child.pid) - readSideBefore.cpu;
      apartLine = `  read side apart: CPU ms/create ${perCreate(cpuDuring).toFixed(2)} (main thread ${perCreate(mainDuring).toFixed(2)}) during the run; caught up ${catchUp.toFixed(1)} s after it, ${perCreate(cpuAll).toFixed(2)} with that`;
    }
    return { label, created, failed, raw, rate: created / duration, cpuPerCreate: perCreate(cpu), mainPerCreate: perCreate(mainCpu), p50: result.latency.p50, idleWaitMs, loadBefore, loadAfter: load(), apartLine };
  } finally {
    for (const child of running) await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
    if (readSideDir) rmSync(readSideDir, { recursive: true, force: true });
  }
}

const user = await token({ sub: 'bench-user', account, tenant: hub, roles: ['tenant_admin'] });
const operator = await token({ sub: 'bench-operator', account, roles: ['operator'] });
process.stdout.write(`creates, ${connections} connections, ${duration} s per run after ${warmup} warm-up creates, ${runs} runs per app, node ${process.version}\n`);
process.stdout.write(`${'app'.padEnd(12)}${'run'.padEnd(5)}${'creates/s'.padStart(10)}${'CPU ms/create'.padStart(15)}${'main thread'.padStart(13)}${'p50 ms'.padStart(8)}${'failed'.padStart(8)}${'idle after s'.padStart(14)}${'raw/s'.padStart(8)}${'vs raw'.padStart(8)}   load before -> after\n`);
const perApp = new Map();
for (let r = 1; r <= runs; r++) {
  for (const spec of apps) {
    const [label, appRoot] = spec.split('=');
    const m = await measure(label, appRoot, user, operator);
    (perApp.get(label) ?? perApp.set(label, []).get(label)).push(m);
    process.stdout.write(`${label.padEnd(12)}${String(r).padEnd(5)}${m.rate.toFixed(0).padStart(10)}${m.cpuPerCreate.toFixed(2).padStart(15)}${m.mainPerCreate.toFixed(2).padStart(13)}${String(m.p50).padStart(8)}${String(m.failed).padStart(8)}${(m.idleWaitMs / 1000).toFixed(1).padStart(14)}${(m.raw ? m.raw.toFixed(0) : '-').padStart(8)}${(m.raw ? (m.rate / m.raw).toFixed(2) : '-').padStart(8)}   ${m.loadBefore} -> ${m.loadAfter}\n`);
    if (m.apartLine) process.stdout.write(`${m.apartLine}\n`);
  }
}
const spread = (values, digits) => {
  const sorted = [...values].sort((a, b) => a - b);
  return [sorted[0], sorted[Math.floor((sorted.length - 1) / 2)], sorted.at(-1)].map((v) => v.toFixed(digits)).join(' / ');
};
for (const [label, measured] of perApp) {
  process.stdout.write(`${label}: CPU ms per create min / median / max ${spread(measured.map((m) => m.cpuPerCreate), 2)}; main thread ${spread(measured.map((m) => m.mainPerCreate), 2)}; creates/s ${spread(measured.map((m) => m.rate), 0)}${measured[0].raw ? `; vs raw fsync'd appends ${spread(measured.map((m) => m.rate / m.raw), 2)}` : ''}\n`);
}
