import { createHash } from 'node:crypto';
import { buildSignedAttributes, decryptEnvelopedWith } from '@as2-partners/as2';
import { ActivationSchedulerLifecycle, OurKeyOperations } from '@as2-partners/certificate-lifecycle-service';
import { CertificateLifecycleStreams } from '@as2-partners/certificate-lifecycle-domain';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { eventually, opensslVerifiesEvidence } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, freshTenant, type CertificateApi } from '../certificates/certificate-api.spec-support';
import { opensslWorkspace, publishInstanceEvent } from './our-keys-api.spec-support';

const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, { timeoutMs: 30_000, intervalMs: 50 });
const HOUR = 3_600_000;

// The service's clock: real time plus the jumps a test makes to reach a scheduled instant. Rollovers are scheduled
// an hour ahead, so however slow the machine nothing fires early, and nobody waits for the instant to come.
let clockOffsetMs = 0;
const clockNow = () => new Date(Date.now() + clockOffsetMs);
const jumpPast = (instant: Date) => {
  clockOffsetMs += Math.max(0, instant.getTime() - clockNow().getTime()) + 1000;
};

describe('our key rollover (embedded, scheduled with an injected clock)', () => {
  let t: EmbeddedTestApp;
  let api: CertificateApi;
  let tenant: string;
  const openssl = opensslWorkspace();

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule], env: { CERT_SCHEDULER_INTERVAL_MS: '100' }, now: clockNow });
  });
  afterAll(async () => {
    await t?.close();
    openssl.close();
  });
  beforeEach(() => {
    tenant = freshTenant();
    api = certificateApiAs(t, { tenant });
  });

  const generate = { generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Our AS2, O=Our Company', valid_days: 365 } };

  /** CMS EnvelopedData that openssl encrypted to a certificate, as a partner encrypts to the one it was handed. */
  function encryptedTo(certificatePem: string, name: string): Buffer {
    openssl.write(`${name}.txt`, `payload for ${name}\r\n`);
    openssl.run('cms', '-encrypt', '-binary', '-aes256', '-in', openssl.path(`${name}.txt`), '-outform', 'DER', '-out', openssl.path(`${name}.der`), openssl.write(`${name}-recipient.pem`, certificatePem));
    return openssl.read(`${name}.der`);
  }

  it('refuses a rollover that is not the current key\'s, overlaps a pending one, or has a bad window; and as a reader or another tenant', async () => {
    const current = (await api.post('/v1/keys', { alias: 'roll-rules', ...generate })).body.data;
    const activateAt = new Date(clockNow().getTime() + HOUR).toISOString();
    const overlapUntil = new Date(clockNow().getTime() + 2 * HOUR).toISOString();
    const past = await api.post(`/v1/keys/${current.id}/rollover`, { ...generate, activate_at: '2020-01-01T00:00:00Z', overlap_until: overlapUntil });
    expect([past.status, past.body.error.code]).toEqual([422, 'ROLLOVER_WINDOW_INVALID']);
    const inverted = await api.post(`/v1/keys/${current.id}/rollover`, { ...generate, activate_at: overlapUntil, overlap_until: activateAt });
    expect([inverted.status, inverted.body.error.code]).toEqual([422, 'ROLLOVER_WINDOW_INVALID']);
    const naive = await api.post(`/v1/keys/${current.id}/rollover`, { ...generate, activate_at: '2099-01-01T00:00:00', overlap_until: overlapUntil });
    expect(naive.status).toBe(422);
    const withAlias = await api.post(`/v1/keys/${current.id}/rollover`, { alias: 'other', ...generate, activate_at: activateAt, overlap_until: overlapUntil });
    expect(withAlias.status).toBe(422);
    const badSubject = await api.post(`/v1/keys/${current.id}/rollover`, { generate: { ...generate.generate, subject: 'O=no common name' }, activate_at: activateAt, overlap_until: overlapUntil });
    expect([badSubject.status, badSubject.body.error.code, Object.keys(badSubject.body.errors)]).toEqual([422, 'INVALID_SUBJECT', ['generate.subject']]);
    expect((await certificateApiAs(t, { tenant, roles: ['tenant_user'] }).post(`/v1/keys/${current.id}/rollover`, { ...generate, activate_at: activateAt, overlap_until: overlapUntil })).status).toBe(403);
    expect((await certificateApiAs(t, { tenant: freshTenant() }).post(`/v1/keys/${current.id}/rollover`, { ...generate, activate_at: activateAt, overlap_until: overlapUntil })).status).toBe(404);
    const next = await api.post(`/v1/keys/${current.id}/rollover`, { ...generate, activate_at: activateAt, overlap_until: overlapUntil });
    expect(next.status).toBe(201);
    expect(next.body.data).toMatchObject({ alias: 'roll-rules', status: 'next', usage: 'none', activate_at: activateAt.replace('Z', '000Z'), overlap_until: overlapUntil.replace('Z', '000Z') });
    const again = await api.post(`/v1/keys/${current.id}/rollover`, { ...generate, activate_at: activateAt, overlap_until: overlapUntil });
    expect([again.status, again.body.error.code]).toEqual([409, 'KEY_ROLLOVER_ALREADY_SCHEDULED']);
    const ofNext = await api.post(`/v1/keys/${next.body.data.id}/rollover`, { ...generate, activate_at: activateAt, overlap_until: overlapUntil });
    expect([ofNext.status, ofNext.body.error.code]).toEqual([409, 'KEY_NOT_CURRENT']);
    const deleteCurrent = await api.delete(`/v1/keys/${current.id}`);
    expect([deleteCurrent.status, deleteCurrent.body.error.code]).toEqual([409, 'KEY_ROLLOVER_PENDING']);
    // Deleting the next key cancels the rollover; a new one may be scheduled.
    expect((await api.delete(`/v1/keys/${next.body.data.id}`)).status).toBe(200);
    expect((await api.post(`/v1/keys/${current.id}/rollover`, { ...generate, activate_at: activateAt, overlap_until: overlapUntil })).status).toBe(201);
  });

  it('checks the window before it reads or makes the next key: a window refused whatever the key costs no key pair', async () => {
    const current = (await api.post('/v1/keys', { alias: 'roll-window-first', ...generate })).body.data;
    const other = openssl.identity('window-first', 'right-password');
    const overlapUntil = new Date(clockNow().getTime() + 2 * HOUR).toISOString();
    // A wrong password would be WRONG_PASSWORD once the file is read: the window's refusal comes first, nothing read.
    const past = await api.post(`/v1/keys/${current.id}/rollover`, { pkcs12: other.p12.toString('base64'), password: 'wrong-password', activate_at: '2020-01-01T00:00:00Z', overlap_until: overlapUntil });
    expect([past.status, past.body.error.code, Object.keys(past.body.errors ?? {})]).toEqual([422, 'ROLLOVER_WINDOW_INVALID', ['activate_at']]);
    const wrongPassword = await api.post(`/v1/keys/${current.id}/rollover`, {
      pkcs12: other.p12.toString('base64'),
      password: 'wrong-password',
      activate_at: new Date(clockNow().getTime() + HOUR).toISOString(),
      overlap_until: overlapUntil,
    });
    expect([wrongPassword.status, wrongPassword.body.error.code]).toEqual([422, 'WRONG_PASSWORD']);
  });

  it("refuses a rollover to the current key's own certificate (PEM or PKCS#12), and takes a renewed certificate of the same key pair", async () => {
    const ours = openssl.identity('same-key', 'pw');
    const current = (await api.post('/v1/keys', { alias: 'roll-same', private_key: ours.keyPem, certificate: ours.certificatePem })).body.data;
    const window = { activate_at: new Date(clockNow().getTime() + HOUR).toISOString(), overlap_until: new Date(clockNow().getTime() + 2 * HOUR).toISOString() };
    const samePem = await api.post(`/v1/keys/${current.id}/rollover`, { private_key: ours.keyPem, certificate: ours.certificatePem, ...window });
    expect([samePem.status, samePem.body.error.code, Object.keys(samePem.body.errors), samePem.body.error.details]).toEqual([422, 'ROLLOVER_SAME_CERTIFICATE', ['certificate'], { current_key_id: current.id }]);
    const sameP12 = await api.post(`/v1/keys/${current.id}/rollover`, { pkcs12: ours.p12.toString('base64'), password: 'pw', ...window });
    expect([sameP12.status, sameP12.body.error.code, Object.keys(sameP12.body.errors)]).toEqual([422, 'ROLLOVER_SAME_CERTIFICATE', ['pkcs12']]);
    expect((await api.get('/v1/keys')).body.data.filter((k: { alias: string }) => k.alias === 'roll-same')).toHaveLength(1);
    // The same key with a renewed certificate (new validity, new serial) is another certificate: it rolls over.
    openssl.run('req', '-x509', '-key', openssl.path('same-key.key'), '-out', openssl.path('same-key-renewed.pem'), '-days', '90', '-subj', '/CN=same-key/O=Our Company');
    const renewed = await api.post(`/v1/keys/${current.id}/rollover`, { private_key: ours.keyPem, certificate: openssl.read('same-key-renewed.pem').toString('utf8'), ...window });
    expect([renewed.status, renewed.body.data?.status]).toEqual([201, 'next']);
  });

  it('makes the next key current at activate_at, exactly once, with no human; the old key decrypts until overlap_until', async () => {
    const ops = t.app.get(OurKeyOperations);
    const store = t.app.get<EventStore>(EVENT_STORE);
    const scheduler = t.app.get(ActivationSchedulerLifecycle).scheduler;
    const current = (await api.post('/v1/keys', { alias: 'roll', ...generate })).body.data;
    const ref = { account: 'test-account', tenant, alias: 'roll' };
    await publishInstanceEvent(t, 'as2_instance.created.v1', { instanceId: `ins_roll_${tenant}`, account: 'test-account', tenant, myAs2Id: 'US', myName: 'Us', myAs2Alias: 'roll', myEmail: 'as2@us.example', status: 'on', createdAt: new Date().toISOString() });
    await until('the instance to be known', async () => ((await api.get(`/v1/keys/${current.id}`)).body.data.used_by.length === 1 ? true : undefined));
    const oldCertificate = (await t.app.inject({ method: 'GET', url: `/v1/keys/${current.id}/certificate`, headers: { authorization: `Bearer ${t.token({ tenant })}` } })).body;

    const activateAt = new Date(clockNow().getTime() + HOUR);
    const overlapUntil = new Date(clockNow().getTime() + 2 * HOUR);
    const next = (await api.post(`/v1/keys/${current.id}/rollover`, { ...generate, activate_at: activateAt.toISOString(), overlap_until: overlapUntil.toISOString() })).body.data;
    expect((await ops.sign(ref, Buffer.from('x'), 'sha256')).keyId).toBe(current.id);

    jumpPast(activateAt);
    const activated = await until('the next key to become current', async () => {
      const res = await api.get(`/v1/keys/${next.id}`);
      return res.body.data.status === 'current' ? res.body.data : undefined;
    });
    expect(activated).toMatchObject({ usage: 'sign_and_decrypt', activate_at: null });
    // More ticks, some at once, as several replicas would: nothing more happens.
    await Promise.all([scheduler.tick(), scheduler.tick(), scheduler.tick()]);
    const stream = await store.readStream(CertificateLifecycleStreams.keyAlias('test-account', tenant, 'roll'));
    const activations = stream.filter((e) => e.type === 'key.rollover_activated.v1');
    expect(activations).toHaveLength(1);
    const data = activations[0].data as { keyId: string; previousKeyId: string; scheduledFor: string; activatedAt: string; lateByMs: number; trigger: { type: string } };
    expect(data).toMatchObject({ keyId: next.id, previousKeyId: current.id, scheduledFor: activateAt.toISOString(), trigger: { type: 'scheduler' } });
    expect(Date.parse(data.activatedAt)).toBeGreaterThanOrEqual(activateAt.getTime());
    expect(activations[0].metadata.actor.type).toBe('system');

    // Signs as the new key; the old one still decrypts what partners encrypt to its certificate, and stays pinned.
    expect((await ops.sign(ref, Buffer.from('x'), 'sha256')).keyId).toBe(next.id);
    const toOld = encryptedTo(oldCertificate, 'to-old');
    expect(await ops.decrypt(ref, toOld)).toMatchObject({ keyId: current.id, content: Buffer.from('payload for to-old\r\n') });
    // The same through libs/as2's hook (what a service in another process reaches over the internal route).
    expect((await ops.signAttributes(ref, buildSignedAttributes(Buffer.alloc(32), clockNow()), 'sha256')).keyId).toBe(next.id);
    expect((await decryptEnvelopedWith(toOld, ops.decryptor(ref))).content).toEqual(Buffer.from('payload for to-old\r\n'));
    expect((await api.get(`/v1/keys/${current.id}`)).body.data).toMatchObject({ status: 'previous', usage: 'decrypt', overlap_until: overlapUntil.toISOString().replace('Z', '000Z') });
    expect((await api.delete(`/v1/keys/${current.id}`)).body.error.code).toBe('KEY_IN_USE');
    const timeline = await api.get(`/v1/keys/${next.id}/events`);
    expect(timeline.body.data.map((e: { type: string }) => e.type)).toEqual(['key.rollover_activated.v1', 'key.rollover_scheduled.v1', 'key.created.v1', 'key.created.v1']);
    expect(JSON.stringify({ ...timeline.body, data: timeline.body.data.map((e: object) => ({ ...e, evidence: null })) })).not.toMatch(/BEGIN|PRIVATE/);
    // Stamped as a partner's trust activation is (issue 12: "timeline events as for partner trust"): an RFC 3161 token
    // over a document naming both keys' certificates, which openssl ts -verify accepts.
    const evidence = timeline.body.data[0].evidence;
    expect(createHash('sha256').update(evidence.document, 'utf8').digest('hex')).toBe(evidence.sha256);
    expect(JSON.parse(evidence.document)).toMatchObject({
      purpose: 'as2-partners key rollover activation',
      tenant,
      alias: 'roll',
      key: { id: next.id, certificate_sha256: next.fingerprint_sha256 },
      previous_key: { id: current.id, certificate_sha256: current.fingerprint_sha256 },
      trigger: { type: 'scheduler' },
      scheduled_for: activateAt.toISOString(),
      activated_at: data.activatedAt,
    });
    expect(opensslVerifiesEvidence(evidence)).toMatchObject({ ok: true });
    expect(opensslVerifiesEvidence({ ...evidence, sha256: createHash('sha256').update('forged').digest('hex') }).ok).toBe(false);
    expect(JSON.stringify(evidence)).not.toMatch(/PRIVATE/);

    jumpPast(overlapUntil);
    await expect(ops.decrypt(ref, toOld)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(decryptEnvelopedWith(toOld, ops.decryptor(ref))).rejects.toMatchObject({ code: 'RECIPIENT_MISMATCH' });
    // The overlap's end is on the timeline as the activation is: the scheduler retires the old key, once, with no human.
    const retired = await until('the old key to be retired', async () => {
      const res = await api.get(`/v1/keys/${current.id}`);
      return res.body.data.status === 'retired' ? res.body.data : undefined;
    });
    expect(retired).toMatchObject({ usage: 'none', overlap_until: null, used_by: [] });
    await Promise.all([scheduler.tick(), scheduler.tick()]);
    const retirements = (await store.readStream(CertificateLifecycleStreams.keyAlias('test-account', tenant, 'roll'))).filter((e) => e.type === 'key.retired.v1');
    expect(retirements).toHaveLength(1);
    expect(retirements[0].data).toMatchObject({ keyId: current.id, overlapUntil: overlapUntil.toISOString(), trigger: { type: 'scheduler' } });
    expect(Date.parse((retirements[0].data as { retiredAt: string }).retiredAt)).toBeGreaterThanOrEqual(overlapUntil.getTime());
    expect((await api.get(`/v1/keys/${current.id}/events`)).body.data[0]).toMatchObject({ type: 'key.retired.v1', actor: { type: 'system' }, data: { key_id: current.id } });
    expect((await api.delete(`/v1/keys/${current.id}`)).status).toBe(200);
  });

  it("shows an AS2 instance's keys after the activation as the keystore does: the new current key has no overlap_until", async () => {
    const current = (await api.post('/v1/keys', { alias: 'roll-view', ...generate })).body.data;
    const instance = (await api.post('/v1/as2-instances', { my_as2_id: 'US-VIEW', my_name: 'Us', my_as2_alias: 'roll-view', my_email: 'as2@us.example.com' })).body.data;
    const activateAt = new Date(clockNow().getTime() + HOUR);
    const overlapUntil = new Date(clockNow().getTime() + 2 * HOUR);
    const next = (await api.post(`/v1/keys/${current.id}/rollover`, { ...generate, activate_at: activateAt.toISOString(), overlap_until: overlapUntil.toISOString() })).body.data;

    jumpPast(activateAt);
    type ListedKey = { id: string; status: string; usage: string; activate_at: string | null; overlap_until: string | null };
    const listed = await until('the activation in the instance details', async () => {
      const keys: ListedKey[] = (await api.get(`/v1/as2-instances/${instance.id}`)).body.data.keys;
      return keys.some((k) => k.id === next.id && k.status === 'current') && keys.some((k) => k.id === current.id && k.status === 'previous') ? keys : undefined;
    });
    const keystore: ListedKey[] = (await api.get('/v1/keys?alias=roll-view')).body.data;
    const facts = (k: ListedKey) => [k.id, k.status, k.usage, k.activate_at, k.overlap_until];
    expect(listed.map(facts)).toEqual(expect.arrayContaining(keystore.map(facts)));
    expect(listed.find((k) => k.id === next.id)).toMatchObject({ usage: 'sign_and_decrypt', activate_at: null, overlap_until: null });

    // Once the overlap is over the old key is retired, and the instance's details list only the key it uses.
    jumpPast(overlapUntil);
    const after = await until('the retirement in the instance details', async () => {
      const keys: ListedKey[] = (await api.get(`/v1/as2-instances/${instance.id}`)).body.data.keys;
      return keys.some((k) => k.id === current.id) ? undefined : keys;
    });
    expect(after.map(facts)).toEqual([[next.id, 'current', 'sign_and_decrypt', null, null]]);
    expect((await api.get(`/v1/keys/${current.id}`)).body.data).toMatchObject({ status: 'retired', usage: 'none' });
  });
});
