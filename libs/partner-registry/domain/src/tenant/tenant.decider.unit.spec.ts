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
    spec([]).when({ ...create, plan: 'gold' as never }).thenError('INVALID_TENANT', { field: 'plan' });
  });

  it('changes the plan', () => {
    spec([created])
      .when({ type: 'update_tenant', tenantId: 'ten', plan: 'starter', now: T0 })
      .then([{ type: 'tenant.updated.v1', data: { account: 'acc', tenantId: 'ten', changes: { plan: 'starter' }, updatedAt: T0 } }]);
  });

  it('answers TENANT_NOT_FOUND for an unknown or deleted tenant', () => {
    const deleted = { type: 'tenant.deleted.v1' as const, data: { account: 'acc', tenantId: 'ten', deletedAt: T0 } };
    spec([]).when({ type: 'update_tenant', tenantId: 'ten', plan: 'starter', now: T0 }).thenError('TENANT_NOT_FOUND');
    spec([created]).when({ type: 'delete_tenant', tenantId: 'ten', now: T0 }).then([deleted]);
    spec([created, deleted]).when({ type: 'delete_tenant', tenantId: 'ten', now: T0 }).thenError('TENANT_NOT_FOUND');
  });

  it('allows re-creating a deleted tenant', () => {
    spec([created, { type: 'tenant.deleted.v1', data: { account: 'acc', tenantId: 'ten', deletedAt: T0 } }]).when(create).then([created]);
  });
});
