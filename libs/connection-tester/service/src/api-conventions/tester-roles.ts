import type { Role } from '@as2-partners/platform';

/** Reading results: every tenant role. */
export const TEST_READERS: Role[] = ['tenant_user', 'tenant_admin', 'account_admin'];
/** Running tests and setting monitoring: they send traffic to the partner (a `full` test delivers a file). */
export const TEST_RUNNERS: Role[] = ['tenant_admin', 'account_admin'];
