import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { openInfrastructure } from '@as2-partners/composition';
import { startHttpServer } from '@as2-partners/platform';
import { freePort, signHs256TestToken } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';

const root = join(__dirname, '..', '..', '..', '..');
const contractDir = join(root, 'tools', 'api-contract');
// setup.sh honours SCHEMATHESIS_VENV too: a virtual environment elsewhere (its scripts name their interpreter by absolute path).
const st = join(process.env['SCHEMATHESIS_VENV'] ?? join(root, 'tools', '.local', 'schemathesis-venv'), 'bin', 'st');
const SECRET = 'schemathesis-contract-secret-0123456789abcdef';

// Installing schemathesis on first run, then its examples, coverage and fuzzing phases over 96 operations take minutes on 2 cores.
jest.setTimeout(1_200_000);

const setup = spawnSync('bash', [join(contractDir, 'setup.sh')], { encoding: 'utf8', timeout: 600_000 });
const ready = setup.status === 0;
if (!ready) {
  const reason = `tools/api-contract/setup.sh failed: ${setup.error?.message ?? setup.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  // In CI a missing tool fails the suite; on a developer's machine it is said once and the suite skipped.
  if (process.env['CI'] === 'true') throw new Error(reason);
  process.stderr.write(`[schemathesis] skipped: ${reason}\n`);
}


/** Runs schemathesis without blocking the event loop: the server under test answers from this same process. */
function runSchemathesis(args: string[], tokens: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(st, args, { cwd: contractDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...tokens, NO_COLOR: '1' } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  return new Promise((done) => child.on('close', (code) => done({ code, output })));
}

(ready ? describe : describe.skip)('schemathesis against the running embedded server (every check)', () => {
  let app: NestFastifyApplication;
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'as2-schemathesis-'));
    port = await freePort();
    app = await startHttpServer(
      AllInOneModule,
      { title: 'as2-partners (all-in-one)', openInfrastructure, shutdownHooks: false },
      { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', JWT_SECRET: SECRET, LOG_LEVEL: 'fatal' },
    );
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds no failure in the examples, coverage and fuzzing phases: no 5xx, no undocumented status, no schema violation, valid data accepted, invalid refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    // Read by tools/api-contract/schemathesis.toml: the tenant admin's for the API, the gateway's for the decision routes.
    const tokens = {
      ST_TENANT_TOKEN: signHs256TestToken({ sub: 'schemathesis', account: 'st-account', tenant: 'st-tenant', roles: ['tenant_admin'], iat: now, exp: now + 7200 }, SECRET),
      ST_GATEWAY_TOKEN: signHs256TestToken({ sub: 'schemathesis-gateway', account: 'st-account', roles: ['gateway'], iat: now, exp: now + 7200 }, SECRET),
    };
    const base = `http://127.0.0.1:${port}`;
    const args = [
      'run',
      `${base}/docs/openapi.json`,
      '--url',
      base,
      '--checks',
      'all',
      // Examples, coverage and fuzzing (not the stateful phase): the coverage phase alone takes about 40 s on the 2-core machine.
      '--phases',
      'examples,coverage,fuzzing',
      '--max-examples',
      '10',
      '--seed',
      '1',
      '--workers',
      '2',
      '--no-color',
    ];
    let { code, output } = await runSchemathesis(args, tokens);
    // CPython 3.11 can crash compiling generated code in two threads at once ("SystemError: AST constructor recursion
    // depth mismatch"): a crash of the tool, not a finding about the API. Run it again on one worker, once.
    if (code !== 0 && /SystemError: AST constructor recursion depth mismatch/.test(output)) {
      ({ code, output } = await runSchemathesis(args.map((arg, i) => (args[i - 1] === '--workers' ? '1' : arg)), tokens));
    }
    if (code !== 0) process.stderr.write(output);
    expect(output).toMatch(/Test cases:\s+\d+ generated, \d+ passed/);
    expect(code).toBe(0);
  });
});
