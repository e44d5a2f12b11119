/**
 * How far the creates-vs-raw-appends goal is from the stack itself: per round, side by side, raw fsync'd
 * appends (bench:scale's anchor: better-sqlite3, the event store's table and pragmas, one insert per transaction), the
 * floor server (`create-floor-server.ts`: NestJS on Fastify, the app's CreatePartnerDto through its validation pipe,
 * one durable append to the embedded event store, 201) and, given a build, the built all-in-one app on a fresh data
 * directory, both under autocannon's POST /v1/partners at CONNECTIONS connections. Prints each rate and its ratio to the
 * raw appends of its round (min / median / max over the rounds), with the process's CPU per create.
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/create-floor.bench.ts [<app root holding dist/apps/all-in-one>]
 *   (ROUNDS=3 DURATION=5 CONNECTIONS=16 WARMUP=300)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import { rawAppendsPerSecond as rawAppends } from './raw-appends';
import APP_NODE_OPTIONS = require('../dev/app-node-options.cjs');
import { cpuMsOf, freePort } from './process-probes.cjs';

const appRoot = process.argv[2] ? resolve(process.argv[2]) : null;
const rounds = Number(process.env.ROUNDS ?? 3);
const duration = Number(process.env.DURATION ?? 5);
const connections = Number(process.env.CONNECTIONS ?? 16);
const warmup = Number(process.env.WARMUP ?? 300);
const secret = 'create-floor-benchmark-secret-0123456789';

interface Server {
  readonly process: ChildProcess;
  readonly base: string;
  readonly dataDir: string;
}

let next = 0;
const run = randomUUID().slice(0, 6);
function body(): string {
  const i = next++;
  const as2Id = `FLR-${run}-${String(i).padStart(7, '0')}`;
  return JSON.stringify({ name: `Floor Supplier ${run} ${i}`, as2_id: as2Id, url: `https://as2.${as2Id.toLowerCase()}.example.com/receive`, active: true, sign: true, encrypt: true });
}

/** Raw anchor (raw-appends.ts) with rows the size of the creates' events. */
function rawAppendsPerSecond(dir: string, seconds: number): number {
  const data = JSON.stringify({ partnerId: 'prt_x', settings: JSON.parse(body()) });
  const metadata = JSON.stringify({ account: 'bench-account', tenant: 'hub', correlationId: randomUUID(), causationId: randomUUID(), actor: { type: 'user', id: 'u' }, occurredAt: new Date().toISOString() });
  return rawAppends(dir, seconds, { data, metadata });
}

async function start(kind: 'floor' | 'app'): Promise<Server> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `create-floor-${kind}-`));
  const child =
    kind === 'floor'
      ? spawn(process.execPath, [...APP_NODE_OPTIONS, '-r', '@swc-node/register', join(__dirname, 'create-floor-server.ts'), dataDir, String(port)], {
          env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
          stdio: ['ignore', 'ignore', 'inherit'],
        })
      : spawn(process.execPath, [...APP_NODE_OPTIONS, join(appRoot as string, 'dist/apps/all-in-one/main.js')], {
          cwd: appRoot as string,
          env: { ...process.env, MODE: 'embedded', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error' },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
  const base = `http://127.0.0.1:${port}`;
  // The floor server has no health route: any answer means it listens (its Nest app is initialised before).
  const probe = `${base}/health/ready`;
  for (const until = performance.now() + 60_000; performance.now() < until; ) {
    try {
      const answer = await fetch(probe);
      if (kind === 'floor') return { process: child, base, dataDir };
      if (answer.ok) {
        await registerTenant(base);
        return { process: child, base, dataDir };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${kind} did not start within 60 s`);
}

/** The app's tenant, on the enterprise plan (no partner limit), as an account admin registers it. */
async function registerTenant(base: string): Promise<void> {
  const admin = await new SignJWT({ sub: 'floor-admin', account: 'bench-account', roles: ['account_admin'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
  const registered = await fetch(`${base}/v1/accounts/bench-account/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'hub', name: 'Floor benchmark hub', plan: 'enterprise' }),
  });
  if (registered.status !== 201) throw new Error(`tenant registration answered ${registered.status}: ${await registered.text()}`);
}

async function stop(server: Server): Promise<void> {
  server.process.kill('SIGTERM');
  await new Promise((r) => server.process.once('exit', r));
  rmSync(server.dataDir, { recursive: true, force: true });
}

async function creates(server: Server, authorization: string, seconds: number, amount?: number): Promise<{ rate: number; cpuMsPerCreate: number; non2xx: number }> {
  const pid = server.process.pid as number;
  const cpuBefore = cpuMsOf(pid);
  const result = await autocannon({
    url: `${server.base}/v1/partners`,
    connections,
    ...(amount ? { amount } : { duration: seconds }),
    requests: [{ method: 'POST', headers: { authorization, 'content-type': 'application/json' }, setupRequest: (request: object) => ({ ...request, body: body() }) }],
  });
  const cpu = cpuMsOf(pid) - cpuBefore;
  const created = result['2xx'];
  return { rate: created / (result.duration || seconds), cpuMsPerCreate: created > 0 ? cpu / created : NaN, non2xx: result.non2xx + result.errors };
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[0]?.toFixed(2)} / ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)} / ${sorted.at(-1)?.toFixed(2)}`;
};

async function main(): Promise<void> {
  const token = `Bearer ${await new SignJWT({ sub: 'floor-user', account: 'bench-account', tenant: 'hub', roles: ['tenant_admin'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('4h')
    .sign(new TextEncoder().encode(secret))}`;
  const scratch = mkdtempSync(join(tmpdir(), 'create-floor-raw-'));
  const kinds: ('floor' | 'app')[] = appRoot ? ['floor', 'app'] : ['floor'];
  const ratios: Record<string, number[]> = { floor: [], app: [] };
  console.log(`creates at ${connections} connections for ${duration} s beside ${duration} s of raw fsync'd appends, ${rounds} rounds, node ${process.version}`);
  console.log('round  kind    creates/s   raw/s   vs raw   CPU ms/create   failed   load');
  try {
    for (let r = 1; r <= rounds; r++) {
      for (const kind of kinds) {
        const server = await start(kind);
        try {
          await creates(server, token, 0, warmup);
          const raw = rawAppendsPerSecond(scratch, duration);
          const measured = await creates(server, token, duration);
          ratios[kind]?.push(measured.rate / raw);
          console.log(
            `${String(r).padEnd(7)}${kind.padEnd(8)}${measured.rate.toFixed(0).padStart(9)}${raw.toFixed(0).padStart(8)}${(measured.rate / raw).toFixed(2).padStart(9)}${measured.cpuMsPerCreate.toFixed(2).padStart(16)}${String(measured.non2xx).padStart(9)}   ${loadavg()[0]?.toFixed(1)}`,
          );
        } finally {
          await stop(server);
        }
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  for (const kind of kinds) console.log(`${kind}: creates/s vs raw fsync'd appends, min / median / max ${stats(ratios[kind] ?? [])} (goal >= 0.3)`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
