import { PARTNER_CONNECTION_EVENT_TYPES, type PartnerConnectionEvent } from './partner-connection/partner-connection.events';
import { TENANT_TESTING_EVENT_TYPES, type TenantTestingEvent } from './tenant-testing/tenant-testing.events';

export type ConnectionTesterEvent = PartnerConnectionEvent | TenantTestingEvent;

/** Every event type this context writes; only the partner-connection ones are published (AsyncAPI lists those). */
export const CONNECTION_TESTER_EVENT_TYPES: readonly ConnectionTesterEvent['type'][] = [...PARTNER_CONNECTION_EVENT_TYPES, ...TENANT_TESTING_EVENT_TYPES];

export const CONNECTION_TESTER_PUBLISHED_EVENT_TYPES: readonly ConnectionTesterEvent['type'][] = PARTNER_CONNECTION_EVENT_TYPES;
