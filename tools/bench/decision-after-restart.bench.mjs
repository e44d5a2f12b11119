#!/usr/bin/env node
// How long a gateway's traffic decision waits after a restart while the server is busy, built all-in-one apps side by
// side: each run starts one app on a seeded data directory (bench:scale's hub tenant), and from its ready answer on
// runs `POST /v1/partners` at DECISION_CONNECTIONS for DECISION_LOAD_S seconds; DECISION_AFTER_MS after ready it asks
// for a decision (inbound, from a hub partner's AS2 id), which waits for the traffic directory's refill, then asks
// again once a second (answered from memory). Prints the first decision's wait, the next ones' worst, the refill's time
// from the app's log, and the creates answered; then min / median / max per app and each app's medians against the
// first app's. Apps alternate run by run, so both see the same machine load. The creates are kept in the data directory.
// The decision names a known pair: the hub's AS2 instance BENCH-OURS is created first when the data has none (an unknown
// instance is answered from the instances alone; a gateway's messages name its own).
// usage: node tools/bench/decision-after-restart.bench.mjs <seeded data dir> <label>=<dir holding dist/apps/all-in-one> ...
//   DECISION_RUNS=3 DECISION_LOAD_S=12 DECISION_CONNECTIONS=16 DECISION_AFTER_MS=2000 DECISION_AS2_ID=HUB-0000001
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import APP_NODE_OPTIONS from '../dev/app-node-options.cjs';
import { freePort, untilReady } from './process-probes.cjs';

const [dataDir, ...apps] = process.argv.slice(2);
if (!dataDir || apps.length === 0) throw new Error('usage: decision-after-restart.bench.mjs <seeded data dir> <label>=<app root> ...');
const env = process.env;
const runs = Number(env.DECISION_RUNS ?? 3);
const loadSeconds = Number(env.DECISION_LOAD_S ?? 12);
const connections = Number(env.DECISION_CONNECTIONS ?? 16);
const afterMs = Number(env.DECISION_AFTER_MS ?? 2_000);
const as2From = env.DECISION_AS2_ID ?? 'HUB-0000001';
// The scale benchmark's secret, account and hub tenant: the seeded data belongs to them.
const secret = 'scale-benchmark-secret-0123456789abcdef';
const account = 'bench-account';
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg()[0].toFixed(1);
const token = (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('4h').sign(new TextEncoder().encode(secret));

const run = randomUUID().slice(0, 6);
let next = 0;
function body() {
  const as2Id = `DEC-${run}-${String(next++).padStart(7, '0')}`;
  return JSON.stringify({ name: `Decision Load ${as2Id}`, as2_id: as2Id, url: `https://as2.${as2Id.toLowerCase()}.example.com/receive` });
}

let ensuredInstance = false;

async function measure(label, appRoot, user, gateway) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(process.execPath, [...APP_NODE_OPTIONS, join(appRoot, 'dist', 'apps', 'all-in-one', 'main.js')], {
    cwd: appRoot,
    env: { ...env, MODE: 'embedded', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.on('data', (chunk) => (log += chunk.toString()));
  try {
    const started = performance.now();
    await untilReady(base, child, { label, pollMs: 20 });
    const readyMs = performance.now() - started;
    if (!ensuredInstance) {
      const made = await fetch(`${base}/v1/as2-instances`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' },
        body: JSON.stringify({ my_as2_id: 'BENCH-OURS', my_name: 'Bench Ours', my_as2_alias: 'bench-ours', my_email: 'as2@bench-ours.example' }),
      });
      // 201 made; 409/422: the data has it already
      if (made.status >= 500 || made.status === 401 || made.status === 403) throw new Error(`${label}: the AS2 instance answered ${made.status}`);
      ensuredInstance = true;
    }
    const decide = async (k) => {
      const at = performance.now();
      const answer = await fetch(`${base}/v1/traffic/decisions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway}`, 'content-type': 'application/json' },
        body: JSON.stringify({ direction: 'inbound', as2_from: as2From, as2_to: 'BENCH-OURS', message_id: `<decision-${run}-${k}@bench>` }),
      });
      const text = await answer.text();
      if (answer.status !== 200) throw new Error(`${label}: decision answered ${answer.status}`);
      if (k === 0) firstAnswer = JSON.parse(text);
      return performance.now() - at;
    };
    let firstAnswer = null;
    const decisions = (async () => {
      await pause(afterMs);
      const waits = [];
      for (let k = 0; performance.now() - started < readyMs + loadSeconds * 1000 - 1_000; k++) {
        waits.push(await decide(k));
        await pause(1_000);
      }
      return waits;
    })();
    const headers = { authorization: `Bearer ${user}`, 'content-type': 'application/json' };
    const result = await autocannon({ url: base, connections, duration: loadSeconds, requests: [{ method: 'POST', path: '/v1/partners', headers, setupRequest: (req) => ({ ...req, body: body() }) }] });
    const [first, ...later] = await decisions;
    const refilled = /Refilled the traffic directory in (\d+) ms/.exec(log);
    if (firstAnswer?.partner_id === null) throw new Error(`${label}: the decision found no pair: ${firstAnswer.reason}`);
    return { readyMs, firstDecisionMs: first, laterWorstMs: later.length ? Math.max(...later) : NaN, refillMs: refilled ? Number(refilled[1]) : NaN, creates: result['2xx'], failed: result.non2xx + result.errors + result.timeouts };
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
}

const user = await token({ sub: 'bench-user', account, tenant: 'hub', roles: ['tenant_admin'] });
const gateway = await token({ sub: 'bench-gateway', account, roles: ['gateway'] });
process.stdout.write(`a decision ${afterMs} ms after ready, beside ${connections} connections of creates for ${loadSeconds} s from ready; ${runs} runs per app, node ${process.version}\n`);
process.stdout.write(`${'app'.padEnd(12)}${'run'.padEnd(5)}${'ready ms'.padStart(10)}${'1st decision ms'.padStart(17)}${'later worst ms'.padStart(16)}${'refill ms'.padStart(11)}${'creates'.padStart(9)}${'failed'.padStart(8)}   load\n`);
const perApp = new Map();
for (let r = 1; r <= runs; r++) {
  for (const spec of apps) {
    const [label, appRoot] = spec.split('=');
    const m = await measure(label, appRoot, user, gateway);
    (perApp.get(label) ?? perApp.set(label, []).get(label)).push(m);
    process.stdout.write(`${label.padEnd(12)}${String(r).padEnd(5)}${m.readyMs.toFixed(0).padStart(10)}${m.firstDecisionMs.toFixed(0).padStart(17)}${m.laterWorstMs.toFixed(0).padStart(16)}${String(m.refillMs).padStart(11)}${String(m.creates).padStart(9)}${String(m.failed).padStart(8)}   ${load()}\n`);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const firstLabel = apps[0].split('=')[0];
for (const [label, ms] of perApp) {
  const waits = ms.map((m) => m.firstDecisionMs).sort((a, b) => a - b);
  const vs = label === firstLabel ? '' : `; medians vs ${firstLabel}: first decision ${(median(waits) / median(perApp.get(firstLabel).map((m) => m.firstDecisionMs))).toFixed(2)}×, refill ${(median(ms.map((m) => m.refillMs)) / median(perApp.get(firstLabel).map((m) => m.refillMs))).toFixed(2)}×`;
  process.stdout.write(`${label}: first decision after ready waits min / median / max ${waits[0].toFixed(0)} / ${median(waits).toFixed(0)} / ${waits.at(-1).toFixed(0)} ms${vs}\n`);
}
