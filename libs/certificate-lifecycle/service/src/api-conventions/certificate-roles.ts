import type { Role } from '@as2-partners/platform';

export const CERTIFICATE_READERS: Role[] = ['tenant_user', 'tenant_admin', 'account_admin'];
export const CERTIFICATE_WRITERS: Role[] = ['tenant_admin', 'account_admin'];
