import { emptyPartnerCertificates, type PartnerCertificatesState } from '@as2-partners/certificate-lifecycle-domain';
import type { CertificateViewDocument } from '../../queries/certificate-views/certificate-view.document';
import { presentTrustState } from './trust-state.presenter';

const now = new Date('2026-11-30T00:00:00.000Z');
const view = (id: string, active: boolean, keySize = 2048, keyUsage: string[] | null = null) =>
  ({
    _id: id,
    active,
    name: id,
    usage: 'both',
    type: 'partner',
    createdAt: '2026-01-01T00:00:00.000Z',
    certificate: { subject: `CN=${id}`, notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2028-01-01T00:00:00.000Z', fingerprintSha256: 'ab', keyAlgorithm: 'RSA', keySize, keyUsage },
  }) as unknown as CertificateViewDocument;

describe('trust state warnings about inactive certificates', () => {
  const state: PartnerCertificatesState = {
    ...emptyPartnerCertificates(),
    partnerId: 'prt_1',
    encryption: { current: 'cert_shared', backup: { certificateId: 'cert_backup', activateOn: '2027-01-01T00:00:00.000Z' } },
    rollover: { nextCertificateId: 'cert_next', activateAt: '2027-02-01T00:00:00.000Z', overlapUntil: '2027-03-01T00:00:00.000Z', slots: ['tls'] },
  };

  it('names a current, backup or next certificate that is inactive (a shared one retired before it was protected)', () => {
    const docs = new Map([['cert_shared', view('cert_shared', false)], ['cert_backup', view('cert_backup', false)], ['cert_next', view('cert_next', false)]]);
    const codes = presentTrustState('prt_1', state, docs, now, 'SHA256withRSA').warnings.map((w) => w.code);
    // The signature slot follows encryption, so the shared certificate is current there too.
    expect(codes.filter((c) => c === 'CURRENT_CERTIFICATE_INACTIVE')).toHaveLength(2);
    expect(codes).toEqual(expect.arrayContaining(['BACKUP_CERTIFICATE_INACTIVE', 'NEXT_CERTIFICATE_INACTIVE']));
  });

  it('says nothing while they are active', () => {
    const docs = new Map([['cert_shared', view('cert_shared', true)], ['cert_backup', view('cert_backup', true)], ['cert_next', view('cert_next', true)]]);
    expect(presentTrustState('prt_1', state, docs, now, 'SHA256withRSA').warnings).toEqual([]);
  });
});

describe('trust state warning about keys too small for the signing algorithm the partner has now', () => {
  const state: PartnerCertificatesState = {
    ...emptyPartnerCertificates(),
    partnerId: 'prt_1',
    encryption: { current: 'cert_small', backup: { certificateId: 'cert_backup', activateOn: '2027-01-01T00:00:00.000Z' } },
  };
  const docs = new Map([['cert_small', view('cert_small', true, 1024)], ['cert_backup', view('cert_backup', true, 1024)]]);
  const warned = (signAlgorithm: string | null) => presentTrustState('prt_1', state, docs, now, signAlgorithm).warnings.filter((w) => w.code === 'CERTIFICATE_KEY_TOO_SMALL');

  it('names each 1024-bit certificate once (current in both slots, the backup) after the partner moved off SHA1withRSA', () => {
    expect(warned('SHA256withRSA').map((w) => w.message)).toEqual([
      'The current encryption certificate cert_small has a 1024-bit RSA key, smaller than the 2048 bits SHA256withRSA requires now: replace it',
      'The encryption backup certificate cert_backup has a 1024-bit RSA key, smaller than the 2048 bits SHA256withRSA requires now: replace it',
    ]);
  });

  it('says nothing while the partner signs with SHA1withRSA (1024 bits suffice)', () => {
    expect(warned('SHA1withRSA')).toEqual([]);
  });
});

describe('trust state warning about a signature slot following a certificate that allows no signature', () => {
  const following = (useDifferent: boolean): PartnerCertificatesState => ({
    ...emptyPartnerCertificates(),
    partnerId: 'prt_1',
    encryption: { current: 'cert_enc', backup: null },
    signature: { current: useDifferent ? 'cert_sig' : null, backup: null, useDifferent },
  });
  const codes = (state: PartnerCertificatesState, keyUsage: string[] | null) =>
    presentTrustState('prt_1', state, new Map([['cert_enc', view('cert_enc', true, 2048, keyUsage)], ['cert_sig', view('cert_sig', true)]]), now, 'SHA256withRSA').warnings.map((w) => w.code);

  it('warns while the signature slot follows a certificate whose keyUsage allows no signature; not one that may sign or says nothing, nor once set apart', () => {
    expect(codes(following(false), ['keyEncipherment'])).toEqual(['SIGNATURE_CERTIFICATE_UNFIT']);
    expect(codes(following(false), ['keyEncipherment', 'digitalSignature'])).toEqual([]);
    expect(codes(following(false), ['nonRepudiation'])).toEqual([]);
    expect(codes(following(false), null)).toEqual([]);
    expect(codes(following(true), ['keyEncipherment'])).toEqual([]);
  });

  it('warns while the signature slot follows a certificate uploaded for encryption only, whatever its keyUsage; not once set apart', () => {
    const encryptionOnly = (state: PartnerCertificatesState) =>
      presentTrustState('prt_1', state, new Map([['cert_enc', { ...view('cert_enc', true), usage: 'encryption' } as CertificateViewDocument], ['cert_sig', view('cert_sig', true)]]), now, 'SHA256withRSA').warnings;
    expect(encryptionOnly(following(false))).toEqual([
      { code: 'SIGNATURE_CERTIFICATE_UNFIT', message: 'The signature slot follows encryption, whose certificate cert_enc was uploaded for encryption only: set a signature certificate (PUT /v1/partners/prt_1/certificate-slots/signature)' },
    ]);
    expect(encryptionOnly(following(true))).toEqual([]);
  });
});

describe('trust state next step: the earliest of what is scheduled', () => {
  const docs = new Map([['cert_current', view('cert_current', true)], ['cert_backup', view('cert_backup', true)], ['cert_next', view('cert_next', true)]]);
  const nextStep = (state: Partial<PartnerCertificatesState>) =>
    presentTrustState('prt_1', { ...emptyPartnerCertificates(), partnerId: 'prt_1', encryption: { current: 'cert_current', backup: null }, ...state }, docs, now, 'SHA256withRSA').next_step;
  const backupOn = (activateOn: string) => ({ current: 'cert_current', backup: { certificateId: 'cert_backup', activateOn } });
  const rolloverAt = (activateAt: string) => ({ nextCertificateId: 'cert_next', activateAt, overlapUntil: '2027-06-01T00:00:00.000Z', slots: ['encryption' as const] });

  it('a backup due before a pending rollover comes first; a rollover before a backup, the rollover', () => {
    expect(nextStep({ encryption: backupOn('2026-12-01T00:10:00.000Z'), rollover: rolloverAt('2026-12-01T00:15:00.000Z') })).toMatchObject({ action: 'activate_backup', slot: 'encryption', certificate_id: 'cert_backup' });
    expect(nextStep({ encryption: backupOn('2026-12-01T00:20:00.000Z'), rollover: rolloverAt('2026-12-01T00:15:00.000Z') })).toMatchObject({ action: 'activate', certificate_id: 'cert_next' });
  });

  it("a backup due before an open overlap's end comes first; the overlap's end before a later backup", () => {
    const overlap = { nextCertificateId: 'cert_current', previous: [{ slot: 'encryption' as const, certificateId: 'cert_old' }], until: '2026-12-01T01:00:00.000Z' };
    expect(nextStep({ tls: backupOn('2026-12-01T00:10:00.000Z'), overlap })).toMatchObject({ action: 'activate_backup', slot: 'tls', at: '2026-12-01T00:10:00.000000Z' });
    expect(nextStep({ tls: backupOn('2026-12-01T02:00:00.000Z'), overlap })).toMatchObject({ action: 'retire', certificate_ids: ['cert_old'] });
  });
});
