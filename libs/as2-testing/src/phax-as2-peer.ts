import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { headerLinesFile, parseHeaderLines, type RawHttpMessage } from './pyas2-peer';

const run = promisify(execFile);

// The Java side lives in tools/as2-interop (setup-phax.sh, phax/pom.xml pinning as2-lib, phax/PhaxAs2Peer.java).
const interopDir = resolve(__dirname, '..', '..', '..', 'tools', 'as2-interop');
const installDir = process.env['AS2_INTEROP_PHAX_DIR'] ?? resolve(interopDir, '..', '.local', 'phax-as2');
const classPath = [join(installDir, 'classes'), join(installDir, 'libs', '*')].join(':');

export type PhaxDigest = 'md5' | 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';
export type PhaxCipher = '3des' | 'aes128-cbc' | 'aes192-cbc' | 'aes256-cbc' | 'aes128-gcm' | 'aes192-gcm' | 'aes256-gcm';

export interface PhaxReceiveOptions {
  as2Id: string;
  keyFile: string;
  certFile: string;
  partnerAs2Id: string;
  partnerCertFile: string;
  requireSigned?: boolean;
  requireEncrypted?: boolean;
}

export interface PhaxReceiveResult {
  /** What as2-lib's receiver answered over HTTP (200 with the sync MDN). */
  httpStatus: number;
  messageId: string | null;
  signed: boolean;
  encrypted: boolean;
  compressed: boolean;
  /** The MDN's Disposition, e.g. `automatic-action/MDN-sent-automatically; processed`. */
  disposition: string | null;
  mdnText: string | null;
  /** The MDN's Received-Content-MIC, e.g. `base64, sha-256`. */
  mic: string | null;
  mdnSigned: boolean;
  filename: string | null;
  payload: Buffer | null;
  mdn: RawHttpMessage | null;
}

export interface PhaxSendOptions {
  url: string;
  as2From: string;
  as2To: string;
  keyFile: string;
  certFile: string;
  partnerCertFile: string;
  payload: Buffer;
  filename?: string;
  contentType?: string;
  sign?: PhaxDigest;
  encrypt?: PhaxCipher;
  compress?: 'before-signing' | 'after-signing';
  mdn?: 'sync' | 'none';
  mdnUrl?: string;
  /** Ask for a signed MDN with this MIC algorithm; without it the MDN is asked for unsigned. */
  mdnSign?: PhaxDigest;
}

export interface PhaxSendResult {
  messageId: string;
  /** as2-lib's own exception (HTTP failure, bad MDN signature, error disposition …) as text, or null. */
  error: string | null;
  mdnReceived: boolean;
  disposition: string | null;
  mdnText: string | null;
  mdnOriginalMessageId: string | null;
  /** as2-lib verified the MDN's signature against the receiver's certificate. */
  mdnSignatureVerified: boolean;
  /** as2-lib compared the MIC it computed when sending with the MDN's Received-Content-MIC (null: not compared). */
  micMatched: boolean | null;
  sentMic: string | null;
  receivedMic: string | null;
}

/** Why the peer cannot run on this machine (no JDK or Maven), or null. */
export function phaxPeerPrerequisitesMissing(): string | null {
  for (const tool of [['java', '-version'], ['javac', '-version'], ['mvn', '-v']]) {
    if (spawnSync(tool[0], [tool[1]], { stdio: 'ignore' }).status !== 0) return `${tool[0]} is not installed (the phax as2-lib peer needs a JDK >= 11 and Maven)`;
  }
  return null;
}

/** Runs tools/as2-interop/setup-phax.sh (fast when already built); rejects with the script's output. */
export async function installPhaxAs2Peer(): Promise<void> {
  try {
    await run('bash', [join(interopDir, 'setup-phax.sh')], { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`phax as2-lib peer set-up (tools/as2-interop/setup-phax.sh) failed: ${failure.stderr || failure.stdout || failure.message}`);
  }
}

/** The phax as2-lib AS2 peer driven through tools/as2-interop/phax/PhaxAs2Peer.java; files live in a fresh temporary folder. */
export class PhaxAs2Peer {
  private counter = 0;

  private constructor(private readonly workDir: string) {}

  static async create(parentDir: string): Promise<PhaxAs2Peer> {
    return new PhaxAs2Peer(await mkdtemp(join(parentDir, 'phax-')));
  }

  /** as2-lib's receiver handler reads the request, decrypts, verifies, decompresses and answers its sync MDN. */
  async receive(message: RawHttpMessage, options: PhaxReceiveOptions): Promise<PhaxReceiveResult> {
    const prefix = this.nextPrefix('in');
    await writeFile(`${prefix}.headers`, headerLinesFile(message.headers));
    await writeFile(`${prefix}.body`, message.body);
    const args = [
      'receive', '--as2-id', options.as2Id, '--key', options.keyFile, '--cert', options.certFile,
      '--partner-as2-id', options.partnerAs2Id, '--partner-cert', options.partnerCertFile,
      '--headers', `${prefix}.headers`, '--body', `${prefix}.body`,
      '--out-payload', `${prefix}.payload`, '--out-mdn-headers', `${prefix}.mdn.headers`, '--out-mdn-body', `${prefix}.mdn.body`,
    ];
    if (options.requireSigned) args.push('--require-signed');
    if (options.requireEncrypted) args.push('--require-encrypted');
    const result = await this.peer<Omit<PhaxReceiveResult, 'payload' | 'mdn' | 'filename'> & { filename?: string | null }>(args);
    const mdnBody = existsSync(`${prefix}.mdn.body`) ? await readFile(`${prefix}.mdn.body`) : null;
    return {
      ...result,
      filename: result.filename ?? null,
      payload: existsSync(`${prefix}.payload`) ? await readFile(`${prefix}.payload`) : null,
      mdn: mdnBody && mdnBody.length > 0 ? { headers: parseHeaderLines(await readFile(`${prefix}.mdn.headers`, 'latin1')), body: mdnBody } : null,
    };
  }

  /** as2-lib's client builds the message, POSTs it to `url`, and verifies the sync MDN (signature, MIC, disposition). */
  async send(options: PhaxSendOptions): Promise<PhaxSendResult> {
    const payloadFile = `${this.nextPrefix('out')}.payload`;
    await writeFile(payloadFile, options.payload);
    const args = [
      'send', '--url', options.url, '--as2-from', options.as2From, '--as2-to', options.as2To,
      '--key', options.keyFile, '--cert', options.certFile, '--partner-cert', options.partnerCertFile,
      '--payload', payloadFile, '--mdn', options.mdn ?? 'sync',
    ];
    if (options.filename) args.push('--filename', options.filename);
    if (options.contentType) args.push('--content-type', options.contentType);
    if (options.sign) args.push('--sign', options.sign);
    if (options.encrypt) args.push('--encrypt', options.encrypt);
    if (options.compress) args.push('--compress', options.compress);
    if (options.mdnUrl) args.push('--mdn-url', options.mdnUrl);
    if (options.mdnSign) args.push('--mdn-sign', options.mdnSign);
    return this.peer<PhaxSendResult>(args);
  }

  private nextPrefix(kind: string): string {
    this.counter += 1;
    return join(this.workDir, `${kind}-${this.counter}`);
  }

  private async peer<T>(args: string[]): Promise<T> {
    try {
      // A small heap and no JIT tiers beyond C1: each call is one short-lived JVM.
      const { stdout } = await run('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', classPath, 'PhaxAs2Peer', ...args], {
        maxBuffer: 256 * 1024 * 1024,
        timeout: 120_000,
      });
      return JSON.parse(stdout) as T;
    } catch (error) {
      const failure = error as { stderr?: string; message: string };
      throw new Error(`PhaxAs2Peer ${args[0]} failed: ${failure.stderr || failure.message}`);
    }
  }
}
