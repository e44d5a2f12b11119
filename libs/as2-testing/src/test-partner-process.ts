import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The test AS2 partner run as a user runs it (`npm run as2-test-partner -- …`), in a child process. */
export interface TestPartnerProcess {
  /** From its "listening" line, e.g. https://127.0.0.1:41234/as2. */
  readonly url: string;
  /** JSON lines the partner printed after "listening", one per message. */
  readonly lines: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

const workspaceRoot = resolve(__dirname, '..', '..', '..');

/** Starts `tools/as2-test-partner/main.ts` with these arguments and waits for its "listening" line. */
export async function startTestPartnerProcess(args: readonly string[]): Promise<TestPartnerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', 'tools/as2-test-partner/main.ts', '--port', '0', ...args], {
    cwd: workspaceRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
  });
  const { stdout, stderr: errors } = child;
  if (!stdout || !errors) throw new Error('the test partner was started without pipes');
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  errors.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = await new Promise<string>((ready, fail) => {
    createInterface({ input: stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry['event'] === 'listening') ready(String(entry['url']));
      else lines.push(entry);
    });
    void exited.then(() => fail(new Error(`the test partner exited before listening: ${stderr}`)));
  });
  return {
    url,
    lines,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
