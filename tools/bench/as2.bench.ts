/**
 * AS2 library throughput vs `openssl cms` on the same machine, same run; peak memory for a 20 MiB message.
 * Two views: per-operation times at 1 KiB, 1 MiB, 20 MiB (openssl's include two process starts, trust-store loading
 * and its S/MIME text handling), and the honest one: the slope of time over payload sizes (1 → 64 MiB by default,
 * AS2_SLOPE_SIZES=1,4,16,64) with start-up removed, against `openssl cms` both as S/MIME and as DER detached
 * signatures, and against the primitives' limit (`openssl speed` AES-256-CBC and SHA-256).
 * Run: npm run bench:as2
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAs2Message, createSelfSignedIdentity, receiveAs2Message } from '../../libs/as2/src';

const MiB = 1024 * 1024;
const sender = createSelfSignedIdentity({ commonName: 'Bench Sender' });
const receiver = createSelfSignedIdentity({ commonName: 'Bench Receiver' });

function signEncrypt(payload: Buffer) {
  return buildAs2Message({ payload, as2From: 'SENDER', as2To: 'RECEIVER', fileName: 'bench.bin', sign: { keyPair: sender.keyPair, algorithm: 'sha256' }, encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-256-cbc' } });
}

function decryptVerify(message: { headers: Readonly<Record<string, string>>; body: Buffer }) {
  return receiveAs2Message({ headers: message.headers, body: message.body, decryptionKeys: [receiver.keyPair], partnerCertificates: [sender.keyPair.certificate] });
}

/** Child mode: one 20 MiB round, reporting the peak RSS above the baseline after set-up. */
function measureMemory(): void {
  const payload = randomBytes(20 * MiB);
  signEncrypt(Buffer.from('warm-up'));
  const baseline = process.memoryUsage().rss;
  const message = signEncrypt(payload);
  const afterBuild = process.resourceUsage().maxRSS * 1024;
  const received = decryptVerify(message);
  const peak = process.resourceUsage().maxRSS * 1024;
  if (!received.payload.equals(payload)) throw new Error('round trip mismatch');
  process.stdout.write(JSON.stringify({ baseline, afterBuild, peak, heapUsed: process.memoryUsage().heapUsed, external: process.memoryUsage().external }));
}

/** Least-squares slope and intercept of seconds over MiB. */
function fit(points: readonly (readonly [number, number])[]): { slope: number; intercept: number } {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const slope = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return { slope, intercept: my - slope * mx };
}

/** Fastest of `runs` (the least disturbed by other jobs on the machine). */
function fastest(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, time(1, fn));
  return best;
}

/** `openssl speed -evp <algorithm>` on 16 KiB blocks, in MiB/s. */
function opensslSpeed(algorithm: string): number {
  const out = execFileSync('openssl', ['speed', '-evp', algorithm, '-bytes', '16384', '-seconds', '2'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const line = out.split('\n').filter((l) => /\d+\.\d+k\s*$/.test(l)).at(-1) ?? '';
  return (Number(/([\d.]+)k\s*$/.exec(line)?.[1]) * 1000) / MiB;
}

function time(iterations: number, fn: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e9 / iterations;
}

/** Slopes over payload sizes for our library and three openssl command lines, and the primitives' limit. */
function measureSlopes(f: (name: string) => string, openssl: (...args: string[]) => Buffer): string[] {
  const sizes = (process.env['AS2_SLOPE_SIZES'] ?? '1,4,16,64').split(',').map(Number);
  const runs = 3;
  const series: Record<string, [number, number][]> = { ours: [], oursReceive: [], smime: [], smimeReceive: [], der: [], derReceive: [] };
  const point = (key: string, mib: number, seconds: number) => (series[key] as [number, number][]).push([mib, seconds]);
  for (const mib of sizes) {
    const payload = randomBytes(mib * MiB);
    writeFileSync(f('entity'), Buffer.concat([Buffer.from('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n'), payload]));
    const message = signEncrypt(payload);
    point('ours', mib, fastest(runs, () => signEncrypt(payload)));
    point('oursReceive', mib, fastest(runs, () => decryptVerify(message)));
    point('smime', mib, fastest(runs, () => {
      openssl('cms', '-sign', '-binary', '-md', 'sha256', '-signer', f('s.pem'), '-inkey', f('s.key'), '-in', f('entity'), '-out', f('signed.eml'));
      openssl('cms', '-encrypt', '-binary', '-aes256', '-outform', 'DER', '-in', f('signed.eml'), '-out', f('enc.der'), f('r.pem'));
    }));
    point('smimeReceive', mib, fastest(runs, () => {
      openssl('cms', '-decrypt', '-binary', '-inform', 'DER', '-in', f('enc.der'), '-recip', f('r.pem'), '-inkey', f('r.key'), '-out', f('dec.eml'));
      openssl('cms', '-verify', '-binary', '-noverify', '-in', f('dec.eml'), '-out', f('content'));
    }));
    // The same work without S/MIME text: a DER detached signature over the entity, and the entity encrypted.
    point('der', mib, fastest(runs, () => {
      openssl('cms', '-sign', '-binary', '-md', 'sha256', '-outform', 'DER', '-signer', f('s.pem'), '-inkey', f('s.key'), '-in', f('entity'), '-out', f('sig.der'));
      openssl('cms', '-encrypt', '-binary', '-aes256', '-outform', 'DER', '-in', f('entity'), '-out', f('enc-entity.der'), f('r.pem'));
    }));
    point('derReceive', mib, fastest(runs, () => {
      openssl('cms', '-decrypt', '-binary', '-inform', 'DER', '-in', f('enc-entity.der'), '-recip', f('r.pem'), '-inkey', f('r.key'), '-out', f('dec-entity'));
      openssl('cms', '-verify', '-binary', '-noverify', '-inform', 'DER', '-in', f('sig.der'), '-content', f('dec-entity'), '-out', f('verified'));
    }));
  }
  const fits = Object.fromEntries(Object.entries(series).map(([key, points]) => [key, fit(points)]));
  const rate = (key: string) => 1 / (fits[key] as { slope: number }).slope;
  const fixed = (key: string) => `${((fits[key] as { intercept: number }).intercept * 1000).toFixed(0)} ms`;
  const aes = opensslSpeed('aes-256-cbc');
  const sha = opensslSpeed('sha256');
  // One pass of each primitive over the payload: hash it (sign), encrypt it (or decrypt, then hash to verify).
  const limit = 1 / (1 / aes + 1 / sha);
  const row = (label: string, ours: string, smime: string, der: string) =>
    `| ${label} | ${rate(ours).toFixed(0)} MiB/s (${fixed(ours)}) | ${rate(smime).toFixed(0)} MiB/s (${fixed(smime)}) | ${rate(der).toFixed(0)} MiB/s (${fixed(der)}) | ` +
    `${(rate(ours) / rate(smime)).toFixed(2)}× | ${(rate(ours) / rate(der)).toFixed(2)}× | ${(rate(ours) / limit).toFixed(2)} |`;
  return [
    `payload sizes ${sizes.join(', ')} MiB, fastest of ${runs} runs each; openssl speed (16 KiB blocks): AES-256-CBC ${aes.toFixed(0)} MiB/s, SHA-256 ${sha.toFixed(0)} MiB/s, one pass of both ${limit.toFixed(0)} MiB/s`,
    '',
    '| operation | @as2-partners/as2 (fixed cost) | openssl cms, S/MIME | openssl cms, DER detached | ours ÷ S/MIME | ours ÷ DER | ours ÷ primitives\' limit |',
    '|---|---|---|---|---|---|---|',
    row('sign+encrypt', 'ours', 'smime', 'der'),
    row('decrypt+verify', 'oursReceive', 'smimeReceive', 'derReceive'),
  ];
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'as2-bench-'));
  const f = (name: string) => join(dir, name);
  writeFileSync(f('s.pem'), sender.certificatePem);
  writeFileSync(f('s.key'), sender.privateKeyPem);
  writeFileSync(f('r.pem'), receiver.certificatePem);
  writeFileSync(f('r.key'), receiver.privateKeyPem);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const opensslVersion = execFileSync('openssl', ['version']).toString().trim();
  const rows: string[] = [];
  let slopes: string[] = [];
  const fmt = (seconds: number, size: number) => (size >= MiB ? `${(size / MiB / seconds).toFixed(1)} MiB/s` : `${(1 / seconds).toFixed(0)} msg/s`);
  try {
    for (const [label, size, ours, theirs] of [['1 KiB', 1024, 200, 20], ['1 MiB', MiB, 20, 5], ['20 MiB', 20 * MiB, 3, 2]] as const) {
      const payload = randomBytes(size);
      writeFileSync(f('entity'), Buffer.concat([Buffer.from('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n'), payload]));
      signEncrypt(payload);
      const message = signEncrypt(payload);
      const oursBuild = time(ours, () => signEncrypt(payload));
      const oursReceive = time(ours, () => decryptVerify(message));
      const sslBuild = time(theirs, () => {
        openssl('cms', '-sign', '-binary', '-md', 'sha256', '-signer', f('s.pem'), '-inkey', f('s.key'), '-in', f('entity'), '-out', f('signed.eml'));
        openssl('cms', '-encrypt', '-binary', '-aes256', '-outform', 'DER', '-in', f('signed.eml'), '-out', f('enc.der'), f('r.pem'));
      });
      const sslReceive = time(theirs, () => {
        openssl('cms', '-decrypt', '-binary', '-inform', 'DER', '-in', f('enc.der'), '-recip', f('r.pem'), '-inkey', f('r.key'), '-out', f('dec.eml'));
        openssl('cms', '-verify', '-binary', '-noverify', '-in', f('dec.eml'), '-out', f('content'));
      });
      rows.push(`| ${label} | sign+encrypt | ${fmt(oursBuild, size)} | ${fmt(sslBuild, size)} | ${(sslBuild / oursBuild).toFixed(2)}× |`);
      rows.push(`| ${label} | decrypt+verify | ${fmt(oursReceive, size)} | ${fmt(sslReceive, size)} | ${(sslReceive / oursReceive).toFixed(2)}× |`);
    }
    slopes = measureSlopes(f, openssl);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--memory'], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`memory child failed: ${child.stderr}`);
  const mem = JSON.parse(child.stdout) as { baseline: number; afterBuild: number; peak: number; heapUsed: number };
  const payloadBytes = 20 * MiB;
  console.log(`AS2 benchmark — SHA-256 + AES-256-CBC, RSA-2048, Node ${process.version}, ${opensslVersion}`);
  console.log('openssl figures include one process start per command (two commands per operation).\n');
  console.log('| payload | operation | @as2-partners/as2 | openssl cms | speed-up (openssl time ÷ our time) |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log('\nWith start-up removed: slope of time over payload size (least squares), MiB/s = 1 ÷ slope; intercept = fixed cost per operation.');
  for (const line of slopes) console.log(line);
  console.log(
    `\nPeak memory, 20 MiB message (sign+encrypt then decrypt+verify, payload allocated before the baseline): ` +
      `RSS peak − baseline = ${((mem.peak - mem.baseline) / MiB).toFixed(1)} MiB = ${((mem.peak - mem.baseline) / payloadBytes).toFixed(2)}× payload ` +
      `(after build: ${((mem.afterBuild - mem.baseline) / MiB).toFixed(1)} MiB); JS heap used ${(mem.heapUsed / MiB).toFixed(1)} MiB.`,
  );
}

if (process.argv.includes('--memory')) measureMemory();
else main();
