import { deciderSpecification } from '@as2-partners/kernel-testing';
import type { CertificateData } from '../certificate/certificate.events';
import { decryptionKeysOf, keyAliasDecider, signingKeyOf, type KeyAliasCommand, type NewKey } from './key-alias.decider';
import type { OurKeyEvent } from './our-key.events';

const scope = { account: 'acc', tenant: 'ten', alias: 'our-as2' };
const T0 = '2026-01-01T00:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(T0) + hours * 3_600_000).toISOString();

function certificate(fingerprint: string, notBefore = '2025-12-01T00:00:00.000Z', notAfter = '2027-01-01T00:00:00.000Z'): CertificateData {
  return {
    subject: 'CN=Us',
    issuer: 'CN=Us',
    serial: '01',
    notBefore,
    notAfter,
    fingerprintSha1: fingerprint.slice(0, 40),
    fingerprintSha256: fingerprint,
    pem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
    keyAlgorithm: 'RSA',
    keySize: 2048,
    signatureAlgorithm: 'sha256WithRSAEncryption',
    keyUsage: null,
    extendedKeyUsage: null,
    isCa: false,
    selfSigned: true,
    chain: [],
  };
}

const key = (keyId: string, fingerprint: string, cert = certificate(fingerprint)): NewKey => ({ keyId, source: 'generated', certificate: cert, sealedKey: { blobId: `skb_${keyId}`, sha256: fingerprint } });
const K1 = key('key_1', 'a'.repeat(64));
const K2 = key('key_2', 'b'.repeat(64));
const K3 = key('key_3', 'c'.repeat(64));
const trigger = { type: 'scheduler' as const, actor: 'scheduler-1' };

const created = (k: NewKey, role: 'current' | 'next' = 'current', when = T0): OurKeyEvent => ({ type: 'key.created.v1', data: { ...scope, ...k, role, createdAt: when } });
const scheduled = (current: NewKey, next: NewKey, activateAt = at(2), overlapUntil = at(5)): OurKeyEvent => ({
  type: 'key.rollover_scheduled.v1',
  data: { ...scope, currentKeyId: current.keyId, nextKeyId: next.keyId, activateAt, overlapUntil, scheduledAt: at(1) },
});
const activated = (previous: NewKey, next: NewKey, retired: NewKey | null = null, when = at(2)): OurKeyEvent => ({
  type: 'key.rollover_activated.v1',
  data: {
    ...scope,
    previousKeyId: previous.keyId,
    keyId: next.keyId,
    previousFingerprintSha256: previous.certificate.fingerprintSha256,
    fingerprintSha256: next.certificate.fingerprintSha256,
    scheduledFor: at(2),
    activatedAt: when,
    overlapUntil: at(5),
    lateByMs: Date.parse(when) - Date.parse(at(2)),
    trigger,
    retiredKeyId: retired?.keyId ?? null,
    evidence: null,
  },
});

const spec = deciderSpecification(keyAliasDecider);
const stateOf = (events: OurKeyEvent[]) => events.reduce(keyAliasDecider.evolve, keyAliasDecider.initialState());
const rollover = (next: NewKey, extra: Partial<Extract<KeyAliasCommand, { type: 'schedule_rollover' }>> = {}): KeyAliasCommand => ({
  ...scope,
  type: 'schedule_rollover',
  currentKeyId: K1.keyId,
  key: next,
  activateAt: at(2),
  overlapUntil: at(5),
  now: at(1),
  ...extra,
});

describe('key alias decider (our keystore)', () => {
  it('creates the first key of an alias as current, and refuses a second one (unique alias), but not a repeat of the same', () => {
    spec([]).when({ ...scope, type: 'create', key: K1, now: T0 }).then([created(K1)]);
    spec([created(K1)]).when({ ...scope, type: 'create', key: K2, now: T0 }).thenError('DUPLICATE_KEY_ALIAS', { field: 'alias' });
    spec([created(K1)]).when({ ...scope, type: 'create', key: K1, now: T0 }).thenNothing();
  });

  it('refuses a first key whose certificate is not valid now (it would be current at once), naming the field it came in', () => {
    const expired = { ...key('key_3', 'c'.repeat(64), certificate('c'.repeat(64), '2025-01-01T00:00:00.000Z', '2025-12-31T23:59:59.000Z')), source: 'pem' as const };
    const later = { ...key('key_4', 'd'.repeat(64), certificate('d'.repeat(64), '2026-01-01T00:00:01.000Z')), source: 'pkcs12' as const };
    spec([]).when({ ...scope, type: 'create', key: expired, now: T0 }).thenError('CERTIFICATE_EXPIRED', { field: 'certificate' });
    spec([]).when({ ...scope, type: 'create', key: later, now: T0 }).thenError('CERTIFICATE_NOT_YET_VALID', { field: 'pkcs12' });
    // valid from the very instant: current
    const fromNow = key('key_5', 'e'.repeat(64), certificate('e'.repeat(64), T0));
    spec([]).when({ ...scope, type: 'create', key: fromNow, now: T0 }).then([created(fromNow)]);
  });

  it('schedules a next key for the current key only, in a valid window, one at a time', () => {
    spec([created(K1)]).when(rollover(K2)).then([created(K2, 'next', at(1)), scheduled(K1, K2)]);
    spec([created(K1)]).when(rollover(K2, { currentKeyId: 'key_x' })).thenError('KEY_NOT_FOUND');
    spec([created(K1), created(K2, 'next'), scheduled(K1, K2)]).when(rollover(K3)).thenError('KEY_ROLLOVER_ALREADY_SCHEDULED');
    spec([created(K1), created(K2, 'next'), scheduled(K1, K2), activated(K1, K2)]).when(rollover(K3)).thenError('KEY_NOT_CURRENT');
    spec([created(K1)]).when(rollover(K2, { activateAt: at(1) })).thenError('ROLLOVER_WINDOW_INVALID', { field: 'activate_at' });
    spec([created(K1)]).when(rollover(K2, { overlapUntil: at(1.5) })).thenError('ROLLOVER_WINDOW_INVALID', { field: 'overlap_until' });
    const notYetValid = key('key_4', 'd'.repeat(64), certificate('d'.repeat(64), at(3)));
    spec([created(K1)]).when(rollover(notYetValid)).thenError('CERTIFICATE_NOT_VALID_FOR_WINDOW', { field: 'activate_at' });
    // Valid at the activation but expiring before the overlap ends: refused as a partner's next certificate is.
    const expiringInWindow = key('key_5', 'e'.repeat(64), certificate('e'.repeat(64), at(0), at(4)));
    spec([created(K1)]).when(rollover(expiringInWindow)).thenError('CERTIFICATE_NOT_VALID_FOR_WINDOW', { field: 'overlap_until' });
  });

  it('activates a due rollover once, recording how late, and nothing before it is due', () => {
    const given = [created(K1), created(K2, 'next'), scheduled(K1, K2)];
    spec(given).when({ ...scope, type: 'activate_due_rollover', trigger, now: at(1.9) }).thenNothing();
    spec(given).when({ ...scope, type: 'activate_due_rollover', trigger, now: at(2.5) }).then([activated(K1, K2, null, at(2.5))]);
    // The stamped proof the command carries goes into the event as it is.
    const evidence = { document: '{"purpose":"as2-partners key rollover activation"}', sha256: 'e'.repeat(64), timestampToken: 'MIIB', tsaCertificate: '-----BEGIN CERTIFICATE-----\n', tsaUrl: 'http://tsa.example', genTime: at(2.5) };
    const stamped = activated(K1, K2, null, at(2.5));
    spec(given).when({ ...scope, type: 'activate_due_rollover', trigger, now: at(2.5), evidence }).then([{ ...stamped, data: { ...stamped.data, evidence } } as OurKeyEvent]);
    spec([...given, activated(K1, K2)]).when({ ...scope, type: 'activate_due_rollover', trigger, now: at(3) }).thenNothing();
  });

  it('signs with the current key and decrypts with the previous one only until overlap_until', () => {
    const before = stateOf([created(K1), created(K2, 'next'), scheduled(K1, K2)]);
    expect(signingKeyOf(before)?.keyId).toBe('key_1');
    expect(decryptionKeysOf(before, new Date(at(1))).map((k) => k.keyId)).toEqual(['key_1']);
    const after = stateOf([created(K1), created(K2, 'next'), scheduled(K1, K2), activated(K1, K2)]);
    expect(signingKeyOf(after)?.keyId).toBe('key_2');
    expect(decryptionKeysOf(after, new Date(at(4))).map((k) => k.keyId)).toEqual(['key_2', 'key_1']);
    expect(decryptionKeysOf(after, new Date(at(5))).map((k) => k.keyId)).toEqual(['key_2']);
  });

  it('retires the previous key when the next rollover activates', () => {
    const state = stateOf([created(K1), created(K2, 'next'), scheduled(K1, K2), activated(K1, K2), created(K3, 'next'), scheduled(K2, K3), activated(K2, K3, K1)]);
    expect(state.keys.map((k) => [k.keyId, k.role])).toEqual([['key_1', 'retired'], ['key_2', 'previous'], ['key_3', 'current']]);
  });

  it("retires the previous key once its overlap is over, recording how late, and nothing before; the next rollover then retires nothing more", () => {
    const given = [created(K1), created(K2, 'next'), scheduled(K1, K2), activated(K1, K2)];
    const retire = (now: string): KeyAliasCommand => ({ ...scope, type: 'retire_after_overlap', trigger, now });
    const retired: OurKeyEvent = {
      type: 'key.retired.v1',
      data: { ...scope, keyId: K1.keyId, fingerprintSha256: K1.certificate.fingerprintSha256, overlapUntil: at(5), retiredAt: at(5.5), lateByMs: 1_800_000, trigger },
    };
    spec(given).when(retire(at(4.9))).thenNothing();
    spec([created(K1)]).when(retire(at(9))).thenNothing();
    spec(given).when(retire(at(5.5))).then([retired]);
    spec([...given, retired]).when(retire(at(6))).thenNothing();
    const state = stateOf([...given, retired]);
    expect(state.keys.map((k) => [k.keyId, k.role, k.overlapUntil])).toEqual([['key_1', 'retired', null], ['key_2', 'current', null]]);
    expect(decryptionKeysOf(state, new Date(at(4))).map((k) => k.keyId)).toEqual(['key_2']);
    const nextRollover = rollover(K3, { currentKeyId: K2.keyId, activateAt: at(7), overlapUntil: at(9), now: at(6) });
    spec([...given, retired]).when(nextRollover).then([created(K3, 'next', at(6)), { ...scheduled(K2, K3, at(7), at(9)), data: { ...scheduled(K2, K3, at(7), at(9)).data, scheduledAt: at(6) } } as OurKeyEvent]);
    const after = stateOf([...given, retired, created(K3, 'next'), scheduled(K2, K3, at(7), at(9))]);
    spec([...given, retired, created(K3, 'next'), scheduled(K2, K3, at(7), at(9))])
      .when({ ...scope, type: 'activate_due_rollover', trigger, now: at(7) })
      .then([{ type: 'key.rollover_activated.v1', data: { ...scope, previousKeyId: K2.keyId, keyId: K3.keyId, previousFingerprintSha256: K2.certificate.fingerprintSha256, fingerprintSha256: K3.certificate.fingerprintSha256, scheduledFor: at(7), activatedAt: at(7), overlapUntil: at(9), lateByMs: 0, trigger, retiredKeyId: null, evidence: null } }]);
    expect(after.keys.find((k) => k.keyId === 'key_1')?.role).toBe('retired');
  });

  it('refuses a next rollover that would activate before the previous key stops decrypting (it would retire it early)', () => {
    // K1 is previous, decrypting until at(5); K2 current.
    const given = [created(K1), created(K2, 'next'), scheduled(K1, K2), activated(K1, K2)];
    const next = (activateAt: string): KeyAliasCommand => rollover(K3, { currentKeyId: K2.keyId, activateAt, overlapUntil: at(9), now: at(3) });
    spec(given).when(next(at(4))).thenError('KEY_OVERLAP_NOT_CLOSED', { field: 'activate_at' });
    spec(given).when(next(at(5))).then([created(K3, 'next', at(3)), { ...scheduled(K2, K3, at(5), at(9)), data: { ...scheduled(K2, K3, at(5), at(9)).data, scheduledAt: at(3) } } as OurKeyEvent]);
  });

  it('refuses to delete a key an instance signs or decrypts with, and a current key with a pending successor', () => {
    const instances = [{ instanceId: 'ins_1', myAs2Id: 'US' }];
    const del = (keyId: string, now = at(1), users = instances): KeyAliasCommand => ({ ...scope, type: 'delete', keyId, instances: users, now });
    spec([created(K1)]).when(del('key_1')).thenError('KEY_IN_USE', { details: { alias: 'our-as2', used_by: [{ instance_id: 'ins_1', my_as2_id: 'US' }], used_by_total: 1 } });
    spec([created(K1)]).when(del('key_1', at(1), [])).then([
      { type: 'key.deleted.v1', data: { ...scope, keyId: 'key_1', role: 'current', rolloverCancelled: false, reason: 'requested', sealedKey: K1.sealedKey, deletedAt: at(1) } },
    ]);
    const pending = [created(K1), created(K2, 'next'), scheduled(K1, K2)];
    spec(pending).when(del('key_1', at(1), [])).thenError('KEY_ROLLOVER_PENDING');
    spec(pending).when(del('key_2')).then([
      { type: 'key.deleted.v1', data: { ...scope, keyId: 'key_2', role: 'next', rolloverCancelled: true, reason: 'requested', sealedKey: K2.sealedKey, deletedAt: at(1) } },
    ]);
    const overlapping = [...pending, activated(K1, K2)];
    spec(overlapping).when(del('key_1', at(4))).thenError('KEY_IN_USE');
    spec(overlapping).when(del('key_1', at(6))).then([
      { type: 'key.deleted.v1', data: { ...scope, keyId: 'key_1', role: 'previous', rolloverCancelled: false, reason: 'requested', sealedKey: K1.sealedKey, deletedAt: at(6) } },
    ]);
    spec([created(K1)]).when(del('key_9')).thenError('KEY_NOT_FOUND');
  });

  it('shreds every key of the alias when the tenant is deleted, instances or not', () => {
    const given = [created(K1), created(K2, 'next'), scheduled(K1, K2)];
    const shredded = (k: NewKey, role: 'current' | 'next'): OurKeyEvent => ({
      type: 'key.deleted.v1',
      data: { ...scope, keyId: k.keyId, role, rolloverCancelled: role === 'next', reason: 'tenant_deleted', sealedKey: k.sealedKey, deletedAt: at(1) },
    });
    spec(given).when({ ...scope, type: 'shred_for_deleted_tenant', now: at(1) }).then([shredded(K1, 'current'), shredded(K2, 'next')]);
    spec([]).when({ ...scope, type: 'shred_for_deleted_tenant', now: at(1) }).thenNothing();
  });

  it('announces each expiry threshold of each key once, and the expiry', () => {
    const short = key('key_5', 'e'.repeat(64), certificate('e'.repeat(64), '2025-12-01T00:00:00.000Z', at(24 * 10)));
    const facts = { ...scope, keyId: 'key_5', notAfter: at(240), fingerprintSha256: 'e'.repeat(64) };
    spec([created(short)]).when({ ...scope, type: 'evaluate_expiry', now: T0 }).then([{ type: 'key.expiring.v1', data: { ...facts, thresholdDays: 14, daysLeft: 10, evaluatedAt: T0 } }]);
    const announced: OurKeyEvent = { type: 'key.expiring.v1', data: { ...facts, thresholdDays: 14, daysLeft: 10, evaluatedAt: T0 } };
    spec([created(short), announced]).when({ ...scope, type: 'evaluate_expiry', now: at(1) }).thenNothing();
    spec([created(short), announced]).when({ ...scope, type: 'evaluate_expiry', now: at(241) }).then([{ type: 'key.expired.v1', data: { ...facts, evaluatedAt: at(241) } }]);
  });
});
