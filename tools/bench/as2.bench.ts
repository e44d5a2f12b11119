/**
 * AS2 library throughput vs `openssl cms` on the same machine, same run; peak memory for a 20 MiB message.
 * Run: node -r @swc-node/register tools/bench/as2.bench.ts
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

function time(iterations: number, fn: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e9 / iterations;
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
  console.log(
    `\nPeak memory, 20 MiB message (sign+encrypt then decrypt+verify, payload allocated before the baseline): ` +
      `RSS peak − baseline = ${((mem.peak - mem.baseline) / MiB).toFixed(1)} MiB = ${((mem.peak - mem.baseline) / payloadBytes).toFixed(2)}× payload ` +
      `(after build: ${((mem.afterBuild - mem.baseline) / MiB).toFixed(1)} MiB); JS heap used ${(mem.heapUsed / MiB).toFixed(1)} MiB.`,
  );
}

if (process.argv.includes('--memory')) measureMemory();
else main();
