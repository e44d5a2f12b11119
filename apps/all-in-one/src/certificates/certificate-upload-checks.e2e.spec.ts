import { randomUUID } from 'node:crypto';
import { CertificateLifecycleStreams, readCertificateUpload, toCertificateData } from '@as2-partners/certificate-lifecycle-domain';
import { issueTestCertificate, type TestCertificate, type TestCertificateOptions } from '@as2-partners/certificate-lifecycle-testing';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { eventually } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { ulid } from 'ulid';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, createPartner, freshTenant, type ApiResponse, type CertificateApi } from './certificate-api.spec-support';

/** An AS2 partner as the probe configured it: AES content encryption, RSA signatures. */
const AES_RSA_PARTNER = { encrypt: true, encrypt_algorithm: 'AES256_CBC', sign: true, sign_algorithm: 'SHA256withRSA' };

type UploadFields = { name: string; usage: string };
type Upload = (api: CertificateApi, url: string, fields: UploadFields, certificate: TestCertificate) => Promise<ApiResponse>;

/** The two upload encodings the API takes: multipart (seed 002) and JSON with the PEM text. */
const ENCODINGS: [string, Upload][] = [
  ['multipart', (api, url, fields, certificate) => api.upload(url, fields, certificate.pem)],
  ['JSON', (api, url, fields, certificate) => api.post(url, { ...fields, certificate: certificate.pem })],
];

const NULL_EXTENSION_VALUE = Buffer.from([0x05, 0x00]);
/** Issues the id-RSASSA-PSS test key, which cannot sign its own certificate here. */
const RSA_CA = issueTestCertificate({ commonName: 'Upload Checks CA', isCa: true });
/** Every key shape the tests issue; the factory keeps a few keys of each. */
const KEY_SHAPES: TestCertificateOptions[] = [{}, { keyBits: 1024 }, { publicExponent: 3 }, { keyType: 'dsa' }, { keyType: 'ec' }, { keyType: 'ed25519' }, { keyType: 'rsa-pss', issuer: RSA_CA }];

describe('certificate uploads: weak certificates are refused, doubtful ones warned about (embedded, through the API)', () => {
  let t: EmbeddedTestApp;
  let api: CertificateApi;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
  });
  // Key generation (DSA parameters above all) is slow on a loaded machine: fill the factory's key pool once, with its own budget.
  beforeAll(() => {
    for (const shape of KEY_SHAPES) for (let i = 0; i < 3; i++) issueTestCertificate(shape);
  }, 120_000);
  afterAll(() => t?.close());
  beforeEach(() => {
    api = certificateApiAs(t, { tenant: freshTenant() });
  });

  async function expectNothingStored(partnerId?: string): Promise<void> {
    expect((await api.get('/v1/certificates')).body.pagination.total).toBe(0);
    if (partnerId) {
      const slots = (await api.get(`/v1/partners/${partnerId}/certificate-slots`)).body.data;
      expect([slots.encryption.current, slots.signature.current, slots.tls.current]).toEqual([null, null, null]);
    }
  }

  describe.each(ENCODINGS)('over %s', (_encoding, upload) => {
    it.each([
      ['signed with MD5', { signatureHash: 'md5' }, 'CERTIFICATE_WEAK_SIGNATURE', { signature_algorithm: 'md5WithRSAEncryption' }],
      ['with RSA public exponent 3', { publicExponent: 3 }, 'CERTIFICATE_WEAK_PUBLIC_EXPONENT', { public_exponent: 3, minimum_public_exponent: 65537 }],
      [
        'with an unknown critical extension',
        { extraExtensions: [{ oid: '1.3.6.1.4.1.99999.7', critical: true, value: NULL_EXTENSION_VALUE }] },
        'CERTIFICATE_UNSUPPORTED_CRITICAL_EXTENSION',
        { extension: '1.3.6.1.4.1.99999.7' },
      ],
      ['valid from 1965', { notBefore: new Date('1965-03-01T00:00:00Z') }, 'CERTIFICATE_VALIDITY_OUT_OF_RANGE', { not_before: '1965-03-01T00:00:00.000000Z' }],
    ] as [string, TestCertificateOptions, string, Record<string, unknown>][])(
      'refuses a certificate %s with 422 %s in the seed error shape, and stores nothing',
      async (_what, options, code, details) => {
        const partnerId = await createPartner(api, AES_RSA_PARTNER);
        const certificate = issueTestCertificate({ commonName: 'Weak Partner', ...options });

        const res = await upload(api, `/v1/partners/${partnerId}/certificates`, { name: 'weak', usage: 'both' }, certificate);

        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({ message: 'Validation failed', errors: { certificate: [expect.any(String)] } });
        expect(res.body.error).toEqual({ type: 'validation_error', code, details: expect.objectContaining({ subject: 'CN=Weak Partner', ...details }) });
        expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
        await expectNothingStored(partnerId);
      },
    );

    it.each([
      ['Ed25519', 'both', { keyType: 'ed25519' }],
      ['DSA', 'both', { keyType: 'dsa' }],
      ['EC', 'encryption', { keyType: 'ec', keyUsage: ['keyAgreement'] }],
      ['EC', 'both', { keyType: 'ec', keyUsage: [] }],
      ['Ed25519', 'encryption', { keyType: 'ed25519' }],
      ['RSA-PSS', 'both', { keyType: 'rsa-pss', issuer: RSA_CA }],
    ] as [string, string, TestCertificateOptions][])(
      'refuses a %s certificate with usage=%s for an AES + SHA256withRSA partner (encryption needs RSA key transport), and fills no slot',
      async (keyAlgorithm, usage, options) => {
        const partnerId = await createPartner(api, AES_RSA_PARTNER);

        const res = await upload(api, `/v1/partners/${partnerId}/certificates`, { name: 'no key transport', usage }, issueTestCertificate(options));

        expect(res.status).toBe(422);
        expect(res.body.errors.certificate[0]).toContain(`${keyAlgorithm} key cannot serve ${usage}`);
        expect(res.body.error).toEqual({
          type: 'validation_error',
          code: 'CERTIFICATE_USAGE_MISMATCH',
          details: { usage, key_algorithm: keyAlgorithm, required_key_algorithm: 'RSA', sign_algorithm: 'SHA256withRSA' },
        });
        await expectNothingStored(partnerId);
      },
    );

    it.each([
      ['Ed25519', { keyType: 'ed25519' }],
      ['DSA', { keyType: 'dsa' }],
      ['EC', { keyType: 'ec' }],
    ] as [string, TestCertificateOptions][])('refuses a %s certificate for signing by a SHA256withRSA partner, and in the store (every signing algorithm offered is RSA)', async (keyAlgorithm, options) => {
      const partnerId = await createPartner(api, AES_RSA_PARTNER);
      const certificate = issueTestCertificate(options);

      const forPartner = await upload(api, `/v1/partners/${partnerId}/certificates`, { name: 'sig', usage: 'signing' }, certificate);
      const forStore = await upload(api, '/v1/certificates', { name: 'sig', usage: 'signing' }, certificate);

      expect(forPartner.status).toBe(422);
      expect(forPartner.body.error.details).toMatchObject({ usage: 'signing', key_algorithm: keyAlgorithm, required_key_algorithm: 'RSA', sign_algorithm: 'SHA256withRSA' });
      expect(forStore.status).toBe(422);
      expect(forStore.body.error.details).toMatchObject({ key_algorithm: keyAlgorithm, sign_algorithm: null });
      await expectNothingStored(partnerId);
    });

    it('refuses for signing and encryption a certificate whose critical extendedKeyUsage excludes S/MIME, and takes the same purposes not critical', async () => {
      const partnerId = await createPartner(api, AES_RSA_PARTNER);
      for (const usage of ['signing', 'encryption', 'both']) {
        const critical = await upload(api, `/v1/partners/${partnerId}/certificates`, { name: `critical ${usage}`, usage }, issueTestCertificate({ extendedKeyUsage: ['codeSigning'], extendedKeyUsageCritical: true }));
        expect([usage, critical.status, critical.body.error?.code, critical.body.error?.details?.required]).toEqual([usage, 422, 'CERTIFICATE_USAGE_MISMATCH', 'extendedKeyUsage emailProtection or anyExtendedKeyUsage']);
      }
      await expectNothingStored(partnerId);
      const smime = await upload(api, `/v1/partners/${partnerId}/certificates`, { name: 'smime', usage: 'both' }, issueTestCertificate({ extendedKeyUsage: ['emailProtection'], extendedKeyUsageCritical: true }));
      expect(smime.status).toBe(201);
      const loose = await upload(api, '/v1/certificates', { name: 'tls purposes', usage: 'both' }, issueTestCertificate({ extendedKeyUsage: ['serverAuth', 'clientAuth'] }));
      expect(loose.status).toBe(201);
    });

    it('keeps TLS open to EC keys: an ECDSA server certificate fills the TLS slot', async () => {
      const partnerId = await createPartner(api, AES_RSA_PARTNER);

      const res = await upload(api, `/v1/partners/${partnerId}/certificates`, { name: 'tls', usage: 'tls' }, issueTestCertificate({ keyType: 'ec', extendedKeyUsage: ['serverAuth'] }));

      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ key_algorithm: 'EC', usage: 'tls' });
      expect(res.body.warnings).toEqual([]);
      expect((await api.get(`/v1/partners/${partnerId}/certificate-slots`)).body.data.tls.current.id).toBe(res.body.data.id);
    });

    it('answers a clean upload with every certificate field, the message and an empty warnings array', async () => {
      const res = await upload(api, '/v1/certificates', { name: 'clean', usage: 'both' }, issueTestCertificate({ commonName: 'Clean Partner' }));

      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'message', 'warnings']);
      expect(res.body.message).toBe('Certificate uploaded successfully');
      expect(res.body.data).toMatchObject({ subject: 'CN=Clean Partner', signature_algorithm: 'sha256WithRSAEncryption', is_ca: false });
      expect(res.body.warnings).toEqual([]);
    });

    it('accepts a SHA-1-signed certificate with a SHA1_SIGNATURE warning', async () => {
      const res = await upload(api, '/v1/certificates', { name: 'old', usage: 'both' }, issueTestCertificate({ commonName: 'SHA-1 Partner', signatureHash: 'sha1' }));

      expect(res.status).toBe(201);
      expect(res.body.data.signature_algorithm).toBe('sha1WithRSAEncryption');
      expect(res.body.warnings).toEqual([{ code: 'SHA1_SIGNATURE', message: expect.stringContaining('"CN=SHA-1 Partner"') }]);
    });

    it('accepts a chain with an expired or a not-yet-valid intermediate with CHAIN_CERTIFICATE_NOT_VALID naming it (openssl verify refuses such a chain)', async () => {
      const year = 365 * 86_400_000;
      const root = issueTestCertificate({ commonName: 'Chain Root', isCa: true, notAfter: new Date(Date.now() + 10 * year) });
      for (const [label, notBefore, notAfter, said] of [
        ['Expired Int', new Date(Date.now() - 6 * year), new Date(Date.now() - 5 * year), 'expired at'],
        ['Future Int', new Date(Date.now() + year), new Date(Date.now() + 3 * year), 'is valid only from'],
      ] as const) {
        const intermediate = issueTestCertificate({ commonName: label, isCa: true, issuer: root, notBefore, notAfter });
        const leaf = issueTestCertificate({ commonName: `Leaf under ${label}`, issuer: intermediate });
        const res = await upload(api, '/v1/certificates', { name: label, usage: 'both' }, { ...leaf, pem: `${leaf.pem}${intermediate.pem}${root.pem}` });
        expect(res.status).toBe(201);
        expect(res.body.warnings).toEqual([{ code: 'CHAIN_CERTIFICATE_NOT_VALID', message: expect.stringContaining(`"CN=${label}" ${said}`) }]);
      }
      const valid = issueTestCertificate({ commonName: 'Valid Int', isCa: true, issuer: root });
      const leaf = issueTestCertificate({ commonName: 'Leaf under Valid Int', issuer: valid });
      expect((await upload(api, '/v1/certificates', { name: 'valid chain', usage: 'both' }, { ...leaf, pem: `${leaf.pem}${valid.pem}${root.pem}` })).body.warnings).toEqual([]);
    });

    it('accepts a certificate expired or not yet valid itself with CERTIFICATE_NOT_VALID_NOW: stored, but in no slot', async () => {
      const year = 365 * 86_400_000;
      for (const [label, notBefore, notAfter, said] of [
        ['Expired Leaf', new Date(Date.now() - 2 * year), new Date(Date.now() - year), 'expired at'],
        ['Future Leaf', new Date(Date.now() + year), new Date(Date.now() + 2 * year), 'is valid only from'],
      ] as const) {
        const res = await upload(api, '/v1/certificates', { name: label, usage: 'tls' }, issueTestCertificate({ commonName: label, notBefore, notAfter }));
        expect([res.status, res.body.warnings]).toEqual([201, [{ code: 'CERTIFICATE_NOT_VALID_NOW', message: expect.stringMatching(new RegExp(`^The certificate ${said} .*: it is stored, but it fills no empty slot`)) }]]);
      }
    });

    it('accepts a CA certificate as a partner certificate with CA_CERTIFICATE_AS_END_ENTITY, but not for TLS, where a CA may anchor the server chain', async () => {
      const partnerId = await createPartner(api, AES_RSA_PARTNER);
      const ca = issueTestCertificate({ commonName: 'Partner CA', isCa: true, keyUsage: ['keyCertSign', 'cRLSign', 'digitalSignature', 'keyEncipherment'] });

      const asPartner = await upload(api, `/v1/partners/${partnerId}/certificates`, { name: 'ca', usage: 'encryption' }, ca);
      const asTls = await upload(api, `/v1/partners/${partnerId}/certificates`, { name: 'ca tls', usage: 'tls' }, ca);

      expect(asPartner.status).toBe(201);
      expect(asPartner.body.warnings).toEqual([{ code: 'CA_CERTIFICATE_AS_END_ENTITY', message: expect.any(String) }]);
      expect(asTls.status).toBe(201);
      expect(asTls.body.warnings.map((warning: { code: string }) => warning.code)).not.toContain('CA_CERTIFICATE_AS_END_ENTITY');
      // A CA as CAs are made (keyCertSign and cRLSign only) anchors the server chain too.
      const root = issueTestCertificate({ commonName: 'Partner Root CA', isCa: true });
      expect((await upload(api, `/v1/partners/${partnerId}/certificates`, { name: 'root tls', usage: 'tls' }, root)).status).toBe(201);
    });

    it('accepts a 1024-bit RSA key for a SHA1withRSA partner (seed 002) with a WEAK_RSA_KEY warning', async () => {
      const partnerId = await createPartner(api, { sign: true, sign_algorithm: 'SHA1withRSA' });

      const res = await upload(api, `/v1/partners/${partnerId}/certificates`, { name: 'small', usage: 'signing' }, issueTestCertificate({ keyBits: 1024 }));

      expect(res.status).toBe(201);
      expect(res.body.data.key_size).toBe(1024);
      expect(res.body.warnings).toEqual([{ code: 'WEAK_RSA_KEY', message: expect.stringContaining('1024-bit') }]);
    });

    it("warns DUPLICATE_CERTIFICATE on a re-upload to the caller's store, naming the stored copy, and still stores it", async () => {
      const certificate = issueTestCertificate({ commonName: 'Twice Partner' });
      const first = await upload(api, '/v1/certificates', { name: 'first', usage: 'encryption' }, certificate);
      const partnerId = await createPartner(api, AES_RSA_PARTNER);

      const second = await upload(api, `/v1/partners/${partnerId}/certificates`, { name: 'second', usage: 'encryption' }, certificate);

      expect(second.status).toBe(201);
      expect(second.body.warnings).toEqual([{ code: 'DUPLICATE_CERTIFICATE', message: expect.stringContaining(`${first.body.data.id} ("first")`) }]);
      expect((await api.get('/v1/certificates')).body.pagination.total).toBe(2);
    });

    it('names the first ten stored copies and counts the others, so repeated uploads do not make each answer longer', async () => {
      const certificate = issueTestCertificate({ commonName: 'Many Copies Partner' });
      // More copies than the free plan's ten certificates: a tenant of a plan that takes them.
      const tenant = freshTenant();
      const admin = certificateApiAs(t, { tenant: null, roles: ['account_admin'] });
      expect((await admin.post(`/v1/accounts/test-account/tenants`, { id: tenant, name: 'Many copies', plan: 'enterprise' })).status).toBe(201);
      api = certificateApiAs(t, { tenant });
      const ids: string[] = [];
      for (let copy = 0; copy < 12; copy++) ids.push((await upload(api, '/v1/certificates', { name: `copy ${copy}`, usage: 'encryption' }, certificate)).body.data.id as string);

      const thirteenth = await upload(api, '/v1/certificates', { name: 'copy 12', usage: 'encryption' }, certificate);

      const { message } = thirteenth.body.warnings.find((w: { code: string }) => w.code === 'DUPLICATE_CERTIFICATE');
      expect(message).toBe(`The same certificate (SHA-256 fingerprint) is already stored as ${ids.slice(0, 10).map((id, copy) => `${id} ("copy ${copy}")`).join(', ')} and 2 more`);
    });
  });

  it("never reveals another tenant's certificate through DUPLICATE_CERTIFICATE, but names the account-level copy every tenant sees", async () => {
    const account = `dup-acct-${process.pid}`;
    const certificate = issueTestCertificate({ commonName: 'Shared Partner' });
    const tenantA = certificateApiAs(t, { account, tenant: freshTenant() });
    const tenantB = certificateApiAs(t, { account, tenant: freshTenant() });
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const stranger = certificateApiAs(t, { account: `${account}-other`, tenant: freshTenant() });

    const inA = await tenantA.upload('/v1/certificates', { name: 'a copy', usage: 'encryption' }, certificate.pem);
    expect(inA.status).toBe(201);
    const inB = await tenantB.upload('/v1/certificates', { name: 'b copy', usage: 'encryption' }, certificate.pem);
    const inOtherAccount = await stranger.upload('/v1/certificates', { name: 'x copy', usage: 'encryption' }, certificate.pem);
    const atAccount = await admin.upload('/v1/certificates', { name: 'account copy', usage: 'encryption' }, certificate.pem);

    for (const res of [inB, inOtherAccount, atAccount]) {
      expect(res.status).toBe(201);
      expect(res.body.warnings).toEqual([]);
      expect(JSON.stringify(res.body)).not.toContain(inA.body.data.id);
    }
    const againInB = await tenantB.post('/v1/certificates', { name: 'b again', usage: 'encryption', certificate: certificate.pem });
    const [warning] = againInB.body.warnings;
    expect(warning.code).toBe('DUPLICATE_CERTIFICATE');
    expect(warning.message).toContain(inB.body.data.id);
    expect(warning.message).toContain(atAccount.body.data.id);
    expect(warning.message).not.toContain(inA.body.data.id);
    expect(warning.message).not.toContain(inOtherAccount.body.data.id);
  });

  it('refuses a read-only caller before reading the certificate, and a caller without a token', async () => {
    const reader = certificateApiAs(t, { tenant: freshTenant(), roles: ['tenant_user'] });
    expect((await reader.upload('/v1/certificates', { name: 'x', usage: 'both' }, issueTestCertificate({ signatureHash: 'md5' }).pem)).status).toBe(403);
    const anonymous = await t.app.inject({ method: 'POST', url: '/v1/certificates', payload: { name: 'x', usage: 'both', certificate: issueTestCertificate().pem } });
    expect(anonymous.statusCode).toBe(401);
  });

  it('refuses to put an Ed25519 certificate that an older release stored with usage "both" into the encryption or signature slot (assign, backup, rollover)', async () => {
    const tenant = freshTenant();
    const caller = certificateApiAs(t, { tenant });
    const partnerId = await createPartner(caller, AES_RSA_PARTNER);
    const certificateId = `cert_${ulid()}`;
    const details = readCertificateUpload(Buffer.from(issueTestCertificate({ keyType: 'ed25519', commonName: 'Legacy Edwards' }).pem));
    const occurredAt = new Date().toISOString();
    // The event an older release appended for such an upload: stored events must keep loading, and the slot routes must still refuse the key.
    await t.app.get<EventStore>(EVENT_STORE, { strict: false }).append(
      CertificateLifecycleStreams.certificate(certificateId),
      [
        {
          id: randomUUID(),
          type: 'certificate.uploaded.v1',
          schemaVersion: 1,
          data: { certificateId, account: 'test-account', tenant, name: 'legacy', usage: 'both', type: 'partner', partnerId: null, certificate: toCertificateData(details), createdAt: occurredAt },
          metadata: { account: 'test-account', tenant, correlationId: 'legacy-upload', causationId: null, actor: { type: 'user', id: 'legacy', roles: ['tenant_admin'] }, occurredAt },
        },
      ],
      'no_stream',
    );
    await eventually('the legacy certificate in the view', async () => ((await caller.get(`/v1/certificates/${certificateId}`)).status === 200 ? true : undefined), { timeoutMs: 10_000, intervalMs: 20 });

    const refusals = [
      await caller.put(`/v1/partners/${partnerId}/certificate-slots/encryption`, { certificate_id: certificateId }),
      await caller.put(`/v1/partners/${partnerId}/certificate-slots/signature`, { certificate_id: certificateId }),
      await caller.put(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { certificate_id: certificateId, activate_on: new Date(Date.now() + 86_400_000).toISOString() }),
      await caller.post(`/v1/partners/${partnerId}/trust/rollover`, {
        next_certificate_id: certificateId,
        activate_at: new Date(Date.now() + 86_400_000).toISOString(),
        overlap_until: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      }),
    ];

    for (const refused of refusals) {
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual({ certificate_id: [expect.stringContaining('Ed25519 key cannot serve')] });
      expect(refused.body.error).toMatchObject({ code: 'CERTIFICATE_USAGE_MISMATCH', details: { key_algorithm: 'Ed25519', required_key_algorithm: 'RSA' } });
    }
    const slots = (await caller.get(`/v1/partners/${partnerId}/certificate-slots`)).body.data;
    expect([slots.encryption.current, slots.encryption.backup, slots.signature.current]).toEqual([null, null, null]);
  });
});
