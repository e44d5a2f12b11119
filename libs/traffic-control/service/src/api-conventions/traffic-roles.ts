import type { Role } from '@as2-partners/platform';

/** Anyone of the tenant may read its partners' traffic. */
export const TRAFFIC_READERS: Role[] = ['tenant_user', 'tenant_admin', 'account_admin'];
/** Pausing takes a tenant admin, or an account admin acting with a tenant claim. */
export const TRAFFIC_WRITERS: Role[] = ['tenant_admin', 'account_admin'];
