import { deciderSpecification } from '@as2-partners/kernel-testing';
import { as2InstanceDecider, type As2InstanceCommand } from './as2-instance.decider';
import type { As2InstanceCreated } from './as2-instance.events';

const spec = deciderSpecification(as2InstanceDecider);
const T0 = '2026-11-30T10:00:00.000Z';
const T1 = '2026-11-30T11:00:00.000Z';
const ID = 'ins_01M8369VHGVPBY5SEFAXFPSG8P';
const fields = { myAs2Id: 'mycompany', myName: 'My Company', myAs2Alias: 'mycompany-key', myEmail: 'as2@mycompany.example', status: 'on' as const };
const create: As2InstanceCommand = { type: 'create_as2_instance', instanceId: ID, account: 'acc', tenant: 'ten', ...fields, now: T0 };
const created: As2InstanceCreated = { type: 'as2_instance.created.v1', data: { instanceId: ID, account: 'acc', tenant: 'ten', ...fields, createdAt: T0 } };
const update = (changes: Extract<As2InstanceCommand, { type: 'update_as2_instance' }>['changes']): As2InstanceCommand => ({ type: 'update_as2_instance', instanceId: ID, changes, now: T1 });

describe('AS2 instance decider', () => {
  it('creates an instance with the contract payload', () => {
    spec([]).when(create).then([created]);
  });

  it.each([
    [{ myAs2Id: 'has space' }, 'INVALID_AS2_ID_FORMAT', 'my_as2_id'],
    [{ myAs2Id: 'x'.repeat(51) }, 'INVALID_AS2_ID_FORMAT', 'my_as2_id'],
    [{ myAs2Alias: 'bad alias' }, 'INVALID_PARTNER_SETTING', 'my_as2_alias'],
    // URL dot-segments: the keystore's /internal/v1/keys/{alias}/sign could never name the key.
    [{ myAs2Alias: '.' }, 'INVALID_PARTNER_SETTING', 'my_as2_alias'],
    [{ myAs2Alias: '..' }, 'INVALID_PARTNER_SETTING', 'my_as2_alias'],
    [{ myEmail: 'nope' }, 'INVALID_PARTNER_SETTING', 'my_email'],
    [{ myName: 'a\nb' }, 'INVALID_PARTNER_SETTING', 'my_name'],
    [{ status: 'maybe' }, 'INVALID_PARTNER_SETTING', 'status'],
  ])('refuses %j', (bad, code, field) => {
    spec([]).when({ ...create, ...bad } as As2InstanceCommand).thenError(code, { field });
  });

  it('publishes only changed fields, and a status change as its own event', () => {
    spec([created])
      .when(update({ myName: 'My Company', myEmail: 'ops@mycompany.example', status: 'off' }))
      .then([
        { type: 'as2_instance.updated.v1', data: { instanceId: ID, account: 'acc', tenant: 'ten', changes: { myEmail: 'ops@mycompany.example' }, updatedAt: T1 } },
        { type: 'as2_instance.status_changed.v1', data: { instanceId: ID, account: 'acc', tenant: 'ten', myAs2Id: 'mycompany', status: 'off', changedAt: T1 } },
      ]);
  });

  it('an unchanged update decides nothing', () => {
    spec([created]).when(update({ myName: 'My Company', status: 'on' })).thenNothing();
  });

  it('the status event names the new AS2 id when both change', () => {
    spec([created])
      .when(update({ myAs2Id: 'renamed', status: 'off' }))
      .then([
        { type: 'as2_instance.updated.v1', data: { instanceId: ID, account: 'acc', tenant: 'ten', changes: { myAs2Id: 'renamed' }, updatedAt: T1 } },
        { type: 'as2_instance.status_changed.v1', data: { instanceId: ID, account: 'acc', tenant: 'ten', myAs2Id: 'renamed', status: 'off', changedAt: T1 } },
      ]);
  });

  it('deletes once; a deleted or unknown instance is not found', () => {
    const deleted = { type: 'as2_instance.deleted.v1' as const, data: { instanceId: ID, account: 'acc', tenant: 'ten', myAs2Id: 'mycompany', deletedAt: T1 } };
    spec([created]).when({ type: 'delete_as2_instance', instanceId: ID, now: T1 }).then([deleted]);
    spec([created, deleted]).when({ type: 'delete_as2_instance', instanceId: ID, now: T1 }).thenError('AS2_INSTANCE_NOT_FOUND');
    spec([]).when(update({ myName: 'x' })).thenError('AS2_INSTANCE_NOT_FOUND');
  });
});
