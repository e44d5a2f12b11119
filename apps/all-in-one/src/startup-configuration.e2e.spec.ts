import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEntry } from './run-entry.spec-support';

const DISTRIBUTED_WITH_SECRET = {
  MODE: 'distributed',
  EVENT_STORE: 'sqlite',
  KAFKA_BROKERS: '127.0.0.1:9',
  MONGO_URL: 'mongodb://127.0.0.1:9/unused',
  JWT_SECRET: 'startup-configuration-test-secret-0123456789',
};

// Each case compiles and starts a whole app in a child process: on a loaded 2-core machine that took up to 25 s.
jest.setTimeout(120_000);

describe('a bad configuration value stops start-up with one line naming the variable, with nothing written to DATA_DIR', () => {
  const root = mkdtempSync(join(tmpdir(), 'as2-startup-config-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['all-in-one/src/main', 'PARTNER_SECRETS_KEY=abc', { PARTNER_SECRETS_KEY: 'abc' }, 'PARTNER_SECRETS_KEY'],
    ['all-in-one/src/main', 'TSA_URL=ftp://x', { TSA_URL: 'ftp://x' }, 'TSA_URL'],
    ['all-in-one/src/main', 'CERT_SCHEDULER_INTERVAL_MS=0', { CERT_SCHEDULER_INTERVAL_MS: '0' }, 'CERT_SCHEDULER_INTERVAL_MS'],
    ['all-in-one/src/main', 'HOST with a scheme and port', { HOST: 'http://0.0.0.0:3000' }, 'HOST'],
    ['all-in-one/src/main', 'REQUEST_TIMEOUT_MS=soon', { REQUEST_TIMEOUT_MS: 'soon' }, 'REQUEST_TIMEOUT_MS'],
    ['partner-registry/src/main', 'distributed without PARTNER_SECRETS_KEY', { ...DISTRIBUTED_WITH_SECRET }, 'PARTNER_SECRETS_KEY'],
    ['partner-registry/src/main', 'distributed without JWT_SECRET', { ...DISTRIBUTED_WITH_SECRET, JWT_SECRET: '', PARTNER_SECRETS_KEY: 'ab'.repeat(32) }, 'JWT_SECRET'],
    ['certificate-lifecycle/src/main', 'distributed, TSA_URL=ftp://x', { ...DISTRIBUTED_WITH_SECRET, KEYSTORE_MASTER_KEY: 'cd'.repeat(32), TSA_URL: 'ftp://x' }, 'TSA_URL'],
    ['certificate-lifecycle/src/main', 'distributed without KEYSTORE_MASTER_KEY', { ...DISTRIBUTED_WITH_SECRET, TSA_DIR: '/tmp/tsa' }, 'KEYSTORE_MASTER_KEY'],
    ['certificate-lifecycle/src/main', 'distributed without TSA_URL or TSA_DIR (a bundled TSA identity per pod)', { ...DISTRIBUTED_WITH_SECRET, KEYSTORE_MASTER_KEY: 'cd'.repeat(32) }, 'TSA_URL'],
    ['all-in-one/src/main', 'KEYSTORE_MASTER_KEY=abc', { KEYSTORE_MASTER_KEY: 'abc' }, 'KEYSTORE_MASTER_KEY'],
    // Each read by a module built after the one generating its key file into DATA_DIR, which was written before the refusal.
    ['all-in-one/src/main', 'SMTP_URL=http://x', { SMTP_URL: 'http://x' }, 'SMTP_URL'],
    ['all-in-one/src/main', 'TRAFFIC_NOTICE_FROM=nobody', { TRAFFIC_NOTICE_FROM: 'nobody' }, 'TRAFFIC_NOTICE_FROM'],
    ['all-in-one/src/main', 'TRAFFIC_SCHEDULER_INTERVAL_MS=0', { TRAFFIC_SCHEDULER_INTERVAL_MS: '0' }, 'TRAFFIC_SCHEDULER_INTERVAL_MS'],
    ['all-in-one/src/main', 'CONNECTION_TEST_MAX_CONCURRENT=0', { CONNECTION_TEST_MAX_CONCURRENT: '0' }, 'CONNECTION_TEST_MAX_CONCURRENT'],
    ['all-in-one/src/main', 'CONNECTION_TEST_MAX_TIMEOUT_SECONDS=0', { CONNECTION_TEST_MAX_TIMEOUT_SECONDS: '0' }, 'CONNECTION_TEST_MAX_TIMEOUT_SECONDS'],
    ['all-in-one/src/main', 'IDEMPOTENCY_FINGERPRINT_KEY=abc', { IDEMPOTENCY_FINGERPRINT_KEY: 'abc' }, 'IDEMPOTENCY_FINGERPRINT_KEY'],
    ['all-in-one/src/rebuild-read-models', 'TSA_URL=ftp://x', { TSA_URL: 'ftp://x' }, 'TSA_URL'],
  ])('%s, %s', async (entry, _label, env, variable) => {
    // A directory of its own per case, not made beforehand: a refused start does not even create it.
    const dataDir = join(mkdtempSync(join(root, 'case-')), 'data');
    const exit = await runEntry(entry, env, dataDir);
    expect(exit.code).toBe(1);
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
    // Nor does it say it generated a key.
    expect(exit.stdout).not.toMatch(/generated/i);
    expect(exit.stderr.endsWith('\n')).toBe(true);
    const lines = exit.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(exit.stdout + exit.stderr).not.toMatch(/\n\s+at |\\n\s+at /);
  });

  it('a MongoDB that cannot be reached at the start (distributed) stops it with one line naming MONGO_URL, not a stack', async () => {
    const dataDir = join(mkdtempSync(join(root, 'case-')), 'data');
    const exit = await runEntry('partner-registry/src/main', { ...DISTRIBUTED_WITH_SECRET, PARTNER_SECRETS_KEY: 'ab'.repeat(32) }, dataDir);
    expect(exit.code).toBe(1);
    const lines = exit.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Cannot start: Could not connect to the read-model store \(check MONGO_URL\)/);
    expect(exit.stderr).not.toContain('mongodb://');
  });
});
