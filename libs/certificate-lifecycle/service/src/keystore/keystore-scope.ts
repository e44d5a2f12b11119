/** Whose keystore a route acts on: a tenant's, or the account's (tenant null), which the account admin manages and its tenants read. */
export interface KeystoreScope {
  readonly account: string;
  readonly tenant: string | null;
}
