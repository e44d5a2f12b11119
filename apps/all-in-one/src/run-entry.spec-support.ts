import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const workspaceRoot = resolve(__dirname, '../../..');

export interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a deployable's entry point (TypeScript, as `npm start` would after the build) with only the given variables set. */
export function runEntry(entry: string, env: Record<string, string>, dataDir: string): Promise<Exit> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join('apps', `${entry}.ts`)], {
    cwd: workspaceRoot,
    env: { PATH: process.env['PATH'], SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.base.json'), DATA_DIR: dataDir, PORT: '39511', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  // A process that starts despite the bad value is stopped, and the test fails on its exit code.
  const kill = setTimeout(() => child.kill('SIGKILL'), 100_000);
  return new Promise((done) =>
    child.on('close', (code) => {
      clearTimeout(kill);
      done({ code, stdout, stderr });
    }),
  );
}
