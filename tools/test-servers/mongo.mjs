// Provides a MongoDB-wire server for integration suites (MONGO_URL), in this order:
// MONGO_URL already set → a mongo:7 container where a container runtime answers → local FerretDB 1.x
// (SQLite backend) built from the Go module proxy by tools/ferretdb into tools/.local/bin.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';

const toolsDir = dirname(dirname(fileURLToPath(import.meta.url)));
const ferretSourceDir = join(toolsDir, 'ferretdb');
const ferretBinary = join(toolsDir, '.local', 'bin', 'ferretdb');
const ferretStamp = `${ferretBinary}.stamp`;
const ferretBuildTags = 'ferretdb_no_postgresql';
const runtimeCheckTimeoutMs = 15_000;
const readyTimeoutMs = 30_000;

/** @param {{ ci?: boolean }} options ci: print the Go build's output as it runs, not only on failure */
export async function provide({ ci = false } = {}) {
  if (process.env.MONGO_URL) {
    return { env: { MONGO_URL: process.env.MONGO_URL }, source: 'env', stop: async () => {} };
  }
  if (await containerRuntimeAnswers()) {
    try {
      return await startContainer();
    } catch (error) {
      console.warn(`[mongo] mongo:7 container failed (${error.message}); falling back to local FerretDB`);
    }
  }
  return startFerretDb({ ci });
}

async function containerRuntimeAnswers() {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer')), runtimeCheckTimeoutMs);
    });
    try {
      await Promise.race([getContainerRuntimeClient(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return true;
  } catch {
    return false;
  }
}

async function startContainer() {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('mongo:7')
    .withExposedPorts(27017)
    .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
    .start();
  const url = `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/?directConnection=true`;
  await waitForPing(url, Date.now() + readyTimeoutMs, () => null);
  return { env: { MONGO_URL: url }, source: 'testcontainers', stop: async () => void (await container.stop()) };
}

/** Rebuilds only when the binary is missing or tools/ferretdb changed; Go's caches keep a rebuild short. */
function ensureFerretDbBinary({ ci }) {
  const stamp = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) stamp.update(readFileSync(join(ferretSourceDir, file)));
  stamp.update(ferretBuildTags);
  const wanted = stamp.digest('hex');
  if (existsSync(ferretBinary) && existsSync(ferretStamp) && readFileSync(ferretStamp, 'utf8') === wanted) return;

  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new Error('MONGO_URL is not set, no container runtime answers, and `go` is not on PATH to build FerretDB (tools/ferretdb)');
  }
  mkdirSync(dirname(ferretBinary), { recursive: true });
  console.warn(`[mongo] building FerretDB into ${ferretBinary} (${go.stdout.trim()})`);
  const started = Date.now();
  const build = spawnSync('go', ['build', '-tags', ferretBuildTags, '-o', ferretBinary, '.'], {
    cwd: ferretSourceDir,
    encoding: 'utf8',
    stdio: ci ? 'inherit' : 'pipe',
    timeout: 15 * 60_000,
  });
  if (build.status !== 0) {
    const output = `${build.stdout ?? ''}${build.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`building FerretDB failed (${build.error?.message ?? `exit ${build.status}`})${output ? `:\n${output}` : ''}`);
  }
  writeFileSync(ferretStamp, wanted);
  console.warn(`[mongo] FerretDB built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function startFerretDb({ ci }) {
  ensureFerretDbBinary({ ci });
  let lastError;
  // a free port can be taken between probing and listening: try a few
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await startFerretDbOnce();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startFerretDbOnce() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ferretdb-'));
  let child;
  let stderr = '';
  let exit = null;
  let exited;
  const launch = () => {
    exit = null;
    stderr = '';
    child = spawn(ferretBinary, ['--listen-addr', `127.0.0.1:${port}`, '--sqlite-dir', dataDir, '--exit-on-stdin-eof', '--remove-sqlite-dir-on-exit'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4_000);
    });
    exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exit = { code, signal };
        resolve();
      });
      child.once('error', (error) => {
        exit = { error };
        resolve();
      });
    });
  };
  launch();

  const stop = async () => {
    if (!exit) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const url = `mongodb://127.0.0.1:${port}/`;
  const ready = () =>
    waitForPing(url, Date.now() + readyTimeoutMs, () =>
      exit ? `FerretDB exited (${exit.error?.message ?? exit.signal ?? `code ${exit.code}`}): ${stderr.trim()}` : null,
    );
  try {
    await ready();
  } catch (error) {
    await stop();
    throw error;
  }
  // For fault drills (tools/faults): kill -9 the server, keeping its data directory, and start it again on the same port.
  const kill = async () => {
    if (exit) return;
    child.kill('SIGKILL');
    await exited;
  };
  const restart = async () => {
    launch();
    await ready();
  };
  return { env: { MONGO_URL: url }, source: 'local', stop, kill, restart };
}

async function waitForPing(url, deadline, whyDead) {
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    const dead = whyDead();
    if (dead) throw new Error(dead);
    const client = new mongoose.mongo.MongoClient(url, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      lastError = error.message;
    } finally {
      await client.close().catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ping answer from ${url} within ${readyTimeoutMs / 1000} s: ${lastError}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// `node tools/test-servers/mongo.mjs`: start a server, print its URL, stop on Ctrl-C.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const server = await provide({ ci: process.env.CI === 'true' });
  console.log(`MONGO_URL=${server.env.MONGO_URL} (${server.source}, ready in ${Date.now() - started} ms)`);
  const shutdown = async () => {
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  if (process.argv.includes('--once')) await shutdown();
}
