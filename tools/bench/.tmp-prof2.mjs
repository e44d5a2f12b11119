import { spawn } from 'node:child_process';
import { SignJWT } from 'jose';
const [appDir, dataDir, profDir] = process.argv.slice(2);
const secret = 'scale-benchmark-secret-0123456789abcdef'; const port = '3978';
const token = await new SignJWT({ sub: 'u', account: 'bench-account', tenant: 'hub', roles: ['tenant_admin'] }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('4h').sign(new TextEncoder().encode(secret));
const env = { ...process.env, MODE: 'embedded', PORT: port, HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error' };
const app = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `${appDir}/dist/apps/all-in-one/main.js`], { cwd: appDir, env, stdio: ['ignore', 'inherit', 'inherit'] });
for (;;) { try { if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) break; } catch {} await new Promise((r) => setTimeout(r, 20)); }
const now = () => String(process.hrtime.bigint() / 1000n);
const create = async (i) => { const id = `PR2-${process.pid}-${i}`; const a = now(); const s = performance.now(); const r = await fetch(`http://127.0.0.1:${port}/v1/partners`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: id, as2_id: id, url: `https://x${i}.example.com/as2` }) }); await r.text(); return [a, now(), Math.round(performance.now() - s)]; };
const windows = [];
for (let i = 0; i < 6; i++) windows.push(await create(i));
await new Promise((r) => setTimeout(r, 500));
app.kill('SIGTERM'); await new Promise((r) => app.once('exit', r));
console.log(JSON.stringify(windows));
