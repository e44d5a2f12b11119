// Start to ready of the built all-in-one app (embedded) beside a bare Fastify start, alternating, in one run: wall
// time until GET /health/ready answers 200 (GET / for the bare server) and the CPU time the process had used by then
// (from /proc, so a loaded machine shows in the wall figure, less in the CPU one). Build first (npm start builds).
// usage: node tools/bench/start.bench.mjs [dataDir]   (START_ROUNDS=5; an empty temporary data directory by default)
//        START_PARTNERS=100000 node tools/bench/start.bench.mjs   seeds that many partners in one tenant first (through the
//        write model, as `npm run bench:scale` does; ~2 min at 100,000 here) and builds the read models, then measures
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMsOf, freePort } from './process-probes.cjs';
import APP_NODE_OPTIONS from '../dev/app-node-options.cjs';

const root = join(import.meta.dirname, '..', '..');
const rounds = Number(process.env.START_ROUNDS ?? 5);
const appDir = join(root, 'dist', 'apps', 'all-in-one');
const given = process.argv[2];
const dataDir = given ?? mkdtempSync(join(tmpdir(), 'as2-start-'));
const scratch = mkdtempSync(join(tmpdir(), 'as2-start-bare-'));
const bareFile = join(scratch, 'bare.mjs');
writeFileSync(bareFile, `import Fastify from ${JSON.stringify(join(root, 'node_modules', 'fastify', 'fastify.js'))};\nconst app = Fastify();\napp.get('/', async () => ({ ok: true }));\nawait app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });\n`);

async function timeToReady(args, env, path, holdMs = 0) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...args, String(port)], { cwd: root, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.status === 200, () => false);
      if (ok) {
        const sample = { ms: performance.now() - started, cpuMs: cpuMsOf(child.pid) };
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        return sample;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  }
}

const appEnv = { MODE: 'embedded', HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: 'start-bench-secret-start-bench-secret-0123', LOG_LEVEL: 'error' };
const partners = Number(process.env.START_PARTNERS ?? 0);

/** A deployment's data at `count` partners in one tenant: events through the write model, then the read models rebuilt from them. */
function seed(count) {
  const seeding = spawnSync('npm', ['run', '--silent', 'bench:scale'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SCALE_WRITE_ONLY: '1', SCALE_SIZES: String(count), SCALE_TENANTS: '0', SCALE_POPULATION: '0', SCALE_ROUNDS: '1', SCALE_DATA_DIR: dataDir },
  });
  if (seeding.status !== 0) throw new Error('seeding failed');
  const rebuild = spawnSync(process.execPath, [join(appDir, 'rebuild-read-models.js')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...appEnv } });
  if (rebuild.status !== 0) throw new Error('building the read models failed');
}

const app = [];
const bare = [];
const loadBefore = loadavg()[0];
let firstStart = null;
try {
  if (partners > 0) seed(partners);
  // The first start after a build compiles the bundle and, once up for 10 s, keeps V8's code for the next starts
  // (tools/build/compile-cached-entry.cjs); the rounds below are restarts of an app that ran before, as in production.
  for (const name of readdirSync(appDir)) if (name.endsWith('.v8-cache')) rmSync(join(appDir, name));
  firstStart = await timeToReady([...APP_NODE_OPTIONS, join(appDir, 'main.js')], appEnv, '/health/ready', 11_000);
  for (let r = 0; r < rounds; r++) {
    bare.push(await timeToReady([bareFile], {}, '/'));
    app.push(await timeToReady([...APP_NODE_OPTIONS, join(appDir, 'main.js')], appEnv, '/health/ready'));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  if (!given) rmSync(dataDir, { recursive: true, force: true });
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const line = (name, samples) => {
  const ms = samples.map((s) => s.ms);
  const cpu = samples.map((s) => s.cpuMs);
  return `${name.padEnd(28)} wall ms min ${Math.min(...ms).toFixed(0)} / median ${median(ms).toFixed(0)} / max ${Math.max(...ms).toFixed(0)}   CPU ms median ${median(cpu).toFixed(0)}`;
};
const data = partners > 0 ? `${partners} partners in one tenant` : (given ?? 'empty');
console.log(`start to ready, ${rounds} alternating rounds, node ${process.version}, data ${data}, load average ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
console.log(line('bare Fastify', bare));
console.log(line('all-in-one (embedded)', app));
console.log(`first start, before the compile cache exists: wall ${firstStart.ms.toFixed(0)} ms, CPU ${firstStart.cpuMs.toFixed(0)} ms`);
console.log(`ratio (median): wall ${(median(app.map((s) => s.ms)) / median(bare.map((s) => s.ms))).toFixed(1)}×, CPU ${(median(app.map((s) => s.cpuMs)) / median(bare.map((s) => s.cpuMs))).toFixed(1)}×; goal < 2000 ms wall: ${median(app.map((s) => s.ms)) < 2000 ? 'met' : 'NOT met'}`);
