import type { Role } from '@as2-partners/platform';

/** Anyone of the tenant may read its partners. */
export const TENANT_READERS: Role[] = ['tenant_user', 'tenant_admin', 'account_admin'];
/** Changing partners (and overrides) takes a tenant admin, or an account admin acting with a tenant claim. */
export const TENANT_WRITERS: Role[] = ['tenant_admin', 'account_admin'];
