/**
 * Certificate API benchmark, embedded mode, through HTTP against the built all-in-one app in its own process:
 * (a) POST /v1/certificates of distinct 2048-bit RSA PEM certificates (parse + store), sequential and by concurrent
 *     clients, beside `readCertificateUpload` alone in this process (the parse without the store) and GET /health/live;
 * (b) GET /v1/partners/{id}/trust/events (the CemEvents timeline) of a partner with ≥ 1,000 events in its stream,
 *     made through the API (a backup scheduled and cancelled in turn), first page and a deep page.
 *
 *   npm run bench:certificates     (UPLOADS=1000 CONCURRENCY=16 TIMELINE_EVENTS=1000 READS=500 to change the load)
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { readCertificateUpload } from '@as2-partners/certificate-lifecycle-domain';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import APP_NODE_OPTIONS = require('../dev/app-node-options.cjs');
import { freePort } from './process-probes.cjs';

const root = join(__dirname, '..', '..');
const mainJs = join(root, 'dist', 'apps', 'all-in-one', 'main.js');
const uploads = Number(process.env['UPLOADS'] ?? 1000);
const concurrency = Number(process.env['CONCURRENCY'] ?? 16);
const timelineEvents = Number(process.env['TIMELINE_EVENTS'] ?? 1000);
const reads = Number(process.env['READS'] ?? 500);
const perPage = 20;
const secret = 'certificates-benchmark-secret-0123456789abcdef';
const account = 'bench-account';
const tenant = 'bench-tenant';
const DAY_MS = 86_400_000;

async function token(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(latencies: number[]): { p50: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function timed(url: string, init: RequestInit, expected: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, init);
  const body = await response.text();
  if (response.status !== expected) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}, expected ${expected}: ${body.slice(0, 300)}`);
  return performance.now() - started;
}

/** Latencies of `count` tasks run by `workers` clients, and the rate over the whole run. */
async function inParallel(count: number, workers: number, task: (i: number) => Promise<number>): Promise<{ latencies: number[]; perSecond: number }> {
  const latencies: number[] = new Array(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        const i = next++;
        latencies[i] = await task(i);
      }
    }),
  );
  return { latencies, perSecond: count / ((performance.now() - started) / 1000) };
}

function multipart(fields: Record<string, string>, filename: string, content: string): { body: Buffer; contentType: string } {
  const boundary = `----as2bench${randomUUID().replace(/-/g, '')}`;
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="${filename}"\r\nContent-Type: application/x-pem-file\r\n\r\n${content}\r\n`);
  parts.push(`--${boundary}--\r\n`);
  return { body: Buffer.from(parts.join('')), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The parse alone, in this process: what an upload costs before the store. */
function parseRate(pems: readonly Buffer[]): { perSecond: number; p50: number; p99: number } {
  for (const pem of pems.slice(0, 50)) readCertificateUpload(pem);
  const latencies: number[] = [];
  const started = performance.now();
  for (const pem of pems) {
    const t0 = performance.now();
    readCertificateUpload(pem);
    latencies.push(performance.now() - t0);
  }
  return { perSecond: pems.length / ((performance.now() - started) / 1000), ...summary(latencies) };
}

async function main(): Promise<void> {
  // Always through nx: its cache makes this instant when nothing changed, and a stale build is never measured.
  const build = spawnSync('npx', ['nx', 'build', 'all-in-one', '--output-style=static'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0 || !existsSync(mainJs)) throw new Error('build failed');

  // Distinct certificates (serial, subject) over a small pool of 2048-bit keys: generating keys is not what is measured.
  const sequentialUploads = Math.max(1, Math.floor(uploads / 2));
  const certificates = Array.from({ length: sequentialUploads + uploads }, (_, i) => issueTestCertificate({ commonName: `Bench Partner ${i}`, organization: 'Bench Corp' }).pem);
  const parse = parseRate(certificates.map((pem) => Buffer.from(pem)));

  const dataDir = mkdtempSync(join(tmpdir(), 'as2-bench-certificates-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = spawn(process.execPath, [...APP_NODE_OPTIONS, mainJs], {
    cwd: root,
    env: { ...process.env, MODE: 'embedded', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET: secret, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await fetch(`${base}/health/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      if (attempt > 300) throw new Error('the app did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const admin = await token({ sub: 'bench-admin', account, roles: ['account_admin'] });
    const user = await token({ sub: 'bench-user', account, tenant, roles: ['tenant_admin'] });
    const json = { authorization: `Bearer ${user}`, 'content-type': 'application/json' };
    const bearer = { authorization: `Bearer ${user}` };
    await timed(`${base}/v1/accounts/${account}/tenants`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: tenant, name: 'Benchmark tenant', plan: 'enterprise' }) }, 201);

    const liveSeq = await inParallel(1000, 1, () => timed(`${base}/health/live`, {}, 200));
    const livePar = await inParallel(2000, concurrency, () => timed(`${base}/health/live`, {}, 200));

    const upload = (pem: string, i: number) => {
      const form = multipart({ name: `Bench certificate ${i}`, usage: 'encryption' }, `bench-${i}.pem`, pem);
      return timed(`${base}/v1/certificates`, { method: 'POST', headers: { ...bearer, 'content-type': form.contentType }, body: form.body }, 201);
    };
    const uploadSeq = await inParallel(sequentialUploads, 1, (i) => upload(certificates[i]!, i));
    const uploadPar = await inParallel(uploads, concurrency, (i) => upload(certificates[sequentialUploads + i]!, sequentialUploads + i));

    // A partner whose certificate stream holds ≥ TIMELINE_EVENTS events, each one made through the API.
    const partner = await fetch(`${base}/v1/partners`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'Timeline Partner', as2_id: 'TIMELINE-PARTNER', url: 'https://as2.timeline.example.com/receive' }) });
    if (partner.status !== 201) throw new Error(`partner create answered ${partner.status}`);
    const partnerId: string = ((await partner.json()) as { data: { id: string } }).data.id;
    const attach = async (i: number): Promise<string> => {
      const form = multipart({ name: `Timeline ${i}`, usage: 'encryption' }, `timeline-${i}.pem`, issueTestCertificate({ commonName: `Timeline ${i}` }).pem);
      const res = await fetch(`${base}/v1/partners/${partnerId}/certificates`, { method: 'POST', headers: { ...bearer, 'content-type': form.contentType }, body: form.body });
      if (res.status !== 201) throw new Error(`partner upload answered ${res.status}`);
      return ((await res.json()) as { data: { id: string } }).data.id;
    };
    await attach(0);
    const backupId = await attach(1);
    const eventsUrl = (page: number) => `${base}/v1/partners/${partnerId}/trust/events?per_page=${perPage}&page=${page}`;
    const total = async (): Promise<number> => ((await (await fetch(eventsUrl(1), { headers: bearer })).json()) as { pagination: { total: number } }).pagination.total;
    const fillStarted = performance.now();
    const activateOn = new Date(Date.now() + 30 * DAY_MS).toISOString();
    let writes = 0;
    while ((await total()) < timelineEvents) {
      for (let i = 0; i < 50; i++) {
        await timed(`${base}/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { method: 'PUT', headers: json, body: JSON.stringify({ certificate_id: backupId, activate_on: activateOn }) }, 200);
        await timed(`${base}/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { method: 'DELETE', headers: bearer }, 200);
        writes += 2;
      }
    }
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    const events = await total();
    const deepPage = Math.floor(events / perPage);

    const firstSeq = await inParallel(reads, 1, () => timed(eventsUrl(1), { headers: bearer }, 200));
    const deepSeq = await inParallel(reads, 1, () => timed(eventsUrl(deepPage), { headers: bearer }, 200));
    const firstPar = await inParallel(reads, concurrency, () => timed(eventsUrl(1), { headers: bearer }, 200));
    const deepPar = await inParallel(reads, concurrency, () => timed(eventsUrl(deepPage), { headers: bearer }, 200));

    const f = (n: number) => n.toFixed(2);
    const line = (label: string, run: { latencies: number[]; perSecond: number }) => {
      const s = summary(run.latencies);
      return `${label.padEnd(44)} ${f(run.perSecond).padStart(9)} /s  p50 ${f(s.p50)} ms  p99 ${f(s.p99)} ms`;
    };
    console.log(`certificates benchmark (embedded, ${uploads + sequentialUploads} uploads of 2048-bit RSA PEM, concurrency ${concurrency}, node ${process.version})`);
    console.log(line('baseline GET /health/live (seq)', liveSeq));
    console.log(line(`baseline GET /health/live (x${concurrency})`, livePar));
    console.log(`${'readCertificateUpload alone (in-process)'.padEnd(44)} ${f(parse.perSecond).padStart(9)} /s  p50 ${f(parse.p50)} ms  p99 ${f(parse.p99)} ms`);
    console.log(line('POST /v1/certificates (seq)', uploadSeq));
    console.log(line(`POST /v1/certificates (x${concurrency})`, uploadPar));
    console.log(`  upload/parse: seq ${f(parse.perSecond / uploadSeq.perSecond)}x slower than the parse alone, x${concurrency} ${f(parse.perSecond / uploadPar.perSecond)}x`);
    console.log(`timeline: ${events} events (${writes} backup schedule/cancel requests through the API in ${f(fillSeconds)} s, ${f(writes / fillSeconds)} writes/s)`);
    console.log(line(`GET …/trust/events page 1 (seq)`, firstSeq));
    console.log(line(`GET …/trust/events page ${deepPage} (seq)`, deepSeq));
    console.log(line(`GET …/trust/events page 1 (x${concurrency})`, firstPar));
    console.log(line(`GET …/trust/events page ${deepPage} (x${concurrency})`, deepPar));
    console.log(`  timeline p50 vs sequential baseline: page 1 ${f(summary(firstSeq.latencies).p50 / summary(liveSeq.latencies).p50)}x, page ${deepPage} ${f(summary(deepSeq.latencies).p50 / summary(liveSeq.latencies).p50)}x`);
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => app.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
