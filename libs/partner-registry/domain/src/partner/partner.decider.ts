import { assertNever, stampedNotBefore, type Decider } from '@as2-partners/kernel';
import type { MasterPartnerEvent } from '../master-partner/master-partner.events';
import { invalidAs2IdFormat, invalidPartnerSetting, partnerNotFound, riskAcknowledgementRequired } from '../partner-registry.errors';
import { isValidAs2Id } from '../settings/as2-id';
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
      /** Seed 003 `certificate_id`: a stored certificate the certificate service links to the partner's slots. */
      readonly certificateId?: string | null;
      readonly now: string;
    }
  | { readonly type: 'update_partner'; readonly partnerId: string; readonly changes: PartnerChanges; readonly now: string }
  | { readonly type: 'delete_partner'; readonly partnerId: string; readonly now: string }
  | {
      readonly type: 'change_as2_id';
      readonly partnerId: string;
      readonly newAs2Id: string;
      /** Seed 000's risks were shown and accepted: without it the change is refused. */
      readonly acknowledgeRisks: boolean;
      readonly reason: string | null;
      readonly now: string;
    };

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
      // Only when given, so creations without one are recorded exactly as before.
      const link = command.certificateId ? { certificateId: command.certificateId } : {};
      if (scope === 'account') return [{ type: 'master_partner.created.v1', data: { partnerId, account, as2Id, settings, ...link, createdAt } }];
      if (tenant === null) throw new Error(`Partner ${partnerId} of the tenant scope names no tenant`);
      return [{ type: 'partner.created.v1', data: { partnerId, account, tenant, as2Id, settings, ...link, createdAt } }];
    }
    case 'update_partner': {
      if (state.status !== 'active') throw partnerNotFound(command.partnerId);
      validatePartnerChanges(command.changes);
      const changes = effectivePartnerChanges(state.partner.settings, command.changes);
      if (!hasAnyChange(changes)) return [];
      validatePartnerSettings(applyPartnerChanges(state.partner.settings, changes));
      const data = { partnerId: command.partnerId, changes, updatedAt: stampedNotBefore(command.now, state.partner.updatedAt) };
      return [scope === 'account' ? { type: 'master_partner.updated.v1', data } : { type: 'partner.updated.v1', data }];
    }
    case 'delete_partner': {
      if (state.status !== 'active') throw partnerNotFound(command.partnerId);
      const data = { partnerId: command.partnerId, as2Id: state.partner.as2Id, deletedAt: command.now };
      return [scope === 'account' ? { type: 'master_partner.deleted.v1', data } : { type: 'partner.deleted.v1', data }];
    }
    case 'change_as2_id': {
      if (state.status !== 'active') throw partnerNotFound(command.partnerId);
      if (command.acknowledgeRisks !== true) throw riskAcknowledgementRequired();
      if (!isValidAs2Id(command.newAs2Id)) throw invalidAs2IdFormat();
      if (command.newAs2Id === state.partner.as2Id) throw invalidPartnerSetting('new_as2_id', 'The new AS2 ID is the current one');
      const { partnerId, account, as2Id: oldAs2Id } = state.partner;
      const common = { partnerId, account, oldAs2Id, newAs2Id: command.newAs2Id, reason: command.reason, changedAt: stampedNotBefore(command.now, state.partner.updatedAt) };
      if (scope === 'account') return [{ type: 'master_partner.as2_id_changed.v1', data: { ...common, tenant: null } }];
      const tenant = state.partner.tenant;
      if (tenant === null) throw new Error(`Partner ${partnerId} of the tenant scope names no tenant`);
      return [{ type: 'partner.as2_id_changed.v1', data: { ...common, tenant } }];
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
    case 'partner.as2_id_changed.v1':
    case 'master_partner.as2_id_changed.v1':
      if (state.status !== 'active') return state;
      return { status: 'active', partner: { ...state.partner, as2Id: event.data.newAs2Id, updatedAt: event.data.changedAt } };
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
