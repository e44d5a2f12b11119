import { assertNever, type Decider } from '@as2-partners/kernel';
import { partnerNotFound } from '../partner-registry.errors';
import { newPartnerSettings, type NewPartnerSettings, type PartnerRecord } from '../partner/partner-record';
import { applyPartnerChanges, effectivePartnerChanges, hasAnyChange, type PartnerChanges } from '../settings/partner-settings';
import { validatePartnerChanges } from '../settings/partner-settings.validation';
import type { MasterPartnerEvent } from './master-partner.events';

export type MasterPartnerCommand =
  | {
      readonly type: 'create_master_partner';
      readonly partnerId: string;
      readonly account: string;
      readonly as2Id: string;
      readonly settings: NewPartnerSettings;
      readonly now: string;
    }
  | { readonly type: 'update_master_partner'; readonly partnerId: string; readonly changes: PartnerChanges; readonly now: string }
  | { readonly type: 'delete_master_partner'; readonly partnerId: string; readonly now: string };

export type MasterPartnerState =
  | { readonly status: 'none' }
  | { readonly status: 'active'; readonly partner: PartnerRecord }
  | { readonly status: 'deleted'; readonly partner: PartnerRecord; readonly deletedAt: string };

function decide(command: MasterPartnerCommand, state: MasterPartnerState): MasterPartnerEvent[] {
  switch (command.type) {
    case 'create_master_partner': {
      if (state.status !== 'none') throw new Error(`Master partner ${command.partnerId} already exists`);
      const settings = newPartnerSettings(command.as2Id, command.settings);
      return [
        {
          type: 'master_partner.created.v1',
          data: { partnerId: command.partnerId, account: command.account, as2Id: command.as2Id, settings, createdAt: command.now },
        },
      ];
    }
    case 'update_master_partner': {
      if (state.status !== 'active') throw partnerNotFound(command.partnerId);
      validatePartnerChanges(command.changes);
      const changes = effectivePartnerChanges(state.partner.settings, command.changes);
      if (!hasAnyChange(changes)) return [];
      return [{ type: 'master_partner.updated.v1', data: { partnerId: command.partnerId, changes, updatedAt: command.now } }];
    }
    case 'delete_master_partner': {
      if (state.status !== 'active') throw partnerNotFound(command.partnerId);
      return [
        {
          type: 'master_partner.deleted.v1',
          data: { partnerId: command.partnerId, as2Id: state.partner.as2Id, deletedAt: command.now },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: MasterPartnerState, event: MasterPartnerEvent): MasterPartnerState {
  switch (event.type) {
    case 'master_partner.created.v1': {
      const { createdAt, ...rest } = event.data;
      return { status: 'active', partner: { ...rest, tenant: null, createdAt, updatedAt: createdAt } };
    }
    case 'master_partner.updated.v1':
      if (state.status !== 'active') return state;
      return {
        status: 'active',
        partner: { ...state.partner, settings: applyPartnerChanges(state.partner.settings, event.data.changes), updatedAt: event.data.updatedAt },
      };
    case 'master_partner.deleted.v1':
      if (state.status !== 'active') return state;
      return { status: 'deleted', partner: state.partner, deletedAt: event.data.deletedAt };
    default:
      return assertNever(event);
  }
}

/** An account-level partner every tenant of the account inherits (stream `master_partner-<id>`). */
export const masterPartnerDecider: Decider<MasterPartnerCommand, MasterPartnerState, MasterPartnerEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
