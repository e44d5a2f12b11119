import { characterCount, assertNever, stampedNotBefore, type Decider, hasControlCharacters } from '@as2-partners/kernel';
import { invalidPartnerSetting, partnershipNotFound, unsupportedAlgorithm } from '../partner-registry.errors';
import { isEncryptAlgorithm, isMdnMode, isSignAlgorithm } from '../settings/algorithms';
import {
  PARTNERSHIP_OVERRIDE_FIELDS,
  type PartnershipDeletionReason,
  type PartnershipEvent,
  type PartnershipOverrides,
} from './partnership.events';

/** Which of our AS2 instances exchanges with which partner (stream `partnership-<id>`), always a tenant's. */
export interface PartnershipRecord {
  readonly partnershipId: string;
  readonly account: string;
  readonly tenant: string;
  readonly as2InstanceId: string;
  readonly partnerId: string;
  readonly overrides: PartnershipOverrides;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A PATCH: a value sets the override, null removes it (the partner's setting applies again). */
export type PartnershipOverridePatch = { readonly [K in keyof PartnershipOverrides]?: PartnershipOverrides[K] | null };

export type PartnershipCommand =
  | {
      readonly type: 'create_partnership';
      readonly partnershipId: string;
      readonly account: string;
      readonly tenant: string;
      readonly as2InstanceId: string;
      readonly partnerId: string;
      readonly overrides: PartnershipOverrides;
      readonly now: string;
    }
  | { readonly type: 'update_partnership'; readonly partnershipId: string; readonly patch: PartnershipOverridePatch; readonly now: string }
  | { readonly type: 'delete_partnership'; readonly partnershipId: string; readonly reason: PartnershipDeletionReason; readonly now: string };

export type PartnershipState =
  | { readonly status: 'none' }
  | { readonly status: 'active'; readonly partnership: PartnershipRecord }
  | { readonly status: 'deleted'; readonly partnership: PartnershipRecord };

export function validatePartnershipOverrides(overrides: PartnershipOverrides): void {
  const { subject, mdnMode, signAlgorithm, encryptAlgorithm } = overrides;
  if (subject != null && (subject.trim().length === 0 || characterCount(subject) > 255 || hasControlCharacters(subject))) {
    throw invalidPartnerSetting('subject', 'The subject must be 1-255 characters without control characters');
  }
  if (mdnMode !== undefined && !isMdnMode(mdnMode)) throw invalidPartnerSetting('mdn_mode', 'The MDN mode must be one of sync, async, none');
  if (signAlgorithm != null && !isSignAlgorithm(signAlgorithm)) throw unsupportedAlgorithm('sign_algorithm');
  if (encryptAlgorithm != null && !isEncryptAlgorithm(encryptAlgorithm)) throw unsupportedAlgorithm('encrypt_algorithm');
}

/** The overrides after a patch: null removes a field, a value sets it. */
export function patchedOverrides(current: PartnershipOverrides, patch: PartnershipOverridePatch): PartnershipOverrides {
  const next: Record<string, unknown> = { ...current };
  for (const field of PARTNERSHIP_OVERRIDE_FIELDS) {
    const value = patch[field];
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next as PartnershipOverrides;
}

function sameOverrides(a: PartnershipOverrides, b: PartnershipOverrides): boolean {
  return PARTNERSHIP_OVERRIDE_FIELDS.every((field) => a[field] === b[field]);
}

function decide(command: PartnershipCommand, state: PartnershipState): PartnershipEvent[] {
  switch (command.type) {
    case 'create_partnership': {
      if (state.status !== 'none') throw new Error(`Partnership ${command.partnershipId} already exists`);
      validatePartnershipOverrides(command.overrides);
      const { type: _type, now, ...data } = command;
      return [{ type: 'partnership.created.v1', data: { ...data, createdAt: now } }];
    }
    case 'update_partnership': {
      if (state.status !== 'active') throw partnershipNotFound(command.partnershipId);
      const overrides = patchedOverrides(state.partnership.overrides, command.patch);
      validatePartnershipOverrides(overrides);
      if (sameOverrides(overrides, state.partnership.overrides)) return [];
      const { partnershipId, account, tenant } = state.partnership;
      return [{ type: 'partnership.updated.v1', data: { partnershipId, account, tenant, overrides, updatedAt: stampedNotBefore(command.now, state.partnership.updatedAt) } }];
    }
    case 'delete_partnership': {
      if (state.status !== 'active') throw partnershipNotFound(command.partnershipId);
      const { partnershipId, account, tenant, as2InstanceId, partnerId } = state.partnership;
      return [{ type: 'partnership.deleted.v1', data: { partnershipId, account, tenant, as2InstanceId, partnerId, reason: command.reason, deletedAt: command.now } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: PartnershipState, event: PartnershipEvent): PartnershipState {
  switch (event.type) {
    case 'partnership.created.v1': {
      const { createdAt, ...rest } = event.data;
      return { status: 'active', partnership: { ...rest, createdAt, updatedAt: createdAt } };
    }
    case 'partnership.updated.v1':
      if (state.status !== 'active') return state;
      return { status: 'active', partnership: { ...state.partnership, overrides: event.data.overrides, updatedAt: event.data.updatedAt } };
    case 'partnership.deleted.v1':
      if (state.status !== 'active') return state;
      return { status: 'deleted', partnership: state.partnership };
    default:
      return assertNever(event);
  }
}

export const partnershipDecider: Decider<PartnershipCommand, PartnershipState, PartnershipEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};

/** The partnership directory's key of a pair: one per tenant, instance and partner (ids never hold `|`). */
export function partnershipPairKey(tenant: string, as2InstanceId: string, partnerId: string): string {
  return `${tenant}|${as2InstanceId}|${partnerId}`;
}

export function parsePartnershipPairKey(key: string): { tenant: string; as2InstanceId: string; partnerId: string } {
  const partnerAt = key.lastIndexOf('|');
  const instanceAt = key.lastIndexOf('|', partnerAt - 1);
  return { tenant: key.slice(0, instanceAt), as2InstanceId: key.slice(instanceAt + 1, partnerAt), partnerId: key.slice(partnerAt + 1) };
}
