import type { DomainEvent } from '../domain-event';

export type As2InstanceStatus = 'on' | 'off';

/** What PATCH may change; `status` travels in its own event, since other services act on it. */
export interface As2InstanceChanges {
  readonly myAs2Id?: string;
  readonly myName?: string;
  readonly myAs2Alias?: string;
  readonly myEmail?: string;
}

/** `tenant` is null for an account-level (master) instance every tenant of the account inherits. */
export type As2InstanceCreated = DomainEvent<
  'as2_instance.created.v1',
  {
    readonly instanceId: string;
    readonly account: string;
    readonly tenant: string | null;
    readonly myAs2Id: string;
    readonly myName: string;
    readonly myAs2Alias: string;
    readonly myEmail: string;
    readonly status: As2InstanceStatus;
    readonly createdAt: string;
  }
>;

/** `changes` holds only the fields whose value changed. */
export type As2InstanceUpdated = DomainEvent<
  'as2_instance.updated.v1',
  { readonly instanceId: string; readonly account: string; readonly tenant: string | null; readonly changes: As2InstanceChanges; readonly updatedAt: string }
>;

/** `off`: the instance may neither send nor receive (traffic control reads this). */
export type As2InstanceStatusChanged = DomainEvent<
  'as2_instance.status_changed.v1',
  {
    readonly instanceId: string;
    readonly account: string;
    readonly tenant: string | null;
    readonly myAs2Id: string;
    readonly status: As2InstanceStatus;
    readonly changedAt: string;
  }
>;

export type As2InstanceDeleted = DomainEvent<
  'as2_instance.deleted.v1',
  { readonly instanceId: string; readonly account: string; readonly tenant: string | null; readonly myAs2Id: string; readonly deletedAt: string }
>;

export type As2InstanceEvent = As2InstanceCreated | As2InstanceUpdated | As2InstanceStatusChanged | As2InstanceDeleted;

export const AS2_INSTANCE_EVENT_TYPES = [
  'as2_instance.created.v1',
  'as2_instance.updated.v1',
  'as2_instance.status_changed.v1',
  'as2_instance.deleted.v1',
] as const satisfies readonly As2InstanceEvent['type'][];
