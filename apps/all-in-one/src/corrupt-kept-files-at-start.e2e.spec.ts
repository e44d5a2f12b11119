import { cpSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from './all-in-one.module';
import { runEntry } from './run-entry.spec-support';

// Each case starts the whole app in a child process: on a loaded 2-core machine that took up to 25 s.
jest.setTimeout(120_000);

describe('a start on a corrupt events.sqlite or secrets.sqlite (embedded mode): no restart repairs either', () => {
  const root = mkdtempSync(join(tmpdir(), 'as2-corrupt-kept-'));
  const seeded = join(root, 'seeded');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    const t = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir: seeded });
    const headers = { authorization: `Bearer ${t.token()}` };
    const plan = await t.app.inject({
      method: 'POST',
      url: '/v1/accounts/test-account/tenants',
      headers: { authorization: `Bearer ${t.token({ tenant: null, roles: ['account_admin'] })}` },
      payload: { id: 'test-tenant', name: 'Corrupt', plan: 'enterprise' },
    });
    expect(plan.statusCode).toBe(201);
    // A few hundred events, and secrets: a key's sealed private key and the tenant's data key.
    for (let i = 0; i < 60; i++) {
      const payload = { name: `Partner ${i}`, as2_id: `KEPT-${i}`, url: 'https://as2.example.com/receive', http_auth: { enabled: true, username: 'u', password: 'p' } };
      expect((await t.app.inject({ method: 'POST', url: '/v1/partners', headers, payload })).statusCode).toBe(201);
    }
    const key = { alias: 'k', generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=K', valid_days: 30 } };
    expect((await t.app.inject({ method: 'POST', url: '/v1/keys', headers, payload: key })).statusCode).toBe(201);
    await t.close();
  }, 120_000);

  it.each([
    ['events.sqlite', 'the event store file', (size: number) => Math.floor(size / 2)],
    ['secrets.sqlite', 'the secret file', () => 8192],
  ])('%s cut short: exits 1 with one line naming the file and a restore from a backup, not a stack nor the read-model advice', async (name, what, cutTo) => {
    const dataDir = join(root, name);
    cpSync(seeded, dataDir, { recursive: true });
    const file = join(dataDir, name);
    truncateSync(file, cutTo(statSync(file).size));

    const exit = await runEntry('all-in-one/src/main', { WARM_UP: 'off', LOG_LEVEL: 'error' }, dataDir);
    expect(exit.code).toBe(1);
    expect(exit.stderr.trimEnd().split('\n')).toEqual([`Cannot start: ${what} ${file} is corrupt (database disk image is malformed): no restart repairs it; stop the service and restore the file from a backup (README)`]);
    expect(exit.stdout + exit.stderr).not.toMatch(/a restart repairs a corrupt read-model file/);
  });
});
