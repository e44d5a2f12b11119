import { MASTER_PARTNER_EVENT_TYPES, type MasterPartnerEvent } from './master-partner/master-partner.events';
import { PARTNER_EVENT_TYPES, type PartnerEvent } from './partner/partner.events';
import { PARTNER_DIRECTORY_EVENT_TYPES, type PartnerDirectoryEvent } from './partner-directory/partner-directory.events';
import { PARTNER_OVERRIDE_EVENT_TYPES, type PartnerOverrideEvent } from './partner-override/partner-override.events';
import { AS2_INSTANCE_EVENT_TYPES, type As2InstanceEvent } from './as2-instance/as2-instance.events';
import { PARTNERSHIP_EVENT_TYPES, type PartnershipEvent } from './partnership/partnership.events';
import { STATION_EVENT_TYPES, type StationEvent } from './station/station.events';
import { TENANT_EVENT_TYPES, type TenantEvent } from './tenant/tenant.events';

export type PartnerRegistryEvent = PartnerEvent | MasterPartnerEvent | PartnerDirectoryEvent | PartnerOverrideEvent | TenantEvent | As2InstanceEvent | PartnershipEvent | StationEvent;

/** Every event type this context publishes; the AsyncAPI contract must describe each one. */
export const PARTNER_REGISTRY_EVENT_TYPES: readonly PartnerRegistryEvent['type'][] = [
  ...PARTNER_EVENT_TYPES,
  ...MASTER_PARTNER_EVENT_TYPES,
  ...PARTNER_DIRECTORY_EVENT_TYPES,
  ...PARTNER_OVERRIDE_EVENT_TYPES,
  ...TENANT_EVENT_TYPES,
  ...AS2_INSTANCE_EVENT_TYPES,
  ...PARTNERSHIP_EVENT_TYPES,
  ...STATION_EVENT_TYPES,
];

export function isPartnerRegistryEventType(type: string): type is PartnerRegistryEvent['type'] {
  return (PARTNER_REGISTRY_EVENT_TYPES as readonly string[]).includes(type);
}

/** Every event type ends in `.v<N>`: the schema version the envelope carries. */
export { schemaVersionOf } from '@as2-partners/kernel';
