import { assertNever, stampedNotBefore, type Decider } from '@as2-partners/kernel';
import { hasAnyChange, mergePartnerChanges, type PartnerChanges } from '../settings/partner-settings';
import { validatePartnerChanges } from '../settings/partner-settings.validation';
import type { PartnerOverrideEvent } from './partner-override.events';

interface OverrideTarget {
  readonly account: string;
  readonly tenant: string;
  readonly masterPartnerId: string;
}

export type PartnerOverrideCommand =
  | (OverrideTarget & { readonly type: 'set_overrides'; readonly changes: PartnerChanges; readonly now: string })
  | (OverrideTarget & { readonly type: 'reset_overrides'; readonly now: string });

export type PartnerOverrideState =
  | { readonly status: 'none' }
  | { readonly status: 'overridden'; readonly overrides: PartnerChanges; readonly updatedAt: string };

function decide(command: PartnerOverrideCommand, state: PartnerOverrideState): PartnerOverrideEvent[] {
  const target = { account: command.account, tenant: command.tenant, masterPartnerId: command.masterPartnerId };
  switch (command.type) {
    case 'set_overrides': {
      validatePartnerChanges(command.changes);
      if (!hasAnyChange(command.changes)) return [];
      const overrides = mergePartnerChanges(state.status === 'overridden' ? state.overrides : {}, command.changes);
      return [{ type: 'partner.override_set.v1', data: { ...target, changes: command.changes, overrides, setAt: state.status === 'overridden' ? stampedNotBefore(command.now, state.updatedAt) : command.now } }];
    }
    case 'reset_overrides':
      if (state.status === 'none') return [];
      return [{ type: 'partner.overrides_reset.v1', data: { ...target, resetAt: command.now } }];
    default:
      return assertNever(command);
  }
}

function evolve(state: PartnerOverrideState, event: PartnerOverrideEvent): PartnerOverrideState {
  switch (event.type) {
    case 'partner.override_set.v1':
      return { status: 'overridden', overrides: event.data.overrides, updatedAt: event.data.setAt };
    case 'partner.overrides_reset.v1':
      return { status: 'none' };
    default:
      return assertNever(event);
  }
}

/** A tenant's overrides of one master partner (stream `partner_override-<account>.<tenant>.<masterId>`); the master never changes. */
export const partnerOverrideDecider: Decider<PartnerOverrideCommand, PartnerOverrideState, PartnerOverrideEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
