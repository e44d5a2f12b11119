import type { DomainEvent } from '../domain-event';
import type { PartnerChanges } from '../settings/partner-settings';

/** `changes` is what this request set; `overrides` the tenant's whole override set afterwards. */
export type PartnerOverrideSet = DomainEvent<
  'partner.override_set.v1',
  {
    readonly account: string;
    readonly tenant: string;
    readonly masterPartnerId: string;
    readonly changes: PartnerChanges;
    readonly overrides: PartnerChanges;
    readonly setAt: string;
  }
>;

export type PartnerOverridesReset = DomainEvent<
  'partner.overrides_reset.v1',
  { readonly account: string; readonly tenant: string; readonly masterPartnerId: string; readonly resetAt: string }
>;

export type PartnerOverrideEvent = PartnerOverrideSet | PartnerOverridesReset;

export const PARTNER_OVERRIDE_EVENT_TYPES = [
  'partner.override_set.v1',
  'partner.overrides_reset.v1',
] as const satisfies readonly PartnerOverrideEvent['type'][];
