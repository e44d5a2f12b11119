import { PassThrough } from 'node:stream';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp, type TestTokenClaims } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, createPartner, freshTenant, multipartBody } from './certificate-api.spec-support';

/** An upload retried with an Idempotency-Key is matched by its parts, whatever boundary each send chose. */
describe('multipart uploads with an Idempotency-Key', () => {
  let t: EmbeddedTestApp;
  const account = `idem-upload-${process.pid}`;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule], env: { BODY_LIMIT_BYTES: String(64 * 1024) } });
  });
  afterAll(() => t?.close());

  async function uploadWithKey(claims: Partial<TestTokenClaims>, url: string, key: string, fields: Record<string, string>, pem: string) {
    const body = multipartBody(fields, { field: 'certificate', filename: 'partner.pem', content: pem });
    const res = await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${t.token(claims)}`, 'content-type': body.contentType, 'idempotency-key': key }, payload: body.payload });
    return { status: res.statusCode, replayed: res.headers['idempotent-replayed'], body: res.json() };
  }

  it('replays the same parts sent again with a new boundary, and refuses the key with another file or another field', async () => {
    const claims = { account, tenant: freshTenant(), roles: ['tenant_admin'] };
    const api = certificateApiAs(t, claims);
    const partnerId = await createPartner(api);
    const url = `/v1/partners/${partnerId}/certificates`;
    const pem = issueTestCertificate().pem;

    const first = await uploadWithKey(claims, url, 'upload-1', { name: 'Enc 2027', usage: 'encryption' }, pem);
    expect(first.status).toBe(201);
    expect(first.replayed).toBeUndefined();
    // The route read the parts the key's check had read first: the certificate is the one sent.
    expect(first.body.data).toMatchObject({ name: 'Enc 2027', usage: 'encryption', partner_ids: [partnerId] });

    const retried = await uploadWithKey(claims, url, 'upload-1', { name: 'Enc 2027', usage: 'encryption' }, pem);
    expect(retried.status).toBe(201);
    expect(retried.replayed).toBe('true');
    expect(retried.body.data.id).toBe(first.body.data.id);

    const otherFile = await uploadWithKey(claims, url, 'upload-1', { name: 'Enc 2027', usage: 'encryption' }, issueTestCertificate().pem);
    expect(otherFile.status).toBe(422);
    expect(otherFile.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherName = await uploadWithKey(claims, url, 'upload-1', { name: 'Enc 2028', usage: 'encryption' }, pem);
    expect(otherName.status).toBe(422);
    expect(otherName.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const listed = await api.get(`/v1/partners/${partnerId}/certificates`);
    expect(listed.body.data.map((c: { id: string }) => c.id)).toEqual([first.body.data.id]);
  });

  it('refuses a body cut off before its closing boundary with 400, claims no key, and goes on serving', async () => {
    const claims = { account, tenant: freshTenant(), roles: ['tenant_admin'] };
    const api = certificateApiAs(t, claims);
    const partnerId = await createPartner(api);
    const url = `/v1/partners/${partnerId}/certificates`;
    const whole = multipartBody({ name: 'Cut', usage: 'encryption' }, { field: 'certificate', filename: 'cut.pem', content: issueTestCertificate().pem });
    const cut = whole.payload.subarray(0, whole.payload.length - 200);
    const res = await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${t.token(claims)}`, 'content-type': whole.contentType, 'idempotency-key': 'cut-1' }, payload: cut });
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'INVALID_BODY']);
    // The key was not claimed, and the app still answers: the whole upload with the same key runs.
    const retried = await uploadWithKey(claims, url, 'cut-1', { name: 'Cut', usage: 'encryption' }, issueTestCertificate().pem);
    expect(retried.status).toBe(201);
  });

  it("tells a field whose value holds the client's own boundary text from the same field with another", async () => {
    const claims = { account, tenant: freshTenant(), roles: ['tenant_admin'] };
    const api = certificateApiAs(t, claims);
    const partnerId = await createPartner(api);
    const url = `/v1/partners/${partnerId}/certificates`;
    const pem = issueTestCertificate().pem;
    // Each body's name ends with its own boundary: left out as a delimiter, the two would read the same.
    const withOwnBoundary = () => {
      const probe = multipartBody({}, undefined);
      const boundary = probe.contentType.split('boundary=')[1] as string;
      const body = multipartBody({ name: `x--${boundary}`, usage: 'encryption' }, { field: 'certificate', filename: 'a.pem', content: pem });
      const own = body.contentType.split('boundary=')[1] as string;
      return { payload: Buffer.from(body.payload.toString('latin1').replaceAll(own, boundary), 'latin1'), contentType: `multipart/form-data; boundary=${boundary}` };
    };
    const send = (body: { payload: Buffer; contentType: string }) =>
      t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${t.token(claims)}`, 'content-type': body.contentType, 'idempotency-key': 'own-boundary' }, payload: body.payload });
    const first = await send(withOwnBoundary());
    expect(first.statusCode).toBe(201);
    const second = await send(withOwnBoundary());
    expect([second.statusCode, second.json().error?.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
  });

  it('refuses a chunked upload past the body limit with 413 before claiming its key', async () => {
    const claims = { account, tenant: freshTenant(), roles: ['tenant_admin'] };
    const api = certificateApiAs(t, claims);
    const partnerId = await createPartner(api);
    const url = `/v1/partners/${partnerId}/certificates`;
    const big = multipartBody({ name: 'Huge', usage: 'encryption' }, { field: 'certificate', filename: 'big.pem', content: Buffer.alloc(80 * 1024, 0x41) });
    const stream = new PassThrough();
    stream.end(big.payload);
    const res = await t.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${t.token(claims)}`, 'content-type': big.contentType, 'idempotency-key': 'upload-big', 'transfer-encoding': 'chunked' },
      payload: stream,
    });
    expect(res.statusCode).toBe(413);
    // The key was not claimed: the same key with a proper upload runs.
    const proper = await uploadWithKey(claims, url, 'upload-big', { name: 'Proper', usage: 'encryption' }, issueTestCertificate().pem);
    expect(proper.status).toBe(201);
  });
});
