import { assertNever, type Decider } from '@as2-partners/kernel';
import { tenantDeleted } from '../partner-registry.errors';
import type { TenantDataKeyEvent } from './tenant-data-key.events';

export type TenantDataKeyCommand =
  | {
      readonly type: 'create_data_key';
      readonly account: string;
      readonly tenantId: string;
      readonly keyId: string;
      /** The current key the caller could not use (its material is lost, e.g. sealed by another master key); null for a first key. */
      readonly replacing: string | null;
      readonly now: string;
    }
  | { readonly type: 'destroy_data_key'; readonly account: string; readonly tenantId: string; readonly now: string };

export type TenantDataKeyState =
  | { readonly status: 'none' }
  | { readonly status: 'active'; readonly keyId: string }
  | { readonly status: 'destroyed'; readonly keyId: string | null };

function decide(command: TenantDataKeyCommand, state: TenantDataKeyState): TenantDataKeyEvent[] {
  const { account, tenantId } = command;
  switch (command.type) {
    case 'create_data_key':
      if (state.status === 'destroyed') throw tenantDeleted(tenantId);
      // Two writers racing to create (or replace) a key: the one recorded first wins, the other uses it.
      if (state.status === 'active' && state.keyId !== command.replacing) return [];
      return [{ type: 'tenant_data_key.created.v1', data: { account, tenantId, keyId: command.keyId, createdAt: command.now } }];
    case 'destroy_data_key':
      if (state.status === 'destroyed') return [];
      return [
        {
          type: 'tenant_data_key.destroyed.v1',
          data: { account, tenantId, keyId: state.status === 'active' ? state.keyId : null, destroyedAt: command.now },
        },
      ];
    default:
      return assertNever(command);
  }
}

function evolve(state: TenantDataKeyState, event: TenantDataKeyEvent): TenantDataKeyState {
  switch (event.type) {
    case 'tenant_data_key.created.v1':
      return state.status === 'destroyed' ? state : { status: 'active', keyId: event.data.keyId };
    case 'tenant_data_key.destroyed.v1':
      return { status: 'destroyed', keyId: event.data.keyId };
    default:
      return assertNever(event);
  }
}

/**
 * The data key that seals one tenant's secrets (stream `tenant_data_key-<account>.<tenantId>`, never published).
 * Destroying it crypto-shreds every secret the tenant stored, and no key is ever created for the tenant again.
 */
export const tenantDataKeyDecider: Decider<TenantDataKeyCommand, TenantDataKeyState, TenantDataKeyEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
