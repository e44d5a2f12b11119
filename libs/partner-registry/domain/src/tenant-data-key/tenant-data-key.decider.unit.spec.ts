import { deciderSpecification } from '@as2-partners/kernel-testing';
import { tenantDataKeyDecider } from './tenant-data-key.decider';
import type { TenantDataKeyCreated, TenantDataKeyDestroyed } from './tenant-data-key.events';

const spec = deciderSpecification(tenantDataKeyDecider);
const T0 = '2026-01-15T10:30:00.000Z';
const T1 = '2026-02-01T00:00:00.000Z';
const target = { account: 'acc', tenantId: 'ten' };
const created: TenantDataKeyCreated = { type: 'tenant_data_key.created.v1', data: { ...target, keyId: 'tdk_1', createdAt: T0 } };
const destroyed: TenantDataKeyDestroyed = { type: 'tenant_data_key.destroyed.v1', data: { ...target, keyId: 'tdk_1', destroyedAt: T1 } };

describe('tenant data key decider', () => {
  it('records the first key of a tenant', () => {
    spec([]).when({ type: 'create_data_key', ...target, keyId: 'tdk_1', replacing: null, now: T0 }).then([created]);
  });

  it('keeps the first key when a racing writer offers another', () => {
    spec([created]).when({ type: 'create_data_key', ...target, keyId: 'tdk_2', replacing: null, now: T1 }).thenNothing();
  });

  it('replaces a key whose material is lost, unless another writer replaced it first', () => {
    const replacement: TenantDataKeyCreated = { type: 'tenant_data_key.created.v1', data: { ...target, keyId: 'tdk_2', createdAt: T1 } };
    spec([created]).when({ type: 'create_data_key', ...target, keyId: 'tdk_2', replacing: 'tdk_1', now: T1 }).then([replacement]);
    spec([created, replacement]).when({ type: 'create_data_key', ...target, keyId: 'tdk_3', replacing: 'tdk_1', now: T1 }).thenNothing();
  });

  it('destroys the key once', () => {
    spec([created]).when({ type: 'destroy_data_key', ...target, now: T1 }).then([destroyed]);
    spec([created, destroyed]).when({ type: 'destroy_data_key', ...target, now: T1 }).thenNothing();
  });

  it('marks a tenant that never had a key as destroyed too, so none is made later', () => {
    spec([])
      .when({ type: 'destroy_data_key', ...target, now: T1 })
      .then([{ type: 'tenant_data_key.destroyed.v1', data: { ...target, keyId: null, destroyedAt: T1 } }]);
  });

  it('never creates a key for a deleted tenant', () => {
    spec([created, destroyed]).when({ type: 'create_data_key', ...target, keyId: 'tdk_3', replacing: 'tdk_1', now: T1 }).thenError('TENANT_DELETED');
  });
});
