import { createPublicKey } from 'node:crypto';
import { SEALED_KEYS_COLLECTION } from '@as2-partners/certificate-lifecycle-service';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { EVENT_STORE, SECRET_STORE, type EventStore, type SecretStore } from '@as2-partners/kernel';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, freshTenant, multipartBody, type CertificateApi } from '../certificates/certificate-api.spec-support';
import { KEY_ID, opensslWorkspace, publishInstanceEvent } from './our-keys-api.spec-support';

const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, { timeoutMs: 30_000, intervalMs: 50 });

describe('our keys (embedded, through the API)', () => {
  let t: EmbeddedTestApp;
  let api: CertificateApi;
  let tenant: string;
  const openssl = opensslWorkspace();
  const imported = openssl.identity('Imported', 'p12-pass');

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
  });
  afterAll(async () => {
    await t?.close();
    openssl.close();
  });
  beforeEach(() => {
    tenant = freshTenant();
    api = certificateApiAs(t, { tenant });
  });

  const generate = (alias: string, extra: Record<string, unknown> = {}) =>
    api.post('/v1/keys', { alias, generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Our AS2, O=Our Company', valid_days: 365, ...extra } });

  it('generates a key with a self-signed certificate, lists it, serves its certificate as PEM and DER, and a CSR openssl verifies', async () => {
    const created = await generate('our-main');
    expect(created.status).toBe(201);
    const key = created.body.data;
    expect(key).toMatchObject({ alias: 'our-main', status: 'current', usage: 'sign_and_decrypt', source: 'generated', key_algorithm: 'RSA', key_size: 2048, subject: 'CN=Our AS2, O=Our Company', self_signed: true, used_by: [] });
    expect(key.id).toMatch(KEY_ID);
    expect(JSON.stringify(created.body)).not.toMatch(/PRIVATE KEY|private_key|sealed/i);

    const list = await api.get('/v1/keys');
    expect(list.body.data.map((k: { id: string }) => k.id)).toEqual([key.id]);
    expect((await api.get(`/v1/keys/${key.id}`)).body.data.fingerprint_sha256).toBe(key.fingerprint_sha256);

    const authorization = `Bearer ${t.token({ tenant })}`;
    const pem = await t.app.inject({ method: 'GET', url: `/v1/keys/${key.id}/certificate`, headers: { authorization } });
    expect(pem.statusCode).toBe(200);
    expect(pem.headers['content-type']).toContain('application/x-pem-file');
    const printed = openssl.run('x509', '-noout', '-fingerprint', '-sha256', '-in', openssl.write('ours.pem', pem.body)).toString();
    expect(printed.replace(/.*=/, '').replace(/[:\s]/g, '').toLowerCase()).toBe(key.fingerprint_sha256);
    const der = await t.app.inject({ method: 'GET', url: `/v1/keys/${key.id}/certificate`, headers: { authorization, accept: 'application/pkix-cert' } });
    expect(der.headers['content-type']).toContain('application/pkix-cert');
    expect(openssl.run('x509', '-inform', 'DER', '-noout', '-subject', '-in', openssl.write('ours.cer', der.rawPayload)).toString()).toContain('CN = Our AS2');
    // q-values count: DER named first but with a lower q than PEM gives PEM.
    const lowDer = await t.app.inject({ method: 'GET', url: `/v1/keys/${key.id}/certificate`, headers: { authorization, accept: 'application/pkix-cert;q=0.1, application/x-pem-file' } });
    expect(lowDer.headers['content-type']).toContain('application/x-pem-file');

    const csr = await api.post(`/v1/keys/${key.id}/csr`, {});
    expect(csr.status).toBe(200);
    // The body is optional; a null subject is no subject (422), not the default.
    expect((await t.app.inject({ method: 'POST', url: `/v1/keys/${key.id}/csr`, headers: { authorization } })).statusCode).toBe(200);
    expect((await api.post(`/v1/keys/${key.id}/csr`, { subject: null })).status).toBe(422);
    // An empty subject takes the certificate's, and the answer says so.
    const empty = await api.post(`/v1/keys/${key.id}/csr`, { subject: '' });
    expect(empty.body.data.subject).toBe(csr.body.data.subject);
    openssl.write('ours.csr', csr.body.data.csr);
    expect(openssl.run('req', '-verify', '-noout', '-subject', '-in', openssl.path('ours.csr')).toString()).toContain('CN = Our AS2');
    const csrKey = openssl.run('req', '-noout', '-pubkey', '-in', openssl.path('ours.csr')).toString();
    expect(createPublicKey(csrKey).export({ format: 'der', type: 'spki' })).toEqual(createPublicKey(pem.body).export({ format: 'der', type: 'spki' }));
    const renamed = await t.app.inject({ method: 'POST', url: `/v1/keys/${key.id}/csr`, headers: { authorization, accept: 'application/pkcs10' }, payload: { subject: 'CN=Renewed AS2, O=Our Company' } });
    expect(renamed.headers['content-type']).toContain('application/pkcs10');
    const jsonPreferred = await t.app.inject({ method: 'POST', url: `/v1/keys/${key.id}/csr`, headers: { authorization, accept: 'application/pkcs10;q=0.1, application/json' }, payload: {} });
    expect(jsonPreferred.headers['content-type']).toContain('application/json');
    expect(openssl.run('req', '-verify', '-noout', '-subject', '-in', openssl.write('renewed.csr', renamed.body)).toString()).toContain('CN = Renewed AS2');
    // Beyond PrintableString: UTF8String (an email address IA5String), which openssl reads back as written.
    const unicode = await api.post(`/v1/keys/${key.id}/csr`, { subject: 'CN=as2_gw, O=AT&T Üñí 日本, E=as2@our.example' });
    expect(unicode.status).toBe(200);
    const unicodeSubject = openssl.run('req', '-verify', '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus', '-in', openssl.write('unicode.csr', unicode.body.data.csr));
    expect(unicodeSubject.toString('utf8')).toContain('subject=emailAddress=as2@our.example,O=AT&T Üñí 日本,CN=as2_gw');
    const nonAsciiEmail = await api.post(`/v1/keys/${key.id}/csr`, { subject: 'CN=Our AS2, E=jürgen@our.example' });
    expect([nonAsciiEmail.status, nonAsciiEmail.body.error.code, Object.keys(nonAsciiEmail.body.errors)]).toEqual([422, 'INVALID_SUBJECT', ['subject']]);
  });

  it('generates a key for an RFC 4514 subject (escapes, hex pairs, a multi-valued RDN); its CSRs carry such subjects as openssl reads them', async () => {
    const created = await generate('rfc4514', { subject: 'CN=Our AS2\\2C Inc.+OU=Caf\\C3\\A9, O=A\\+B\\; C, C=US' });
    expect(created.status).toBe(201);
    const key = created.body.data;
    expect(key.subject).toBe('OU=Café+CN=Our AS2\\, Inc., O=A\\+B\\; C, C=US');
    const rfc2253 = (kind: 'x509' | 'req', file: string) => openssl.run(kind, '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb', '-in', file).toString('utf8').trim();
    const certificate = openssl.write('rfc4514.pem', (await t.app.inject({ method: 'GET', url: `/v1/keys/${key.id}/certificate`, headers: { authorization: `Bearer ${t.token({ tenant })}` } })).body);
    // openssl's RFC 2253 form lists every attribute last-in-DER first: the SET holds OU (the shorter encoding) before CN.
    expect(rfc2253('x509', certificate)).toBe('subject=CN=Our AS2\\, Inc.+OU=Café,O=A\\+B\\; C,C=US');
    const copied = await api.post(`/v1/keys/${key.id}/csr`, {});
    expect(rfc2253('req', openssl.write('rfc4514-copied.csr', copied.body.data.csr))).toBe(rfc2253('x509', certificate));
    const renamed = await api.post(`/v1/keys/${key.id}/csr`, { subject: 'CN=a+O=b, C=US' });
    expect(openssl.run('req', '-verify', '-noout', '-in', openssl.write('rfc4514-renamed.csr', renamed.body.data.csr)).toString()).toBe('');
    expect(rfc2253('req', openssl.path('rfc4514-renamed.csr'))).toBe('subject=O=b+CN=a,C=US');
    // What RFC 4514 escapes in a value, unescaped (a ';' is an RDN separator to RFC 2253's readers): refused, not taken into the value
    for (const subject of ['CN=a\\x', 'CN=\\C3', 'CN=a+CN=b', 'CN=#0c0161', 'CN=Acme; O=Acme Corp', 'CN=a<b>c', 'CN=say "hi"', 'CN=a>']) {
      const refused = await api.post(`/v1/keys/${key.id}/csr`, { subject });
      expect([subject, refused.status, refused.body.error.code]).toEqual([subject, 422, 'INVALID_SUBJECT']);
    }
    // escaped, they are the value's
    const escaped = await api.post(`/v1/keys/${key.id}/csr`, { subject: 'CN=Acme\\; O=x \\<y\\> \\"z\\"' });
    expect(rfc2253('req', openssl.write('rfc4514-escaped.csr', escaped.body.data.csr))).toBe('subject=CN=Acme\\; O=x \\<y\\> \\"z\\"');
  });

  it('imports a PKCS#12 file (JSON base64 and multipart) and a PEM key with its certificate', async () => {
    const json = await api.post('/v1/keys', { alias: 'p12-json', pkcs12: imported.p12.toString('base64'), password: 'p12-pass' });
    expect(json.status).toBe(201);
    expect(json.body.data).toMatchObject({ alias: 'p12-json', source: 'pkcs12', subject: 'O=Our Company, CN=Imported' });

    const form = multipartBody({ alias: 'p12-multipart', password: 'p12-pass' }, { field: 'pkcs12', filename: 'ours.p12', content: imported.p12 });
    const multipart = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: { authorization: `Bearer ${t.token({ tenant })}`, 'content-type': form.contentType }, payload: form.payload });
    expect(multipart.statusCode).toBe(201);
    expect(multipart.json().data.fingerprint_sha256).toBe(json.body.data.fingerprint_sha256);
    // With an Idempotency-Key the form is read before the route reads its parts: the route reads the same ones, and a
    // retry (a new boundary) answers the first import again.
    const keyed = async () => {
      const sent = multipartBody({ alias: 'p12-keyed', password: 'p12-pass' }, { field: 'pkcs12', filename: 'ours.p12', content: imported.p12 });
      const headers = { authorization: `Bearer ${t.token({ tenant })}`, 'content-type': sent.contentType, 'idempotency-key': 'p12-keyed-import' };
      return t.app.inject({ method: 'POST', url: '/v1/keys', headers, payload: sent.payload });
    };
    const [firstKeyed, retriedKeyed] = [await keyed(), await keyed()];
    expect([firstKeyed.statusCode, firstKeyed.json().data.alias, firstKeyed.json().data.fingerprint_sha256]).toEqual([201, 'p12-keyed', json.body.data.fingerprint_sha256]);
    expect([retriedKeyed.statusCode, retriedKeyed.headers['idempotent-replayed'], retriedKeyed.json().data.id]).toEqual([201, 'true', firstKeyed.json().data.id]);
    // Two pkcs12 files name no one key: refused, not the last one imported.
    const twice = multipartBody({ alias: 'p12-twice', password: 'p12-pass' }, { field: 'pkcs12', filename: 'a.p12', content: imported.p12 });
    const second = multipartBody({}, { field: 'pkcs12', filename: 'b.p12', content: imported.p12 });
    const boundary = twice.contentType.split('boundary=')[1] as string;
    const secondBoundary = second.contentType.split('boundary=')[1] as string;
    const doubled = Buffer.concat([twice.payload.subarray(0, twice.payload.length - `--${boundary}--\r\n`.length), Buffer.from(second.payload.toString('binary').replaceAll(secondBoundary, boundary), 'binary')]);
    const refused = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: { authorization: `Bearer ${t.token({ tenant })}`, 'content-type': twice.contentType }, payload: doubled });
    expect([refused.statusCode, refused.json().errors]).toEqual([422, { pkcs12: ['The pkcs12 field may be sent only once'] }]);
    expect((await api.get('/v1/keys')).body.data.map((key: { alias: string }) => key.alias)).not.toContain('p12-twice');

    const pem = await api.post('/v1/keys', { alias: 'pem-import', private_key: imported.keyPem, certificate: imported.certificatePem });
    expect(pem.status).toBe(201);
    expect(pem.body.data).toMatchObject({ source: 'pem', fingerprint_sha256: json.body.data.fingerprint_sha256 });
  });

  it('refuses a duplicate alias, a wrong password, garbage and oversized PKCS#12 files, and a key not matching its certificate', async () => {
    expect((await generate('dup')).status).toBe(201);
    const dup = await generate('dup');
    expect([dup.status, dup.body.error.code]).toEqual([422, 'DUPLICATE_KEY_ALIAS']);
    // A certificate beside generate would be dropped unseen: refused, whatever its value.
    for (const certificate of [imported.certificatePem, { evil: true }, [], 123]) {
      const spec = { algorithm: 'RSA', key_size: 2048, subject: 'CN=With Certificate', valid_days: 30 };
      const mixed = await api.post('/v1/keys', { alias: 'with-certificate', generate: spec, certificate });
      expect([mixed.status, mixed.body.error?.code, Object.keys(mixed.body.errors ?? {})]).toEqual([422, 'VALIDATION_FAILED', ['certificate']]);
    }
    expect((await api.get('/v1/keys')).body.data.map((key: { alias: string }) => key.alias)).not.toContain('with-certificate');
    const wrong = await api.post('/v1/keys', { alias: 'wrong', pkcs12: imported.p12.toString('base64'), password: 'nope' });
    expect([wrong.status, wrong.body.error.code]).toEqual([422, 'WRONG_PASSWORD']);
    expect(JSON.stringify(wrong.body)).not.toContain('nope');
    const garbage = await api.post('/v1/keys', { alias: 'garbage', pkcs12: Buffer.from('0\u0082garbage garbage').toString('base64'), password: 'x' });
    expect([garbage.status, garbage.body.error.code]).toEqual([422, 'INVALID_PKCS12']);
    // A run of spaces before a character base64 has not: refused at once (a pattern that backtracked took 8.6 s at 60,000
    // spaces and grew with their square; 300,000 would hold the event loop for minutes, past this spec's timeout).
    const spaced = await api.post('/v1/keys', { alias: 'spaced', pkcs12: `${' '.repeat(300_000)}!`, password: 'x' });
    expect([spaced.status, spaced.body.error.code, Object.keys(spaced.body.errors)]).toEqual([422, 'VALIDATION_FAILED', ['pkcs12']]);
    const wrapped = await api.post('/v1/keys', { alias: 'wrapped', pkcs12: `${imported.p12.toString('base64').replace(/.{64}/g, '$&\r\n')}\n`, password: 'nope' });
    expect([wrapped.status, wrapped.body.error.code]).toEqual([422, 'WRONG_PASSWORD']);
    const huge = await api.post('/v1/keys', { alias: 'huge', pkcs12: Buffer.alloc(200_000, 0x30).toString('base64'), password: 'x' });
    expect([huge.status, huge.body.error.code]).toEqual([422, 'KEY_FILE_TOO_LARGE']);
    const other = openssl.identity('Other', 'x');
    const mismatch = await api.post('/v1/keys', { alias: 'mismatch', private_key: other.keyPem, certificate: imported.certificatePem });
    expect([mismatch.status, mismatch.body.error.code]).toEqual([422, 'KEY_CERTIFICATE_MISMATCH']);
    expect((await api.get('/v1/keys')).body.data.map((k: { alias: string }) => k.alias)).toEqual(['dup']);
  });

  it('refuses to import a key whose certificate is not valid now (it would be current at once), and stores nothing', async () => {
    const day = 86_400_000;
    const expired = issueTestCertificate({ commonName: 'Expired', notBefore: new Date(Date.now() - 60 * day), notAfter: new Date(Date.now() - day) });
    const later = issueTestCertificate({ commonName: 'Later', notBefore: new Date(Date.now() + 30 * day), notAfter: new Date(Date.now() + 400 * day) });
    for (const [alias, issued, code] of [['expired', expired, 'CERTIFICATE_EXPIRED'], ['later', later, 'CERTIFICATE_NOT_YET_VALID']] as const) {
      const refused = await api.post('/v1/keys', { alias, private_key: issued.privateKeyPem, certificate: issued.pem });
      expect([alias, refused.status, refused.body.error?.code, Object.keys(refused.body.errors ?? {})]).toEqual([alias, 422, code, ['certificate']]);
    }
    expect((await api.get('/v1/keys')).body.data).toEqual([]);
    // every sealed blob made for them destroyed
    expect(await t.app.get<SecretStore>(SECRET_STORE).collection(SEALED_KEYS_COLLECTION).find({ account: 'test-account', tenant })).toEqual([]);
  });

  it('keeps an alias unique under concurrent creates, and destroys the loser\'s sealed key', async () => {
    const body = { alias: 'raced', private_key: imported.keyPem, certificate: imported.certificatePem };
    const results = await Promise.all([api.post('/v1/keys', body), api.post('/v1/keys', body), api.post('/v1/keys', body)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 422, 422]);
    expect(results.filter((r) => r.status === 422).map((r) => r.body.error.code)).toEqual(['DUPLICATE_KEY_ALIAS', 'DUPLICATE_KEY_ALIAS']);
    expect((await api.get('/v1/keys?alias=raced')).body.data).toHaveLength(1);
    // Paged as every list: pages up to 1,000,000, past the end an empty one.
    expect([(await api.get('/v1/keys?page=1000000')).status, (await api.get('/v1/keys?page=1000000')).body.data]).toEqual([200, []]);
    expect((await api.get('/v1/keys?page=1000001')).body.errors).toEqual({ page: ['The page may not be greater than 1000000'] });
    const blobs = await t.app.get<SecretStore>(SECRET_STORE).collection(SEALED_KEYS_COLLECTION).find({ account: 'test-account', tenant });
    expect(blobs).toHaveLength(1);
  });

  it('refuses hostile and malformed bodies with 4xx', async () => {
    const cases: [unknown, number, string][] = [
      [{ alias: 'a', generate: { algorithm: 'RSA', key_size: 1024, subject: 'CN=x', valid_days: 1 } }, 422, 'generate.key_size'],
      [{ alias: 'a', generate: { algorithm: 'EC', key_size: 2048, subject: 'CN=x', valid_days: 1 } }, 422, 'generate.algorithm'],
      [{ alias: 'a', generate: { key_size: 2048, subject: 'CN=x', valid_days: 3651 } }, 422, 'generate.valid_days'],
      [{ alias: 'a', generate: { key_size: 2048, subject: 'CN=x', valid_days: 1, extra: 1 } }, 422, 'generate.extra'],
      [{ alias: 'a', generate: 'yes' }, 422, 'generate'],
      [{ alias: 'a' }, 422, 'generate'],
      [{ alias: 'a', generate: { key_size: 2048, subject: 'CN=x', valid_days: 1 }, pkcs12: 'AAAA', password: '' }, 422, 'generate'],
      [{ alias: 'a', pkcs12: 'not base64 !!', password: 'x' }, 422, 'pkcs12'],
      [{ alias: 'a', pkcs12: 'AAAA' }, 422, 'password'],
      [{ alias: 'a', private_key: 'x' }, 422, 'certificate'],
      [{ alias: 'a', foo: 1, generate: { key_size: 2048, subject: 'CN=x', valid_days: 1 } }, 422, 'foo'],
      [{ alias: 'a', activate_at: '2030-01-01T00:00:00Z', generate: { key_size: 2048, subject: 'CN=x', valid_days: 1 } }, 422, 'activate_at'],
      [[1, 2], 422, 'body'],
    ];
    // A generate spec without its size or its days is told they are required, not what values they take.
    const bare = await api.post('/v1/keys', { alias: 'a', generate: { subject: 'CN=x' } });
    expect([bare.status, bare.body.errors]).toEqual([422, { 'generate.key_size': ['The key size field is required'], 'generate.valid_days': ['The valid days field is required'] }]);
    for (const [body, status, field] of cases) {
      const res = await api.post('/v1/keys', body);
      expect({ body, status: res.status, fields: Object.keys(res.body.errors ?? res.body.error?.details ?? {}) }).toMatchObject({ status });
      expect(JSON.stringify(res.body)).toContain(field);
    }
    const multipart = async (fields: Record<string, string>, file?: { field: string; filename: string; content: Buffer }) => {
      const form = multipartBody(fields, file);
      const res = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: { authorization: `Bearer ${t.token({ tenant })}`, 'content-type': form.contentType }, payload: form.payload });
      return { status: res.statusCode, body: res.json() };
    };
    const hugeFile = await multipart({ alias: 'm1', password: 'x' }, { field: 'pkcs12', filename: 'huge.p12', content: Buffer.alloc(100_000, 0x30) });
    expect([hugeFile.status, hugeFile.body.error.code, Object.keys(hugeFile.body.errors ?? {})]).toEqual([422, 'KEY_FILE_TOO_LARGE', ['pkcs12']]);
    // Named by the file that is too large, whichever it is.
    for (const field of ['certificate', 'private_key']) {
      const huge = await multipart({ alias: `m-${field}` }, { field, filename: 'huge.pem', content: Buffer.alloc(100_000, 0x41) });
      expect([field, huge.status, huge.body.error.code, Object.keys(huge.body.errors ?? {})]).toEqual([field, 422, 'KEY_FILE_TOO_LARGE', [field]]);
    }
    // A file no field takes, too large as well: refused as not allowed, not as another field's file too large.
    const hugeUnknown = await multipart({ alias: 'm-unknown', password: 'x' }, { field: 'attachment', filename: 'huge.bin', content: Buffer.alloc(100_000, 0x41) });
    expect([hugeUnknown.status, hugeUnknown.body.error.code, hugeUnknown.body.errors]).toEqual([422, 'VALIDATION_FAILED', { attachment: ['The attachment field is not allowed'] }]);
    const unknownField = await multipart({ alias: 'm2', password: 'x', colour: 'red' }, { field: 'pkcs12', filename: 'a.p12', content: imported.p12 });
    expect(unknownField.status).toBe(422);
    expect(JSON.stringify(unknownField.body)).toContain('colour');
    const nulField = await multipart({ alias: 'm\u00003', password: 'x' }, { field: 'pkcs12', filename: 'a.p12', content: imported.p12 });
    expect([nulField.status, nulField.body.error.code]).toEqual([422, 'INVALID_CHARACTERS']);
    const garbageFile = await multipart({ alias: 'm4', password: 'x' }, { field: 'pkcs12', filename: 'a.p12', content: Buffer.from([0x30, 0x82, 0xff, 0xff, 1, 2, 3]) });
    expect([garbageFile.status, garbageFile.body.error.code]).toEqual([422, 'INVALID_PKCS12']);
    const noFile = await multipart({ alias: 'm5', password: 'x' });
    expect(noFile.status).toBe(422);
    const badAlias = await generate('no spaces/allowed');
    expect([badAlias.status, badAlias.body.error.code]).toEqual([422, 'INVALID_KEY_ALIAS']);
    // URL dot-segments: /internal/v1/keys/{alias}/sign could never name such a key.
    for (const dots of ['.', '..']) expect([dots, (await generate(dots)).body.error?.code]).toEqual([dots, 'INVALID_KEY_ALIAS']);
    const badSubject = await generate('s', { subject: 'O=no common name' });
    // Keyed by its place in the body, as the generate block's other fields are (generate.key_size).
    expect([badSubject.status, badSubject.body.error.code, Object.keys(badSubject.body.errors)]).toEqual([422, 'INVALID_SUBJECT', ['generate.subject']]);
    const nul = await generate('n', { subject: 'CN=a\u0000b' });
    expect(nul.status).toBe(422);
    expect((await api.get('/v1/keys')).body.data).toEqual([]);
  });

  it('is tenant-scoped: another tenant, another account, a tenant_user, an account admin without tenant and no token', async () => {
    const key = (await generate('scoped')).body.data;
    const otherTenant = certificateApiAs(t, { tenant: freshTenant() });
    const otherAccount = certificateApiAs(t, { tenant, account: 'another-account' });
    for (const stranger of [otherTenant, otherAccount]) {
      expect((await stranger.get(`/v1/keys/${key.id}`)).status).toBe(404);
      expect((await stranger.get(`/v1/keys/${key.id}/certificate`)).status).toBe(404);
      expect((await stranger.post(`/v1/keys/${key.id}/csr`, {})).status).toBe(404);
      expect((await stranger.delete(`/v1/keys/${key.id}`)).status).toBe(404);
      expect((await stranger.get('/v1/keys')).body.data).toEqual([]);
      // The same alias is free in another keystore.
      expect((await stranger.post('/v1/keys', { alias: 'scoped', generate: { key_size: 2048, subject: 'CN=x', valid_days: 30 } })).status).toBe(201);
    }
    const reader = certificateApiAs(t, { tenant, roles: ['tenant_user'] });
    expect((await reader.get(`/v1/keys/${key.id}`)).status).toBe(200);
    expect((await reader.post('/v1/keys', { alias: 'r', generate: { key_size: 2048, subject: 'CN=x', valid_days: 30 } })).status).toBe(403);
    expect((await reader.post(`/v1/keys/${key.id}/csr`, {})).status).toBe(403);
    expect((await reader.delete(`/v1/keys/${key.id}`)).status).toBe(403);
    const accountAdmin = certificateApiAs(t, { tenant: null, roles: ['account_admin'] });
    expect((await accountAdmin.get('/v1/keys')).body.error.code).toBe('TENANT_REQUIRED');
    const gateway = certificateApiAs(t, { tenant, roles: ['gateway'] });
    expect((await gateway.get(`/v1/keys/${key.id}`)).status).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/keys' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/v1/keys', payload: { alias: 'x' } })).statusCode).toBe(401);
    expect((await api.get('/v1/keys/key_01JDUNKNOWN000000000000000')).body.error.code).toBe('KEY_NOT_FOUND');
  });

  it('refuses to delete a key while an AS2 instance uses its alias, and deletes it once the instance is gone', async () => {
    const key = (await generate('instance-alias')).body.data;
    const account = 'test-account';
    const instanceId = `ins_${tenant}`;
    await publishInstanceEvent(t, 'as2_instance.created.v1', { instanceId, account, tenant, myAs2Id: 'OUR-AS2', myName: 'Us', myAs2Alias: 'instance-alias', myEmail: 'as2@us.example', status: 'on', createdAt: new Date().toISOString() });
    await until('the instance to be known', async () => ((await api.get(`/v1/keys/${key.id}`)).body.data.used_by.length === 1 ? true : undefined));
    const refused = await api.delete(`/v1/keys/${key.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'KEY_IN_USE', details: { alias: 'instance-alias', used_by: [{ instance_id: instanceId, my_as2_id: 'OUR-AS2' }] } });
    expect((await api.get(`/v1/keys/${key.id}`)).body.data.used_by).toEqual([{ instance_id: instanceId, my_as2_id: 'OUR-AS2' }]);
    // Renaming the instance's alias frees the key; another tenant's instance naming the same alias does not pin it.
    await publishInstanceEvent(t, 'as2_instance.updated.v1', { instanceId, account, tenant, changes: { myAs2Alias: 'elsewhere' }, updatedAt: new Date().toISOString() });
    await publishInstanceEvent(t, 'as2_instance.created.v1', { instanceId: `${instanceId}-other`, account, tenant: freshTenant(), myAs2Id: 'THEM', myName: 'Them', myAs2Alias: 'instance-alias', myEmail: 'as2@them.example', status: 'on', createdAt: new Date().toISOString() });
    await until('the alias change to be known', async () => ((await api.get(`/v1/keys/${key.id}`)).body.data.used_by.length === 0 ? true : undefined));
    const deleted = await api.delete(`/v1/keys/${key.id}`);
    expect(deleted.body.message).toBe('Key deleted successfully');
    // Seed 002's deletion answer, as every registry route gives it.
    expect(deleted.body.data).toEqual({ id: key.id, deleted_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/) });
    expect((await api.get(`/v1/keys/${key.id}`)).status).toBe(404);
    expect((await generate('instance-alias')).status).toBe(201);
  });

  it('announces the expiry of our certificates (key.expiring.v1) once', async () => {
    const key = (await generate('short-lived', { valid_days: 5 })).body.data;
    expect(key.expiry_notice_days).toBe(7);
    const store = t.app.get<EventStore>(EVENT_STORE);
    const notices = (await store.readAll()).filter((e) => e.type === 'key.expiring.v1' && (e.data as { keyId: string }).keyId === key.id);
    expect(notices.map((e) => (e.data as { thresholdDays: number }).thresholdDays)).toEqual([7]);
  });

  it('shreds a deleted tenant\'s keys: key.deleted.v1 for each, and the sealed blobs destroyed', async () => {
    const admin = certificateApiAs(t, { tenant: null, roles: ['account_admin'] });
    const doomed = `doomed-${process.pid}`;
    expect((await admin.post('/v1/accounts/test-account/tenants', { id: doomed, name: 'Doomed', plan: 'starter' })).status).toBe(201);
    const doomedApi = certificateApiAs(t, { tenant: doomed });
    const key = (await doomedApi.post('/v1/keys', { alias: 'doomed', generate: { key_size: 2048, subject: 'CN=Doomed', valid_days: 30 } })).body.data;
    const store = t.app.get<EventStore>(EVENT_STORE);
    const created = (await store.readAll()).find((e) => e.type === 'key.created.v1' && (e.data as { keyId: string }).keyId === key.id)!;
    const blobId = (created.data as { sealedKey: { blobId: string } }).sealedKey.blobId;
    const blobs = t.app.get<SecretStore>(SECRET_STORE).collection(SEALED_KEYS_COLLECTION);
    expect(await blobs.get(blobId)).not.toBeNull();
    expect((await admin.delete(`/v1/accounts/test-account/tenants/${doomed}`)).status).toBe(200);
    const deleted = await until('the key to be shredded', async () =>
      (await store.readAll()).find((e) => e.type === 'key.deleted.v1' && (e.data as { keyId: string }).keyId === key.id),
    );
    expect(deleted.data).toMatchObject({ reason: 'tenant_deleted', role: 'current' });
    expect(await blobs.get(blobId)).toBeNull();
    expect((await doomedApi.get(`/v1/keys/${key.id}`)).body.error.code).toBe('TENANT_DELETED');
  });
});
