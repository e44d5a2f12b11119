import { deciderSpecification } from '@as2-partners/kernel-testing';
import { partnerSettingsWithDefaults } from '../settings/partner-settings';
import type { MasterPartnerCreated } from '../master-partner/master-partner.events';
import { masterPartnerDecider } from './partner.decider';

const spec = deciderSpecification(masterPartnerDecider);
const T0 = '2024-01-01T10:00:00.000Z';
const T1 = '2024-01-15T14:30:00.000Z';
const created: MasterPartnerCreated = {
  type: 'master_partner.created.v1',
  data: {
    partnerId: 'prt_m',
    account: 'acc',
    as2Id: 'MCKESSON',
    settings: partnerSettingsWithDefaults({ name: 'McKesson', url: 'https://as2.mckesson.com/receive', sign: true }),
    createdAt: T0,
  },
};

describe('partner decider, account scope (master partners)', () => {
  it('creates a master partner for the account', () => {
    spec([])
      .when({
        type: 'create_partner',
        partnerId: 'prt_m',
        account: 'acc',
        tenant: null,
        as2Id: 'MCKESSON',
        settings: { name: 'McKesson', url: 'https://as2.mckesson.com/receive', sign: true },
        now: T0,
      })
      .then([created]);
  });

  it('rejects a malformed AS2 id', () => {
    spec([])
      .when({ type: 'create_partner', partnerId: 'prt_m', account: 'acc', tenant: null, as2Id: 'MC@K', settings: { name: 'M', url: 'https://m.example' }, now: T0 })
      .thenError('INVALID_AS2_ID_FORMAT');
  });

  it('updates only changed fields', () => {
    spec([created])
      .when({ type: 'update_partner', partnerId: 'prt_m', changes: { sign: true, mdnMode: 'sync' }, now: T1 })
      .then([{ type: 'master_partner.updated.v1', data: { partnerId: 'prt_m', changes: { mdnMode: 'sync' }, updatedAt: T1 } }]);
  });

  it('deletes, then answers PARTNER_NOT_FOUND', () => {
    const deleted = { type: 'master_partner.deleted.v1' as const, data: { partnerId: 'prt_m', as2Id: 'MCKESSON', deletedAt: T1 } };
    spec([created]).when({ type: 'delete_partner', partnerId: 'prt_m', now: T1 }).then([deleted]);
    spec([created, deleted]).when({ type: 'delete_partner', partnerId: 'prt_m', now: T1 }).thenError('PARTNER_NOT_FOUND');
    spec([created, deleted]).when({ type: 'update_partner', partnerId: 'prt_m', changes: { sign: false }, now: T1 }).thenError('PARTNER_NOT_FOUND');
  });
});
