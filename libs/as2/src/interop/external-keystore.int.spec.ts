import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestAlgorithms, type DigestAlgorithm } from '../crypto/algorithms';
import { rsaSign } from '../crypto/crypto-primitives';
import { unwrapWithKeyPairs } from '../external/as2-decryptor';
import { RemoteKeystore, RemoteKeystoreError } from '../external/remote-keystore';
import { checkSignedAttributes } from '../external/signed-attributes';
import { buildAs2MessageAsync } from '../message/build-as2-message';
import { receiveAs2MessageAsync } from '../message/receive-as2-message';
import { createSelfSignedIdentity } from '../pki/self-signed-identity';

// The hook across an HTTP boundary: a stand-in keystore server holds the key (the certificate-lifecycle route has the
// same shape and is proven in its own e2e and distributed suites); openssl, which nobody here wrote, checks the output.
const dir = mkdtempSync(join(tmpdir(), 'as2-external-'));
const ours = createSelfSignedIdentity({ commonName: 'Keystore Identity' });
const file = (name: string, content?: string | Buffer) => {
  const path = join(dir, name);
  if (content !== undefined) writeFileSync(path, content);
  return path;
};
file('ours.pem', ours.certificatePem);
const openssl = (...args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const TOKEN = 'test-gateway-token';
const calls: { path: string; body: Record<string, unknown> }[] = [];
const fingerprint = ours.keyPair.certificate.fingerprint.replace(/:/g, '').toLowerCase();

function keystoreServer(): Server {
  return createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return answer(401, { message: 'no', error: { type: 'authentication_error', code: 'UNAUTHENTICATED' } });
      const body = JSON.parse(raw);
      calls.push({ path: req.url ?? '', body });
      if (req.url !== '/internal/v1/keys/our-alias/sign' && req.url !== '/internal/v1/keys/our-alias/decrypt') {
        return answer(404, { message: 'Key not found', error: { type: 'not_found_error', code: 'KEY_NOT_FOUND' } });
      }
      if (req.url.endsWith('/sign')) {
        const attributes = Buffer.from(body.signed_attributes, 'base64');
        checkSignedAttributes(attributes, body.algorithm as DigestAlgorithm, new Date(), 300_000);
        return answer(200, { data: { signature_value: rsaSign(body.algorithm, attributes, ours.keyPair.privateKey).toString('base64'), certificates: [ours.keyPair.certificate.der.toString('base64')] } });
      }
      const transport = body.key_transport as { recipients: { recipient_identifier: string; encrypted_key: string }[]; key_length: number };
      const recipients = transport.recipients.map((r) => ({ recipientIdentifier: Buffer.from(r.recipient_identifier, 'base64'), encryptedKey: Buffer.from(r.encrypted_key, 'base64') }));
      const unwrapped = unwrapWithKeyPairs([ours.keyPair], recipients, transport.key_length);
      return answer(200, {
        data: {
          candidates: unwrapped.candidates.map((c) => ({ key: c.key.toString('base64'), certificate_fingerprint_sha256: fingerprint })),
          matched: unwrapped.matched,
          certificates: [ours.keyPair.certificate.der.toString('base64')],
        },
      });
    });
  });
}

let server: Server;
let keystore: RemoteKeystore;
const ref = { account: 'acme', tenant: 't1', alias: 'our-alias' };
const payload = Buffer.concat([Buffer.from('UNB+UNOC:3+US+THEM\r\n'), Buffer.from([0, 1, 0xfe, 0x0a])]);
const entity = Buffer.concat([Buffer.from('Content-Type: application/edifact\r\nContent-Transfer-Encoding: binary\r\n\r\n'), payload]);

beforeAll(async () => {
  server = keystoreServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  keystore = new RemoteKeystore({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: () => TOKEN });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('a key kept in a keystore service, used through RemoteKeystore', () => {
  it.each(digestAlgorithms)('openssl cms -verify accepts a message signed (%s) through the remote signer', async (algorithm) => {
    calls.length = 0;
    const sent = await buildAs2MessageAsync({ payload, contentType: 'application/edifact', as2From: 'US', as2To: 'THEM', sign: { signer: keystore.signer(ref), algorithm } });
    const boundary = /boundary="([^"]+)"/.exec(sent.headers['Content-Type'])![1];
    const first = sent.body.indexOf(`--${boundary}\r\n`) + boundary.length + 4;
    const second = sent.body.indexOf(`\r\n--${boundary}\r\n`, first);
    const sigPart = sent.body.subarray(second + boundary.length + 6, sent.body.indexOf(`\r\n--${boundary}--`));
    const signature = Buffer.from(sigPart.subarray(sigPart.indexOf('\r\n\r\n') + 4).toString('latin1'), 'base64');
    expect(sent.body.subarray(first, second)).toEqual(entity);
    openssl('cms', '-verify', '-binary', '-noverify', '-inform', 'DER', '-in', file(`sig-${algorithm}.der`, signature), '-content', file(`content-${algorithm}`, entity), '-certfile', file('ours.pem'), '-out', file(`out-${algorithm}`));
    expect(readFileSync(file(`out-${algorithm}`))).toEqual(entity);
    // One call, tenant-scoped, carrying only the signed attributes.
    expect(calls).toHaveLength(1);
    expect(Object.keys(calls[0].body).sort()).toEqual(['account', 'algorithm', 'signed_attributes', 'tenant']);
    expect(calls[0].body).toMatchObject({ account: 'acme', tenant: 't1', algorithm });
  });

  it('opens an OpenSSL-encrypted message through the remote decryptor (only the key transport crosses)', async () => {
    calls.length = 0;
    const encrypted = openssl('cms', '-encrypt', '-binary', '-aes256', '-outform', 'DER', '-in', file('entity', entity), file('ours.pem'));
    const received = await receiveAs2MessageAsync({
      headers: { 'as2-from': 'THEM', 'as2-to': 'US', 'message-id': '<ossl@test>', 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data' },
      body: encrypted,
      decryptor: keystore.decryptor(ref),
      requireEncryption: true,
    });
    expect(received.payload).toEqual(payload);
    expect(received.encryption?.algorithm).toBe('aes-256-cbc');
    expect(received.encryption?.certificate.fingerprint).toBe(ours.keyPair.certificate.fingerprint);
    expect(calls).toHaveLength(1);
    expect(JSON.stringify(calls[0].body)).not.toContain(encrypted.subarray(encrypted.length - 64).toString('base64'));
  });

  it('reports the keystore refusal with its code, and an unreachable keystore as such', async () => {
    await expect(buildAs2MessageAsync({ payload, as2From: 'US', as2To: 'THEM', sign: { signer: keystore.signer({ ...ref, alias: 'nobody' }), algorithm: 'sha256' } })).rejects.toMatchObject({
      name: 'RemoteKeystoreError',
      status: 404,
      code: 'KEY_NOT_FOUND',
    });
    const wrongToken = new RemoteKeystore({ baseUrl: keystore['options'].baseUrl, token: () => 'nope' });
    await expect(wrongToken.signer(ref).signAttributes(Buffer.from([0x31, 0]), 'sha256')).rejects.toMatchObject({ status: 401 });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = new RemoteKeystore({ baseUrl: `http://127.0.0.1:${port}`, token: () => TOKEN, timeoutMs: 2000 });
    const error = await unreachable.signer(ref).signAttributes(Buffer.from([0x31, 0]), 'sha256').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteKeystoreError);
    expect(error).toMatchObject({ status: 0, code: 'KEYSTORE_UNREACHABLE' });
  });
});
