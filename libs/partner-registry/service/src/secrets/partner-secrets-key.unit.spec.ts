import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlatformConfig } from '@as2-partners/platform';
import { PARTNER_SECRETS_KEY_FILE, partnerSecretsKeyFrom } from './partner-secrets-key';
import { SecretSealer } from './secret-sealer';

describe('partnerSecretsKeyFrom', () => {
  let dataDir: string;
  const logs: string[] = [];
  const log = (message: string) => logs.push(message);
  const embedded = (env: PlatformConfig['env'] = {}) => ({ mode: 'embedded' as const, dataDir, env });

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'secrets-key-'));
    logs.length = 0;
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reads PARTNER_SECRETS_KEY as 64 hex characters or base64', () => {
    const hex = 'ab'.repeat(32);
    expect(partnerSecretsKeyFrom(embedded({ PARTNER_SECRETS_KEY: hex }), log)).toEqual(Buffer.from(hex, 'hex'));
    const base64 = Buffer.alloc(32, 7).toString('base64');
    expect(partnerSecretsKeyFrom({ mode: 'distributed', dataDir, env: { PARTNER_SECRETS_KEY: base64 } }, log)).toEqual(Buffer.alloc(32, 7));
  });

  it.each(['abc', 'ab'.repeat(31), Buffer.alloc(16).toString('base64'), 'not a key at all, not at all, not at all!!!'])('refuses %p naming the variable', (value) =>
    expect(() => partnerSecretsKeyFrom(embedded({ PARTNER_SECRETS_KEY: value }), log)).toThrow(
      'Invalid configuration: PARTNER_SECRETS_KEY must be 32 bytes as 64 hex characters or base64',
    ));

  it('is required in distributed mode: a per-process key would leave other replicas unable to unseal', () =>
    expect(() => partnerSecretsKeyFrom({ mode: 'distributed', dataDir, env: {} }, log)).toThrow(
      'Invalid configuration: PARTNER_SECRETS_KEY is required in distributed mode',
    ));

  it('embedded without it: generates a key once into DATA_DIR (0600), says so, and reuses it after a restart', () => {
    const first = partnerSecretsKeyFrom(embedded(), log);
    const file = join(dataDir, PARTNER_SECRETS_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(logs[0]).toContain(`generated a key in ${file}`);

    const sealed = SecretSealer.withKey(first).seal('outbound-password');
    const afterRestart = partnerSecretsKeyFrom(embedded(), log);
    expect(afterRestart).toEqual(first);
    expect(SecretSealer.withKey(afterRestart).unseal(sealed)).toBe('outbound-password');
    expect(logs[1]).toContain(`sealed with the key in ${file}`);
  });

  it('refuses a damaged key file rather than sealing with another key', () => {
    writeFileSync(join(dataDir, PARTNER_SECRETS_KEY_FILE), 'garbage\n');
    expect(() => partnerSecretsKeyFrom(embedded(), log)).toThrow(/Invalid configuration: DATA_DIR holds .*partner-secrets.key, which is not a 32-byte hex key/);
    expect(readFileSync(join(dataDir, PARTNER_SECRETS_KEY_FILE), 'utf8')).toBe('garbage\n');
  });

  it('generates none where the key was lost: DATA_DIR holds secrets.sqlite (made after the key at a first start) and no key file', () => {
    writeFileSync(join(dataDir, 'secrets.sqlite'), '');
    expect(() => partnerSecretsKeyFrom(embedded(), log)).toThrow(/PARTNER_SECRETS_KEY is not set and DATA_DIR holds secrets.sqlite but not partner-secrets.key, the key that sealed it: restore .* or set PARTNER_SECRETS_KEY/);
    expect(existsSync(join(dataDir, PARTNER_SECRETS_KEY_FILE))).toBe(false);
    // Given by the variable, it is used as before.
    expect(partnerSecretsKeyFrom(embedded({ PARTNER_SECRETS_KEY: 'ab'.repeat(32) }), log)).toEqual(Buffer.from('ab'.repeat(32), 'hex'));
  });
});
