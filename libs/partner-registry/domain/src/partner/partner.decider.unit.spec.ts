import { deciderSpecification } from '@as2-partners/kernel-testing';
import { partnerSettingsWithDefaults } from '../settings/partner-settings';
import { partnerDecider } from './partner.decider';
import type { PartnerCreated } from './partner.events';
import { foldEvents } from '@as2-partners/kernel';

const spec = deciderSpecification(partnerDecider);
const T0 = '2024-01-15T10:30:00.000Z';
const T1 = '2024-01-16T08:00:00.000Z';
const created: PartnerCreated = {
  type: 'partner.created.v1',
  data: {
    partnerId: 'prt_1',
    account: 'acc',
    tenant: 'ten',
    as2Id: 'ACME-CORP-AS2',
    settings: partnerSettingsWithDefaults({ name: 'Acme', url: 'https://acme.example.com/as2' }),
    createdAt: T0,
  },
};
const create = {
  type: 'create_partner' as const,
  partnerId: 'prt_1',
  account: 'acc',
  tenant: 'ten',
  as2Id: 'ACME-CORP-AS2',
  settings: { name: 'Acme', url: 'https://acme.example.com/as2' },
  now: T0,
};

describe('partner decider', () => {
  it('creates a partner with defaults filled in', () => {
    spec([]).when(create).then([created]);
  });

  it('rejects a malformed AS2 id', () => {
    spec([]).when({ ...create, as2Id: 'ACME CORP' }).thenError('INVALID_AS2_ID_FORMAT', { field: 'as2_id' });
  });

  it('rejects a non-HTTPS endpoint', () => {
    spec([]).when({ ...create, settings: { name: 'Acme', url: 'http://acme.example.com' } }).thenError('INVALID_ENDPOINT_URL', { field: 'url' });
  });

  it('rejects an unsupported algorithm', () => {
    spec([])
      .when({ ...create, settings: { ...create.settings, encryptAlgorithm: 'RC4' as never } })
      .thenError('UNSUPPORTED_ALGORITHM', { field: 'encrypt_algorithm' });
  });

  it('records only the fields an update really changes', () => {
    spec([created])
      .when({ type: 'update_partner', partnerId: 'prt_1', changes: { name: 'Acme', sign: true }, now: T1 })
      .then([{ type: 'partner.updated.v1', data: { partnerId: 'prt_1', changes: { sign: true }, updatedAt: T1 } }]);
  });

  it('never stamps a version earlier than the one it replaces: an update or AS2-id change decided again after a concurrent write keeps the time it arrived', () => {
    const updated = { type: 'partner.updated.v1' as const, data: { partnerId: 'prt_1', changes: { sign: true }, updatedAt: T1 } };
    spec([created, updated])
      .when({ type: 'update_partner', partnerId: 'prt_1', changes: { name: 'Renamed' }, now: T0 })
      .then([{ type: 'partner.updated.v1', data: { partnerId: 'prt_1', changes: { name: 'Renamed' }, updatedAt: T1 } }]);
    spec([created, updated])
      .when({ type: 'change_as2_id', partnerId: 'prt_1', newAs2Id: 'ACME-NEW', acknowledgeRisks: true, reason: null, now: T0 })
      .then([expect.objectContaining({ type: 'partner.as2_id_changed.v1', data: expect.objectContaining({ newAs2Id: 'ACME-NEW', changedAt: T1 }) })]);
  });

  it('emits nothing for an update that changes nothing', () => {
    spec([created]).when({ type: 'update_partner', partnerId: 'prt_1', changes: { name: 'Acme' }, now: T1 }).thenNothing();
  });

  it('applies updates and keeps createdAt', () => {
    const state = foldEvents(partnerDecider, [
      created,
      { type: 'partner.updated.v1', data: { partnerId: 'prt_1', changes: { mdnMode: 'sync' }, updatedAt: T1 } },
    ]);
    expect(state.status === 'active' && state.partner).toMatchObject({ createdAt: T0, updatedAt: T1, settings: { mdnMode: 'sync' } });
  });

  it('deletes an active partner, naming its AS2 id', () => {
    spec([created])
      .when({ type: 'delete_partner', partnerId: 'prt_1', now: T1 })
      .then([{ type: 'partner.deleted.v1', data: { partnerId: 'prt_1', as2Id: 'ACME-CORP-AS2', deletedAt: T1 } }]);
  });

  it.each([
    ['update', { type: 'update_partner' as const, partnerId: 'prt_1', changes: { sign: true }, now: T1 }],
    ['delete', { type: 'delete_partner' as const, partnerId: 'prt_1', now: T1 }],
  ])('answers PARTNER_NOT_FOUND to %s of an unknown or deleted partner', (_name, command) => {
    spec([]).when(command).thenError('PARTNER_NOT_FOUND');
    spec([created, { type: 'partner.deleted.v1', data: { partnerId: 'prt_1', as2Id: 'ACME-CORP-AS2', deletedAt: T1 } }])
      .when(command)
      .thenError('PARTNER_NOT_FOUND');
  });

  it('replays to the same state twice (evolve is pure)', () => {
    const events = [created, { type: 'partner.updated.v1' as const, data: { partnerId: 'prt_1', changes: { compress: true }, updatedAt: T1 } }];
    expect(foldEvents(partnerDecider, events)).toEqual(foldEvents(partnerDecider, events));
  });
});
