import { deciderSpecification } from '@as2-partners/kernel-testing';
import { tenantDecider } from './tenant.decider';
import type { TenantCreated } from './tenant.events';

const spec = deciderSpecification(tenantDecider);
const T0 = '2024-01-15T10:30:00.000Z';
const created: TenantCreated = { type: 'tenant.created.v1', data: { account: 'acc', tenantId: 'ten', name: 'Tenant', plan: 'free', createdAt: T0 } };
const create = { type: 'create_tenant' as const, account: 'acc', tenantId: 'ten', name: 'Tenant', plan: 'free' as const, now: T0 };

describe('tenant decider', () => {
  it('creates a tenant', () => spec([]).when(create).then([created]));

  it('refuses a second create of a live tenant', () => spec([created]).when(create).thenError('TENANT_ALREADY_EXISTS'));

  it('refuses ids with dots or spaces and unknown plans', () => {
    spec([]).when({ ...create, tenantId: 'a.b' }).thenError('INVALID_TENANT', { field: 'id' });
    // stands for the account itself in account-level stream names (certificate_directory-<account>._account)
    spec([]).when({ ...create, tenantId: '_account' }).thenError('INVALID_TENANT', { field: 'id' });
    spec([]).when({ ...create, plan: 'gold' as never }).thenError('INVALID_TENANT', { field: 'plan' });
  });

  it('counts a name in characters: 255 emoji are a name, 256 are not', () => {
    const name = '😀'.repeat(255);
    spec([]).when({ ...create, name }).then([{ ...created, data: { ...created.data, name } }]);
    spec([]).when({ ...create, name: `${name}😀` }).thenError('INVALID_TENANT', { field: 'name' });
  });

  it('refuses a name with a line break, a tab or NUL, on create and on rename (it is shown in notices and lists)', () => {
    for (const name of ['x\r\nBcc: evil@example.com', 'a\tb', 'a\u0000b']) {
      spec([]).when({ ...create, name }).thenError('INVALID_TENANT', { field: 'name' });
      spec([created]).when({ type: 'update_tenant', tenantId: 'ten', name, now: T0 }).thenError('INVALID_TENANT', { field: 'name' });
    }
  });

  it('changes the plan', () => {
    spec([created])
      .when({ type: 'update_tenant', tenantId: 'ten', plan: 'starter', now: T0 })
      .then([{ type: 'tenant.updated.v1', data: { account: 'acc', tenantId: 'ten', changes: { plan: 'starter' }, updatedAt: T0 } }]);
  });

  it('never stamps a version earlier than the one it replaces (a command decided again after a concurrent write keeps the time it arrived)', () => {
    const later = '2024-01-15T10:30:00.755Z';
    const renamed = { type: 'tenant.updated.v1' as const, data: { account: 'acc', tenantId: 'ten', changes: { name: 'First' }, updatedAt: later } };
    spec([created, renamed])
      .when({ type: 'update_tenant', tenantId: 'ten', name: 'Second', now: '2024-01-15T10:30:00.705Z' })
      .then([{ type: 'tenant.updated.v1', data: { account: 'acc', tenantId: 'ten', changes: { name: 'Second' }, updatedAt: later } }]);
    spec([created, renamed])
      .when({ type: 'update_tenant', tenantId: 'ten', name: 'Second', now: '2024-01-15T10:30:01.000Z' })
      .then([{ type: 'tenant.updated.v1', data: { account: 'acc', tenantId: 'ten', changes: { name: 'Second' }, updatedAt: '2024-01-15T10:30:01.000Z' } }]);
  });

  it('records a notification email given at creation, and none when not given', () => {
    spec([]).when({ ...create, notificationEmail: 'ops@t.example' }).then([{ ...created, data: { ...created.data, notificationEmail: 'ops@t.example' } }]);
    spec([]).when({ ...create, notificationEmail: null }).then([created]);
  });

  it('refuses a notification email that is no address or could start a mail header', () => {
    spec([]).when({ ...create, notificationEmail: 'not-an-address' }).thenError('INVALID_TENANT', { field: 'notification_email' });
    spec([created]).when({ type: 'update_tenant', tenantId: 'ten', notificationEmail: 'a@b.example\r\nBcc: x@y.example', now: T0 }).thenError('INVALID_TENANT', { field: 'notification_email' });
  });

  it('sets, then clears the notification email (null), and records nothing when it is unchanged', () => {
    const set = { type: 'tenant.updated.v1' as const, data: { account: 'acc', tenantId: 'ten', changes: { notificationEmail: 'ops@t.example' }, updatedAt: T0 } };
    spec([created]).when({ type: 'update_tenant', tenantId: 'ten', notificationEmail: 'ops@t.example', now: T0 }).then([set]);
    spec([created, set]).when({ type: 'update_tenant', tenantId: 'ten', notificationEmail: 'ops@t.example', now: T0 }).thenNothing();
    spec([created, set])
      .when({ type: 'update_tenant', tenantId: 'ten', notificationEmail: null, now: T0 })
      .then([{ type: 'tenant.updated.v1', data: { account: 'acc', tenantId: 'ten', changes: { notificationEmail: null }, updatedAt: T0 } }]);
    spec([created]).when({ type: 'update_tenant', tenantId: 'ten', notificationEmail: null, now: T0 }).thenNothing();
  });

  it('loads a tenant stored before the notification email existed as having none', () => {
    const state = [created].reduce(tenantDecider.evolve, tenantDecider.initialState());
    expect(state).toEqual({ status: 'active', tenant: expect.objectContaining({ tenantId: 'ten', notificationEmail: null }) });
  });

  const deleted = { type: 'tenant.deleted.v1' as const, data: { account: 'acc', tenantId: 'ten', deletedAt: T0 } };

  it('deletes a live tenant, and answers TENANT_NOT_FOUND for an unknown one', () => {
    spec([created]).when({ type: 'delete_tenant', tenantId: 'ten', now: T0 }).then([deleted]);
    spec([]).when({ type: 'delete_tenant', tenantId: 'ten', now: T0 }).thenError('TENANT_NOT_FOUND');
    spec([]).when({ type: 'update_tenant', tenantId: 'ten', plan: 'starter', now: T0 }).thenError('TENANT_NOT_FOUND');
  });

  it('records a repeated delete once, so a retried DELETE can resume closing the tenant', () => {
    spec([created, deleted]).when({ type: 'delete_tenant', tenantId: 'ten', now: '2024-02-01T00:00:00.000Z' }).thenNothing();
  });

  it('no longer changes a deleted tenant', () => {
    spec([created, deleted]).when({ type: 'update_tenant', tenantId: 'ten', plan: 'starter', now: T0 }).thenError('TENANT_NOT_FOUND');
  });

  it('never gives a deleted tenant id out again, whatever the plan', () => {
    spec([created, deleted]).when(create).thenError('TENANT_ID_RETIRED', { field: 'id' });
    spec([created, deleted]).when({ ...create, plan: 'enterprise', name: 'Other' }).thenError('TENANT_ID_RETIRED');
  });

  it('keeps when the tenant was deleted', () => {
    const state = [created, deleted].reduce(tenantDecider.evolve, tenantDecider.initialState());
    expect(state).toEqual({ status: 'deleted', tenant: expect.objectContaining({ tenantId: 'ten' }), deletedAt: T0 });
  });
});
