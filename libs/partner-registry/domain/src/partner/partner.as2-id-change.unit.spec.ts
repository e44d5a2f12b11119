import { deciderSpecification } from '@as2-partners/kernel-testing';
import { newPartnerSettings } from './partner-record';
import { masterPartnerDecider, partnerDecider } from './partner.decider';
import type { PartnerCreated } from './partner.events';

const T0 = '2026-11-30T10:00:00.000Z';
const T1 = '2026-11-30T11:00:00.000Z';
const ID = 'prt_01M8369VHGVPBY5SEFAXFPSG8P';
const settings = newPartnerSettings('OLD', { name: 'Acme', url: 'https://acme.example.com/as2' });
const created: PartnerCreated = { type: 'partner.created.v1', data: { partnerId: ID, account: 'acc', tenant: 'ten', as2Id: 'OLD', settings, createdAt: T0 } };
const change = (extra: Partial<{ newAs2Id: string; acknowledgeRisks: boolean; reason: string | null }> = {}) => ({
  type: 'change_as2_id' as const,
  partnerId: ID,
  newAs2Id: 'NEW',
  acknowledgeRisks: true,
  reason: 'moved',
  now: T1,
  ...extra,
});

describe('partner AS2-id change', () => {
  const spec = deciderSpecification(partnerDecider);

  it('records old and new id and the reason', () => {
    spec([created])
      .when(change())
      .then([{ type: 'partner.as2_id_changed.v1', data: { partnerId: ID, account: 'acc', tenant: 'ten', oldAs2Id: 'OLD', newAs2Id: 'NEW', reason: 'moved', changedAt: T1 } }]);
  });

  it('is refused unless the risks are acknowledged, with the risks in the details', () => {
    spec([created]).when(change({ acknowledgeRisks: false })).thenError('RISK_ACKNOWLEDGEMENT_REQUIRED', { field: 'acknowledge_risks' });
    expect(() => partnerDecider.decide(change({ acknowledgeRisks: false }), partnerDecider.evolve(partnerDecider.initialState(), created))).toThrow(
      expect.objectContaining({ details: { risks: expect.arrayContaining([expect.stringContaining('statistics')]) } }),
    );
  });

  it('refuses a bad format, the same id, an unknown partner', () => {
    spec([created]).when(change({ newAs2Id: 'HAS SPACE' })).thenError('INVALID_AS2_ID_FORMAT');
    spec([created]).when(change({ newAs2Id: 'OLD' })).thenError('INVALID_PARTNER_SETTING', { field: 'new_as2_id' });
    spec([]).when(change()).thenError('PARTNER_NOT_FOUND');
  });

  it('the partner keeps its id and carries the new AS2 id afterwards (a later delete names it)', () => {
    const changed = partnerDecider.decide(change(), partnerDecider.evolve(partnerDecider.initialState(), created));
    spec([created, ...changed])
      .when({ type: 'delete_partner', partnerId: ID, now: T1 })
      .then([{ type: 'partner.deleted.v1', data: { partnerId: ID, as2Id: 'NEW', deletedAt: T1 } }]);
  });

  it('a master partner changes under its own event family, tenant null', () => {
    deciderSpecification(masterPartnerDecider)([{ type: 'master_partner.created.v1', data: { partnerId: ID, account: 'acc', as2Id: 'OLD', settings, createdAt: T0 } }])
      .when(change({ reason: null }))
      .then([{ type: 'master_partner.as2_id_changed.v1', data: { partnerId: ID, account: 'acc', tenant: null, oldAs2Id: 'OLD', newAs2Id: 'NEW', reason: null, changedAt: T1 } }]);
  });
});
