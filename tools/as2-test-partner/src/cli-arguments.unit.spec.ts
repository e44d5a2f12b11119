import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCliArguments } from './cli-arguments';

describe('parseCliArguments', () => {
  let dir: string;
  let base: string[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-'));
    await writeFile(join(dir, 'key.pem'), 'KEY');
    await writeFile(join(dir, 'cert.pem'), 'CERT');
    await writeFile(join(dir, 'partner.pem'), 'PARTNER');
    base = ['--as2-id', 'ME', '--key', join(dir, 'key.pem'), '--cert', join(dir, 'cert.pem'), '--partner-as2-id', 'THEM', '--partner-cert', join(dir, 'partner.pem')];
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the PEM files and the defaults', () => {
    const options = parseCliArguments(base);
    expect(options).toMatchObject({ as2Id: 'ME', keyPem: 'KEY', certPem: 'CERT', partnerAs2Id: 'THEM', partnerCertPem: 'PARTNER', path: '/as2', faults: [] });
    expect(options.tls).toBeUndefined();
  });

  it('takes repeated faults, port, path, inbox and TLS', () => {
    const options = parseCliArguments([...base, '--port', '8443', '--path', '/edi/as2', '--inbox', '/tmp/in', '--fault', 'slow:20', '--fault', 'unsigned-mdn',
      '--tls-key', join(dir, 'key.pem'), '--tls-cert', join(dir, 'cert.pem')]);
    expect(options).toMatchObject({ port: 8443, path: '/edi/as2', inboxDir: '/tmp/in', faults: [{ kind: 'slow', delayMs: 20 }, { kind: 'unsigned-mdn' }], tls: { keyPem: 'KEY', certPem: 'CERT' } });
  });

  it.each([
    [['--as2-id', 'ME'], /--key is required/],
    [['--port', 'eighty'], /--port must be a non-negative integer/],
    [['--port', '70000'], /--port must be at most 65535/],
    [['--path', 'as2'], /--path must start with "\/"/],
    [['--tls-key', 'x'], /--tls-key and --tls-cert go together/],
    [['--fault', 'boom'], /--fault "boom"/],
    [['--unknown'], /Unknown option '--unknown'/],
  ])('refuses %p, naming the flag', (extra, message) => {
    const args = extra[0] === '--as2-id' ? extra : [...base, ...extra];
    expect(() => parseCliArguments(args)).toThrow(message);
  });

  it('names the file it cannot read', () => {
    expect(() => parseCliArguments([...base.slice(0, 2), '--key', join(dir, 'missing.pem'), ...base.slice(4)])).toThrow(/--key .*missing\.pem/);
  });
});
