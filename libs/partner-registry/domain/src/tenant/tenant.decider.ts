import { characterCount, assertNever, hasControlCharacters, isTenantId, stampedNotBefore, type Decider } from '@as2-partners/kernel';
import { DomainError } from '@as2-partners/kernel';
import { PartnerRegistryErrorCode, tenantAlreadyExists, tenantIdRetired, tenantNotFound } from '../partner-registry.errors';
import { isNotificationEmail } from '../settings/notification-email';
import { isPlan, type Plan } from '../settings/plans';
import type { TenantEvent } from './tenant.events';

/** Tenant ids end up in JWT claims and stream names: no dots, no spaces. */
export { TENANT_ID_PATTERN } from '@as2-partners/kernel';

export interface TenantRecord {
  readonly account: string;
  readonly tenantId: string;
  readonly name: string;
  readonly plan: Plan;
  /** null: none (tenants created before the field existed have none). */
  readonly notificationEmail: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type TenantCommand =
  | {
      readonly type: 'create_tenant';
      readonly account: string;
      readonly tenantId: string;
      readonly name: string;
      readonly plan: Plan;
      readonly notificationEmail?: string | null;
      readonly now: string;
    }
  | {
      readonly type: 'update_tenant';
      readonly tenantId: string;
      readonly name?: string;
      readonly plan?: Plan;
      /** null clears it. */
      readonly notificationEmail?: string | null;
      readonly now: string;
    }
  | { readonly type: 'delete_tenant'; readonly tenantId: string; readonly now: string };

export type TenantState =
  | { readonly status: 'none' }
  | { readonly status: 'active'; readonly tenant: TenantRecord }
  | { readonly status: 'deleted'; readonly tenant: TenantRecord; readonly deletedAt: string };

function invalidTenant(field: string, message: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.InvalidTenant, message, field);
}

function checkName(name: string | undefined): void {
  if (name !== undefined && (typeof name !== 'string' || name.trim().length === 0 || characterCount(name) > 255 || hasControlCharacters(name))) {
    throw invalidTenant('name', 'The name must be 1-255 characters without control characters');
  }
}

function checkPlan(plan: Plan | undefined): void {
  if (plan !== undefined && !isPlan(plan)) throw invalidTenant('plan', 'The plan must be one of free, starter, professional, enterprise');
}

function checkNotificationEmail(email: string | null | undefined): void {
  if (email !== undefined && email !== null && !isNotificationEmail(email)) {
    throw invalidTenant('notification_email', 'The notification email must be a valid email address');
  }
}

function decide(command: TenantCommand, state: TenantState): TenantEvent[] {
  switch (command.type) {
    case 'create_tenant': {
      if (state.status === 'active') throw tenantAlreadyExists(command.tenantId);
      if (state.status === 'deleted') throw tenantIdRetired(command.tenantId);
      if (!isTenantId(command.tenantId)) {
        throw invalidTenant('id', 'The tenant id must be 1-64 letters, digits, hyphens or underscores, and not _account (it stands for the account itself)');
      }
      checkName(command.name);
      checkPlan(command.plan);
      checkNotificationEmail(command.notificationEmail);
      const { type: _type, now, notificationEmail, ...data } = command;
      // Only when given: a tenant without one is recorded as before the field existed.
      return [{ type: 'tenant.created.v1', data: { ...data, ...(notificationEmail ? { notificationEmail } : {}), createdAt: now } }];
    }
    case 'update_tenant': {
      if (state.status !== 'active') throw tenantNotFound(command.tenantId);
      checkName(command.name);
      checkPlan(command.plan);
      checkNotificationEmail(command.notificationEmail);
      const changes = {
        ...(command.name !== undefined && command.name !== state.tenant.name ? { name: command.name } : {}),
        ...(command.plan !== undefined && command.plan !== state.tenant.plan ? { plan: command.plan } : {}),
        ...(command.notificationEmail !== undefined && command.notificationEmail !== state.tenant.notificationEmail
          ? { notificationEmail: command.notificationEmail }
          : {}),
      };
      if (Object.keys(changes).length === 0) return [];
      return [
        { type: 'tenant.updated.v1', data: { account: state.tenant.account, tenantId: command.tenantId, changes, updatedAt: stampedNotBefore(command.now, state.tenant.updatedAt) } },
      ];
    }
    case 'delete_tenant':
      // A repeated delete records nothing: the caller resumes closing the tenant's data (a retry after a crash).
      if (state.status === 'deleted') return [];
      if (state.status !== 'active') throw tenantNotFound(command.tenantId);
      return [{ type: 'tenant.deleted.v1', data: { account: state.tenant.account, tenantId: command.tenantId, deletedAt: command.now } }];
    default:
      return assertNever(command);
  }
}

function evolve(state: TenantState, event: TenantEvent): TenantState {
  switch (event.type) {
    case 'tenant.created.v1': {
      const { createdAt, notificationEmail, ...rest } = event.data;
      return { status: 'active', tenant: { ...rest, notificationEmail: notificationEmail ?? null, createdAt, updatedAt: createdAt } };
    }
    case 'tenant.updated.v1':
      if (state.status !== 'active') return state;
      return { status: 'active', tenant: { ...state.tenant, ...event.data.changes, updatedAt: event.data.updatedAt } };
    case 'tenant.deleted.v1':
      if (state.status !== 'active') return state;
      return { status: 'deleted', tenant: state.tenant, deletedAt: event.data.deletedAt };
    default:
      return assertNever(event);
  }
}

/**
 * A tenant of an account and its billing plan (stream `tenant-<account>.<tenantId>`). Deletion is final: the id is
 * retired, and the service then deletes the tenant's partners and destroys its data key.
 */
export const tenantDecider: Decider<TenantCommand, TenantState, TenantEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
