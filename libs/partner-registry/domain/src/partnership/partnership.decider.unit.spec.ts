import { deciderSpecification } from '@as2-partners/kernel-testing';
import { parsePartnershipPairKey, partnershipDecider, partnershipPairKey } from './partnership.decider';
import type { PartnershipCreated } from './partnership.events';

const spec = deciderSpecification(partnershipDecider);
const T0 = '2026-11-30T10:00:00.000Z';
const T1 = '2026-11-30T11:00:00.000Z';
const ID = 'pts_01M8369VHGVPBY5SEFAXFPSG8T';
const ends = { account: 'acc', tenant: 'ten', as2InstanceId: 'ins_01M8369VHGVPBY5SEFAXFPSG8R', partnerId: 'prt_01M8369VHGVPBY5SEFAXFPSG8P' };
const created: PartnershipCreated = { type: 'partnership.created.v1', data: { partnershipId: ID, ...ends, overrides: { subject: 'EDI', sign: true }, createdAt: T0 } };

describe('partnership decider', () => {
  it('creates with its overrides; refuses a bad algorithm or subject', () => {
    spec([]).when({ type: 'create_partnership', partnershipId: ID, ...ends, overrides: { subject: 'EDI', sign: true }, now: T0 }).then([created]);
    spec([])
      .when({ type: 'create_partnership', partnershipId: ID, ...ends, overrides: { signAlgorithm: 'MD5' as never }, now: T0 })
      .thenError('UNSUPPORTED_ALGORITHM', { field: 'sign_algorithm' });
    spec([])
      .when({ type: 'create_partnership', partnershipId: ID, ...ends, overrides: { subject: 'a\r\nBcc: x' }, now: T0 })
      .thenError('INVALID_PARTNER_SETTING', { field: 'subject' });
  });

  it('a patch sets values and removes nulls; the event holds the whole set afterwards', () => {
    spec([created])
      .when({ type: 'update_partnership', partnershipId: ID, patch: { subject: null, mdnMode: 'sync' }, now: T1 })
      .then([{ type: 'partnership.updated.v1', data: { partnershipId: ID, account: 'acc', tenant: 'ten', overrides: { sign: true, mdnMode: 'sync' }, updatedAt: T1 } }]);
    spec([created]).when({ type: 'update_partnership', partnershipId: ID, patch: { sign: true }, now: T1 }).thenNothing();
  });

  it('deletes with its reason once; then it is not found', () => {
    const deleted = { type: 'partnership.deleted.v1' as const, data: { partnershipId: ID, ...ends, reason: 'partner_deleted' as const, deletedAt: T1 } };
    spec([created]).when({ type: 'delete_partnership', partnershipId: ID, reason: 'partner_deleted', now: T1 }).then([deleted]);
    spec([created, deleted]).when({ type: 'delete_partnership', partnershipId: ID, reason: 'deleted', now: T1 }).thenError('PARTNERSHIP_NOT_FOUND');
  });

  it('pair keys round-trip, whatever the tenant id holds', () => {
    for (const tenant of ['ten', 'a|b', 'x.y']) {
      expect(parsePartnershipPairKey(partnershipPairKey(tenant, ends.as2InstanceId, ends.partnerId))).toEqual({ tenant, as2InstanceId: ends.as2InstanceId, partnerId: ends.partnerId });
    }
  });
});
