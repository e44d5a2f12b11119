import type { DomainEvent } from '../domain-event';
import type { Plan } from '../settings/plans';

export type TenantCreated = DomainEvent<
  'tenant.created.v1',
  {
    readonly account: string;
    readonly tenantId: string;
    readonly name: string;
    readonly plan: Plan;
    /** Where blocked-message notices go when a partner has no station address; absent on events stored before it existed. */
    readonly notificationEmail?: string;
    readonly createdAt: string;
  }
>;

export type TenantUpdated = DomainEvent<
  'tenant.updated.v1',
  {
    readonly account: string;
    readonly tenantId: string;
    readonly changes: { readonly name?: string; readonly plan?: Plan; readonly notificationEmail?: string | null };
    readonly updatedAt: string;
  }
>;

export type TenantDeleted = DomainEvent<
  'tenant.deleted.v1',
  { readonly account: string; readonly tenantId: string; readonly deletedAt: string }
>;

export type TenantEvent = TenantCreated | TenantUpdated | TenantDeleted;

export const TENANT_EVENT_TYPES = ['tenant.created.v1', 'tenant.updated.v1', 'tenant.deleted.v1'] as const satisfies readonly TenantEvent['type'][];
