import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OurKeyOperations, KEYSTORE_MASTER_KEY_FILE } from '@as2-partners/certificate-lifecycle-service';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, freshTenant, type CertificateApi } from '../certificates/certificate-api.spec-support';
import { opensslWorkspace } from './our-keys-api.spec-support';

/** Every file under a directory (the event store, the read models, their WAL files). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The forms a private key's bytes could leak in: PEM, DER raw/base64/hex, and its secret numbers raw/hex/base64. */
function leakNeedles(keyPem: string): { name: string; bytes: Buffer }[] {
  const key = createPrivateKey(keyPem);
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const pkcs1 = key.export({ format: 'der', type: 'pkcs1' });
  const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
  const needles = [
    { name: 'PEM', bytes: Buffer.from(keyPem.trim()) },
    { name: 'PKCS#8 DER', bytes: der },
    { name: 'PKCS#8 DER base64', bytes: Buffer.from(der.toString('base64')) },
    { name: 'PKCS#8 DER hex', bytes: Buffer.from(der.toString('hex')) },
    { name: 'PKCS#1 DER base64', bytes: Buffer.from(pkcs1.toString('base64')) },
  ];
  // The PEM lines past the public modulus: every one of them is secret material.
  keyPem.trim().split('\n').slice(8, -2).forEach((line, i) => needles.push({ name: `PEM line ${i + 8}`, bytes: Buffer.from(line.trim()) }));
  for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
    const raw = Buffer.from(jwk[part], 'base64url');
    needles.push(
      { name: `${part} raw`, bytes: raw },
      { name: `${part} hex`, bytes: Buffer.from(raw.toString('hex')) },
      { name: `${part} HEX`, bytes: Buffer.from(raw.toString('hex').toUpperCase()) },
      { name: `${part} base64`, bytes: Buffer.from(raw.toString('base64').replace(/=+$/, '')) },
      { name: `${part} base64url`, bytes: Buffer.from(jwk[part]) },
    );
  }
  return needles;
}

describe('our keys sign and decrypt through the port, and never leak (embedded, checked with openssl)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'our-keys-port-'));
  const openssl = opensslWorkspace();
  const imported = openssl.identity('Port Imported', 'port-secret-pass');
  const pemImported = openssl.identity('Pem Imported', 'unused');
  const accountImported = openssl.identity('Account Imported', 'unused');
  const logs: Buffer[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  let t: EmbeddedTestApp;
  let closed = false;
  let api: CertificateApi;
  let ops: OurKeyOperations;
  const tenant = freshTenant();
  const ref = { account: 'test-account', tenant, alias: 'port-p12' };

  beforeAll(async () => {
    // Every log line the process writes, at the most verbose level, is kept for the leak check.
    const capture = (chunk: string | Uint8Array) => {
      logs.push(Buffer.from(chunk));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    // The JSON logger writes to its own destination (not through process.stdout.write): captured the same way.
    const logDestination = { write: (line: string) => void logs.push(Buffer.from(line)) };
    t = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir, env: { LOG_LEVEL: 'trace' }, logDestination });
    api = certificateApiAs(t, { tenant });
    ops = t.app.get(OurKeyOperations);
    const created = await api.post('/v1/keys', { alias: 'port-p12', pkcs12: imported.p12.toString('base64'), password: 'port-secret-pass' });
    expect(created.status).toBe(201);
    expect((await api.post('/v1/keys', { alias: 'port-pem', private_key: pemImported.keyPem, certificate: pemImported.certificatePem })).status).toBe(201);
    // A key of the account keystore, read by the tenant and used through the port: in the leak scan too.
    const accountAdmin = certificateApiAs(t, { tenant: null, roles: ['account_admin'] });
    const accountKey = await accountAdmin.post('/v1/accounts/test-account/keys', { alias: 'port-account', private_key: accountImported.keyPem, certificate: accountImported.certificatePem });
    expect(accountKey.status).toBe(201);
    expect((await api.get(`/v1/keys/${accountKey.body.data.id}`)).body.data.type).toBe('inherited');
    expect((await ops.sign({ ...ref, alias: 'port-account' }, Buffer.from('x'), 'sha256')).keyId).toBe(accountKey.body.data.id);
    openssl.write('imported.pem', imported.certificatePem);
  });
  afterAll(async () => {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    if (!closed) await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
    openssl.close();
  });

  it('builds an AS2 message signed with the imported PKCS#12 key that openssl verifies against the certificate', async () => {
    const payload = Buffer.from("UNA:+.? '\r\nUNB+UNOC:3+US+PARTNER'\r\n");
    const message = await ops.buildAs2Message(ref, { payload, contentType: 'application/edifact', as2From: 'US', as2To: 'PARTNER', sign: { algorithm: 'sha256' } });
    const mime = Buffer.concat([Buffer.from(`MIME-Version: 1.0\r\nContent-Type: ${message.headers['Content-Type']}\r\n\r\n`), message.body]);
    openssl.run('cms', '-verify', '-inform', 'SMIME', '-in', openssl.write('signed.eml', mime), '-CAfile', openssl.path('imported.pem'), '-purpose', 'any', '-out', openssl.path('verified.txt'));
    expect(openssl.read('verified.txt').toString('latin1')).toContain(payload.toString('latin1'));
    // A tampered message fails the same check.
    const tampered = Buffer.from(mime.toString('latin1').replace('UNB+UNOC', 'UNB+UNOX'), 'latin1');
    expect(() => openssl.run('cms', '-verify', '-inform', 'SMIME', '-in', openssl.write('tampered.eml', tampered), '-CAfile', openssl.path('imported.pem'), '-purpose', 'any')).toThrow();
  });

  it('gives a detached CMS signature that openssl verifies over the exact bytes, and opens what openssl encrypted to the certificate', async () => {
    const content = Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\n\r\n'), randomBytes(300)]);
    const signed = await ops.sign(ref, content, 'sha384');
    expect(signed.keyId).toMatch(/^key_/);
    openssl.run('cms', '-verify', '-binary', '-inform', 'DER', '-in', openssl.write('sig.der', signed.signature), '-content', openssl.write('content.bin', content), '-CAfile', openssl.path('imported.pem'), '-purpose', 'any', '-out', openssl.path('out.bin'));
    expect(openssl.read('out.bin')).toEqual(content);

    const secret = randomBytes(1000);
    openssl.run('cms', '-encrypt', '-binary', '-aes256', '-in', openssl.write('secret.bin', secret), '-outform', 'DER', '-out', openssl.path('secret.p7m'), openssl.path('imported.pem'));
    const opened = await ops.decrypt(ref, openssl.read('secret.p7m'));
    expect(opened).toMatchObject({ keyId: signed.keyId, cipher: 'aes-256-cbc' });
    expect(opened.content).toEqual(secret);
  });

  it('receives a whole AS2 message openssl encrypted to the certificate (decrypts, answers with an MDN signed as the alias)', async () => {
    const entity = Buffer.from('Content-Type: application/edi-x12\r\nContent-Transfer-Encoding: binary\r\n\r\nISA*00*PO*1~\r\n');
    openssl.run('cms', '-encrypt', '-binary', '-des3', '-in', openssl.write('entity.txt', entity), '-outform', 'DER', '-out', openssl.path('message.p7m'), openssl.path('imported.pem'));
    const handled = await ops.handleAs2Request(ref, {
      headers: {
        'as2-from': 'PARTNER',
        'as2-to': 'US',
        'message-id': '<from-openssl@partner>',
        'content-type': 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m',
        'disposition-notification-to': 'partner@example.com',
        'disposition-notification-options': 'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha256',
      },
      body: openssl.read('message.p7m'),
      requireEncryption: true,
    });
    expect(handled.error).toBeUndefined();
    expect(handled.message?.payload.toString()).toBe('ISA*00*PO*1~\r\n');
    expect(handled.mdn?.signed).toBe(true);
    const mdn = Buffer.concat([Buffer.from(`MIME-Version: 1.0\r\nContent-Type: ${handled.mdn!.headers['Content-Type']}\r\n\r\n`), handled.mdn!.body]);
    openssl.run('cms', '-verify', '-inform', 'SMIME', '-in', openssl.write('mdn.eml', mdn), '-CAfile', openssl.path('imported.pem'), '-purpose', 'any', '-out', openssl.path('mdn.txt'));
  });

  it('serves the port over the internal routes to a gateway token only, for its own tenant', async () => {
    const content = Buffer.from('sign me\r\n');
    const asGateway = certificateApiAs(t, { tenant, roles: ['gateway'] });
    const signed = await asGateway.post('/internal/v1/keys/port-p12/sign', { content: content.toString('base64'), algorithm: 'sha256' });
    expect(signed.status).toBe(200);
    openssl.run('cms', '-verify', '-binary', '-inform', 'DER', '-in', openssl.write('route-sig.der', Buffer.from(signed.body.data.signature, 'base64')), '-content', openssl.write('route.txt', content), '-CAfile', openssl.path('imported.pem'), '-purpose', 'any');

    const accountGateway = certificateApiAs(t, { tenant: null, roles: ['gateway'] });
    openssl.run('cms', '-encrypt', '-binary', '-aes128', '-in', openssl.path('route.txt'), '-outform', 'DER', '-out', openssl.path('route.p7m'), openssl.path('imported.pem'));
    const enveloped = openssl.read('route.p7m').toString('base64');
    const decrypted = await accountGateway.post('/internal/v1/keys/port-p12/decrypt', { enveloped, tenant });
    expect(decrypted.status).toBe(200);
    expect(Buffer.from(decrypted.body.data.content, 'base64')).toEqual(content);
    expect(JSON.stringify(decrypted.body)).not.toMatch(/PRIVATE|BEGIN/);

    expect((await accountGateway.post('/internal/v1/keys/port-p12/decrypt', { enveloped })).body.error.code).toBe('TENANT_REQUIRED');
    expect((await asGateway.post('/internal/v1/keys/port-p12/decrypt', { enveloped, tenant: freshTenant() })).status).toBe(403);
    expect((await certificateApiAs(t, { tenant: freshTenant(), roles: ['gateway'] }).post('/internal/v1/keys/port-p12/sign', { content: 'AA==' })).body.error.code).toBe('KEY_NOT_FOUND');
    expect((await certificateApiAs(t, { tenant, roles: ['gateway'], account: 'other-account' }).post('/internal/v1/keys/port-p12/sign', { content: 'AA==' })).body.error.code).toBe('KEY_NOT_FOUND');
    for (const roles of [['tenant_admin'], ['tenant_user'], ['account_admin'], ['operator']]) {
      expect((await certificateApiAs(t, { tenant, roles }).post('/internal/v1/keys/port-p12/sign', { content: 'AA==' })).status).toBe(403);
    }
    expect((await t.app.inject({ method: 'POST', url: '/internal/v1/keys/port-p12/sign', payload: { content: 'AA==' } })).statusCode).toBe(401);
    const hostile: [unknown, number][] = [
      [{ content: 'not base64!' }, 422],
      [{ content: 'AA==', algorithm: 'md5' }, 422],
      [{ content: 'AA==', extra: true }, 422],
      [{ enveloped: Buffer.from('garbage').toString('base64') }, 422],
    ];
    for (const [body, status] of hostile) {
      const route = 'enveloped' in (body as object) ? 'decrypt' : 'sign';
      expect((await asGateway.post(`/internal/v1/keys/port-p12/${route}`, body)).status).toBe(status);
    }
    expect((await asGateway.post('/internal/v1/keys/port-p12/decrypt', { enveloped: Buffer.from('garbage').toString('base64') })).body.error.code).toBe('INVALID_CMS');
    expect((await asGateway.post('/internal/v1/keys/no%20such%20alias/sign', { content: 'AA==' })).body.error.code).toBe('INVALID_KEY_ALIAS');
  });

  it('signs for any account a token may be for when a gateway of every account names it (dots, 128 characters), and for no account spelled otherwise', async () => {
    const everyAccount = certificateApiAs(t, { account: '*', tenant: null, roles: ['gateway'] });
    for (const account of [`acme.corp-${process.pid}`, `${'a'.repeat(100)}.${process.pid}`.slice(0, 128)]) {
      const owner = freshTenant();
      const generated = await certificateApiAs(t, { account, tenant: owner }).post('/v1/keys', { alias: 'dotted', generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Dotted', valid_days: 30 } });
      expect(generated.status).toBe(201);
      const signed = await everyAccount.post('/internal/v1/keys/dotted/sign', { content: 'AA==', account, tenant: owner });
      expect([account, signed.status]).toEqual([account, 200]);
      expect((await certificateApiAs(t, { account, tenant: owner, roles: ['gateway'] }).post('/internal/v1/keys/dotted/sign', { content: 'AA==', account })).status).toBe(200);
    }
    const star = await everyAccount.post('/internal/v1/keys/dotted/sign', { content: 'AA==', account: '*', tenant });
    expect([star.status, star.body.error.code]).toEqual([403, 'ACCOUNT_REQUIRED']);
    for (const account of ['acme|t1', 'a/b', 'a%2Fb', ' ', 'x'.repeat(129)]) {
      const res = await everyAccount.post('/internal/v1/keys/dotted/sign', { content: 'AA==', account, tenant });
      expect([account, res.status, Object.keys(res.body.errors ?? {})]).toEqual([account, 422, ['account']]);
    }
  });

  it("signs and decrypts as no deleted tenant, not even with the account's keys it fell back on: 403 TENANT_DELETED", async () => {
    const accountAdmin = certificateApiAs(t, { tenant: null, roles: ['account_admin'] });
    const accountGateway = certificateApiAs(t, { tenant: null, roles: ['gateway'] });
    const closing = freshTenant();
    expect((await accountAdmin.post('/v1/accounts/test-account/tenants', { id: closing, name: closing, plan: 'free' })).status).toBe(201);
    const sign = () => accountGateway.post('/internal/v1/keys/port-account/sign', { content: 'AA==', tenant: closing });
    expect((await sign()).status).toBe(200);
    expect((await accountAdmin.delete(`/v1/accounts/test-account/tenants/${closing}`)).status).toBe(200);
    const refused = await sign();
    expect([refused.status, refused.body.error.code]).toEqual([403, 'TENANT_DELETED']);
    const decrypt = await accountGateway.post('/internal/v1/keys/port-account/decrypt', { enveloped: 'AA==', tenant: closing });
    expect([decrypt.status, decrypt.body.error.code]).toEqual([403, 'TENANT_DELETED']);
    // The account's own keystore (tenant null) still serves an account-level AS2 instance.
    expect((await accountGateway.post('/internal/v1/keys/port-account/sign', { content: 'AA==', tenant: null })).status).toBe(200);
  });

  it('answers a JSON null for the sign or decrypt field as the field left out: 422 VALIDATION_FAILED, never a 500', async () => {
    const asGateway = certificateApiAs(t, { tenant, roles: ['gateway'] });
    const nulls: [string, object][] = [
      ['sign', { content: null }],
      ['sign', { signed_attributes: null }],
      ['sign', { content: null, signed_attributes: null }],
      ['decrypt', { enveloped: null }],
      ['decrypt', { key_transport: null }],
      ['decrypt', { enveloped: null, key_transport: null }],
    ];
    for (const [route, body] of nulls) {
      const answer = await asGateway.post(`/internal/v1/keys/port-p12/${route}`, body);
      expect({ route, body, status: answer.status, code: answer.body.error?.code }).toEqual({ route, body, status: 422, code: 'VALIDATION_FAILED' });
    }
    // A null beside the other field leaves that one given: the call goes through.
    expect((await asGateway.post('/internal/v1/keys/port-p12/sign', { content: 'AA==', signed_attributes: null })).status).toBe(200);
  });

  it('leaves no private key bytes (PEM, DER as base64 and hex, the secret numbers) in the event store, read models or logs, nor the master key, PKCS#12 file or password', async () => {
    const store = t.app.get<EventStore>(EVENT_STORE);
    const events = Buffer.from(JSON.stringify(await store.readAll()));
    expect(events.includes(Buffer.from('key.created.v1'))).toBe(true);
    closed = true;
    await t.close();
    const masterKey = readFileSync(join(dataDir, KEYSTORE_MASTER_KEY_FILE), 'utf8').trim();
    const files = filesUnder(dataDir).filter((path) => !path.endsWith(KEYSTORE_MASTER_KEY_FILE));
    expect(files.some((path) => path.endsWith('events.sqlite'))).toBe(true);
    expect(files.some((path) => path.includes('read-models'))).toBe(true);
    const haystacks = [
      { name: 'published events', bytes: events },
      { name: 'logs', bytes: Buffer.concat(logs) },
      ...files.map((path) => ({ name: path, bytes: readFileSync(path) })),
    ];
    expect(Buffer.concat(logs).length).toBeGreaterThan(1000);
    const needles = [
      ...leakNeedles(imported.keyPem),
      ...leakNeedles(pemImported.keyPem),
      ...leakNeedles(accountImported.keyPem),
      { name: 'master key', bytes: Buffer.from(masterKey) },
      { name: 'master key raw', bytes: Buffer.from(masterKey, 'hex') },
      { name: 'master key base64', bytes: Buffer.from(Buffer.from(masterKey, 'hex').toString('base64')) },
      { name: 'PKCS#12 base64', bytes: Buffer.from(imported.p12.toString('base64').slice(200, 264)) },
      { name: 'PKCS#12 password', bytes: Buffer.from('port-secret-pass') },
    ];
    const leaks = haystacks.flatMap((haystack) => needles.filter((needle) => haystack.bytes.includes(needle.bytes)).map((needle) => `${needle.name} in ${haystack.name}`));
    expect(leaks).toEqual([]);
    // The check can fail: the certificate (public) is there, found the same way.
    const certificateLine = imported.certificatePem.split('\n')[3];
    expect(haystacks.some((haystack) => haystack.bytes.includes(Buffer.from(certificateLine)))).toBe(true);
  });
});
