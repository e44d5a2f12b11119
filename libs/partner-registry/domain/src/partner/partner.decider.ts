import { assertNever, type Decider } from '@as2-partners/kernel';
import { partnerNotFound } from '../partner-registry.errors';
import { applyPartnerChanges, effectivePartnerChanges, hasAnyChange, type PartnerChanges } from '../settings/partner-settings';
import { validatePartnerChanges } from '../settings/partner-settings.validation';
import type { PartnerEvent } from './partner.events';
import { newPartnerSettings, type NewPartnerSettings, type PartnerRecord } from './partner-record';

export type PartnerCommand =
  | {
      readonly type: 'create_partner';
      readonly partnerId: string;
      readonly account: string;
      readonly tenant: string;
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

function decide(command: PartnerCommand, state: PartnerState): PartnerEvent[] {
  switch (command.type) {
    case 'create_partner': {
      // A retried create of an existing partner is a programming error, not a user error: ids are fresh ULIDs.
      if (state.status !== 'none') throw new Error(`Partner ${command.partnerId} already exists`);
      const settings = newPartnerSettings(command.as2Id, command.settings);
      return [
        {
          type: 'partner.created.v1',
          data: {
            partnerId: command.partnerId,
            account: command.account,
            tenant: command.tenant,
            as2Id: command.as2Id,
            settings,
            createdAt: command.now,
          },
        },
      ];
    }
    case 'update_partner': {
      if (state.status !== 'active') throw partnerNotFound(command.partnerId);
      validatePartnerChanges(command.changes);
      const changes = effectivePartnerChanges(state.partner.settings, command.changes);
      if (!hasAnyChange(changes)) return [];
      return [{ type: 'partner.updated.v1', data: { partnerId: command.partnerId, changes, updatedAt: command.now } }];
    }
    case 'delete_partner': {
      if (state.status !== 'active') throw partnerNotFound(command.partnerId);
      return [
        { type: 'partner.deleted.v1', data: { partnerId: command.partnerId, as2Id: state.partner.as2Id, deletedAt: command.now } },
      ];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: PartnerState, event: PartnerEvent): PartnerState {
  switch (event.type) {
    case 'partner.created.v1': {
      const { createdAt, ...rest } = event.data;
      return { status: 'active', partner: { ...rest, createdAt, updatedAt: createdAt } };
    }
    case 'partner.updated.v1':
      if (state.status !== 'active') return state;
      return {
        status: 'active',
        partner: { ...state.partner, settings: applyPartnerChanges(state.partner.settings, event.data.changes), updatedAt: event.data.updatedAt },
      };
    case 'partner.deleted.v1':
      if (state.status !== 'active') return state;
      return { status: 'deleted', partner: state.partner, deletedAt: event.data.deletedAt };
    default:
      return assertNever(event);
  }
}

/** A tenant's trading partner (stream `partner-<id>`). */
export const partnerDecider: Decider<PartnerCommand, PartnerState, PartnerEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
