import type { MessageDirection, SteadySpan } from './traffic-decision';

/** At most this many pairs are kept (~320–420 bytes each); one more empties the cache (a caller naming ever new AS2 ids cannot grow it). */
export const MAX_CACHED_DECISIONS = 50_000;

interface Cached<T> {
  readonly value: T;
  readonly from: number;
  readonly until: number;
}

/** AS2 id on their side → AS2 id on ours → the decision. */
type ByPair<T> = Map<string, Map<string, Cached<T>>>;
/** account → tenant claim (null: account-wide) → pair. */
type ByCaller<T> = Map<string, Map<string | null, ByPair<T>>>;

/**
 * Resolved decisions by caller (the credential's account and tenant claim), direction and pair of AS2 ids, each kept
 * over the clock span it holds for. The owner empties it on every write of what decisions read; a caller's entries are
 * its own (another tenant's claim is another key). Nested maps keyed by the very strings of the request: no key is built.
 */
export class DecisionCache<T> {
  private inbound: ByCaller<T> = new Map();
  private outbound: ByCaller<T> = new Map();
  private size = 0;

  get(account: string, tenant: string | null, direction: MessageDirection, theirs: string, ours: string, now: number): T | undefined {
    const cached = this.byCaller(direction).get(account)?.get(tenant)?.get(theirs)?.get(ours);
    return cached !== undefined && now >= cached.from && now < cached.until ? cached.value : undefined;
  }

  put(account: string, tenant: string | null, direction: MessageDirection, theirs: string, ours: string, value: T, span: SteadySpan): void {
    const isNew = this.byCaller(direction).get(account)?.get(tenant)?.get(theirs)?.has(ours) !== true;
    if (isNew && this.size >= MAX_CACHED_DECISIONS) this.clear();
    const byCaller = this.byCaller(direction);
    let byTenant = byCaller.get(account);
    if (byTenant === undefined) byCaller.set(account, (byTenant = new Map()));
    let byPair = byTenant.get(tenant);
    if (byPair === undefined) byTenant.set(tenant, (byPair = new Map()));
    let byOurs = byPair.get(theirs);
    if (byOurs === undefined) byPair.set(theirs, (byOurs = new Map()));
    if (isNew) this.size += 1;
    byOurs.set(ours, { value, from: span.from, until: span.until });
  }

  private byCaller(direction: MessageDirection): ByCaller<T> {
    return direction === 'inbound' ? this.inbound : this.outbound;
  }

  clear(): void {
    if (this.size === 0) return;
    this.inbound = new Map();
    this.outbound = new Map();
    this.size = 0;
  }

  get entries(): number {
    return this.size;
  }
}
