import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, createPartner, freshTenant, multipartBody, type CertificateApi } from './certificate-api.spec-support';

describe('hostile input on the certificate-lifecycle routes', () => {
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

  const send = (url: string, payload: string | Buffer, contentType: string) =>
    t.app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${t.token({ tenant })}`, 'content-type': contentType } });
  const certificateCount = async () => (await api.get('/v1/certificates')).body.pagination.total as number;

  describe('multipart uploads refuse unknown fields as JSON bodies do', () => {
    it.each(['/v1/certificates', 'partner'])('answers 422 naming each unknown field on %s, and stores nothing', async (route) => {
      const url = route === 'partner' ? `/v1/partners/${await createPartner(api)}/certificates` : route;
      const body = multipartBody({ name: 'Acme', usage: 'encryption', is_admin: 'true', tenant: 'someone-else' }, { field: 'certificate', filename: 'a.pem', content: issueTestCertificate().pem });
      const res = await send(url, body.payload, body.contentType);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ message: 'Validation failed', errors: { is_admin: ['The is_admin field is not allowed'], tenant: ['The tenant field is not allowed'] }, error: { type: 'validation_error', code: 'VALIDATION_FAILED' } });
      expect(await certificateCount()).toBe(0);
    });

    it('refuses an unknown file part too, and a form field named __proto__ (which the multipart reader itself refuses)', async () => {
      const extraFile = multipartBody({ name: 'Acme', usage: 'encryption' }, { field: 'attachment', filename: 'x.bin', content: Buffer.alloc(1000, 1) });
      const res = await send('/v1/certificates', extraFile.payload, extraFile.contentType);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual({ attachment: ['The attachment field is not allowed'] });
      const proto = multipartBody(Object.fromEntries([['name', 'Acme'], ['usage', 'encryption'], ['__proto__', 'x']]), { field: 'certificate', filename: 'a.pem', content: issueTestCertificate().pem });
      expect(proto.payload.toString()).toContain('name="__proto__"');
      const protoRes = await send('/v1/certificates', proto.payload, proto.contentType);
      expect(protoRes.statusCode).toBe(422);
      expect(protoRes.json()).toMatchObject({ message: 'Validation failed', errors: expect.any(Object) });
      expect(await certificateCount()).toBe(0);
    });

    it('refuses a field sent twice (two usages, two names) rather than taking the last one, on every upload route, and stores nothing', async () => {
      const partnerId = await createPartner(api);
      for (const url of ['/v1/certificates', `/v1/partners/${partnerId}/certificates`]) {
        for (const [field, first, second] of [['usage', 'both', 'tls'], ['name', 'first', 'second']]) {
          const body = multipartBody({ name: 'Twice', usage: 'encryption' }, { field: 'certificate', filename: 'a.pem', content: issueTestCertificate().pem });
          // The field again, after the others: what a form that repeats it sends.
          const boundary = body.contentType.split('boundary=')[1];
          const again = (value: string) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"\r\n\r\n${value}\r\n`);
          const payload = Buffer.concat([again(first), body.payload.subarray(0, body.payload.length - `--${boundary}--\r\n`.length), again(second), Buffer.from(`--${boundary}--\r\n`)]);
          const res = await send(url, payload, body.contentType);
          expect([url, field, res.statusCode, res.json().errors]).toEqual([url, field, 422, { [field]: [`The ${field} field may be sent only once`] }]);
        }
      }
      expect(await certificateCount()).toBe(0);
    });

    it('refuses unknown fields in the JSON form of the upload the same way', async () => {
      const res = await api.post('/v1/certificates', { name: 'Acme', usage: 'encryption', certificate: issueTestCertificate().pem, is_admin: true });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ message: 'Validation failed', errors: { is_admin: ['The is_admin field is not allowed'] }, error: { type: 'validation_error', code: 'VALIDATION_FAILED' } });
    });

    it('refuses a JSON field of another type than text under its name, on every upload route, and stores nothing', async () => {
      const pem = issueTestCertificate().pem;
      const partnerId = await createPartner(api);
      for (const url of ['/v1/certificates', `/v1/partners/${partnerId}/certificates`]) {
        // null too: the document does not make the type nullable, so a null is a wrong type, not the field left out.
        for (const type of [['own'], [], { a: 1 }, 12345, true, null]) {
          const res = await api.post(url, { name: 'Typed', usage: 'tls', type, certificate: pem });
          expect([url, type, res.status, res.body.error.code, res.body.errors]).toEqual([url, type, 422, 'VALIDATION_FAILED', { type: ['The type must be a string'] }]);
        }
        const wrongName = await api.post(url, { name: 42, usage: ['tls'], certificate: pem });
        expect([wrongName.status, wrongName.body.errors]).toEqual([422, { name: ['The name must be a string'], usage: ['The usage must be a string'] }]);
      }
      expect(await certificateCount()).toBe(0);
    });

    it("refuses type own on a partner's upload (a partner's certificate is the partner's), in both encodings, and takes type partner", async () => {
      const partnerId = await createPartner(api);
      const url = `/v1/partners/${partnerId}/certificates`;
      const json = await api.post(url, { name: 'Ours?', usage: 'tls', type: 'own', certificate: issueTestCertificate().pem });
      expect([json.status, Object.keys(json.body.errors)]).toEqual([422, ['type']]);
      const form = multipartBody({ name: 'Ours?', usage: 'tls', type: 'own' }, { field: 'certificate', filename: 'a.pem', content: issueTestCertificate().pem });
      const multipart = await send(url, form.payload, form.contentType);
      expect([multipart.statusCode, Object.keys(multipart.json().errors)]).toEqual([422, ['type']]);
      expect(await certificateCount()).toBe(0);
      const theirs = await api.post(url, { name: 'Theirs', usage: 'tls', type: 'partner', certificate: issueTestCertificate().pem });
      expect([theirs.status, theirs.body.data.type]).toEqual([201, 'partner']);
    });

    it('refuses NUL in a multipart text field, naming it', async () => {
      const body = multipartBody({ name: 'Acme\u0000Corp', usage: 'encryption' }, { field: 'certificate', filename: 'a.pem', content: issueTestCertificate().pem });
      const res = await send('/v1/certificates', body.payload, body.contentType);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({
        message: 'Validation failed',
        errors: { name: ['The field must not contain NUL characters or unpaired UTF-16 surrogates'] },
        error: { type: 'validation_error', code: 'INVALID_CHARACTERS' },
      });
    });

    it('refuses NUL in a text field sent as a file part (name, usage, type), and stores nothing', async () => {
      const boundary = '----as2testfilepart';
      const part = (name: string, value: string, filename?: string) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n${value}\r\n`;
      const payload = Buffer.from(`${part('name', 'Acme\u0000Corp', 'name.txt')}${part('usage', 'encryption')}${part('certificate', issueTestCertificate().pem)}--${boundary}--\r\n`);
      const res = await send('/v1/certificates', payload, `multipart/form-data; boundary=${boundary}`);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ errors: { name: [expect.any(String)] }, error: { code: 'INVALID_CHARACTERS' } });
      expect(await certificateCount()).toBe(0);
    });

    it('refuses a text part that is not UTF-8 (on the upload and key routes), a part without a name, and one named after an object property, naming them, and stores nothing', async () => {
      const boundary = '----as2testbytes';
      const part = (head: string, value: Buffer | string) => Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data${head}\r\n\r\n`), Buffer.from(value), Buffer.from('\r\n')]);
      const end = Buffer.from(`--${boundary}--\r\n`);
      const latin1 = Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0xff]);
      const certificate = part('; name="certificate"; filename="a.pem"', issueTestCertificate().pem);
      const answers = [];
      for (const payload of [
        Buffer.concat([part('; name="name"', latin1), part('; name="usage"', 'encryption'), certificate, end]),
        Buffer.concat([part('; name="name"; filename="n.txt"', latin1), part('; name="usage"', 'encryption'), part('; name="certificate"', issueTestCertificate().pem), end]),
        Buffer.concat([part('', 'x'), part('; name="name"', 'Acme'), part('; name="usage"', 'encryption'), certificate, end]),
        Buffer.concat([part('; name="constructor"', 'x'), part('; name="name"', 'Acme'), part('; name="usage"', 'encryption'), certificate, end]),
      ]) {
        const res = await send('/v1/certificates', payload, `multipart/form-data; boundary=${boundary}`);
        answers.push([res.statusCode, res.json().error.code, res.json().errors]);
      }
      const key = await send('/v1/keys', Buffer.concat([part('; name="alias"', latin1), part('; name="password"', 'x'), part('; name="pkcs12"; filename="k.p12"', Buffer.alloc(10)), end]), `multipart/form-data; boundary=${boundary}`);
      answers.push([key.statusCode, key.json().error.code, key.json().errors]);
      expect(answers).toEqual([
        [422, 'INVALID_CHARACTERS', { name: ['The field must be UTF-8 text'] }],
        [422, 'INVALID_CHARACTERS', { name: ['The field must be UTF-8 text'] }],
        [422, 'VALIDATION_FAILED', { body: ['Every part needs a name (Content-Disposition: form-data; name="…")'] }],
        [422, 'VALIDATION_FAILED', { body: ['A part may not be named after a property every object has (__proto__, constructor, toString…)'] }],
        [422, 'INVALID_CHARACTERS', { alias: ['The field must be UTF-8 text'] }],
      ]);
      expect(await certificateCount()).toBe(0);
    });

    it('answers 400 INVALID_BODY to a multipart body that ends inside a part, on every upload route, with or without an Idempotency-Key, and stores nothing', async () => {
      const partnerId = await createPartner(api);
      const part = (name: string, filename?: string) => `--cut\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n`;
      // Each ends inside a part: the file being read, a file part no route reads (skipped: before this was refused, the
      // reader's error on its stream, which nothing listened to, ended the process), a text field.
      const cutOff = [`${part('name')}Acme\r\n${part('certificate', 'a.pem')}-----BEGIN CERT`, `${part('attachment', 'x.bin')}${'x'.repeat(200_000)}`, `${part('name')}Ac`];
      let n = 0;
      for (const url of ['/v1/certificates', `/v1/partners/${partnerId}/certificates`, '/v1/keys']) {
        // A multipart type without the boundary its parts are told apart by; and ones naming another boundary beside the
        // one the reader takes (`--other--` closes nothing for it), spelled so a plain search of the text finds `other`.
        const closedForAnother = `${cutOff[1]}\r\n--other--\r\n${'x'.repeat(100)}`;
        const confusing = ['multipart/form-data; xboundary=other; boundary=cut', 'multipart/form-data; foo="boundary=other"; boundary=cut', "multipart/form-data; boundary*=utf-8''cut; xboundary=other"];
        for (const [payload, contentType] of [...cutOff.map((body) => [body, 'multipart/form-data; boundary=cut']), [cutOff[0], 'multipart/form-data'], ...confusing.map((type) => [closedForAnother, type])]) {
          for (const key of [undefined, `cut-off-${n++}`]) {
            const headers = { authorization: `Bearer ${t.token({ tenant, roles: ['tenant_admin'] })}`, 'content-type': contentType, ...(key ? { 'idempotency-key': key } : {}) };
            const res = await t.app.inject({ method: 'POST', url, payload, headers });
            expect([url, contentType, key, res.statusCode, res.json().error]).toEqual([url, contentType, key, 400, { type: 'invalid_request_error', code: 'INVALID_BODY' }]);
          }
        }
      }
      expect((await api.get('/v1/keys')).body.pagination.total).toBe(0);
      expect(await certificateCount()).toBe(0);
    });

    it('still takes the known fields', async () => {
      const ok = await api.upload('/v1/certificates', { name: 'Acme', usage: 'encryption', type: 'partner' }, issueTestCertificate().pem);
      expect(ok.status).toBe(201);
    });
  });

  describe('JSON bodies', () => {
    it('answers 400 JSON_TOO_DEEP to 2,000 levels on the JSON routes, with no stack trace', async () => {
      const partnerId = await createPartner(api);
      const deep = `{"name":${'['.repeat(1999)}${']'.repeat(1999)}}`;
      for (const url of ['/v1/certificates', `/v1/partners/${partnerId}/trust/rollover`, `/v1/partners/${partnerId}/trust/retire`]) {
        const res = await send(url, deep, 'application/json');
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({ message: 'The JSON body is nested more than 32 levels deep', error: { type: 'invalid_request_error', code: 'JSON_TOO_DEEP' } });
      }
      const slot = await t.app.inject({ method: 'PUT', url: `/v1/partners/${partnerId}/certificate-slots/encryption`, payload: deep, headers: { authorization: `Bearer ${t.token({ tenant })}`, 'content-type': 'application/json' } });
      expect(slot.statusCode).toBe(400);
      expect(slot.json().error.code).toBe('JSON_TOO_DEEP');
    });

    it('answers 422 INVALID_CHARACTERS for an unpaired surrogate in a JSON field', async () => {
      const partnerId = await createPartner(api);
      const res = await send(`/v1/partners/${partnerId}/trust/rollover`, '{"next_certificate_id":"cert_\\udfff"}', 'application/json');
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual({ next_certificate_id: [expect.any(String)] });
      expect(res.json().error.code).toBe('INVALID_CHARACTERS');
    });

    it('refuses a rollover naming more slots than there are on the list\'s length alone (a uniqueness check of 5,000 names is never run)', async () => {
      const partnerId = await createPartner(api);
      const slots = Array.from({ length: 5_000 }, (_, i) => `slot-${i}`);
      const res = await send(`/v1/partners/${partnerId}/trust/rollover`, JSON.stringify({ next_certificate_id: 'cert_x', overlap_until: '2030-01-01T00:00:00.000000Z', slots }), 'application/json');
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual({ slots: ['The slots may name at most 3 slots'] });
    });
  });
});
