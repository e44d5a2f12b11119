// Provides a real SMTP server whose HTTP API tells what arrived, for the blocked-message notice suites
// (SMTP_URL, MAILPIT_API_URL), in this order: both already set → Mailpit built from the Go module proxy
// (github.com/axllent/mailpit, pinned in tools/mailpit) into tools/.local/bin, listening on free local ports.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const toolsDir = dirname(dirname(fileURLToPath(import.meta.url)));
const sourceDir = join(toolsDir, 'mailpit');
const binary = join(toolsDir, '.local', 'bin', 'mailpit');
const stampFile = `${binary}.stamp`;
const readyTimeoutMs = 30_000;

/** @param {{ ci?: boolean }} options ci: print the Go build's output as it runs, not only on failure */
export async function provide({ ci = false } = {}) {
  if (process.env.SMTP_URL && process.env.MAILPIT_API_URL) {
    return { env: { SMTP_URL: process.env.SMTP_URL, MAILPIT_API_URL: process.env.MAILPIT_API_URL }, source: 'env', stop: async () => {} };
  }
  ensureBinary({ ci });
  let lastError;
  // a free port can be taken between probing and listening: try a few
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await startOnce();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** Rebuilds only when the binary is missing or tools/mailpit changed; Go's caches keep a rebuild short. */
function ensureBinary({ ci }) {
  const stamp = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) stamp.update(readFileSync(join(sourceDir, file)));
  const wanted = stamp.digest('hex');
  if (existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === wanted) return;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) throw new Error('SMTP_URL and MAILPIT_API_URL are not set, and `go` is not on PATH to build Mailpit (tools/mailpit)');
  mkdirSync(dirname(binary), { recursive: true });
  console.warn(`[mailpit] building Mailpit into ${binary} (${go.stdout.trim()})`);
  const started = Date.now();
  const build = spawnSync('go', ['build', '-o', binary, 'github.com/axllent/mailpit'], { cwd: sourceDir, encoding: 'utf8', stdio: ci ? 'inherit' : 'pipe', timeout: 15 * 60_000 });
  if (build.status !== 0) {
    const output = `${build.stdout ?? ''}${build.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`building Mailpit failed (${build.error?.message ?? `exit ${build.status}`})${output ? `:\n${output}` : ''}`);
  }
  writeFileSync(stampFile, wanted);
  console.warn(`[mailpit] Mailpit built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function startOnce() {
  const [smtpPort, httpPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'mailpit-'));
  const child = spawn(binary, ['--smtp', `127.0.0.1:${smtpPort}`, '--listen', `127.0.0.1:${httpPort}`, '--database', join(dataDir, 'mailpit.db'), '--disable-version-check', '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4_000)));
  let exit = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve((exit = { code, signal })));
    child.once('error', (error) => resolve((exit = { error })));
  });
  const stop = async () => {
    if (!exit) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const api = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exit) {
      await stop();
      throw new Error(`Mailpit exited (${JSON.stringify(exit)}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
    }
    try {
      if ((await fetch(`${api}/api/v1/info`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Mailpit did not answer on ${api} within ${readyTimeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAILPIT_API_URL: api }, source: 'local Mailpit', stop };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// `node tools/test-servers/mailpit.mjs`: start a server, print its URLs, stop on Ctrl-C.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const server = await provide({ ci: process.env.CI === 'true' });
  console.log(`SMTP_URL=${server.env.SMTP_URL} MAILPIT_API_URL=${server.env.MAILPIT_API_URL} (${server.source}, ready in ${Date.now() - started} ms)`);
  const shutdown = async () => {
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  if (process.argv.includes('--once')) await shutdown();
}
