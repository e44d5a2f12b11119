// A restart of a built all-in-one on a seeded data dir (bench:scale's hub tenant, e.g. SCALE_DATA_DIR's): start to
// /health/ready (wall, and the process's CPU from /proc), then the first command right after ready (a create of an AS2
// id the hub already holds: 422 DUPLICATE_AS2_ID, answered from the restored directory), then six creates. One JSON line.
// Alternate two builds (a copy of the other build's dist beside a node_modules link) on the same data dir to compare.
// usage: node tools/bench/restart.bench.mjs <app dir holding dist/> <data dir> [port]   (DUP_AS2_ID=HUB-0000001)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { SignJWT } from 'jose';
const [appDir, dataDir, port = '38180'] = process.argv.slice(2);
const secret = 'scale-benchmark-secret-0123456789abcdef';
const token = await new SignJWT({ sub: 'bench-user', account: 'bench-account', tenant: 'hub', roles: ['tenant_admin'] }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('4h').sign(new TextEncoder().encode(secret));
const env = { ...process.env, MODE: 'embedded', PORT: port, HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error' };
const t0 = performance.now();
const app = spawn(process.execPath, [`${appDir}/dist/apps/all-in-one/main.js`], { cwd: appDir, env, stdio: ['ignore', 'ignore', 'inherit'] });
const cpu = () => { const f = readFileSync(`/proc/${app.pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
for (;;) { try { if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) break; } catch {} await new Promise((r) => setTimeout(r, 20)); }
const readyMs = performance.now() - t0; const readyCpu = cpu();
const create = async (i) => { const id = `RST-${process.pid}-${i}-${Math.random().toString(36).slice(2, 8)}`; const s = performance.now(); const r = await fetch(`http://127.0.0.1:${port}/v1/partners`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: id, as2_id: id, url: `https://${id.toLowerCase()}.example.com/as2` }) }); await r.text(); if (r.status !== 201) throw new Error(`create ${r.status}`); return performance.now() - s; };
// a duplicate of a hub AS2 id seeded before the restart: must be refused by the restored directory
const dupS = performance.now();
const dup = await fetch(`http://127.0.0.1:${port}/v1/partners`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'dup', as2_id: process.env.DUP_AS2_ID ?? 'HUB-0000001', url: 'https://dup.example.com/as2' }) });
const dupBody = await dup.text(); const dupMs = performance.now() - dupS;
const first = await create(0); const next = []; for (let i = 1; i <= 5; i++) next.push(await create(i));
next.sort((a, b) => a - b);
console.log(JSON.stringify({ app: appDir, readyMs: Math.round(readyMs), readyCpuMs: readyCpu, duplicate: `${dup.status} ${JSON.parse(dupBody).error?.code ?? ''} in ${Math.round(dupMs)} ms`, firstCreateMs: Math.round(first), nextCreateMedianMs: Math.round(next[2]), load: loadavg()[0].toFixed(1) }));
app.kill('SIGTERM');
await new Promise((r) => app.once('exit', r));
