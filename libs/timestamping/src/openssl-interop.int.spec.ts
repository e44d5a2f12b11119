import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TimestampAuthority } from './timestamp-authority';
import { requestTimestamp } from './timestamp-client';
import { createTsaIdentity } from './tsa-identity';
import { RunningTsa, startTsaServer } from './tsa-server';

/** `openssl ts -verify` is the reference verifier: whoever holds the evidence checks it with it, not with our code. */
function openssl(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('tokens checked by OpenSSL', () => {
  const identity = createTsaIdentity();
  const document = Buffer.from('certificate activation evidence\n');
  const digestHex = createHash('sha256').update(document).digest('hex');
  let dir: string;
  let tsa: RunningTsa;
  const file = (name: string): string => join(dir, name);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsa-openssl-'));
    writeFileSync(file('bundle.pem'), identity.certificatePem + identity.chainPem.join(''));
    writeFileSync(file('root.pem'), identity.chainPem.join(''));
    writeFileSync(file('document.txt'), document);
    tsa = await startTsaServer({ authority: new TimestampAuthority(identity) });
  });
  afterAll(async () => {
    await tsa.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts our client token by digest and by data, and fails it for another digest', async () => {
    const result = await requestTimestamp({ url: tsa.url, data: document });
    writeFileSync(file('token.tsr'), result.responseDer);

    const byDigest = openssl('ts', '-verify', '-digest', digestHex, '-in', file('token.tsr'), '-CAfile', file('bundle.pem'));
    expect(byDigest).toEqual({ status: 0, output: expect.stringContaining('Verification: OK') });
    const byData = openssl('ts', '-verify', '-data', file('document.txt'), '-in', file('token.tsr'), '-CAfile', file('bundle.pem'));
    expect(byData).toEqual({ status: 0, output: expect.stringContaining('Verification: OK') });
    const rootOnly = openssl('ts', '-verify', '-digest', digestHex, '-in', file('token.tsr'), '-CAfile', file('root.pem'));
    expect(rootOnly.status).toBe(0);

    const otherDigest = openssl('ts', '-verify', '-digest', '00'.repeat(32), '-in', file('token.tsr'), '-CAfile', file('bundle.pem'));
    expect(otherDigest.status).not.toBe(0);
    expect(otherDigest.output).toMatch(/Verification: FAILED[\s\S]*message imprint mismatch/);
  });

  it('answers a query made by openssl ts -query with a reply that openssl ts -verify -queryfile accepts', async () => {
    const query = openssl('ts', '-query', '-data', file('document.txt'), '-sha256', '-cert', '-out', file('q.tsq'));
    expect(query.status).toBe(0);
    const reply = await fetch(tsa.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: readFileSync(file('q.tsq')) });
    writeFileSync(file('r.tsr'), Buffer.from(await reply.arrayBuffer()));

    const verified = openssl('ts', '-verify', '-queryfile', file('q.tsq'), '-in', file('r.tsr'), '-CAfile', file('bundle.pem'));
    expect(verified).toEqual({ status: 0, output: expect.stringContaining('Verification: OK') });

    const queryNonce = /Nonce: (0x[0-9A-F]+)/.exec(openssl('ts', '-query', '-in', file('q.tsq'), '-text').output)?.[1];
    const text = openssl('ts', '-reply', '-in', file('r.tsr'), '-text').output;
    expect(queryNonce).toBeDefined();
    expect(text).toContain(`Nonce: ${queryNonce}`);
    expect(text).toContain('Status: Granted.');
    expect(text).toContain('Policy OID: 1.3.6.1.4.1.32473.3161.1');
    expect(text).toContain(`Message data:`);
    expect(text).toContain('TSA: DirName:/CN=as2-partners Time-Stamp Authority/O=as2-partners');
  });

  it('answers an md5 query from openssl with a rejection openssl reads as badAlg', async () => {
    expect(openssl('ts', '-query', '-data', file('document.txt'), '-md5', '-out', file('md5.tsq')).status).toBe(0);
    const reply = await fetch(tsa.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: readFileSync(file('md5.tsq')) });
    writeFileSync(file('md5.tsr'), Buffer.from(await reply.arrayBuffer()));
    const text = openssl('ts', '-reply', '-in', file('md5.tsr'), '-text').output;
    expect(text).toContain('Status: Rejected.');
    expect(text).toContain('unrecognized or unsupported algorithm identifier');
  });

  it('issues a TSA certificate that passes OpenSSL purpose check timestampsign', () => {
    writeFileSync(file('leaf.pem'), identity.certificatePem);
    const check = openssl('verify', '-purpose', 'timestampsign', '-CAfile', file('root.pem'), file('leaf.pem'));
    expect(check).toEqual({ status: 0, output: expect.stringContaining('OK') });
    const asTlsServer = openssl('verify', '-purpose', 'sslserver', '-CAfile', file('root.pem'), file('leaf.pem'));
    expect(asTlsServer.status).not.toBe(0);
  });
});
