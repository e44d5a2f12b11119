import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import { signHs256Token } from '../auth/hs256-token';
import { loadPlatformConfig } from '../config/platform-config';
import { createHttpApp, type HttpAppOptions } from './create-http-app';

/** The throwaway app's TSA: never asked (its requests stamp nothing), refused if it were (the discard port on loopback). */
const UNUSED_TSA_URL = 'http://127.0.0.1:9/';

const MEMORY_DIR = '/dev/shm';
/** The most a warm-up request may take: one that hangs is given up (and its connection closed), not the start. */
export const WARM_UP_REQUEST_TIMEOUT_MS = 10_000;

/** What a warm-up's requests get back. */
export interface WarmUpAnswer {
  readonly status: number;
  readonly body: string;
}

/** The throwaway app as a warm-up's requests see it: HTTP on loopback, tokens its own secret signs. */
export interface WarmUpClient {
  send(method: string, path: string, options?: { readonly token?: string; readonly body?: unknown }): Promise<WarmUpAnswer>;
  /** A bearer token for these claims (an hour's validity), signed with the throwaway app's secret. */
  token(claims: Readonly<Record<string, unknown>>): string;
}

/** How long a warm-up took, and what stopped it short if anything did. */
export interface WarmUpOutcome {
  readonly ms: number;
  readonly failure?: string;
}

/** The requests a deployable's warm-up sends, in the order a user's first ones would come. */
export type WarmUpRequests = (client: WarmUpClient) => Promise<void>;

/**
 * The first requests after a restart ran code no request had run yet: V8 interprets it with empty inline caches and
 * tiers it up only after a few calls, so the first create after a restart took 2–3× a later one (docs/benchmarks.md).
 * This runs the deployable's hot requests once through a throwaway copy of the app before the real one starts: the same
 * modules and classes (so the same functions, their feedback and their compiled code) composed in embedded mode over an
 * empty temporary DATA_DIR of its own, with a random JWT secret, listening on an ephemeral loopback port for the
 * duration, as a `throwaway` app (PlatformAppOptions: no process metrics, no code cache written at its stop); then
 * closed and its directory removed. Nothing it does reaches the real stores, bus or logs (its log level is
 * `error`). It is a head start only: a request answered otherwise than the warm-up expected, or a throwaway app that
 * could not start, is no failure of the real start (the outcome says what went wrong, for the caller to log once the
 * real app's logger is in place).
 */
export async function warmUpOnThrowawayApp(
  rootModule: Type<unknown> | DynamicModule,
  options: HttpAppOptions,
  requests: WarmUpRequests,
  requestTimeoutMs = WARM_UP_REQUEST_TIMEOUT_MS,
): Promise<WarmUpOutcome> {
  const started = performance.now();
  try {
    await runOnThrowawayApp(rootModule, options, requests, requestTimeoutMs);
    return { ms: performance.now() - started };
  } catch (error) {
    return { ms: performance.now() - started, failure: String(error) };
  }
}

/** A throwaway DATA_DIR's name: the process that made it, then mkdtemp's random part. */
const SCRATCH_PREFIX = 'as2-warm-up-';
const SCRATCH_OF_PROCESS = /^as2-warm-up-(\d+)-/;
/** A scratch directory without its process's id (made before they carried one) is left over once this old. */
const UNOWNED_SCRATCH_AGE_MS = 10 * 60_000;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes the throwaway DATA_DIRs a start stopped short left in `root` (a SIGKILL or SIGTERM during the warm-up skips
 * its removal): those of processes no longer running, and older ones that name no process. Another process's warm-up
 * running now keeps its own.
 */
export async function removeLeftoverScratch(root: string, now = Date.now()): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const name of entries) {
    if (!name.startsWith(SCRATCH_PREFIX)) continue;
    const path = join(root, name);
    const owner = SCRATCH_OF_PROCESS.exec(name)?.[1];
    const left =
      owner !== undefined
        ? Number(owner) !== process.pid && !isRunning(Number(owner))
        : now - (await stat(path).then((entry) => entry.mtimeMs, () => now)) > UNOWNED_SCRATCH_AGE_MS;
    if (left) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function runOnThrowawayApp(rootModule: Type<unknown> | DynamicModule, options: HttpAppOptions, requests: WarmUpRequests, timeoutMs: number): Promise<void> {
  const root = scratchRoot();
  await removeLeftoverScratch(root);
  const dataDir = await mkdtemp(join(root, `${SCRATCH_PREFIX}${process.pid}-`));
  const secret = randomBytes(32).toString('base64url');
  try {
    // TSA_URL: no bundled TSA, whose identity (an RSA key) a fresh DATA_DIR would make; nothing here asks a TSA.
    // REQUEST_TIMEOUT_MS: its close does not wait longer than a request may take for one still running.
    const config = loadPlatformConfig({
      MODE: 'embedded',
      DATA_DIR: dataDir,
      JWT_SECRET: secret,
      LOG_LEVEL: 'error',
      HOST: '127.0.0.1',
      TSA_URL: UNUSED_TSA_URL,
      REQUEST_TIMEOUT_MS: String(Math.max(100, timeoutMs)),
    });
    const app = await createHttpApp(rootModule, config, { ...options, shutdownHooks: false, throwaway: true });
    try {
      await app.listen(0, '127.0.0.1');
      const address = app.getHttpServer().address();
      const port = typeof address === 'object' && address ? address.port : 0;
      await requests({ send: (method, path, sent) => sendTo(port, timeoutMs, method, path, sent), token: (claims) => signedFor(claims, secret) });
    } finally {
      await app.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Where the throwaway DATA_DIR goes: memory (/dev/shm) where the machine has it writable, for fsyncs that cost nothing. */
function scratchRoot(): string {
  try {
    accessSync(MEMORY_DIR, constants.W_OK);
    return MEMORY_DIR;
  } catch {
    return tmpdir();
  }
}

function sendTo(port: number, timeoutMs: number, method: string, path: string, options: { readonly token?: string; readonly body?: unknown } = {}): Promise<WarmUpAnswer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const sent = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    sent.setTimeout(timeoutMs, () => sent.destroy(new Error(`${method} ${path} was not answered within ${timeoutMs} ms`)));
    sent.on('error', reject);
    sent.end(body);
  });
}

/** A token for `claims`, valid an hour from now. */
function signedFor(claims: Readonly<Record<string, unknown>>, secret: string): string {
  const now = Math.floor(Date.now() / 1000);
  return signHs256Token({ ...claims, iat: now, exp: now + 3600 }, secret);
}
