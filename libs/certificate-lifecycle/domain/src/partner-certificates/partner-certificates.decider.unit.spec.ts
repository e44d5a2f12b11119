import { deciderSpecification } from '@as2-partners/kernel-testing';
import { foldEvents, PersistentMap } from '@as2-partners/kernel';
import { partnerCertificatesDecider, type CertificateFacts } from './partner-certificates.decider';
import type { EvidenceData, PartnerCertificatesEvent } from './partner-certificates.events';
import { acceptedForReceiving, effectiveCurrent, rolesOf } from './partner-certificates.state';

const spec = deciderSpecification(partnerCertificatesDecider);
const ref = { partnerId: 'prt_1', account: 'acc', tenant: 'ten' };
const now = '2026-11-23T10:00:00.000Z';
const later = '2026-12-01T00:00:00.000Z';
const overlapEnd = '2026-12-08T00:00:00.000Z';

function cert(certificateId: string, overrides: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    certificateId,
    name: certificateId,
    type: 'partner',
    usage: 'encryption',
    subject: `CN=${certificateId}`,
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-06-01T00:00:00.000Z',
    fingerprintSha256: `sha-${certificateId}`,
    createdAt: now,
    active: true,
    ...overrides,
  };
}
const { active: _a, ...attachedOld } = cert('cert_old');
const { active: _b, ...attachedNew } = cert('cert_new');
const attached = (c: typeof attachedOld): PartnerCertificatesEvent => ({
  type: 'partner_certificates.certificate_attached.v1',
  data: { partnerId: 'prt_1', account: 'acc', tenant: 'ten', certificate: c, attachedAt: now },
});
const assigned = (slot: 'encryption' | 'signature' | 'tls', certificateId: string, previous: string | null, cause: 'upload' | 'manual'): PartnerCertificatesEvent => ({
  type: 'partner_certificates.slot_assigned.v1',
  data: { partnerId: 'prt_1', slot, certificateId, previousCertificateId: previous, cause, assignedAt: now },
});
const evidence: EvidenceData = { document: '{}', sha256: 'ab', timestampToken: 'MA==', tsaCertificate: 'PEM', tsaUrl: 'http://tsa', genTime: now };
const withOld = [attached(attachedOld), assigned('encryption', 'cert_old', null, 'upload')];
const scheduled: PartnerCertificatesEvent = {
  type: 'trust.rollover_scheduled.v1',
  data: {
    partnerId: 'prt_1',
    nextCertificateId: 'cert_new',
    currentCertificateIds: { encryption: 'cert_old', signature: 'cert_old' },
    slots: ['encryption', 'signature'],
    activateAt: later,
    overlapUntil: overlapEnd,
    replacesNextCertificateId: null,
    scheduledAt: now,
  },
};
const trigger = { type: 'scheduler' as const, actor: 'scheduler:a' };
const activation = (at: string) => ({
  ...ref,
  type: 'activate_rollover' as const,
  trigger,
  onlyIfDue: true,
  nextCertificate: cert('cert_new'),
  previousSha256: { cert_old: 'sha-cert_old' },
  evidence,
  now: at,
});

describe('partner certificates: uploads and immediate changes', () => {
  it('given no certificates, when an encryption certificate is attached, then it fills the empty encryption slot', () => {
    spec([]).when({ ...ref, type: 'attach', certificate: cert('cert_old'), now }).then(withOld);
  });

  it('given a current encryption certificate, when another is attached, then it is attached but the slot keeps its certificate', () => {
    spec(withOld).when({ ...ref, type: 'attach', certificate: cert('cert_new'), now }).then([attached(attachedNew)]);
  });

  it('an expired certificate is attached without filling a slot', () => {
    const expired = cert('cert_x', { notAfter: '2026-11-01T00:00:00.000Z' });
    const events = partnerCertificatesDecider.decide({ ...ref, type: 'attach', certificate: expired, now }, partnerCertificatesDecider.initialState());
    expect(events.map((e) => e.type)).toEqual(['partner_certificates.certificate_attached.v1']);
  });

  it('a signing certificate fills the signature slot and sets it apart from encryption; tls fills tls', () => {
    const signing = partnerCertificatesDecider.decide({ ...ref, type: 'attach', certificate: cert('cert_s', { usage: 'signing' }), now }, partnerCertificatesDecider.initialState());
    const state = foldEvents(partnerCertificatesDecider, signing);
    expect(state.signature).toEqual({ current: 'cert_s', backup: null, useDifferent: true });
    const tls = partnerCertificatesDecider.decide({ ...ref, type: 'attach', certificate: cert('cert_t', { usage: 'tls' }), now }, state);
    expect(foldEvents(partnerCertificatesDecider, [...signing, ...tls]).tls.current).toBe('cert_t');
  });

  it('a signing certificate fills a signature slot that follows an encryption certificate uploaded for encryption only, not one that follows a certificate for both', () => {
    // withOld: cert_old, uploaded for encryption, fills encryption; the signature slot follows it.
    const signing = partnerCertificatesDecider.decide({ ...ref, type: 'attach', certificate: cert('cert_s', { usage: 'signing' }), now }, foldEvents(partnerCertificatesDecider, withOld));
    const state = foldEvents(partnerCertificatesDecider, [...withOld, ...signing]);
    expect([effectiveCurrent(state, 'encryption'), effectiveCurrent(state, 'signature'), state.signature.useDifferent]).toEqual(['cert_old', 'cert_s', true]);
    const { active: _c, ...attachedBoth } = cert('cert_both', { usage: 'both' });
    const withBoth = [attached(attachedBoth), assigned('encryption', 'cert_both', null, 'upload')];
    const kept = partnerCertificatesDecider.decide({ ...ref, type: 'attach', certificate: cert('cert_s', { usage: 'signing' }), now }, foldEvents(partnerCertificatesDecider, withBoth));
    expect(kept.map((event) => event.type)).toEqual(['partner_certificates.certificate_attached.v1']);
  });

  it('the signature slot follows encryption until a different certificate is set', () => {
    const state = foldEvents(partnerCertificatesDecider, withOld);
    expect(effectiveCurrent(state, 'signature')).toBe('cert_old');
  });

  it('when a certificate is assigned to a slot, then it is current (attached first if it was not)', () => {
    spec(withOld)
      .when({ ...ref, type: 'assign', slot: 'encryption', certificate: cert('cert_new'), now })
      .then([attached(attachedNew), assigned('encryption', 'cert_new', 'cert_old', 'manual')]);
  });

  it('assigning the current certificate again changes nothing', () => {
    spec(withOld).when({ ...ref, type: 'assign', slot: 'encryption', certificate: cert('cert_old'), now }).thenNothing();
  });

  it('refuses a certificate whose usage does not fit the slot', () => {
    spec(withOld)
      .when({ ...ref, type: 'assign', slot: 'tls', certificate: cert('cert_new'), now })
      .thenError('CERTIFICATE_USAGE_MISMATCH', { details: { usage: 'encryption', slot: 'tls' } });
  });

  it('refuses to make an expired or not-yet-valid certificate current', () => {
    spec(withOld)
      .when({ ...ref, type: 'assign', slot: 'encryption', certificate: cert('cert_new', { notAfter: '2026-11-22T00:00:00.000Z' }), now })
      .thenError('CERTIFICATE_EXPIRED', { field: 'certificate_id' });
    spec(withOld)
      .when({ ...ref, type: 'assign', slot: 'encryption', certificate: cert('cert_new', { notBefore: '2026-11-24T00:00:00.000Z' }), now })
      .thenError('CERTIFICATE_NOT_YET_VALID', { field: 'certificate_id' });
  });

  it('refuses an inactive certificate', () => {
    spec(withOld).when({ ...ref, type: 'assign', slot: 'encryption', certificate: cert('cert_new', { active: false }), now }).thenError('CERTIFICATE_INACTIVE');
  });

  it('when the signature slot is told to follow encryption again, then it does', () => {
    const setApart = [...withOld, attached(attachedNew), assigned('signature', 'cert_new', 'cert_old', 'manual')];
    spec(setApart)
      .when({ ...ref, type: 'follow_encryption', now })
      .then([{ type: 'partner_certificates.signature_follows_encryption.v1', data: { partnerId: 'prt_1', previousCertificateId: 'cert_new', changedAt: now } }]);
  });
});

describe('partner certificates: scheduled backups', () => {
  const backupScheduled: PartnerCertificatesEvent = {
    type: 'partner_certificates.backup_scheduled.v1',
    data: { partnerId: 'prt_1', slot: 'encryption', certificateId: 'cert_new', activateOn: later, replacesCertificateId: 'cert_old', scheduledAt: now },
  };

  it('when a backup is scheduled for a future UTC instant, then it is pending', () => {
    spec(withOld)
      .when({ ...ref, type: 'schedule_backup', slot: 'encryption', certificate: cert('cert_new'), activateOn: later, now })
      .then([attached(attachedNew), backupScheduled]);
  });

  it('refuses an activate_on in the past', () => {
    spec(withOld)
      .when({ ...ref, type: 'schedule_backup', slot: 'encryption', certificate: cert('cert_new'), activateOn: '2026-11-23T09:59:59.000Z', now })
      .thenError('INVALID_ACTIVATION_TIME', { field: 'activate_on' });
  });

  it('refuses a backup that will have expired or not be valid yet at activate_on', () => {
    spec(withOld)
      .when({ ...ref, type: 'schedule_backup', slot: 'encryption', certificate: cert('cert_new', { notAfter: '2026-11-30T00:00:00.000Z' }), activateOn: later, now })
      .thenError('CERTIFICATE_NOT_VALID_FOR_WINDOW');
  });

  it("refuses a backup that is the slot's current certificate already (BACKUP_SAME_CERTIFICATE)", () => {
    spec(withOld)
      .when({ ...ref, type: 'schedule_backup', slot: 'encryption', certificate: cert('cert_old'), activateOn: later, now })
      .thenError('BACKUP_SAME_CERTIFICATE', { field: 'certificate_id' });
  });

  it('given a pending backup, assigning that very certificate now cancels the backup with the assignment', () => {
    spec([...withOld, attached(attachedNew), backupScheduled])
      .when({ ...ref, type: 'assign', slot: 'encryption', certificate: cert('cert_new'), now })
      .then([
        assigned('encryption', 'cert_new', 'cert_old', 'manual'),
        { type: 'partner_certificates.backup_cancelled.v1', data: { partnerId: 'prt_1', slot: 'encryption', certificateId: 'cert_new', activateOn: later, cancelledAt: now } },
      ]);
  });

  it('given a pending backup, before activate_on, the due-check activates nothing', () => {
    spec([...withOld, attached(attachedNew), backupScheduled]).when({ ...ref, type: 'activate_due_backups', trigger, backupCertificates: [], now }).thenNothing();
  });

  it('given a pending backup, at or after activate_on, it becomes current once, recording how late', () => {
    const at = '2026-12-01T00:00:02.500Z';
    const given = [...withOld, attached(attachedNew), backupScheduled];
    spec(given)
      .when({ ...ref, type: 'activate_due_backups', trigger, backupCertificates: [cert('cert_new')], now: at })
      .then([
        {
          type: 'partner_certificates.backup_activated.v1',
          data: {
            partnerId: 'prt_1',
            slot: 'encryption',
            certificateId: 'cert_new',
            previousCertificateId: 'cert_old',
            scheduledFor: later,
            activatedAt: at,
            lateByMs: 2500,
            trigger,
          },
        },
      ]);
    const activated = partnerCertificatesDecider.decide({ ...ref, type: 'activate_due_backups', trigger, backupCertificates: [cert('cert_new')], now: at }, foldEvents(partnerCertificatesDecider, given));
    const after = foldEvents(partnerCertificatesDecider, [...given, ...activated]);
    expect(after.encryption).toEqual({ current: 'cert_new', backup: null });
    // Exactly once: a second due-check on the new state finds nothing to do.
    expect(partnerCertificatesDecider.decide({ ...ref, type: 'activate_due_backups', trigger, backupCertificates: [cert('cert_new')], now: at }, after)).toEqual([]);
  });

  it('a cancelled backup never activates; cancelling none is BACKUP_NOT_SCHEDULED', () => {
    const cancelled: PartnerCertificatesEvent = {
      type: 'partner_certificates.backup_cancelled.v1',
      data: { partnerId: 'prt_1', slot: 'encryption', certificateId: 'cert_new', activateOn: later, cancelledAt: now },
    };
    spec([...withOld, backupScheduled]).when({ ...ref, type: 'cancel_backup', slot: 'encryption', now }).then([cancelled]);
    spec([...withOld, backupScheduled, cancelled]).when({ ...ref, type: 'activate_due_backups', trigger, backupCertificates: [cert('cert_new')], now: overlapEnd }).thenNothing();
    spec(withOld).when({ ...ref, type: 'cancel_backup', slot: 'tls', now }).thenError('BACKUP_NOT_SCHEDULED');
  });

  it('a due backup whose certificate was retired or deactivated since is cancelled, not activated: the current one stays, and it is not retried', () => {
    const at = '2026-12-01T00:00:02.500Z';
    const given = [...withOld, attached(attachedNew), backupScheduled];
    const cancelledByScheduler: PartnerCertificatesEvent = {
      type: 'partner_certificates.backup_cancelled.v1',
      data: { partnerId: 'prt_1', slot: 'encryption', certificateId: 'cert_new', activateOn: later, cancelledAt: at },
    };
    const due = { ...ref, type: 'activate_due_backups' as const, trigger, backupCertificates: [cert('cert_new', { active: false })], now: at };
    spec(given).when(due).then([cancelledByScheduler]);
    const after = foldEvents(partnerCertificatesDecider, [...given, cancelledByScheduler]);
    expect(after.encryption).toEqual({ current: 'cert_old', backup: null });
    expect(partnerCertificatesDecider.decide(due, after)).toEqual([]);
  });

  it('a due backup whose certificate expired by the time it is activated (the service was down), or is no longer stored, is cancelled too', () => {
    const at = '2027-07-01T00:00:00.000Z';
    const given = [...withOld, attached(attachedNew), backupScheduled];
    const cancelledByScheduler: PartnerCertificatesEvent = {
      type: 'partner_certificates.backup_cancelled.v1',
      data: { partnerId: 'prt_1', slot: 'encryption', certificateId: 'cert_new', activateOn: later, cancelledAt: at },
    };
    spec(given).when({ ...ref, type: 'activate_due_backups', trigger, backupCertificates: [cert('cert_new')], now: at }).then([cancelledByScheduler]);
    spec(given).when({ ...ref, type: 'activate_due_backups', trigger, backupCertificates: [], now: later }).then([{ ...cancelledByScheduler, data: { ...cancelledByScheduler.data, cancelledAt: later } }]);
  });
});

describe('trust lifecycle: schedule rollover, activate, retire', () => {
  const given = [...withOld, attached(attachedNew)];

  it('persists the approved window', () => {
    spec(given)
      .when({ ...ref, type: 'schedule_rollover', certificate: cert('cert_new'), activateAt: later, overlapUntil: overlapEnd, slots: ['encryption', 'signature'], now })
      .then([scheduled]);
  });

  it('refuses incoherent dates: activate_at not after now, overlap_until not after activate_at', () => {
    spec(given)
      .when({ ...ref, type: 'schedule_rollover', certificate: cert('cert_new'), activateAt: now, overlapUntil: overlapEnd, slots: ['encryption'], now })
      .thenError('ROLLOVER_WINDOW_INVALID', { field: 'activate_at' });
    spec(given)
      .when({ ...ref, type: 'schedule_rollover', certificate: cert('cert_new'), activateAt: later, overlapUntil: later, slots: ['encryption'], now })
      .thenError('ROLLOVER_WINDOW_INVALID', { field: 'overlap_until' });
  });

  it('refuses a next certificate not valid over the whole window', () => {
    spec(given)
      .when({
        ...ref,
        type: 'schedule_rollover',
        certificate: cert('cert_new', { notAfter: '2026-12-05T00:00:00.000Z' }),
        activateAt: later,
        overlapUntil: overlapEnd,
        slots: ['encryption'],
        now,
      })
      .thenError('CERTIFICATE_NOT_VALID_FOR_WINDOW');
    spec(given)
      .when({
        ...ref,
        type: 'schedule_rollover',
        certificate: cert('cert_new', { notBefore: '2026-12-02T00:00:00.000Z' }),
        activateAt: later,
        overlapUntil: overlapEnd,
        slots: ['encryption'],
        now,
      })
      .thenError('CERTIFICATE_NOT_VALID_FOR_WINDOW');
  });

  it('refuses rolling over to the certificate already current', () => {
    spec(given)
      .when({ ...ref, type: 'schedule_rollover', certificate: cert('cert_old'), activateAt: later, overlapUntil: overlapEnd, slots: ['encryption'], now })
      .thenError('ROLLOVER_SAME_CERTIFICATE');
  });

  it('the scheduler does not activate before activate_at; activation without a window is ROLLOVER_NOT_SCHEDULED', () => {
    spec([...given, scheduled]).when(activation(now)).thenNothing();
    spec(given).when(activation(later)).thenError('ROLLOVER_NOT_SCHEDULED');
  });

  it('at activate_at the next certificate becomes current with evidence; the old one is still accepted for receiving during the overlap', () => {
    const at = '2026-12-01T00:00:01.000Z';
    const state = foldEvents(partnerCertificatesDecider, [...given, scheduled]);
    const events = partnerCertificatesDecider.decide(activation(at), state);
    expect(events).toEqual([
      {
        type: 'trust.activated.v1',
        data: {
          partnerId: 'prt_1',
          certificateId: 'cert_new',
          certificateSha256: 'sha-cert_new',
          previousCertificateIds: { encryption: 'cert_old', signature: 'cert_old' },
          previousCertificateSha256: { cert_old: 'sha-cert_old' },
          slots: ['encryption', 'signature'],
          trigger,
          scheduledFor: later,
          activatedAt: at,
          lateByMs: 1000,
          overlapUntil: overlapEnd,
          evidence,
        },
      },
    ]);
    const after = foldEvents(partnerCertificatesDecider, [...given, scheduled, ...events]);
    expect(effectiveCurrent(after, 'encryption')).toBe('cert_new');
    expect(effectiveCurrent(after, 'signature')).toBe('cert_new');
    expect(after.signature.useDifferent).toBe(false);
    expect(acceptedForReceiving(after, 'signature', new Date(at))).toEqual(['cert_new', 'cert_old']);
    expect(acceptedForReceiving(after, 'signature', new Date(overlapEnd))).toEqual(['cert_new']);
    expect(rolesOf(after, 'cert_old')).toEqual([
      { slot: 'encryption', role: 'overlap' },
      { slot: 'signature', role: 'overlap' },
    ]);
    expect(after.rollover).toBeNull();
    // Exactly once: the window is consumed.
    expect(() => partnerCertificatesDecider.decide(activation(at), after)).toThrow(/No rollover/);
  });

  it('a rollover of the encryption slot alone moves the signature slot that follows it, whose old certificate stays accepted during the overlap', () => {
    const at = '2026-12-01T00:00:01.000Z';
    const encryptionOnly: PartnerCertificatesEvent = {
      type: 'trust.rollover_scheduled.v1',
      data: { partnerId: 'prt_1', nextCertificateId: 'cert_new', currentCertificateIds: { encryption: 'cert_old' }, slots: ['encryption'], activateAt: later, overlapUntil: overlapEnd, replacesNextCertificateId: null, scheduledAt: now },
    };
    const events = partnerCertificatesDecider.decide(activation(at), foldEvents(partnerCertificatesDecider, [...given, encryptionOnly]));
    // The event (and the evidence stamped with it) names the signature slot it moved too, with its previous certificate.
    expect(events.map((e) => e.type === 'trust.activated.v1' && [e.data.slots, e.data.previousCertificateIds])).toEqual([[['encryption', 'signature'], { encryption: 'cert_old', signature: 'cert_old' }]]);
    const after = foldEvents(partnerCertificatesDecider, [...given, encryptionOnly, ...events]);
    expect(effectiveCurrent(after, 'signature')).toBe('cert_new');
    expect(after.signature.useDifferent).toBe(false);
    expect(acceptedForReceiving(after, 'signature', new Date(at))).toEqual(['cert_new', 'cert_old']);
    expect(rolesOf(after, 'cert_old')).toEqual([
      { slot: 'encryption', role: 'overlap' },
      { slot: 'signature', role: 'overlap' },
    ]);
  });

  it('an activation ends the pending backup of a slot it moves, whatever it was to replace (it would undo the approved rollover at its instant); others stay', () => {
    const at = '2026-12-01T00:00:01.000Z';
    const { active: _c, ...attachedBackup } = cert('cert_backup', { usage: 'both' });
    const { active: _d, ...attachedTls } = cert('cert_tls', { usage: 'tls' });
    const backupOf = (slot: 'encryption' | 'tls', certificateId: string, replaces: string): PartnerCertificatesEvent => ({
      type: 'partner_certificates.backup_scheduled.v1',
      data: { partnerId: 'prt_1', slot, certificateId, activateOn: '2026-12-02T00:00:00.000Z', replacesCertificateId: replaces, scheduledAt: now },
    });
    const history = [
      ...given,
      attached(attachedBackup),
      // Scheduled to replace a certificate a manual change has replaced since: pending all the same.
      backupOf('encryption', 'cert_backup', 'cert_older'),
      attached(attachedTls),
      assigned('tls', 'cert_tls', null, 'manual'),
      backupOf('tls', 'cert_backup', 'cert_tls'),
      scheduled,
    ];
    const events = partnerCertificatesDecider.decide(activation(at), foldEvents(partnerCertificatesDecider, history));
    expect(events.map((e) => [e.type, 'slot' in e.data ? e.data.slot : null])).toEqual([
      ['trust.activated.v1', null],
      ['partner_certificates.backup_cancelled.v1', 'encryption'],
    ]);
    const after = foldEvents(partnerCertificatesDecider, [...history, ...events]);
    expect([after.encryption.backup, after.tls.backup?.certificateId]).toEqual([null, 'cert_backup']);
    // The cancelled backup no longer fires at its instant: the approved certificate stays current.
    expect(partnerCertificatesDecider.decide({ ...ref, type: 'activate_due_backups', trigger, backupCertificates: [cert('cert_backup', { usage: 'both' })], now: '2026-12-02T00:00:01.000Z' }, after).map((e) => e.type)).toEqual([
      'partner_certificates.backup_activated.v1',
    ]);
    expect(effectiveCurrent(after, 'encryption')).toBe('cert_new');
  });

  it('refuses to activate an encryption-only certificate into a signature slot set apart since the window was approved (it was approved following encryption)', () => {
    const setApart = assigned('signature', 'cert_old', 'cert_old', 'manual');
    const manual = { ...activation(later), onlyIfDue: false, trigger: { type: 'manual' as const, actor: 'alice' } };
    spec([...given, scheduled, setApart]).when(manual).thenError('CERTIFICATE_USAGE_MISMATCH', { details: { usage: 'encryption', slot: 'signature' } });
    spec([...given, scheduled, setApart]).when({ ...manual, nextCertificate: cert('cert_new', { usage: 'both' }) }).then([
      expect.objectContaining({ type: 'trust.activated.v1' }) as PartnerCertificatesEvent,
    ]);
  });

  it('refuses a manual or scheduled activation whose next certificate was retired or deactivated since it was scheduled', () => {
    const state = foldEvents(partnerCertificatesDecider, [...given, scheduled]);
    const inactive = cert('cert_new', { active: false });
    spec([...given, scheduled]).when({ ...activation(later), nextCertificate: inactive }).thenError('CERTIFICATE_INACTIVE', { field: 'certificate_id' });
    spec([...given, scheduled]).when({ ...activation(now), onlyIfDue: false, trigger: { type: 'manual', actor: 'alice' }, nextCertificate: inactive }).thenError('CERTIFICATE_INACTIVE');
    // Nothing changed: the current certificate stays and the window is still pending.
    expect(effectiveCurrent(state, 'encryption')).toBe('cert_old');
    expect(state.rollover?.nextCertificateId).toBe('cert_new');
  });

  it('refuses another rollover while the previous certificate is still accepted (the overlap is open), as retire does; after a retirement or the overlap closing it is scheduled', () => {
    const at = '2026-12-01T00:00:01.000Z';
    const activated = partnerCertificatesDecider.decide(activation(at), foldEvents(partnerCertificatesDecider, [...given, scheduled]));
    const third = cert('cert_third');
    const { active: _c, ...attachedThird } = third;
    const history = [...given, scheduled, ...activated, attached(attachedThird)];
    const again = (when: string) => ({
      ...ref,
      type: 'schedule_rollover' as const,
      certificate: third,
      activateAt: '2027-01-01T00:00:00.000Z',
      overlapUntil: '2027-01-08T00:00:00.000Z',
      slots: ['encryption' as const],
      now: when,
    });
    spec(history).when(again(at)).thenError('OVERLAP_NOT_CLOSED', { details: { overlap_until: overlapEnd } });
    const retired: PartnerCertificatesEvent = {
      type: 'trust.retired.v1',
      data: { partnerId: 'prt_1', certificateIds: ['cert_old'], overlapUntil: overlapEnd, forced: true, reason: 'key compromised', retiredAt: at },
    };
    expect(partnerCertificatesDecider.decide(again(at), foldEvents(partnerCertificatesDecider, [...history, retired])).map((e) => e.type)).toEqual(['trust.rollover_scheduled.v1']);
    expect(partnerCertificatesDecider.decide(again(overlapEnd), foldEvents(partnerCertificatesDecider, history)).map((e) => e.type)).toEqual(['trust.rollover_scheduled.v1']);
  });

  it('refuses to activate a window recorded during an open overlap (before that was refused) until the previous certificate is retired or its overlap closes', () => {
    const at = '2026-12-01T00:00:01.000Z';
    const activated = partnerCertificatesDecider.decide(activation(at), foldEvents(partnerCertificatesDecider, [...given, scheduled]));
    const third = cert('cert_third');
    const { active: _c, ...attachedThird } = third;
    const recordedEarlier: PartnerCertificatesEvent = {
      type: 'trust.rollover_scheduled.v1',
      data: {
        partnerId: 'prt_1',
        nextCertificateId: 'cert_third',
        currentCertificateIds: { encryption: 'cert_new' },
        slots: ['encryption'],
        activateAt: '2026-12-02T00:00:00.000Z',
        overlapUntil: '2027-01-08T00:00:00.000Z',
        replacesNextCertificateId: null,
        scheduledAt: at,
      },
    };
    const history = [...given, scheduled, ...activated, attached(attachedThird), recordedEarlier];
    const activateThird = (when: string) => ({ ...activation(when), nextCertificate: third, previousSha256: {} });
    spec(history).when(activateThird('2026-12-02T00:00:00.000Z')).thenError('OVERLAP_NOT_CLOSED', { details: { overlap_until: overlapEnd } });
    expect(partnerCertificatesDecider.decide(activateThird(overlapEnd), foldEvents(partnerCertificatesDecider, history)).map((e) => e.type)).toEqual(['trust.activated.v1']);
  });

  it('a rollover into empty slots opens no overlap: nothing to retire, and the next rollover is not held back', () => {
    const at = '2026-12-01T00:00:01.000Z';
    const intoEmpty: PartnerCertificatesEvent = { ...scheduled, data: { ...scheduled.data, currentCertificateIds: { encryption: null, signature: null } } };
    const history = [attached(attachedNew), intoEmpty];
    const activated = partnerCertificatesDecider.decide({ ...activation(at), previousSha256: {} }, foldEvents(partnerCertificatesDecider, history));
    const after = [...history, ...activated, attached(attachedOld)];
    expect(foldEvents(partnerCertificatesDecider, after).overlap).toBeNull();
    spec(after).when({ ...ref, type: 'retire', force: false, reason: null, now: at }).thenError('NOTHING_TO_RETIRE');
    const again = { ...ref, type: 'schedule_rollover' as const, certificate: cert('cert_old'), activateAt: '2027-01-01T00:00:00.000Z', overlapUntil: '2027-01-08T00:00:00.000Z', slots: ['encryption' as const], now: at };
    expect(partnerCertificatesDecider.decide(again, foldEvents(partnerCertificatesDecider, after)).map((e) => e.type)).toEqual(['trust.rollover_scheduled.v1']);
  });

  it('refuses to retire before the overlap closes, unless forced with a reason', () => {
    const at = '2026-12-01T00:00:01.000Z';
    const activated = partnerCertificatesDecider.decide(activation(at), foldEvents(partnerCertificatesDecider, [...given, scheduled]));
    const history = [...given, scheduled, ...activated];
    spec(history).when({ ...ref, type: 'retire', force: false, reason: null, now: at }).thenError('OVERLAP_NOT_CLOSED', { details: { overlap_until: overlapEnd } });
    spec(history).when({ ...ref, type: 'retire', force: true, reason: ' ', now: at }).thenError('RETIRE_REASON_REQUIRED');
    spec(history)
      .when({ ...ref, type: 'retire', force: true, reason: 'key compromised', now: at })
      .then([
        {
          type: 'trust.retired.v1',
          data: { partnerId: 'prt_1', certificateIds: ['cert_old'], overlapUntil: overlapEnd, forced: true, reason: 'key compromised', retiredAt: at },
        },
      ]);
    spec(history)
      .when({ ...ref, type: 'retire', force: false, reason: null, now: overlapEnd })
      .then([
        {
          type: 'trust.retired.v1',
          data: { partnerId: 'prt_1', certificateIds: ['cert_old'], overlapUntil: overlapEnd, forced: false, reason: null, retiredAt: overlapEnd },
        },
      ]);
    spec(withOld).when({ ...ref, type: 'retire', force: false, reason: null, now }).thenError('NOTHING_TO_RETIRE');
  });

  it('retires only the previous certificates the partner no longer uses: one still current in a slot the rollover left, or assigned again during the overlap, only leaves the overlap', () => {
    const at = '2026-12-01T00:00:01.000Z';
    const retire = { ...ref, type: 'retire' as const, force: false, reason: null, now: overlapEnd };
    const retired = (certificateIds: string[]): PartnerCertificatesEvent => ({
      type: 'trust.retired.v1',
      data: { partnerId: 'prt_1', certificateIds, overlapUntil: overlapEnd, forced: false, reason: null, retiredAt: overlapEnd },
    });
    const apart = [...given, assigned('signature', 'cert_old', 'cert_old', 'manual')];
    const encryptionOnly = { ...scheduled, data: { ...scheduled.data, slots: ['encryption' as const], currentCertificateIds: { encryption: 'cert_old' } } };
    const activatedEncryption = partnerCertificatesDecider.decide(activation(at), foldEvents(partnerCertificatesDecider, [...apart, encryptionOnly]));
    spec([...apart, encryptionOnly, ...activatedEncryption]).when(retire).then([retired([])]);
    const activated = partnerCertificatesDecider.decide(activation(at), foldEvents(partnerCertificatesDecider, [...given, scheduled]));
    spec([...given, scheduled, ...activated, assigned('encryption', 'cert_old', 'cert_new', 'manual')]).when(retire).then([retired([])]);
  });
});

describe('partner removal', () => {
  it('when the partner is removed, then its certificates are listed and nothing more can change', () => {
    const removed: PartnerCertificatesEvent = { type: 'partner_certificates.partner_removed.v1', data: { partnerId: 'prt_1', certificateIds: ['cert_old'], removedAt: now } };
    spec(withOld).when({ ...ref, type: 'remove_partner', now }).then([removed]);
    spec([...withOld, removed]).when({ ...ref, type: 'remove_partner', now }).thenNothing();
    spec([...withOld, removed]).when({ ...ref, type: 'attach', certificate: cert('cert_new'), now }).thenError('PARTNER_NOT_FOUND');
  });

  it('moves the status from none to tracked with the first event, and to removed for good', () => {
    const removed: PartnerCertificatesEvent = { type: 'partner_certificates.partner_removed.v1', data: { partnerId: 'prt_1', certificateIds: ['cert_old'], removedAt: now } };
    const fold = (events: PartnerCertificatesEvent[]) => foldEvents(partnerCertificatesDecider, events);
    expect(fold([])).toMatchObject({ status: 'none', partnerId: null });
    expect(fold(withOld)).toMatchObject({ status: 'tracked', partnerId: 'prt_1' });
    expect(fold([...withOld, removed])).toMatchObject({ status: 'removed', partnerId: 'prt_1', encryption: { current: null } });
    expect(fold([removed])).toMatchObject({ status: 'removed', partnerId: 'prt_1' });
  });
});

describe('partner certificates: the certificate a partner was created with (seed 003 certificate_id)', () => {
  const link = (certificate: CertificateFacts | null, refusal: { code: string; reason: string } | null = null) => ({
    ...ref,
    type: 'link_on_create' as const,
    certificateId: certificate?.certificateId ?? 'cert_gone',
    certificate,
    refusal,
    now,
  });
  const refused = (certificateId: string, code: string, reason: string): PartnerCertificatesEvent => ({
    type: 'partner_certificates.link_refused.v1',
    data: { ...ref, certificateId, code, reason, refusedAt: now },
  });

  it('links a certificate of usage both to the encryption slot, which the signature slot follows (as after an upload)', () => {
    const both = cert('cert_new', { usage: 'both' });
    const { active: _active, ...attachedBoth } = both;
    spec([]).when(link(both)).then([attached(attachedBoth), assigned('encryption', 'cert_new', null, 'manual')]);
    const state = foldEvents(partnerCertificatesDecider, [attached(attachedBoth), assigned('encryption', 'cert_new', null, 'manual')]);
    expect([effectiveCurrent(state, 'signature'), state.signature.useDifferent]).toEqual(['cert_new', false]);
  });

  it('links a signing certificate to the signature slot', () => {
    const signing = cert('cert_new', { usage: 'signing' });
    const { active: _active, ...attachedSigning } = signing;
    spec([]).when(link(signing)).then([attached(attachedSigning), assigned('signature', 'cert_new', null, 'manual')]);
  });

  it('links an encryption certificate to the encryption slot (the signature slot follows it)', () => {
    spec([]).when(link(cert('cert_new'))).then([attached(attachedNew), assigned('encryption', 'cert_new', null, 'manual')]);
  });

  it('refuses by an event, never an error: a certificate not found, a refusal found outside, an inactive, expired or tls-only one', () => {
    spec([]).when(link(null)).then([refused('cert_gone', 'CERTIFICATE_NOT_FOUND', 'Certificate cert_gone not found')]);
    spec([]).when(link(cert('cert_new'), { code: 'CERTIFICATE_KEY_TOO_SMALL', reason: 'too small' })).then([refused('cert_new', 'CERTIFICATE_KEY_TOO_SMALL', 'too small')]);
    spec([]).when(link(cert('cert_new', { active: false }))).then([refused('cert_new', 'CERTIFICATE_INACTIVE', expect.any(String) as unknown as string)]);
    spec([]).when(link(cert('cert_new', { notAfter: '2026-11-22T00:00:00.000Z' }))).then([refused('cert_new', 'CERTIFICATE_EXPIRED', expect.any(String) as unknown as string)]);
    spec([]).when(link(cert('cert_new', { usage: 'tls' }))).then([refused('cert_new', 'CERTIFICATE_USAGE_MISMATCH', expect.any(String) as unknown as string)]);
  });

  it('a refusal leaves the slots as they were', () => {
    const state = foldEvents(partnerCertificatesDecider, [...withOld, refused('cert_gone', 'CERTIFICATE_NOT_FOUND', 'x')]);
    expect(effectiveCurrent(state, 'encryption')).toBe('cert_old');
    expect(state.attached.has('cert_gone')).toBe(false);
  });
});

describe('partner certificates: a long stream folds in O(1) an event', () => {
  it('a fold of 3,000 attachments sets each into one persistent map (no copy of the map an event); every earlier state stays as it was', () => {
    const events = Array.from({ length: 3000 }, (_, n) => {
      const { active: _active, ...facts } = cert(`cert_${n}`);
      return attached(facts);
    });
    const copies = jest.spyOn(PersistentMap, 'of');
    const sets = jest.spyOn(PersistentMap.prototype, 'set');
    try {
      const early = foldEvents(partnerCertificatesDecider, events.slice(0, 10));
      const state = events.slice(10).reduce(partnerCertificatesDecider.evolve, early);
      expect([copies.mock.calls.length, sets.mock.calls.length]).toEqual([0, 3000]);
      expect(state.attached.size).toBe(3000);
      expect(state.attached.get('cert_2999')?.name).toBe('cert_2999');
      expect([early.attached.size, early.attached.has('cert_10')]).toEqual([10, false]);
    } finally {
      copies.mockRestore();
      sets.mockRestore();
    }
  });
});
