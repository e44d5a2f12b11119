/** Stream names of this context; the category (before the first `-`) says which decider owns the stream. */
export const ConnectionTesterStreams = {
  /** Not published: a tenant's test reservations (the hourly plan limit) and monitoring schedule. */
  tenantTesting: (account: string, tenant: string) => `connection_tenant-${account}.${tenant}`,
  /** Published: a partner's test results and status changes, as one tenant sees them (master partners are shared). */
  partnerConnection: (partnerId: string, tenant: string) => `connection_partner-${partnerId}.${tenant}`,
} as const;

/** Only these categories reach the service's topic (`as2.connection-tester.events`). */
export const CONNECTION_TESTER_PUBLISHED_CATEGORIES = ['connection_partner'] as const;
