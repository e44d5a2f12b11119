import { characterCount, assertNever, stampedNotBefore, type Decider, hasControlCharacters } from '@as2-partners/kernel';
import { as2InstanceNotFound, invalidMyAs2IdFormat, invalidPartnerSetting } from '../partner-registry.errors';
import { isValidAs2Id } from '../settings/as2-id';
import type { As2InstanceChanges, As2InstanceEvent, As2InstanceStatus } from './as2-instance.events';

/** Our identity in AS2 exchanges (stream `as2_instance-<id>`); `tenant` null: the account's, inherited by every tenant. */
export interface As2InstanceRecord {
  readonly instanceId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly myAs2Id: string;
  readonly myName: string;
  readonly myAs2Alias: string;
  readonly myEmail: string;
  readonly status: As2InstanceStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type As2InstanceCommand =
  | {
      readonly type: 'create_as2_instance';
      readonly instanceId: string;
      readonly account: string;
      readonly tenant: string | null;
      readonly myAs2Id: string;
      readonly myName: string;
      readonly myAs2Alias: string;
      readonly myEmail: string;
      readonly status: As2InstanceStatus;
      readonly now: string;
    }
  | { readonly type: 'update_as2_instance'; readonly instanceId: string; readonly changes: As2InstanceChanges & { readonly status?: As2InstanceStatus }; readonly now: string }
  | { readonly type: 'delete_as2_instance'; readonly instanceId: string; readonly now: string };

export type As2InstanceState =
  | { readonly status: 'none' }
  | { readonly status: 'active'; readonly instance: As2InstanceRecord }
  | { readonly status: 'deleted'; readonly instance: As2InstanceRecord };

/** The alias of our private key in the keystore. */
export const KEY_ALIAS_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
/** `.` and `..` are URL dot-segments: the keystore's `/internal/v1/keys/{alias}/sign` can never name them. */
const DOT_SEGMENT = /^\.{1,2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkText(field: string, value: string | undefined, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.trim().length === 0 || characterCount(value) > max) {
    throw invalidPartnerSetting(field, `The ${field} must be between 1 and ${max} characters`);
  }
  // Our name and e-mail go into AS2 headers of every message we send.
  if (hasControlCharacters(value)) throw invalidPartnerSetting(field, `The ${field} must not contain control characters (line breaks, tabs, NUL)`);
}

/** Throws the DomainError of the first rule a field breaks; the edge validates the same rules field by field. */
export function validateAs2InstanceFields(fields: As2InstanceChanges & { readonly status?: string }): void {
  if (fields.myAs2Id !== undefined && !isValidAs2Id(fields.myAs2Id)) throw invalidMyAs2IdFormat();
  checkText('my_name', fields.myName, 255);
  if (fields.myAs2Alias !== undefined && (!KEY_ALIAS_PATTERN.test(fields.myAs2Alias) || DOT_SEGMENT.test(fields.myAs2Alias))) {
    throw invalidPartnerSetting('my_as2_alias', 'The my AS2 alias must be 1-100 letters, digits, hyphens, underscores or dots, and not "." or ".."');
  }
  checkText('my_email', fields.myEmail, 255);
  if (fields.myEmail !== undefined && !EMAIL.test(fields.myEmail)) throw invalidPartnerSetting('my_email', 'The my email must be a valid email address');
  if (fields.status !== undefined && fields.status !== 'on' && fields.status !== 'off') {
    throw invalidPartnerSetting('status', 'The status must be on or off');
  }
}

function decide(command: As2InstanceCommand, state: As2InstanceState): As2InstanceEvent[] {
  switch (command.type) {
    case 'create_as2_instance': {
      // Ids are fresh ULIDs: a create of an existing instance is a programming error.
      if (state.status !== 'none') throw new Error(`AS2 instance ${command.instanceId} already exists`);
      const { type: _type, now, ...fields } = command;
      validateAs2InstanceFields(fields);
      return [{ type: 'as2_instance.created.v1', data: { ...fields, createdAt: now } }];
    }
    case 'update_as2_instance': {
      if (state.status !== 'active') throw as2InstanceNotFound(command.instanceId);
      validateAs2InstanceFields(command.changes);
      const { instance } = state;
      const { status, ...rest } = command.changes;
      const changes = Object.fromEntries(
        Object.entries(rest).filter(([field, value]) => value !== undefined && instance[field as keyof As2InstanceChanges] !== value),
      ) as As2InstanceChanges;
      const base = { instanceId: instance.instanceId, account: instance.account, tenant: instance.tenant };
      const events: As2InstanceEvent[] = [];
      const now = stampedNotBefore(command.now, instance.updatedAt);
      if (Object.keys(changes).length > 0) events.push({ type: 'as2_instance.updated.v1', data: { ...base, changes, updatedAt: now } });
      if (status !== undefined && status !== instance.status) {
        const myAs2Id = changes.myAs2Id ?? instance.myAs2Id;
        events.push({ type: 'as2_instance.status_changed.v1', data: { ...base, myAs2Id, status, changedAt: now } });
      }
      return events;
    }
    case 'delete_as2_instance': {
      if (state.status !== 'active') throw as2InstanceNotFound(command.instanceId);
      const { instanceId, account, tenant, myAs2Id } = state.instance;
      return [{ type: 'as2_instance.deleted.v1', data: { instanceId, account, tenant, myAs2Id, deletedAt: command.now } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: As2InstanceState, event: As2InstanceEvent): As2InstanceState {
  switch (event.type) {
    case 'as2_instance.created.v1': {
      const { createdAt, ...rest } = event.data;
      return { status: 'active', instance: { ...rest, createdAt, updatedAt: createdAt } };
    }
    case 'as2_instance.updated.v1':
      if (state.status !== 'active') return state;
      return { status: 'active', instance: { ...state.instance, ...event.data.changes, updatedAt: event.data.updatedAt } };
    case 'as2_instance.status_changed.v1':
      if (state.status !== 'active') return state;
      return { status: 'active', instance: { ...state.instance, status: event.data.status, updatedAt: event.data.changedAt } };
    case 'as2_instance.deleted.v1':
      if (state.status !== 'active') return state;
      return { status: 'deleted', instance: state.instance };
    default:
      return assertNever(event);
  }
}

export const as2InstanceDecider: Decider<As2InstanceCommand, As2InstanceState, As2InstanceEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
