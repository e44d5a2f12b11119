import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JwtVerifier, loadPlatformConfig } from '@as2-partners/platform';
import { createEmbeddedTestApp, TEST_JWT_SECRET, type EmbeddedTestApp } from './create-embedded-test-app';
import { DemoModule } from './demo.module';

const tool = join(__dirname, '../../../tools/auth/mint-token.mjs');

interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function mint(args: string[], env: Record<string, string | undefined> = {}): Promise<ToolRun> {
  const { JWT_SECRET: _secret, JWT_ISSUER: _issuer, JWT_AUDIENCE: _audience, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [tool, ...args], { env: { ...inherited, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('tools/auth/mint-token.mjs', () => {
  let t: EmbeddedTestApp;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [DemoModule] });
  });

  afterAll(() => t?.close());

  it('prints only a token that the app accepts, signed with JWT_SECRET', async () => {
    const run = await mint(['--sub', 'alice', '--account', 'acme', '--tenant', 't1', '--roles', 'tenant_admin,tenant_user', '--ttl', '600'], { JWT_SECRET: TEST_JWT_SECRET });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const res = await t.app.inject({ method: 'GET', url: '/demo/whoami', headers: { authorization: `Bearer ${run.stdout.trim()}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json().caller).toEqual({ sub: 'alice', account: 'acme', tenant: 't1', roles: ['tenant_admin', 'tenant_user'] });
  });

  it('sets exp from --ttl', async () => {
    const run = await mint(['--sub', 'alice', '--account', 'acme', '--roles', 'account_admin', '--ttl', '120'], { JWT_SECRET: TEST_JWT_SECRET });
    const payload = JSON.parse(Buffer.from(run.stdout.trim().split('.')[1], 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(120);
    expect(payload.tenant).toBeUndefined();
  });

  it('falls back to the embedded dev secret with a warning on stderr, and embedded mode accepts the token', async () => {
    const run = await mint(['--sub', 'bob', '--account', 'acme', '--tenant', 't1', '--roles', 'tenant_user']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/WARNING: JWT_SECRET is unset/);
    const embeddedDefault = JwtVerifier.fromConfig(loadPlatformConfig({}).jwt);
    await expect(embeddedDefault.verify(run.stdout.trim())).resolves.toMatchObject({ sub: 'bob' });
  });

  it('adds issuer and audience when the environment configures them', async () => {
    const env = { JWT_SECRET: TEST_JWT_SECRET, JWT_ISSUER: 'https://idp.example', JWT_AUDIENCE: 'as2-partners' };
    const run = await mint(['--sub', 'alice', '--account', 'acme', '--tenant', 't1', '--roles', 'tenant_admin'], env);
    await expect(JwtVerifier.fromConfig(loadPlatformConfig(env).jwt).verify(run.stdout.trim())).resolves.toMatchObject({ sub: 'alice' });
  });

  it('--help prints the usage with the roles, and no token', async () => {
    const run = await mint(['--help'], { JWT_SECRET: TEST_JWT_SECRET });
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/^usage: npm run mint-token -- --sub <user>.*\n {2}roles: account_admin, tenant_admin, tenant_user, operator, gateway\n$/);
  });

  it.each([
    [['--account', 'acme', '--tenant', 't1', '--roles', 'tenant_admin'], /--sub is required/],
    [['--sub', 'a', '--account', 'acme', '--tenant', 't1', '--roles', 'admin'], /--roles must be a comma list/],
    [['--sub', 'a', '--account', 'acme', '--roles', 'tenant_admin'], /--tenant is required/],
    [['--sub', 'a', '--account', 'acme', '--tenant', 't1', '--roles', 'tenant_admin', '--ttl', 'soon'], /--ttl must be a positive number/],
    [['--sub', 'a', '--bogus', 'x'], /Unknown option/],
  ])('refuses %j without printing a token', async (args, message) => {
    const run = await mint(args, { JWT_SECRET: TEST_JWT_SECRET });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});
