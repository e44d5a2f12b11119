import { createHash } from 'node:crypto';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { ActivationSchedulerLifecycle } from '@as2-partners/certificate-lifecycle-service';
import { eventually, opensslVerifiesEvidence } from '@as2-partners/kernel-testing';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { certificateApiAs, createPartner, freshTenant, type CertificateApi } from './certificate-api.spec-support';

const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, { timeoutMs: 30_000, intervalMs: 50 });

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// The service's clock: real time plus the jumps a test makes to reach a scheduled instant. Activations are scheduled
// an hour ahead, so however slow the machine nothing fires early, and nobody waits for the instant to come.
let clockOffsetMs = 0;
const clockNow = () => new Date(Date.now() + clockOffsetMs);
const jumpPast = (instant: Date) => {
  clockOffsetMs += Math.max(0, instant.getTime() - clockNow().getTime());
};

/** The trust state's CERTIFICATE_KEY_TOO_SMALL warnings for a partner, as `client` sees it. */
async function keyTooSmallWarnings(client: CertificateApi, partnerId: string): Promise<{ code: string; message: string }[]> {
  const warnings = (await client.get(`/v1/partners/${partnerId}/trust`)).body.data.warnings as { code: string; message: string }[];
  return warnings.filter((w) => w.code === 'CERTIFICATE_KEY_TOO_SMALL');
}

describe('trust lifecycle and scheduled activation (embedded, through the API)', () => {
  let t: EmbeddedTestApp;
  let api: CertificateApi;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule], env: { CERT_SCHEDULER_INTERVAL_MS: '100' }, now: clockNow });
  });
  afterAll(() => t?.close());
  beforeEach(() => {
    api = certificateApiAs(t, { tenant: freshTenant() });
  });

  async function partnerWithTwoCertificates() {
    const partnerId = await createPartner(api);
    const old = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'old', usage: 'encryption' }, issueTestCertificate({ commonName: 'Old' }).pem);
    const next = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'next', usage: 'encryption' }, issueTestCertificate({ commonName: 'Next' }).pem);
    expect([old.status, next.status]).toEqual([201, 201]);
    return { partnerId, oldId: old.body.data.id as string, nextId: next.body.data.id as string };
  }

  it('warns CERTIFICATE_KEY_TOO_SMALL once the partner moves from SHA1withRSA to an algorithm its 1024-bit certificate is too small for', async () => {
    const partnerId = await createPartner(api, { sign: true, sign_algorithm: 'SHA1withRSA' });
    const small = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'small', usage: 'both' }, issueTestCertificate({ commonName: 'Small', keyBits: 1024 }).pem);
    expect(small.status).toBe(201);
    const tooSmall = () => keyTooSmallWarnings(api, partnerId);
    expect(await tooSmall()).toEqual([]);
    expect((await api.patch(`/v1/partners/${partnerId}`, { sign_algorithm: 'SHA256withRSA' })).status).toBe(200);
    const warnings = await until('the warning', async () => ((await tooSmall()).length > 0 ? tooSmall() : undefined));
    expect(warnings.map((w: { message: string }) => w.message)).toEqual([
      `The current encryption certificate ${small.body.data.id} has a 1024-bit RSA key, smaller than the 2048 bits SHA256withRSA requires now: replace it`,
    ]);
  });

  it('refuses to activate a next certificate whose 1024-bit key the partner\'s signing algorithm no longer takes (422, nothing changed); SHA1withRSA again takes it', async () => {
    const partnerId = await createPartner(api, { sign: true, sign_algorithm: 'SHA1withRSA' });
    const old = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'old', usage: 'encryption' }, issueTestCertificate({ commonName: 'Old' }).pem);
    const small = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'small', usage: 'encryption' }, issueTestCertificate({ commonName: 'Small', keyBits: 1024 }).pem);
    expect([old.status, small.status]).toEqual([201, 201]);
    const scheduled = await api.post(`/v1/partners/${partnerId}/trust/rollover`, {
      next_certificate_id: small.body.data.id,
      activate_at: new Date(Date.now() + DAY).toISOString(),
      overlap_until: new Date(Date.now() + 2 * DAY).toISOString(),
      slots: ['encryption'],
    });
    expect(scheduled.status).toBe(201);
    const tooSmall = () => keyTooSmallWarnings(api, partnerId);
    expect(await tooSmall()).toEqual([]);
    expect((await api.patch(`/v1/partners/${partnerId}`, { sign_algorithm: 'SHA256withRSA' })).status).toBe(200);
    // The certificate service knows the new algorithm once the trust state warns about the next certificate.
    await until('the warning', async () => ((await tooSmall()).length > 0 ? true : undefined));
    const refused = await api.post(`/v1/partners/${partnerId}/trust/activate`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('CERTIFICATE_KEY_TOO_SMALL');
    const trust = (await api.get(`/v1/partners/${partnerId}/trust`)).body.data;
    expect(trust.current.encryption.id).toBe(old.body.data.id);
    expect((await api.get(`/v1/partners/${partnerId}/trust/events`)).body.data.map((e: { type: string }) => e.type)).not.toContain('trust.activated.v1');
    expect((await api.patch(`/v1/partners/${partnerId}`, { sign_algorithm: 'SHA1withRSA' })).status).toBe(200);
    await until('no warning', async () => ((await tooSmall()).length === 0 ? true : undefined));
    // A field the route does not take is refused, and activates nothing.
    const stray = await api.post(`/v1/partners/${partnerId}/trust/activate`, { foo: 1 });
    expect([stray.status, stray.body.errors]).toEqual([422, { foo: ['The foo field is not allowed'] }]);
    expect((await api.get(`/v1/partners/${partnerId}/trust`)).body.data.current.encryption.id).toBe(old.body.data.id);
    const activated = await api.post(`/v1/partners/${partnerId}/trust/activate`);
    expect(activated.status).toBe(200);
    expect(activated.body.data.current.encryption.id).toBe(small.body.data.id);
  });

  it("judges a master partner's certificates by a tenant's override of its sign_algorithm for that tenant only", async () => {
    const account = `sign-override-${process.pid}`;
    const admin = certificateApiAs(t, { account, tenant: null, roles: ['account_admin'] });
    const tenants = [freshTenant(), freshTenant()] as const;
    const [one, two] = tenants.map((tenant) => certificateApiAs(t, { account, tenant }));
    const master = await admin.post(`/v1/accounts/${account}/partners`, { name: 'Master', as2_id: `SIGN-MASTER-${process.pid}`, url: 'https://master.example.com/as2', sign: true, sign_algorithm: 'SHA1withRSA' });
    expect(master.status).toBe(201);
    const masterId = master.body.data.id as string;
    const small = await admin.upload(`/v1/accounts/${account}/partners/${masterId}/certificates`, { name: 'small', usage: 'both' }, issueTestCertificate({ commonName: 'Small', keyBits: 1024 }).pem);
    expect(small.status).toBe(201);
    const tooSmall = (api: CertificateApi) => keyTooSmallWarnings(api, masterId);
    expect((await one.patch(`/v1/partners/${masterId}`, { sign_algorithm: 'SHA256withRSA' })).status).toBe(200);
    const warnings = await until("the overriding tenant's warning", async () => ((await tooSmall(one)).length > 0 ? tooSmall(one) : undefined));
    expect(warnings.map((w: { message: string }) => w.message)).toEqual([
      `The current encryption certificate ${small.body.data.id} has a 1024-bit RSA key, smaller than the 2048 bits SHA256withRSA requires now: replace it`,
    ]);
    // The other tenant inherits the master's SHA1withRSA, and so does the account.
    expect(await tooSmall(two)).toEqual([]);
    expect(await tooSmall(admin)).toEqual([]);
    // An account admin acting for a tenant assigns the certificate by that tenant's rule.
    const slot = (tenant: string) => certificateApiAs(t, { account, tenant, roles: ['account_admin'] }).put(`/v1/partners/${masterId}/certificate-slots/signature`, { certificate_id: small.body.data.id, use_different: true });
    const refused = await slot(tenants[0]);
    expect([refused.status, refused.body.error?.code]).toEqual([422, 'CERTIFICATE_KEY_TOO_SMALL']);
    expect((await slot(tenants[1])).status).toBe(200);
    // Reset to the master's configuration: the master's sign_algorithm counts again.
    expect((await one.delete(`/v1/partners/${masterId}/overrides`)).status).toBe(200);
    await until('the warning gone', async () => ((await tooSmall(one)).length === 0 ? true : undefined));
  });

  it('switches immediately with PUT certificate-slots/{slot}', async () => {
    const { partnerId, nextId } = await partnerWithTwoCertificates();
    const res = await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption`, { certificate_id: nextId });
    expect(res.status).toBe(200);
    expect(res.body.data.encryption.current.id).toBe(nextId);
    const partner = await api.get(`/v1/partners/${partnerId}`);
    expect(partner.body.data.certificates.find((c: { id: string }) => c.id === nextId).slots).toEqual(['encryption', 'signature']);
  });

  it('refuses use_different on another slot than signature, and use_different false naming a certificate (422, nothing changed)', async () => {
    const { partnerId, oldId, nextId } = await partnerWithTwoCertificates();
    const onEncryption = await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption`, { certificate_id: nextId, use_different: true });
    expect([onEncryption.status, onEncryption.body.errors]).toEqual([422, { use_different: ['The use_different field is for the signature slot only'] }]);
    const contradictory = await api.put(`/v1/partners/${partnerId}/certificate-slots/signature`, { certificate_id: nextId, use_different: false });
    expect([contradictory.status, contradictory.body.error.code]).toEqual([422, 'VALIDATION_FAILED']);
    const slots = (await api.get(`/v1/partners/${partnerId}/certificate-slots`)).body.data;
    expect([slots.encryption.current.id, slots.signature.current.id, slots.signature.use_different]).toEqual([oldId, oldId, false]);
    // alone, use_different false still makes the signature slot follow encryption
    const follow = await api.put(`/v1/partners/${partnerId}/certificate-slots/signature`, { use_different: false });
    expect([follow.status, follow.body.data.signature.use_different]).toEqual([200, false]);
  });

  it('refuses a backup activate_on in the past or without a zone, and cancels a scheduled one', async () => {
    const { partnerId, nextId } = await partnerWithTwoCertificates();
    const past = await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { certificate_id: nextId, activate_on: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(422);
    expect(past.body.error.code).toBe('INVALID_ACTIVATION_TIME');
    const naive = await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { certificate_id: nextId, activate_on: '2099-01-01T00:00:00' });
    expect(naive.status).toBe(422);
    const future = new Date(Date.now() + DAY).toISOString();
    const ok = await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { certificate_id: nextId, activate_on: future });
    expect(ok.status).toBe(200);
    expect(ok.body.data.encryption.backup.certificate.id).toBe(nextId);
    const cancelled = await api.delete(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data.encryption.backup).toBeNull();
    expect((await api.delete(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`)).body.error.code).toBe('BACKUP_NOT_SCHEDULED');
  });

  it('activates a scheduled backup at activate_on with no human action, exactly once, and the partner details follow', async () => {
    const { partnerId, oldId, nextId } = await partnerWithTwoCertificates();
    const scheduledAt = Date.now();
    const activateOn = new Date(clockNow().getTime() + HOUR);
    const scheduled = await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { certificate_id: nextId, activate_on: activateOn.toISOString() });
    expect(scheduled.status).toBe(200);
    expect((await api.get(`/v1/partners/${partnerId}/certificate-slots`)).body.data.encryption.current.id).toBe(oldId);
    jumpPast(activateOn);
    const slots = await until('the backup to activate', async () => {
      const res = await api.get(`/v1/partners/${partnerId}/certificate-slots`);
      return res.body.data.encryption.current.id === nextId ? res.body.data : undefined;
    });
    expect(slots.encryption.backup).toBeNull();
    expect(await t.app.get(ActivationSchedulerLifecycle).scheduler.tick()).toBe(0);
    // the timeline is a view of its own: the scheduler's activation shows there once that view has it too
    const events = await until('the activation in the timeline', async () => {
      const timeline = (await api.get(`/v1/partners/${partnerId}/trust/events?per_page=100`)).body.data;
      return timeline.some((e: { type: string }) => e.type === 'partner_certificates.backup_activated.v1') ? timeline : undefined;
    });
    const activations = events.filter((e: { type: string }) => e.type === 'partner_certificates.backup_activated.v1');
    expect(activations).toHaveLength(1);
    expect(activations[0]).toMatchObject({ actor: { type: 'system' }, data: { certificate_id: nextId, previous_certificate_id: oldId, trigger: { type: 'scheduler' } } });
    expect(new Date(activations[0].data.activated_at).getTime()).toBeGreaterThanOrEqual(activateOn.getTime());
    // Late by no more than the real time since it was scheduled (the clock jumped exactly to the instant, then ran on).
    expect(activations[0].data.late_by_ms).toBeLessThanOrEqual(Date.now() - scheduledAt);
    // The scheduler's change reaches the registry's partner details over the bus, after the activation: no request waits for it.
    const certificates = await until('the partner details to show the activation', async () => {
      const found = (await api.get(`/v1/partners/${partnerId}`)).body.data.certificates as { id: string; slots: string[] }[];
      return found.find((c) => c.id === nextId)?.slots.length ? found : undefined;
    });
    expect(certificates.find((c) => c.id === nextId)?.slots).toEqual(['encryption', 'signature']);
    expect(certificates.find((c) => c.id === oldId)?.slots).toEqual([]);
  });

  it('validates the rollover window', async () => {
    const { partnerId, nextId } = await partnerWithTwoCertificates();
    const now = Date.now();
    const incoherent = await api.post(`/v1/partners/${partnerId}/trust/rollover`, {
      next_certificate_id: nextId,
      activate_at: new Date(now + 2 * DAY).toISOString(),
      overlap_until: new Date(now + DAY).toISOString(),
    });
    expect(incoherent.status).toBe(422);
    expect(incoherent.body.error.code).toBe('ROLLOVER_WINDOW_INVALID');
    const shortLived = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'short', usage: 'encryption' }, issueTestCertificate({ notAfter: new Date(now + 3 * DAY) }).pem);
    const notCovering = await api.post(`/v1/partners/${partnerId}/trust/rollover`, {
      next_certificate_id: shortLived.body.data.id,
      activate_at: new Date(now + DAY).toISOString(),
      overlap_until: new Date(now + 10 * DAY).toISOString(),
    });
    expect(notCovering.status).toBe(422);
    expect(notCovering.body.error.code).toBe('CERTIFICATE_NOT_VALID_FOR_WINDOW');
    expect((await api.post(`/v1/partners/${partnerId}/trust/activate`)).body.error.code).toBe('ROLLOVER_NOT_SCHEDULED');
  });

  it('refuses an activate_at or overlap_until on a day the calendar lacks (not rolled over to March), naming the field', async () => {
    const { partnerId, nextId } = await partnerWithTwoCertificates();
    const year = new Date().getUTCFullYear() + 1 + ((new Date().getUTCFullYear() + 1) % 4 === 0 ? 1 : 0);
    const cases = [
      { activate_at: `${year}-02-30T00:00:00Z`, overlap_until: `${year}-03-10T00:00:00Z`, field: 'activate_at' },
      { activate_at: `${year}-03-01T00:00:00Z`, overlap_until: `${year}-03-10T24:00:00Z`, field: 'overlap_until' },
    ];
    for (const { field, ...window } of cases) {
      const res = await api.post(`/v1/partners/${partnerId}/trust/rollover`, { next_certificate_id: nextId, ...window });
      expect([field, res.status, res.body.error.code, Object.keys(res.body.errors ?? {})]).toEqual([field, 422, 'ROLLOVER_WINDOW_INVALID', [field]]);
    }
    expect((await api.post(`/v1/partners/${partnerId}/trust/activate`)).body.error.code).toBe('ROLLOVER_NOT_SCHEDULED');
    const backup = await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { certificate_id: nextId, activate_on: `${year}-02-29T12:00:00Z` });
    expect([backup.status, backup.body.error.code, Object.keys(backup.body.errors ?? {})]).toEqual([422, 'INVALID_ACTIVATION_TIME', ['activate_on']]);
  });

  it('a scheduled rollover activates on time with no human, exactly once, with a timestamp token openssl ts -verify accepts; the timeline and partner details show it', async () => {
    const { partnerId, oldId, nextId } = await partnerWithTwoCertificates();
    const scheduledAt = Date.now();
    const activateAt = new Date(clockNow().getTime() + HOUR);
    const overlapUntil = new Date(clockNow().getTime() + DAY);
    const scheduled = await api.post(`/v1/partners/${partnerId}/trust/rollover`, {
      next_certificate_id: nextId,
      activate_at: activateAt.toISOString(),
      overlap_until: overlapUntil.toISOString(),
    });
    expect(scheduled.status).toBe(201);
    expect(scheduled.body.data.next).toMatchObject({ certificate: { id: nextId }, slots: ['encryption', 'signature'] });
    expect(scheduled.body.data.next_step).toMatchObject({ action: 'activate', certificate_id: nextId });
    const usage = await api.get(`/v1/certificates/${nextId}/usage`);
    expect(usage.body.data.used_by).toEqual(expect.arrayContaining([{ partner_id: partnerId, slot: 'encryption', role: 'next' }]));

    jumpPast(activateAt);
    const state = await until('the rollover to activate', async () => {
      const res = await api.get(`/v1/partners/${partnerId}/trust`);
      return res.body.data.current.encryption?.id === nextId ? res.body.data : undefined;
    });
    expect(state.next).toBeNull();
    expect(state.overlap).toMatchObject({ open: true, previous: expect.arrayContaining([{ slot: 'encryption', certificate_id: oldId }]) });
    expect(state.slots.signature.accepted_for_receiving).toEqual([nextId, oldId]);
    expect(state.next_step).toMatchObject({ action: 'retire', certificate_ids: [oldId] });

    expect(await t.app.get(ActivationSchedulerLifecycle).scheduler.tick()).toBe(0);
    // the timeline is a view of its own: the scheduler's activation shows there once that view has it too
    const timeline = await until('the rollover in the timeline', async () => {
      const events = (await api.get(`/v1/partners/${partnerId}/trust/events?per_page=100`)).body.data;
      return events.some((e: { type: string }) => e.type === 'trust.activated.v1') ? events : undefined;
    });
    const activations = timeline.filter((e: { type: string }) => e.type === 'trust.activated.v1');
    expect(activations).toHaveLength(1);
    const [activation] = activations;
    expect(timeline[0].type).toBe('trust.activated.v1');
    expect(activation.actor.type).toBe('system');
    expect(activation.data).toMatchObject({ certificate_id: nextId, trigger: { type: 'scheduler' }, previous_certificate_ids: { encryption: oldId, signature: oldId } });
    expect(new Date(activation.data.activated_at).getTime()).toBeGreaterThanOrEqual(activateAt.getTime());
    expect(activation.data.late_by_ms).toBeLessThanOrEqual(Date.now() - scheduledAt);
    const evidence = activation.evidence;
    expect(createHash('sha256').update(evidence.document, 'utf8').digest('hex')).toBe(evidence.sha256);
    const document = JSON.parse(evidence.document);
    expect(document).toMatchObject({ partner_id: partnerId, certificate: { id: nextId }, trigger: { type: 'scheduler' } });
    expect(document.previous_certificates[0]).toMatchObject({ id: oldId, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const verified = opensslVerifiesEvidence(evidence);
    expect(verified).toMatchObject({ ok: true });
    expect(verified.output).toContain('Verification: OK');
    // The check can fail: a different document digest is refused.
    expect(opensslVerifiesEvidence({ ...evidence, sha256: createHash('sha256').update('forged').digest('hex') }).ok).toBe(false);
    // The TSA request behind the evidence is timed.
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^as2_tsa_request_duration_seconds_count\{outcome="ok"\} [1-9]\d*$/m);

    // The scheduler's change reaches the registry's partner details over the bus, after the activation: no request waits for it.
    const shown = await until('the partner details to show the activation', async () => {
      const found = ((await api.get(`/v1/partners/${partnerId}`)).body.data.certificates as { id: string; slots: string[] }[]).find((c) => c.id === nextId);
      return found?.slots.length ? found : undefined;
    });
    expect(shown).toMatchObject({ active: true, slots: ['encryption', 'signature'] });
  });

  it('manual activation returns the evidence; retire is refused during the overlap unless forced with a reason', async () => {
    const { partnerId, oldId, nextId } = await partnerWithTwoCertificates();
    await api.post(`/v1/partners/${partnerId}/trust/rollover`, {
      next_certificate_id: nextId,
      activate_at: new Date(Date.now() + DAY).toISOString(),
      overlap_until: new Date(Date.now() + 2 * DAY).toISOString(),
      slots: ['encryption'],
    });
    const activated = await api.post(`/v1/partners/${partnerId}/trust/activate`);
    expect(activated.status).toBe(200);
    expect(activated.body.data.activation).toMatchObject({ certificate_id: nextId, trigger: { type: 'manual', actor: 'test-user' } });
    expect(opensslVerifiesEvidence(activated.body.data.activation.evidence).ok).toBe(true);
    expect(activated.body.data.current.encryption.id).toBe(nextId);
    // The signature slot follows encryption: the stamped document names it too, with the certificate it had.
    const stamped = JSON.parse(activated.body.data.activation.evidence.document) as { slots: string[]; previous_certificates: { slot: string; id: string }[] };
    expect([stamped.slots, stamped.previous_certificates.map((p) => [p.slot, p.id])]).toEqual([['encryption', 'signature'], [['encryption', oldId], ['signature', oldId]]]);

    const early = await api.post(`/v1/partners/${partnerId}/trust/retire`, {});
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('OVERLAP_NOT_CLOSED');
    expect((await api.post(`/v1/partners/${partnerId}/trust/retire`, { force: true })).body.error.code).toBe('RETIRE_REASON_REQUIRED');
    const forced = await api.post(`/v1/partners/${partnerId}/trust/retire`, { force: true, reason: 'partner key compromised' });
    expect(forced.status).toBe(200);
    expect(forced.body.data.retired_certificate_ids).toEqual([oldId]);
    expect((await api.get(`/v1/certificates/${oldId}`)).body.data.active).toBe(false);
    const timeline = (await api.get(`/v1/partners/${partnerId}/trust/events`)).body.data.map((e: { type: string }) => e.type);
    expect(timeline.slice(0, 4)).toEqual(['certificate.retired.v1', 'trust.retired.v1', 'trust.activated.v1', 'trust.rollover_scheduled.v1']);
  });

  it('an activation cancels a backup scheduled to replace the certificate it replaces: the approved certificate stays current', async () => {
    const { partnerId, nextId } = await partnerWithTwoCertificates();
    const backup = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'backup', usage: 'encryption' }, issueTestCertificate({ commonName: 'Backup' }).pem);
    const backupId = backup.body.data.id as string;
    const scheduled = await api.put(`/v1/partners/${partnerId}/certificate-slots/encryption/backup`, { certificate_id: backupId, activate_on: new Date(clockNow().getTime() + 2 * HOUR).toISOString() });
    expect(scheduled.status).toBe(200);
    await api.post(`/v1/partners/${partnerId}/trust/rollover`, {
      next_certificate_id: nextId,
      activate_at: new Date(clockNow().getTime() + HOUR).toISOString(),
      overlap_until: new Date(clockNow().getTime() + DAY).toISOString(),
      slots: ['encryption'],
    });
    expect((await api.post(`/v1/partners/${partnerId}/trust/activate`)).status).toBe(200);
    const slots = (await api.get(`/v1/partners/${partnerId}/certificate-slots`)).body.data;
    expect([slots.encryption.current.id, slots.encryption.backup]).toEqual([nextId, null]);
    const timeline = (await api.get(`/v1/partners/${partnerId}/trust/events`)).body.data.map((e: { type: string }) => e.type);
    expect(timeline.slice(0, 2)).toEqual(['partner_certificates.backup_cancelled.v1', 'trust.activated.v1']);
    // Past the backup's instant, the scheduler finds nothing to activate: a backup due at the same instant elsewhere (the
    // canary) shows it has run.
    const canary = await partnerWithTwoCertificates();
    const due = new Date(clockNow().getTime() + 2 * HOUR);
    expect((await api.put(`/v1/partners/${canary.partnerId}/certificate-slots/encryption/backup`, { certificate_id: canary.nextId, activate_on: due.toISOString() })).status).toBe(200);
    jumpPast(new Date(due.getTime() + HOUR));
    await until('the canary backup to activate', async () => {
      const current = (await api.get(`/v1/partners/${canary.partnerId}/certificate-slots`)).body.data.encryption.current.id;
      return current === canary.nextId ? current : undefined;
    });
    expect((await api.get(`/v1/partners/${partnerId}/certificate-slots`)).body.data.encryption.current.id).toBe(nextId);
  });

  it('retiring after a signature-only rollover leaves the previous certificate active while it is still the current encryption certificate', async () => {
    const partnerId = await createPartner(api);
    const both = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'both', usage: 'both' }, issueTestCertificate({ commonName: 'Both' }).pem);
    const signing = await api.upload(`/v1/partners/${partnerId}/certificates`, { name: 'signing', usage: 'signing' }, issueTestCertificate({ commonName: 'Signing' }).pem);
    const [bothId, signingId] = [both.body.data.id as string, signing.body.data.id as string];
    await api.post(`/v1/partners/${partnerId}/trust/rollover`, {
      next_certificate_id: signingId,
      activate_at: new Date(Date.now() + DAY).toISOString(),
      overlap_until: new Date(Date.now() + 2 * DAY).toISOString(),
      slots: ['signature'],
    });
    expect((await api.post(`/v1/partners/${partnerId}/trust/activate`)).status).toBe(200);
    const retired = await api.post(`/v1/partners/${partnerId}/trust/retire`, { force: true, reason: 'new signing key' });
    expect(retired.status).toBe(200);
    // The overlap has ended (the signature slot no longer accepts it); no certificate is retired.
    expect(retired.body.data.retired_certificate_ids).toEqual([]);
    expect(retired.body.data.overlap).toBeNull();
    expect((await api.get(`/v1/certificates/${bothId}`)).body.data.active).toBe(true);
    const trust = (await api.get(`/v1/partners/${partnerId}/trust`)).body.data;
    expect(trust.current.encryption).toMatchObject({ id: bothId, active: true });
    expect(trust.warnings).toEqual([]);
    // The partner details (the registry's copy, fed by the events) still list it active.
    const details = (await api.get(`/v1/partners/${partnerId}`)).body.data;
    expect(details.certificates.find((c: { id: string }) => c.id === bothId)).toMatchObject({ active: true, slots: ['encryption'] });
  });

  it('paginates the timeline newest first', async () => {
    const { partnerId, nextId } = await partnerWithTwoCertificates();
    for (let i = 0; i < 3; i++) {
      await api.put(`/v1/partners/${partnerId}/certificate-slots/tls/backup`, { certificate_id: nextId, activate_on: new Date(Date.now() + DAY).toISOString() });
    }
    const page1 = await api.get(`/v1/partners/${partnerId}/trust/events?per_page=2`);
    const page2 = await api.get(`/v1/partners/${partnerId}/trust/events?per_page=2&page=2`);
    expect(page1.body.pagination.total).toBe(page2.body.pagination.total);
    const positions = [...page1.body.data, ...page2.body.data].map((e: { position: number }) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
  });
});
