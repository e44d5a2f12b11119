import { currentIn, emptyPartnerCertificates, evolvePartnerCertificates, nextIn, type PartnerCertificatesDocument } from './partner-certificate-slots';

const fold = (events: [string, object][]): PartnerCertificatesDocument =>
  events.reduce((doc, [type, data]) => evolvePartnerCertificates(doc, type, data as never), emptyPartnerCertificates('prt_1'));

describe('partner certificate slots (as a test picks its certificates)', () => {
  it('signature follows encryption until set apart; TLS is its own slot', () => {
    const doc = fold([
      ['partner_certificates.slot_assigned.v1', { slot: 'encryption', certificateId: 'c1' }],
      ['partner_certificates.slot_assigned.v1', { slot: 'tls', certificateId: 't1' }],
    ]);
    expect([currentIn(doc, 'encryption'), currentIn(doc, 'signature'), currentIn(doc, 'tls')]).toEqual(['c1', 'c1', 't1']);
    const apart = evolvePartnerCertificates(doc, 'partner_certificates.slot_assigned.v1', { slot: 'signature', certificateId: 's1' } as never);
    expect(currentIn(apart, 'signature')).toBe('s1');
  });

  it('"next" uses the rollover window or a scheduled backup, and activation makes them current', () => {
    const doc = fold([
      ['partner_certificates.slot_assigned.v1', { slot: 'encryption', certificateId: 'c1' }],
      ['trust.rollover_scheduled.v1', { slots: ['encryption', 'signature'], nextCertificateId: 'c2' }],
      ['partner_certificates.backup_scheduled.v1', { slot: 'tls', certificateId: 't2' }],
    ]);
    expect([nextIn(doc, 'encryption'), nextIn(doc, 'signature'), nextIn(doc, 'tls')]).toEqual(['c2', 'c2', 't2']);
    expect(currentIn(doc, 'encryption')).toBe('c1');
    const activated = evolvePartnerCertificates(doc, 'trust.activated.v1', { slots: ['encryption', 'signature'], certificateId: 'c2' } as never);
    expect([currentIn(activated, 'encryption'), currentIn(activated, 'signature'), activated.next]).toEqual(['c2', 'c2', { tls: 't2' }]);
    const cancelled = evolvePartnerCertificates(activated, 'partner_certificates.backup_cancelled.v1', { slot: 'tls', certificateId: 't2' } as never);
    expect(cancelled.next).toEqual({});
  });
});
