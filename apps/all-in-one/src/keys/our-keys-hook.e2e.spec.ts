import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildAs2MessageAsync,
  buildSignedAttributes,
  receiveAs2MessageAsync,
  RemoteKeystore,
  type RemoteKeyRef,
} from '@as2-partners/as2';
import { READ_MODEL_STORE, type ReadModelStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, freshTenant } from '../certificates/certificate-api.spec-support';
import { opensslWorkspace } from './our-keys-api.spec-support';

/** RemoteKeystore (libs/as2's HTTP signer/decryptor) against the real internal route, through Fastify inject instead of a socket. */
function injectFetch(t: EmbeddedTestApp): typeof fetch {
  return (async (input: string | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const res = await t.app.inject({
      method: 'POST',
      url: url.pathname,
      headers: init?.headers as Record<string, string>,
      payload: init?.body as string,
    });
    return new Response(res.body, { status: res.statusCode, headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') } });
  }) as typeof fetch;
}

describe('the external signer/decryptor hook over POST /internal/v1/keys/{alias}/sign|decrypt (embedded, checked with openssl)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'our-keys-hook-'));
  const openssl = opensslWorkspace();
  let t: EmbeddedTestApp;
  const tenant = freshTenant();
  const ref: RemoteKeyRef = { account: 'test-account', tenant, alias: 'hook-key' };
  let keystore: RemoteKeystore;
  let gatewayToken: string;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    const api = certificateApiAs(t, { tenant });
    const created = await api.post('/v1/keys', { alias: 'hook-key', generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Hook Key, O=Our Company', valid_days: 30 } });
    expect(created.status).toBe(201);
    const certificate = await t.app.inject({ method: 'GET', url: `/v1/keys/${created.body.data.id}/certificate`, headers: { authorization: `Bearer ${t.token({ tenant })}`, accept: 'application/x-pem-file' } });
    openssl.write('hook.pem', certificate.body);
    // An account-wide gateway token for every account, as a service in another process holds it: the body names the scope.
    gatewayToken = t.token({ account: '*', tenant: null, roles: ['gateway'] });
    keystore = new RemoteKeystore({ baseUrl: 'http://keystore.internal', token: () => gatewayToken, fetch: injectFetch(t) });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
    openssl.close();
  });

  it.each(['sha1', 'sha256', 'sha512'] as const)('a message signed (%s) with the keystore key through the hook is verified by openssl cms -verify against its certificate', async (algorithm) => {
    const payload = Buffer.from("UNA:+.? '\r\nUNB+UNOC:3+US+PARTNER'\r\n");
    const message = await buildAs2MessageAsync({ payload, contentType: 'application/edifact', as2From: 'US', as2To: 'PARTNER', sign: { signer: keystore.signer(ref), algorithm } });
    const mime = Buffer.concat([Buffer.from(`MIME-Version: 1.0\r\nContent-Type: ${message.headers['Content-Type']}\r\n\r\n`), message.body]);
    openssl.run('cms', '-verify', '-inform', 'SMIME', '-in', openssl.write(`signed-${algorithm}.eml`, mime), '-CAfile', openssl.path('hook.pem'), '-purpose', 'any', '-out', openssl.path(`verified-${algorithm}.txt`));
    expect(openssl.read(`verified-${algorithm}.txt`).toString('latin1')).toContain(payload.toString('latin1'));
  });

  it('an AS2 message openssl encrypted to the certificate is opened through the hook (only the key transport crosses)', async () => {
    const entity = Buffer.from('Content-Type: application/edi-x12\r\nContent-Transfer-Encoding: binary\r\n\r\nISA*00*PO*1~\r\n');
    for (const cipher of ['-des3', '-aes128', '-aes256']) {
      openssl.run('cms', '-encrypt', '-binary', cipher, '-in', openssl.write('entity.txt', entity), '-outform', 'DER', '-out', openssl.path('message.p7m'), openssl.path('hook.pem'));
      const received = await receiveAs2MessageAsync({
        headers: { 'as2-from': 'PARTNER', 'as2-to': 'US', 'message-id': '<ossl@partner>', 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data' },
        body: openssl.read('message.p7m'),
        decryptor: keystore.decryptor(ref),
        requireEncryption: true,
      });
      expect(received.payload.toString()).toBe('ISA*00*PO*1~\r\n');
    }
  });

  it('keeps no answer for an Idempotency-Key: a decryption (the plaintext) or a signature is never stored, each call is answered anew', async () => {
    const secret = `TOP-SECRET-${process.pid}-${Date.now()}`;
    openssl.run('cms', '-encrypt', '-binary', '-aes256', '-in', openssl.write('kept.txt', secret), '-outform', 'DER', '-out', openssl.path('kept.p7m'), openssl.path('hook.pem'));
    const headers = { authorization: `Bearer ${t.token({ tenant, roles: ['gateway'] })}`, 'idempotency-key': `decrypt-${process.pid}` };
    const call = () => t.app.inject({ method: 'POST', url: '/internal/v1/keys/hook-key/decrypt', headers, payload: { enveloped: openssl.read('kept.p7m').toString('base64') } });
    for (const attempt of [1, 2]) {
      const opened = await call();
      expect([attempt, opened.statusCode, Buffer.from(opened.json().data.content, 'base64').toString(), opened.headers['idempotent-replayed']]).toEqual([attempt, 200, secret, undefined]);
    }
    const signHeaders = { ...headers, 'idempotency-key': `sign-${process.pid}` };
    expect((await t.app.inject({ method: 'POST', url: '/internal/v1/keys/hook-key/sign', headers: signHeaders, payload: { content: 'AA==' } })).statusCode).toBe(200);
    const kept = await t.app.get<ReadModelStore>(READ_MODEL_STORE).collection<{ _id: string }>('platform_idempotency_keys').find({ filter: {} });
    expect(kept.items.map((record) => record._id).filter((id) => id.includes(`decrypt-${process.pid}`) || id.includes(`sign-${process.pid}`))).toEqual([]);
    expect(JSON.stringify(kept.items)).not.toContain(Buffer.from(secret).toString('base64'));
  });

  it('answers only the signature value, the certificate and ids: never key material', async () => {
    const asGateway = certificateApiAs(t, { tenant, roles: ['gateway'] });
    const signed = await asGateway.post('/internal/v1/keys/hook-key/sign', { signed_attributes: buildSignedAttributes(Buffer.alloc(32, 1), new Date()).toString('base64') });
    expect(signed.status).toBe(200);
    expect(Object.keys(signed.body.data).sort()).toEqual(['certificate_fingerprint_sha256', 'certificates', 'key_id', 'signature_value']);
    expect(Buffer.from(signed.body.data.signature_value, 'base64')).toHaveLength(256);
    expect(JSON.stringify(signed.body)).not.toMatch(/PRIVATE|BEGIN/);
  });

  describe('a key a CA issued through an intermediate: its signatures carry the chain, so a partner trusting only the root verifies them', () => {
    const chained = { ...ref, alias: 'chained-key' };
    let pems: ReturnType<ReturnType<typeof opensslWorkspace>['chainedIdentity']>;

    beforeAll(async () => {
      pems = openssl.chainedIdentity('chained');
      const imported = await certificateApiAs(t, { tenant }).post('/v1/keys', { alias: 'chained-key', private_key: pems.keyPem, certificate: pems.certificatePem + pems.intermediatePem });
      expect(imported.status).toBe(201);
      // The root alone is what the partner trusts.
      openssl.write('chained-trust.pem', pems.rootPem);
    });

    it('the detached signature of `content`: openssl cms -verify with only the root trusted', async () => {
      const content = Buffer.from('ISA*00*CHAINED~\r\n');
      const signed = await certificateApiAs(t, { tenant, roles: ['gateway'] }).post('/internal/v1/keys/chained-key/sign', { content: content.toString('base64') });
      expect(signed.status).toBe(200);
      openssl.write('chained.sig', Buffer.from(signed.body.data.signature, 'base64'));
      const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', openssl.path('chained.sig'), '-content', openssl.write('chained.txt', content), '-CAfile', openssl.path('chained-trust.pem'), '-purpose', 'any', '-out', openssl.path('chained-out.txt')];
      openssl.run(...args);
      expect(openssl.read('chained-out.txt')).toEqual(content);
    });

    it('`signed_attributes` answers the leaf then its issuers, and a message signed through the hook verifies against the root', async () => {
      const signed = await certificateApiAs(t, { tenant, roles: ['gateway'] }).post('/internal/v1/keys/chained-key/sign', { signed_attributes: buildSignedAttributes(Buffer.alloc(32, 1), new Date()).toString('base64') });
      const pemOf = (der: string) => `-----BEGIN CERTIFICATE-----\n${der.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
      expect(signed.body.data.certificates.map(pemOf).join('')).toBe(pems.certificatePem + pems.intermediatePem);
      const payload = Buffer.from("UNA:+.? '\r\nUNB+UNOC:3+US+PARTNER'\r\n");
      const message = await buildAs2MessageAsync({ payload, contentType: 'application/edifact', as2From: 'US', as2To: 'PARTNER', sign: { signer: keystore.signer(chained), algorithm: 'sha256' } });
      const mime = Buffer.concat([Buffer.from(`MIME-Version: 1.0\r\nContent-Type: ${message.headers['Content-Type']}\r\n\r\n`), message.body]);
      openssl.run('cms', '-verify', '-inform', 'SMIME', '-in', openssl.write('chained.eml', mime), '-CAfile', openssl.path('chained-trust.pem'), '-purpose', 'any', '-out', openssl.path('chained-verified.txt'));
      expect(openssl.read('chained-verified.txt').toString('latin1')).toContain(payload.toString('latin1'));
    });
  });

  describe('scoped to the tenant and account, role gateway only, hostile bodies refused', () => {
    const attributes = () => buildSignedAttributes(Buffer.alloc(32, 1), new Date()).toString('base64');
    const sign = (claims: Parameters<EmbeddedTestApp['token']>[0], body: Record<string, unknown>) => certificateApiAs(t, claims).post('/internal/v1/keys/hook-key/sign', body);

    it('another tenant, another account, a tenant token naming another tenant, an account token naming another account', async () => {
      expect((await sign({ tenant: freshTenant(), roles: ['gateway'] }, { signed_attributes: attributes() })).body.error.code).toBe('KEY_NOT_FOUND');
      expect((await sign({ tenant, roles: ['gateway'], account: 'other-account' }, { signed_attributes: attributes() })).body.error.code).toBe('KEY_NOT_FOUND');
      expect((await sign({ tenant, roles: ['gateway'] }, { signed_attributes: attributes(), tenant: freshTenant() })).status).toBe(403);
      const wrongAccount = await sign({ tenant, roles: ['gateway'] }, { signed_attributes: attributes(), account: 'other-account' });
      expect([wrongAccount.status, wrongAccount.body.error.code]).toEqual([403, 'ACCOUNT_FORBIDDEN']);
      // The every-account token must name the account, and then reaches only that account's keystore.
      const unnamed = await sign({ account: '*', tenant: null, roles: ['gateway'] }, { signed_attributes: attributes(), tenant });
      expect([unnamed.status, unnamed.body.error.code]).toEqual([403, 'ACCOUNT_REQUIRED']);
      expect((await sign({ account: '*', tenant: null, roles: ['gateway'] }, { signed_attributes: attributes(), tenant, account: 'other-account' })).body.error.code).toBe('KEY_NOT_FOUND');
      const other = new RemoteKeystore({ baseUrl: 'http://keystore.internal', token: () => gatewayToken, fetch: injectFetch(t) });
      await expect(buildAs2MessageAsync({ payload: Buffer.from('x'), as2From: 'A', as2To: 'B', sign: { signer: other.signer({ ...ref, tenant: freshTenant() }), algorithm: 'sha256' } })).rejects.toMatchObject({
        status: 404,
        code: 'KEY_NOT_FOUND',
      });
    });

    it('no token, and every role but gateway (tenant_user, tenant_admin, account_admin)', async () => {
      expect((await t.app.inject({ method: 'POST', url: '/internal/v1/keys/hook-key/sign', payload: { signed_attributes: attributes() } })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'POST', url: '/internal/v1/keys/hook-key/decrypt', payload: { key_transport: { recipients: [], key_length: 16 } } })).statusCode).toBe(401);
      for (const roles of [['tenant_user'], ['tenant_admin'], ['account_admin']]) {
        expect((await sign({ tenant, roles }, { signed_attributes: attributes() })).status).toBe(403);
        expect((await certificateApiAs(t, { tenant, roles }).post('/internal/v1/keys/hook-key/decrypt', { key_transport: { recipients: [{ recipient_identifier: 'AA==', encrypted_key: 'AA==' }], key_length: 16 } })).status).toBe(403);
      }
    });

    it('signs only CMS signed attributes (not a certificate, a CSR or arbitrary bytes), refuses a stale signing-time', async () => {
      const asGateway = certificateApiAs(t, { tenant, roles: ['gateway'] });
      const tbsLike = Buffer.from('3082010a0201010500', 'hex').toString('base64');
      for (const bytes of [tbsLike, Buffer.from('any bytes at all').toString('base64'), buildSignedAttributes(Buffer.alloc(32), new Date(Date.now() - 3_600_000)).toString('base64')]) {
        const refused = await asGateway.post('/internal/v1/keys/hook-key/sign', { signed_attributes: bytes });
        expect([refused.status, refused.body.error.code]).toEqual([422, 'INVALID_SIGNED_ATTRIBUTES']);
      }
      const shortDigest = await asGateway.post('/internal/v1/keys/hook-key/sign', { signed_attributes: buildSignedAttributes(Buffer.alloc(20), new Date()).toString('base64'), algorithm: 'sha512' });
      expect(shortDigest.body.error.code).toBe('INVALID_SIGNED_ATTRIBUTES');
    });

    it('hostile and malformed bodies get 422 with the seed error shape', async () => {
      const asGateway = certificateApiAs(t, { tenant, roles: ['gateway'] });
      const recipient = { recipient_identifier: 'MAA=', encrypted_key: Buffer.alloc(256).toString('base64') };
      const cases: [string, unknown][] = [
        ['sign', {}],
        ['sign', { content: 'AA==', signed_attributes: attributes() }],
        ['sign', { signed_attributes: 'not base64!' }],
        ['sign', { signed_attributes: Buffer.alloc(5000).toString('base64') }],
        ['sign', { signed_attributes: attributes(), algorithm: 'md5' }],
        ['sign', { signed_attributes: attributes(), account: '../x' }],
        ['decrypt', {}],
        ['decrypt', { enveloped: 'AA==', key_transport: { recipients: [recipient], key_length: 16 } }],
        ['decrypt', { key_transport: { recipients: [], key_length: 16 } }],
        ['decrypt', { key_transport: { recipients: Array(17).fill(recipient), key_length: 16 } }],
        ['decrypt', { key_transport: { recipients: [recipient], key_length: 20 } }],
        ['decrypt', { key_transport: { recipients: [recipient] } }],
        ['decrypt', { key_transport: { recipients: [{ ...recipient, encrypted_key: 'not base64!' }], key_length: 16 } }],
        ['decrypt', { key_transport: { recipients: [{ ...recipient, extra: 1 }], key_length: 16 } }],
        ['decrypt', { key_transport: { recipients: 'all', key_length: 16 } }],
        ['decrypt', { key_transport: 'yes' }],
        // Lists where an object belongs (class-validator alone validated their items as the object: a 500 followed).
        ['decrypt', { key_transport: [] }],
        ['decrypt', { key_transport: [{ recipients: [recipient], key_length: 16 }] }],
        ['decrypt', { key_transport: { recipients: [[]], key_length: 16 } }],
        ['decrypt', { key_transport: { recipients: [[recipient]], key_length: 16 } }],
      ];
      for (const [route, body] of cases) {
        const res = await asGateway.post(`/internal/v1/keys/hook-key/${route}`, body);
        expect({ route, body, status: res.status }).toEqual({ route, body, status: 422 });
        expect(res.body).toMatchObject({ message: expect.any(String), error: { type: expect.any(String), code: expect.any(String) } });
      }
      // Far too many recipients: the cap's one message, not four for each of them.
      const crowded = await asGateway.post('/internal/v1/keys/hook-key/decrypt', { key_transport: { recipients: Array.from({ length: 5_000 }, () => ({})), key_length: 16 } });
      expect(crowded.status).toBe(422);
      expect(crowded.body.errors).toEqual({ 'key_transport.recipients': ['The recipients may hold at most 16 entries'] });
      // A key transport blob that is not for this key: no error (implicit rejection), random candidates that open nothing.
      const unmatched = await asGateway.post('/internal/v1/keys/hook-key/decrypt', { key_transport: { recipients: [recipient], key_length: 32 } });
      expect(unmatched.status).toBe(200);
      expect(unmatched.body.data.matched).toBe(false);
      expect(Buffer.from(unmatched.body.data.candidates[0].key, 'base64')).toHaveLength(32);
    });
  });
});
