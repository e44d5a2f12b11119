import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// The Python side lives in tools/as2-interop (set-up script, pinned requirements, the peer CLI).
const interopDir = resolve(__dirname, '..', '..', '..', 'tools', 'as2-interop');
const venvDir = process.env['AS2_INTEROP_VENV'] ?? resolve(interopDir, '..', '.local', 'pyas2-venv');
const python = join(venvDir, 'bin', 'python');
const peerScript = join(interopDir, 'pyas2_peer.py');

/** HTTP header lines as the peer reads and writes them, in order. */
export type HeaderLines = Array<[name: string, value: string]>;

export interface RawHttpMessage {
  headers: HeaderLines;
  body: Buffer;
}

export interface Pyas2BuildOptions {
  as2From: string;
  as2To: string;
  keyFile?: string;
  certFile?: string;
  partnerCertFile: string;
  payload: Buffer;
  filename?: string;
  contentType?: string;
  sign?: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
  signAlg?: 'rsassa_pkcs1v15' | 'rsassa_pss';
  encrypt?: 'tripledes_192_cbc' | 'rc2_128_cbc' | 'rc4_128_cbc' | 'aes_128_cbc' | 'aes_192_cbc' | 'aes_256_cbc';
  compress?: boolean;
  mdn?: 'sync' | 'async' | 'none';
  mdnUrl?: string;
  mdnSign?: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
}

export interface Pyas2SentMessage extends RawHttpMessage {
  stateFile: string;
  messageId: string;
  mic: string | null;
  micAlg: string | null;
}

export interface Pyas2ReceiveResult {
  status: string;
  error: string | null;
  detailedStatus: string | null;
  messageId: string;
  signed: boolean;
  micAlg: string | null;
  mic: string | null;
  encrypted: boolean;
  encAlg: string | null;
  /** Read from the CMS itself (asn1crypto names: aes128_cbc, tripledes_3key, rsaes_pkcs1v15 …). */
  cmsCipher: string | null;
  cmsKeyTransport: string | null;
  compressed: boolean;
  filename: string | null;
  payload: Buffer | null;
  mdn: (RawHttpMessage & { mode: 'SYNC' | 'ASYNC'; url: string | null }) | null;
}

export interface Pyas2MdnVerdict {
  status: string | null;
  detailedStatus: string | null;
  originalMessageId: string | null;
  signed: boolean;
  signatureAlg: string | null;
  receivedMic: string | null;
  receivedMicAlg: string | null;
  sentMic: string | null;
  micEqual: boolean;
}

export function pyas2PeerInstalled(): boolean {
  return existsSync(python) && existsSync(join(venvDir, '.as2-interop-stamp'));
}

/** Runs tools/as2-interop/setup.sh (fast when the venv is already there); rejects with the script's output. */
export async function installPyas2Peer(): Promise<void> {
  try {
    await run('bash', [join(interopDir, 'setup.sh')], { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`pyas2lib peer set-up (tools/as2-interop/setup.sh) failed: ${failure.stderr || failure.stdout || failure.message}`);
  }
}

export function headerLinesFile(headers: HeaderLines): string {
  return headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
}

export function parseHeaderLines(text: string): HeaderLines {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
    });
}

/** The pyas2lib AS2 peer driven through tools/as2-interop/pyas2_peer.py; files live in a fresh temporary folder. */
export class Pyas2Peer {
  private counter = 0;

  private constructor(private readonly workDir: string) {}

  static async create(parentDir: string): Promise<Pyas2Peer> {
    return new Pyas2Peer(await mkdtemp(join(parentDir, 'pyas2-')));
  }

  async build(options: Pyas2BuildOptions): Promise<Pyas2SentMessage> {
    const prefix = this.nextPrefix('out');
    const payloadFile = `${prefix}.payload`;
    await writeFile(payloadFile, options.payload);
    const args = [
      'build', '--as2-from', options.as2From, '--as2-to', options.as2To,
      '--partner-cert', options.partnerCertFile, '--payload', payloadFile,
      '--mdn', options.mdn ?? 'sync',
      '--out-headers', `${prefix}.headers`, '--out-body', `${prefix}.body`, '--out-state', `${prefix}.state.json`,
    ];
    if (options.keyFile) args.push('--key', options.keyFile);
    if (options.certFile) args.push('--cert', options.certFile);
    if (options.filename) args.push('--filename', options.filename);
    if (options.contentType) args.push('--content-type', options.contentType);
    if (options.sign) args.push('--sign', options.sign, '--sign-alg', options.signAlg ?? 'rsassa_pkcs1v15');
    if (options.encrypt) args.push('--encrypt', options.encrypt);
    if (options.compress) args.push('--compress');
    if (options.mdnUrl) args.push('--mdn-url', options.mdnUrl);
    if (options.mdnSign) args.push('--mdn-sign', options.mdnSign);
    const state = await this.peer<{ messageId: string; mic: string | null; micAlg: string | null }>(args);
    return {
      ...state,
      stateFile: `${prefix}.state.json`,
      headers: parseHeaderLines(await readFile(`${prefix}.headers`, 'utf8')),
      body: await readFile(`${prefix}.body`),
    };
  }

  async receive(
    message: RawHttpMessage,
    options: { as2Id: string; keyFile: string; certFile: string; partnerAs2Id: string; partnerCertFile?: string; requireSigned?: boolean; requireEncrypted?: boolean },
  ): Promise<Pyas2ReceiveResult> {
    const prefix = await this.writeMessage('in', message);
    const args = [
      'receive', '--as2-id', options.as2Id, '--key', options.keyFile, '--cert', options.certFile,
      '--partner-as2-id', options.partnerAs2Id, '--headers', `${prefix}.headers`, '--body', `${prefix}.body`,
      '--out-payload', `${prefix}.payload`, '--out-mdn-headers', `${prefix}.mdn.headers`, '--out-mdn-body', `${prefix}.mdn.body`,
    ];
    if (options.partnerCertFile) args.push('--partner-cert', options.partnerCertFile);
    if (options.requireSigned) args.push('--require-signed');
    if (options.requireEncrypted) args.push('--require-encrypted');
    const result = await this.peer<Omit<Pyas2ReceiveResult, 'payload' | 'mdn'> & { mdn: { mode: 'SYNC' | 'ASYNC'; url: string | null } | null }>(args);
    return {
      ...result,
      payload: existsSync(`${prefix}.payload`) ? await readFile(`${prefix}.payload`) : null,
      mdn: result.mdn && {
        ...result.mdn,
        headers: parseHeaderLines(await readFile(`${prefix}.mdn.headers`, 'utf8')),
        body: await readFile(`${prefix}.mdn.body`),
      },
    };
  }

  async verifyMdn(sent: Pyas2SentMessage, mdn: RawHttpMessage, mdnSignerCertFile: string): Promise<Pyas2MdnVerdict> {
    const prefix = await this.writeMessage('mdn', mdn);
    return this.peer<Pyas2MdnVerdict>([
      'verify-mdn', '--state', sent.stateFile, '--partner-cert', mdnSignerCertFile,
      '--headers', `${prefix}.headers`, '--body', `${prefix}.body`,
    ]);
  }

  private async writeMessage(kind: string, message: RawHttpMessage): Promise<string> {
    const prefix = this.nextPrefix(kind);
    await writeFile(`${prefix}.headers`, headerLinesFile(message.headers));
    await writeFile(`${prefix}.body`, message.body);
    return prefix;
  }

  private nextPrefix(kind: string): string {
    this.counter += 1;
    return join(this.workDir, `${kind}-${this.counter}`);
  }

  private async peer<T>(args: string[]): Promise<T> {
    try {
      const { stdout } = await run(python, [peerScript, ...args], { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
      return JSON.parse(stdout) as T;
    } catch (error) {
      const failure = error as { stderr?: string; message: string };
      throw new Error(`pyas2_peer.py ${args[0]} failed: ${failure.stderr || failure.message}`);
    }
  }
}
