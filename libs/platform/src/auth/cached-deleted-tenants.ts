import type { DeletedTenants } from './deleted-tenant.guard';

/** Long enough to spare the lookup on every request of a busy tenant, short enough that a replica not told of a deletion learns it soon. */
export const DELETED_TENANT_VERDICT_TTL_MS = 1_000;
const MAX_VERDICTS = 10_000;

/**
 * A service's deleted-tenant answers remembered per tenant: the process that projects `tenant.*` events forgets a
 * tenant's verdict as it applies one (so a deletion is refused from the next request on), and every verdict expires
 * after a second for replicas that share the read model without projecting it.
 */
export class CachedDeletedTenants implements DeletedTenants {
  private readonly verdicts = new Map<string, { readonly deleted: boolean; readonly until: number }>();

  constructor(
    private readonly source: DeletedTenants,
    private readonly now: () => number = Date.now,
  ) {}

  async isDeleted(account: string, tenant: string): Promise<boolean> {
    const key = `${account}|${tenant}`;
    const known = this.verdicts.get(key);
    if (known && known.until > this.now()) return known.deleted;
    const deleted = await this.source.isDeleted(account, tenant);
    if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.clear();
    this.verdicts.set(key, { deleted, until: this.now() + DELETED_TENANT_VERDICT_TTL_MS });
    return deleted;
  }

  /** The verdict remembered and not expired, without waiting; undefined when the source must be asked. */
  knownVerdict(account: string, tenant: string): boolean | undefined {
    const known = this.verdicts.get(`${account}|${tenant}`);
    return known && known.until > this.now() ? known.deleted : undefined;
  }

  /** A `tenant.*` event of this tenant was applied: the next request asks the source again. */
  forget(account: string, tenant: string): void {
    this.verdicts.delete(`${account}|${tenant}`);
  }
}
