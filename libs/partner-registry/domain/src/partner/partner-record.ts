import { invalidAs2IdFormat } from '../partner-registry.errors';
import { isValidAs2Id } from '../settings/as2-id';
import { type PartnerChanges, type PartnerSettings, partnerSettingsWithDefaults } from '../settings/partner-settings';
import { validatePartnerChanges, validatePartnerSettings } from '../settings/partner-settings.validation';

/** A partner as its write model knows it; `tenant` is null for an account's master partner. */
export interface PartnerRecord {
  readonly partnerId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly as2Id: string;
  readonly settings: PartnerSettings;
  /** ISO-8601 UTC, from the command's clock. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type NewPartnerSettings = PartnerChanges & { readonly name: string; readonly url: string };

/** Validates a new partner's AS2 id and settings and fills the defaults. */
export function newPartnerSettings(as2Id: string, given: NewPartnerSettings): PartnerSettings {
  if (!isValidAs2Id(as2Id)) throw invalidAs2IdFormat();
  validatePartnerChanges(given);
  const settings = partnerSettingsWithDefaults(given);
  validatePartnerSettings(settings);
  return settings;
}
