import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { requestTimestamp } from '@as2-partners/timestamping';

// The TSA as a user runs it: `npm run tsa -- …` runs exactly this command line.
jest.setTimeout(60_000);

const workspaceRoot = resolve(__dirname, '..', '..', '..');

interface TsaProcess {
  readonly announced: { url: string; ca_file: string };
  stop(): Promise<number | null>;
}

async function startCli(dir: string): Promise<TsaProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'tools/tsa/main.ts', '--port', '0', '--dir', dir], {
    cwd: workspaceRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const announced = await new Promise<{ url: string; ca_file: string }>((ready, fail) => {
    createInterface({ input: child.stdout }).once('line', (line) => ready(JSON.parse(line)));
    void exited.then(() => fail(new Error(`the TSA exited before listening: ${stderr}`)));
  });
  return {
    announced,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('npm run tsa', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsa-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves tokens that openssl verifies with the announced CA file, keeps its identity across restarts and stops on SIGTERM', async () => {
    const document = Buffer.from('evidence');
    writeFileSync(join(dir, 'document.txt'), document);
    const first = await startCli(join(dir, 'tsa'));
    expect(first.announced).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), ca_file: join(dir, 'tsa', 'tsa-ca-bundle.pem') });
    const result = await requestTimestamp({ url: first.announced.url, data: document });
    writeFileSync(join(dir, 'token.tsr'), result.responseDer);
    const digestHex = createHash('sha256').update(document).digest('hex');
    const verified = spawnSync('openssl', ['ts', '-verify', '-digest', digestHex, '-in', join(dir, 'token.tsr'), '-CAfile', first.announced.ca_file], { encoding: 'utf8' });
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain('Verification: OK');
    expect(await first.stop()).toBe(0);

    const bundle = readFileSync(first.announced.ca_file, 'utf8');
    const second = await startCli(join(dir, 'tsa'));
    expect(readFileSync(second.announced.ca_file, 'utf8')).toBe(bundle);
    expect((await requestTimestamp({ url: second.announced.url, data: document })).tsaCertificatesPem.join('')).toBe(bundle);
    expect(await second.stop()).toBe(0);
  });
});
