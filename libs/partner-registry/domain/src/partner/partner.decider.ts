import { assertNever, type Decider } from '@as2-partners/kernel';
import type { MasterPartnerEvent } from '../master-partner/master-partner.events';
import { partnerNotFound } from '../partner-registry.errors';
import { applyPartnerChanges, effectivePartnerChanges, hasAnyChange, type PartnerChanges } from '../settings/partner-settings';
import { validatePartnerChanges, validatePartnerSettings } from '../settings/partner-settings.validation';
import type { PartnerEvent } from './partner.events';
import { newPartnerSettings, type NewPartnerSettings, type PartnerRecord } from './partner-record';

/** Whose partner: one tenant's (stream `partner-<id>`), or the account's, which every tenant inherits (`master_partner-<id>`). */
export type PartnerScope = 'tenant' | 'account';

/** The event family of a scope: the account's partners keep their `master_partner.*` names. */
export type PartnerEventOf<Scope extends PartnerScope> = Scope extends 'tenant' ? PartnerEvent : MasterPartnerEvent;

export type PartnerCommand =
  | {
      readonly type: 'create_partner';
      readonly partnerId: string;
      readonly account: string;
      /** The owning tenant; null for the account scope. */
      readonly tenant: string | null;
      readonly as2Id: string;
      readonly settings: NewPartnerSettings;
      readonly now: string;
    }
  | { readonly type: 'update_partner'; readonly partnerId: string; readonly changes: PartnerChanges; readonly now: string }
  | { readonly type: 'delete_partner'; readonly partnerId: string; readonly now: string };

export type PartnerState =
  | { readonly status: 'none' }
  | { readonly status: 'active'; readonly partner: PartnerRecord }
  | { readonly status: 'deleted'; readonly partner: PartnerRecord; readonly deletedAt: string };

function decideIn(scope: PartnerScope, command: PartnerCommand, state: PartnerState): (PartnerEvent | MasterPartnerEvent)[] {
  switch (command.type) {
    case 'create_partner': {
      // A retried create of an existing partner is a programming error, not a user error: ids are fresh ULIDs.
      if (state.status !== 'none') throw new Error(`Partner ${command.partnerId} already exists`);
      const settings = newPartnerSettings(command.as2Id, command.settings);
      const { partnerId, account, tenant, as2Id, now: createdAt } = command;
      if (scope === 'account') return [{ type: 'master_partner.created.v1', data: { partnerId, account, as2Id, settings, createdAt } }];
      if (tenant === null) throw new Error(`Partner ${partnerId} of the tenant scope names no tenant`);
      return [{ type: 'partner.created.v1', data: { partnerId, account, tenant, as2Id, settings, createdAt } }];
    }
    case 'update_partner': {
      if (state.status !== 'active') throw partnerNotFound(command.partnerId);
      validatePartnerChanges(command.changes);
      const changes = effectivePartnerChanges(state.partner.settings, command.changes);
      if (!hasAnyChange(changes)) return [];
      validatePartnerSettings(applyPartnerChanges(state.partner.settings, changes));
      const data = { partnerId: command.partnerId, changes, updatedAt: command.now };
      return [scope === 'account' ? { type: 'master_partner.updated.v1', data } : { type: 'partner.updated.v1', data }];
    }
    case 'delete_partner': {
      if (state.status !== 'active') throw partnerNotFound(command.partnerId);
      const data = { partnerId: command.partnerId, as2Id: state.partner.as2Id, deletedAt: command.now };
      return [scope === 'account' ? { type: 'master_partner.deleted.v1', data } : { type: 'partner.deleted.v1', data }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: PartnerState, event: PartnerEvent | MasterPartnerEvent): PartnerState {
  switch (event.type) {
    case 'partner.created.v1': {
      const { createdAt, ...rest } = event.data;
      return { status: 'active', partner: { ...rest, createdAt, updatedAt: createdAt } };
    }
    case 'master_partner.created.v1': {
      const { createdAt, ...rest } = event.data;
      return { status: 'active', partner: { ...rest, tenant: null, createdAt, updatedAt: createdAt } };
    }
    case 'partner.updated.v1':
    case 'master_partner.updated.v1':
      if (state.status !== 'active') return state;
      return {
        status: 'active',
        partner: { ...state.partner, settings: applyPartnerChanges(state.partner.settings, event.data.changes), updatedAt: event.data.updatedAt },
      };
    case 'partner.deleted.v1':
    case 'master_partner.deleted.v1':
      if (state.status !== 'active') return state;
      return { status: 'deleted', partner: state.partner, deletedAt: event.data.deletedAt };
    default:
      return assertNever(event);
  }
}

/** The partner decider of one scope: the same rules, each scope with its own event family. */
export function partnerDeciderFor<Scope extends PartnerScope>(scope: Scope): Decider<PartnerCommand, PartnerState, PartnerEventOf<Scope>> {
  return {
    initialState: () => ({ status: 'none' }),
    decide: (command, state) => decideIn(scope, command, state) as PartnerEventOf<Scope>[],
    evolve,
  };
}

/** A tenant's trading partner (stream `partner-<id>`). */
export const partnerDecider = partnerDeciderFor('tenant');

/** An account-level partner every tenant of the account inherits (stream `master_partner-<id>`). */
export const masterPartnerDecider = partnerDeciderFor('account');
