import { createHash, X509Certificate } from 'node:crypto';
import { Readable } from 'node:stream';
import { issueTestCertificate, testChain } from '@as2-partners/certificate-lifecycle-testing';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { opensslWorkspace } from '../keys/our-keys-api.spec-support';
import { API_TIMESTAMP, CERTIFICATE_ID, certificateApiAs, createPartner, freshTenant, multipartBody, type CertificateApi } from './certificate-api.spec-support';

const DAY = 86_400_000;

describe('certificate store (embedded, through the API)', () => {
  let t: EmbeddedTestApp;
  let api: CertificateApi;
  let tenant: string;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
  });
  afterAll(() => t?.close());
  beforeEach(() => {
    tenant = freshTenant();
    api = certificateApiAs(t, { tenant });
  });

  it('uploads a PEM certificate to a partner (multipart), returns the seed fields, fills the empty slot, and the partner details show it', async () => {
    const partnerId = await createPartner(api);
    const cert = issueTestCertificate({ commonName: 'Acme Corp AS2', organization: 'Acme Corporation' });
    const res = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'Acme Encryption', usage: 'encryption' }, cert.pem);
    expect(res.status).toBe(201);
    expect(res.body.message).toEqual(expect.any(String));
    const data = res.body.data;
    const x509 = new X509Certificate(cert.pem);
    expect(data).toMatchObject({
      name: 'Acme Encryption',
      usage: 'encryption',
      type: 'partner',
      subject: 'CN=Acme Corp AS2, O=Acme Corporation',
      key_algorithm: 'RSA',
      key_size: 2048,
      self_signed: true,
      active: true,
      partner_ids: [partnerId],
      fingerprint_sha256: createHash('sha256').update(x509.raw).digest('hex'),
      fingerprint_sha1: createHash('sha1').update(x509.raw).digest('hex'),
      chain: [],
    });
    expect(data.id).toMatch(CERTIFICATE_ID);
    expect(data.expires_at).toMatch(API_TIMESTAMP);
    expect(data.created_at).toMatch(API_TIMESTAMP);
    expect(JSON.stringify(res.body)).not.toContain('PRIVATE KEY');

    const slots = await api.get(`/v1/partners/${partnerId}/certificate-slots`);
    expect(slots.status).toBe(200);
    expect(slots.body.data.encryption.current.id).toBe(data.id);
    expect(slots.body.data.signature).toMatchObject({ use_different: false, backup: null });
    expect(slots.body.data.signature.current.id).toBe(data.id);
    expect(slots.body.data.tls).toMatchObject({ current: null, backup: null });

    const partner = await api.get(`/v1/partners/${partnerId}`);
    expect(partner.body.data.certificates).toEqual([
      expect.objectContaining({ id: data.id, name: 'Acme Encryption', type: 'partner', usage: 'encryption', subject: data.subject, active: true, expires_at: data.expires_at, created_at: data.created_at }),
    ]);
  });

  it('accepts DER and a PEM bundle given out of order, and reports the chain leaf-issuer first', async () => {
    const der = issueTestCertificate({ commonName: 'DER Partner' });
    const derRes = await api.upload('/v1/certificates', { name: 'der', usage: 'signing' }, der.der, 'partner.cer');
    expect(derRes.status).toBe(201);
    const chain = testChain();
    const shuffled = [chain.root.pem, chain.leaf.pem, ...chain.intermediates.map((c) => c.pem)].join('');
    const bundle = await api.upload('/v1/certificates', { name: 'bundle', usage: 'both' }, shuffled);
    expect(bundle.status).toBe(201);
    expect(bundle.body.data.chain.map((c: { fingerprint_sha256: string }) => c.fingerprint_sha256)).toEqual(
      [...chain.intermediates, chain.root].map((c) => createHash('sha256').update(c.der).digest('hex')),
    );
  });

  it('shows a negative serial as OpenSSL does, apart from the positive serial of the same bytes (-256 and 65280 both end in ff00)', async () => {
    const openssl = opensslWorkspace();
    try {
      for (const [serial, shown] of [['-256', '-0100'], ['65280', 'ff00']]) {
        openssl.run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', openssl.path('k.pem'), '-out', openssl.path('c.pem'), '-days', '30', '-subj', `/CN=Serial ${serial}`, '-set_serial', serial);
        expect(openssl.run('x509', '-noout', '-serial', '-in', openssl.path('c.pem')).toString().trim().toLowerCase()).toBe(`serial=${shown}`);
        const stored = await api.post('/v1/certificates', { name: `serial ${serial}`, usage: 'both', certificate: openssl.read('c.pem').toString() });
        expect(stored.status).toBe(201);
        expect(stored.body.data.serial).toBe(shown);
        expect((await api.get(`/v1/certificates/${stored.body.data.id}`)).body.data.serial).toBe(shown);
      }
    } finally {
      openssl.close();
    }
  });

  it.each([
    ['not a certificate', Buffer.from('hello world'), 'INVALID_CERTIFICATE'],
    ['a private key', Buffer.from(issueTestCertificate().privateKeyPem), 'PRIVATE_KEY_NOT_ALLOWED'],
    ['trailing garbage', Buffer.concat([issueTestCertificate().der, Buffer.from([1, 2, 3])]), 'CERTIFICATE_TRAILING_DATA'],
    ['a file larger than a certificate can be', Buffer.alloc(300 * 1024, 0x41), 'CERTIFICATE_TOO_LARGE'],
  ])('rejects %s with a coded 422 and stores nothing', async (_what, content, code) => {
    const res = await api.upload('/v1/certificates', { name: 'bad', usage: 'encryption' }, content);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe(code);
    expect(JSON.stringify(res.body)).not.toContain('PRIVATE KEY-----');
    expect((await api.get('/v1/certificates')).body.pagination.total).toBe(0);
  });

  it('refuses an upload whose body is over BODY_LIMIT_BYTES with 413 PAYLOAD_TOO_LARGE, as a JSON body that large, and stores nothing', async () => {
    const res = await api.upload('/v1/certificates', { name: 'huge', usage: 'encryption' }, Buffer.alloc(2 * 1024 * 1024, 0x41));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ message: 'The request body is too large.', error: { type: 'invalid_request_error', code: 'PAYLOAD_TOO_LARGE' } });
    expect((await api.get('/v1/certificates')).body.pagination.total).toBe(0);
  });

  it('refuses a file past the upload limit sent chunked (no Content-Length to refuse it by): in the reader\'s words within the body limit, 413 past it as a declared one', async () => {
    const send = (size: number) => {
      const body = multipartBody({ name: 'chunked', usage: 'encryption' }, { field: 'certificate', filename: 'huge.pem', content: Buffer.alloc(size, 0x41) });
      return t.app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${t.token({ tenant })}`, 'content-type': body.contentType }, payload: Readable.from([body.payload]) });
    };
    const pastReader = await send(300 * 1024);
    expect(pastReader.headers['content-type']).toMatch(/json/);
    expect({ status: pastReader.statusCode, body: pastReader.json() }).toEqual({
      status: 422,
      body: { message: 'Validation failed', errors: { certificate: ['The upload is larger than 262144 bytes'] }, error: { type: 'validation_error', code: 'CERTIFICATE_TOO_LARGE', details: { max_bytes: 262144 } } },
    });
    // Read whole before its parts are: past BODY_LIMIT_BYTES (1 MiB here) it is the 413 a body declaring that much gets.
    const pastBody = await send(2 * 1024 * 1024);
    expect({ status: pastBody.statusCode, code: pastBody.json().error.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect((await api.get('/v1/certificates')).body.pagination.total).toBe(0);
  });

  it("states in the OpenAPI document the upload limit the reader applies", async () => {
    const openapi = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    const upload = openapi.paths['/v1/certificates'].post.requestBody.content['multipart/form-data'].schema;
    const stated = /at most (\d+) KiB/.exec(upload.properties.certificate.description);
    expect(Number(stated?.[1]) * 1024).toBe(262_144);
  });

  it('rejects an RSA key too small for the partner signing algorithm (2048 for SHA256withRSA, 1024 for SHA1withRSA)', async () => {
    const small = issueTestCertificate({ keyBits: 1024 });
    const sha256Partner = await createPartner(api, { sign: true, sign_algorithm: 'SHA256withRSA' });
    const res = await api.upload(`/v1/partners/${sha256Partner}/certificates`, { name: 'small', usage: 'signing' }, small.pem);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CERTIFICATE_KEY_TOO_SMALL');
    const sha1Partner = await createPartner(api, { sign: true, sign_algorithm: 'SHA1withRSA' });
    expect((await api.upload(`/v1/partners/${sha1Partner}/certificates`, { name: 'small', usage: 'signing' }, small.pem)).status).toBe(201);
  });

  it('validates the form fields', async () => {
    const cert = issueTestCertificate();
    const res = await api.upload('/v1/certificates', { name: '', usage: 'decoration' }, cert.pem);
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['name', 'usage']);
    // 255 characters as users count them: 255 emoji fit (510 UTF-16 units), 256 do not.
    expect((await api.upload('/v1/certificates', { name: '😀'.repeat(255), usage: 'both' }, cert.pem)).status).toBe(201);
    const long = await api.upload('/v1/certificates', { name: '😀'.repeat(256), usage: 'both' }, cert.pem);
    expect(long.status).toBe(422);
    expect(long.body.errors).toEqual({ name: ['The name may not be greater than 255 characters'] });
    // No control characters, as a partner's name: a form's and a JSON body's alike.
    const controls = ['a\nb', 'red \u001b[31m', 'a\u0085b'];
    for (const name of controls) {
      const refused = await api.upload('/v1/certificates', { name, usage: 'both' }, cert.pem);
      expect([name, refused.status, refused.body.errors]).toEqual([name, 422, { name: ['The name must not contain control characters (line breaks, tabs, NUL)'] }]);
    }
    const json = await api.post('/v1/certificates', { name: 'a\tb', usage: 'both', certificate: cert.pem });
    expect([json.status, json.body.errors]).toEqual([422, { name: ['The name must not contain control characters (line breaks, tabs, NUL)'] }]);
  });

  it('lists with filters and pagination, gets, and refuses deleting a certificate in use', async () => {
    const partnerId = await createPartner(api);
    const inUse = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'enc', usage: 'encryption' }, issueTestCertificate().pem);
    const soon = await api.upload('/v1/certificates', { name: 'tls soon', usage: 'tls' }, issueTestCertificate({ notAfter: new Date(Date.now() + 5 * DAY) }).pem);
    expect(soon.status).toBe(201);
    const all = await api.get('/v1/certificates?per_page=1');
    expect(all.body.pagination).toMatchObject({ total: 2, per_page: 1, last_page: 2 });
    expect((await api.get('/v1/certificates?usage=tls')).body.data.map((c: { id: string }) => c.id)).toEqual([soon.body.data.id]);
    expect((await api.get(`/v1/certificates?partner_id=${partnerId}`)).body.data.map((c: { id: string }) => c.id)).toEqual([inUse.body.data.id]);
    const before = new Date(Date.now() + 10 * DAY).toISOString();
    expect((await api.get(`/v1/certificates?expiring_before=${before}`)).body.data.map((c: { id: string }) => c.id)).toEqual([soon.body.data.id]);
    expect((await api.get(`/v1/certificates?expiring_before=${before.slice(0, 10)}`)).body.data.map((c: { id: string }) => c.id)).toEqual([soon.body.data.id]);
    // RFC 3339's lowercase 't' and 'z', as the documented pattern takes them
    expect((await api.get(`/v1/certificates?expiring_before=${before.toLowerCase()}`)).body.data.map((c: { id: string }) => c.id)).toEqual([soon.body.data.id]);
    // The bound is exclusive, to the microsecond the API's timestamps have.
    const expiresAt = soon.body.data.expires_at as string;
    expect((await api.get(`/v1/certificates?expiring_before=${expiresAt}`)).body.data).toEqual([]);
    expect((await api.get(`/v1/certificates?expiring_before=${expiresAt.replace(/\.\d{6}Z$/, '.000999Z')}`)).body.data.map((c: { id: string }) => c.id)).toEqual([soon.body.data.id]);
    // A bound past the year 9999 (its ISO text "+010000-…"): every certificate is before it.
    for (const late of ['9999-12-31T23:59:59.9991Z', '9999-12-31T23:59-01:00']) expect((await api.get(`/v1/certificates?expiring_before=${encodeURIComponent(late)}`)).body.pagination.total).toBe(2);
    // ISO 8601 forms a Date cannot read: the format refused, not a 500.
    for (const form of ['20270101', '20270101T000000Z', '2027-W01', '2027-01-01T10', '2027-01-01T00:00:00,5Z', '2027-13-01']) {
      const refused = await api.get(`/v1/certificates?expiring_before=${encodeURIComponent(form)}`);
      expect([form, refused.status, refused.body.error?.code]).toEqual([form, 422, 'VALIDATION_FAILED']);
    }
    expect((await api.get(`/v1/partners/${partnerId}/certificates`)).body.data).toHaveLength(1);

    const usage = await api.get(`/v1/certificates/${inUse.body.data.id}/usage`);
    expect(usage.body.data.used_by).toEqual(
      expect.arrayContaining([
        { partner_id: partnerId, slot: 'encryption', role: 'current' },
        { partner_id: partnerId, slot: 'signature', role: 'current' },
      ]),
    );
    const refused = await api.delete(`/v1/certificates/${inUse.body.data.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CERTIFICATE_IN_USE');
    expect((await api.delete(`/v1/certificates/${soon.body.data.id}`)).status).toBe(200);
    expect((await api.get(`/v1/certificates/${soon.body.data.id}`)).status).toBe(404);
  });

  it('a delete racing an assignment of the same certificate: one of them is refused, never a slot holding a deleted certificate', async () => {
    const partnerId = await createPartner(api);
    const cert = issueTestCertificate();
    for (let round = 0; round < 16; round++) {
      const stored = await api.upload('/v1/certificates', { name: `race ${round}`, usage: 'both' }, cert.pem);
      expect(stored.status).toBe(201);
      const id = stored.body.data.id as string;
      // The second request a little later each round (0-3 ms, then the other way round), as the race needs.
      const later = <T>(ms: number, request: () => Promise<T>) => new Promise<T>((resolve, reject) => setTimeout(() => request().then(resolve, reject), ms));
      const [deleted, assigned] = await Promise.all([
        later(round < 8 ? 0 : round % 4, () => api.delete(`/v1/certificates/${id}`)),
        later(round < 8 ? round % 4 : 0, () => api.put(`/v1/partners/${partnerId}/certificate-slots/encryption`, { certificate_id: id })),
      ]);
      const slots = (await api.get(`/v1/partners/${partnerId}/certificate-slots`)).body.data;
      const outcome = { round, deleted: deleted.status, assigned: assigned.status };
      if (deleted.status === 200) {
        expect({ ...outcome, assignedCode: assigned.body.error?.code }).toEqual({ ...outcome, assigned: 404, assignedCode: 'CERTIFICATE_NOT_FOUND' });
        expect(JSON.stringify(slots)).not.toContain(id);
      } else {
        expect({ ...outcome, deletedCode: deleted.body.error?.code }).toEqual({ ...outcome, deleted: 409, assigned: 200, deletedCode: 'CERTIFICATE_IN_USE' });
        expect((await api.get(`/v1/certificates/${id}`)).status).toBe(200);
      }
    }
  });

  it('emits one expiring notice at upload when a threshold is already crossed', async () => {
    const res = await api.upload('/v1/certificates', { name: 'soon', usage: 'encryption' }, issueTestCertificate({ notAfter: new Date(Date.now() + 10 * DAY) }).pem);
    expect(res.body.data.expiry_notice_days).toBe(14);
    // Raised by the evaluator (as on its schedule), caused by the upload's request (its correlation kept).
    const events = await t.app.get<EventStore>(EVENT_STORE).readStream(`certificate-${res.body.data.id}`);
    const [uploaded, notice] = [events.find((e) => e.type === 'certificate.uploaded.v1'), events.find((e) => e.type === 'certificate.expiring.v1')];
    expect([uploaded?.metadata.actor.type, notice?.metadata.actor, notice?.metadata.correlationId]).toEqual(['user', { type: 'system', id: 'expiry-evaluator' }, uploaded?.metadata.correlationId]);
  });

  it('enforces the plan limit with 402 and the seed details (free: 10)', async () => {
    const cert = issueTestCertificate();
    for (let i = 0; i < 10; i++) expect((await api.upload('/v1/certificates', { name: `c${i}`, usage: 'encryption' }, cert.pem)).status).toBe(201);
    const res = await api.upload('/v1/certificates', { name: 'c11', usage: 'encryption' }, cert.pem);
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'CERTIFICATE_LIMIT_EXCEEDED', details: { plan_limit: 10, plan: 'free' } });
  });

  it("keeps tenants apart: no upload to another tenant's partner, no reading its certificates", async () => {
    const partnerId = await createPartner(api);
    const own = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'enc', usage: 'encryption' }, issueTestCertificate().pem);
    const other = certificateApiAs(t, { tenant: freshTenant() });
    expect((await other.upload(`/v1/partners/${partnerId}/certificates`, { name: 'x', usage: 'encryption' }, issueTestCertificate().pem)).status).toBe(404);
    expect((await other.get(`/v1/certificates/${own.body.data.id}`)).status).toBe(404);
    expect((await other.get(`/v1/partners/${partnerId}/certificate-slots`)).status).toBe(404);
    expect((await other.delete(`/v1/certificates/${own.body.data.id}`)).status).toBe(404);
  });

  it("makes a deleted partner's certificates inactive", async () => {
    const partnerId = await createPartner(api);
    const up = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'enc', usage: 'encryption' }, issueTestCertificate().pem);
    expect((await api.delete(`/v1/partners/${partnerId}`)).status).toBe(200);
    const after = await api.get(`/v1/certificates/${up.body.data.id}`);
    expect(after.body.data.active).toBe(false);
  });
});
