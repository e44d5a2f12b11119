import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealingKeyFrom, type SealingKeySource } from './sealing-key';

describe('sealingKeyFrom', () => {
  let dataDir: string;
  const said: string[] = [];
  const log = { warn: (m: string) => said.push(`warn ${m}`), info: (m: string) => said.push(`info ${m}`) };
  const source: SealingKeySource = { variable: 'SOME_SEALING_KEY', file: 'some.key', generated: (file) => `made ${file}`, reused: (file) => `kept ${file}` };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sealing-key-'));
    said.length = 0;
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("reads the source's variable, and names it when the value or its absence in distributed mode is refused", () => {
    expect(sealingKeyFrom({ mode: 'distributed', dataDir, env: { SOME_SEALING_KEY: 'cd'.repeat(32) } }, source, log)).toEqual(Buffer.from('cd'.repeat(32), 'hex'));
    expect(() => sealingKeyFrom({ mode: 'embedded', dataDir, env: { SOME_SEALING_KEY: 'short' } }, source, log)).toThrow('Invalid configuration: SOME_SEALING_KEY must be 32 bytes');
    expect(() => sealingKeyFrom({ mode: 'distributed', dataDir, env: {} }, source, log)).toThrow('Invalid configuration: SOME_SEALING_KEY is required in distributed mode');
    expect(said).toEqual([]);
  });

  it("embedded without it: generates the source's file once (0600), warns then, and says it reuses it afterwards", () => {
    const file = join(dataDir, 'some.key');
    const first = sealingKeyFrom({ mode: 'embedded', dataDir, env: {} }, source, log);
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(sealingKeyFrom({ mode: 'embedded', dataDir, env: {} }, source, log)).toEqual(first);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    expect(said).toEqual([`warn made ${file}`, `info kept ${file}`]);
  });
});
