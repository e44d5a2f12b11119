import type { PartnerTrafficState } from '../partner-traffic/partner-traffic.state';
import { DecisionCache } from './decision-cache';
import { foundWithoutIndex, nearMissKey } from './near-miss';
import { decideTraffic, steadySpan, type DecisionFacts, type MessageDirection, type ScopeTraffic, type TrafficDecision } from './traffic-decision';

export interface InstanceFacts {
  readonly instanceId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly myAs2Id: string;
  readonly status: 'on' | 'off';
}

/** A partnership of the registry: our instance and a partner exchange messages (seed 001's "Related Partnership"). */
export interface PartnershipFacts {
  readonly partnershipId: string;
  readonly account: string;
  /** The tenant that made it (a partnership is always a tenant's, even between account-level ends). */
  readonly tenant: string;
  readonly as2InstanceId: string;
  readonly partnerId: string;
}

export interface PartnerFacts {
  readonly partnerId: string;
  readonly account: string;
  /** null: an account-level master partner, inherited by every tenant. */
  readonly tenant: string | null;
  readonly as2Id: string;
  readonly name: string;
  readonly active: boolean;
  readonly deleted: boolean;
  readonly stationId: string | null;
}

export interface ResolvedDecision extends TrafficDecision {
  readonly partner: PartnerFacts | null;
  readonly instance: InstanceFacts | null;
  /** The tenant the message belongs to (the instance's, else the partner's, else the tenant-scoped caller's). */
  readonly tenant: string | null;
}

/** `*`: a gateway credential for every account. */
export const ALL_ACCOUNTS = '*';

/** Why an account-wide caller's pair is not found when it names ends in several tenants (whose, it does not say). */
export const AMBIGUOUS_PAIR = 'the pair of AS2 ids names ends in more than one tenant; a gateway token scoped to the tenant decides it';

/** The tenant (and account) a message of this end would belong to: ends in different ones cannot both be the pair. */
function messageScopeOf(entry: InstanceEntry, partner: PartnerFacts, tenant: string | null = null): string {
  return `${entry.facts.account}\u0000${entry.facts.tenant ?? partner.tenant ?? tenant ?? ''}`;
}

/** A partnered end and the tenant whose partnership it is (a partnership is always a tenant's, even between account-level ends). */
interface PartneredEnd {
  readonly partner: PartnerFacts;
  readonly tenant: string | null;
}
/** Partnered ends of several tenants behind one account-level instance: an account-wide caller cannot tell whose. */
const SEVERAL_TENANTS = 'several tenants';

const SEP = '\u0000';
const scopeKey = (account: string, tenant: string | null) => `${account}${SEP}${tenant ?? ''}`;

/** An instance with the keys its lookups use, computed once when it is put (a decision builds no strings). */
interface InstanceEntry {
  readonly facts: InstanceFacts;
  /** The tenant's scope (null for an account-level instance) and the account's (master partners). */
  readonly ownScope: string | null;
  readonly accountScope: string;
}

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(value);
}
function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}
/**
 * A small-integer hash (FNV-1a, 30 bits: always a small integer, no heap number) of a near-miss key: the near-miss
 * index keeps no key string per partner; a lookup checks each candidate's own key, so a collision only adds one.
 */
function nearMissHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash & 0x3fffffff;
}

/** A partner's facts as the directory holds them: only the decision's fields, and when it was put (not a property). */
class HeldPartner implements PartnerFacts {
  readonly #put: number;

  constructor(
    readonly partnerId: string,
    readonly account: string,
    readonly tenant: string | null,
    readonly as2Id: string,
    readonly name: string,
    readonly active: boolean,
    readonly deleted: boolean,
    readonly stationId: string | null,
    put: number,
  ) {
    this.#put = put;
  }

  static putOrder(partner: HeldPartner): number {
    return partner.#put;
  }
}

/** One id where a key has one partner (most keys), an array (insertion order) only from the second on: no Set per partner. */
type OneOrMany = string | string[];

function addId<K>(index: Map<K, OneOrMany>, key: K, id: string): void {
  const held = index.get(key);
  if (held === undefined) index.set(key, id);
  else if (typeof held === 'string') {
    if (held !== id) index.set(key, [held, id]);
  } else if (!held.includes(id)) held.push(id);
}
function removeId<K>(index: Map<K, OneOrMany>, key: K, id: string): void {
  const held = index.get(key);
  if (held === undefined) return;
  if (typeof held === 'string') {
    if (held === id) index.delete(key);
    return;
  }
  const rest = held.filter((h) => h !== id);
  if (rest.length === 0) index.delete(key);
  else index.set(key, rest.length === 1 ? (rest[0] as string) : rest);
}
/** The ids held under a key, in the order they came. */
function idsIn(held: OneOrMany | undefined): readonly string[] {
  return held === undefined ? [] : typeof held === 'string' ? [held] : held;
}
function inner<K, IK, V>(index: Map<K, Map<IK, V>>, key: K): Map<IK, V> {
  let map = index.get(key);
  if (!map) index.set(key, (map = new Map()));
  return map;
}
function setIn<K, V>(index: Map<K, Set<V>>, key: K): Set<V> {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  return set;
}
function count<K>(index: Map<K, number>, key: K, delta: number): void {
  const next = (index.get(key) ?? 0) + delta;
  if (next > 0) index.set(key, next);
  else index.delete(key);
}

/**
 * Everything the decision API needs, in memory: AS2 instances by our AS2 id, partners by scope and AS2 id,
 * partnerships by pair, and the pauses and windows of every scope. Answers a decision with a few map lookups on
 * nested maps (no key is built per decision); fed by the consumers of the registry's and this service's own events,
 * and loaded from their persisted documents at start.
 *
 * Partnerships: a pair with a partnership wins where an AS2 id names several candidates (the registry's resolve
 * does the same), and a tenant that has made partnerships for an instance exchanges through it only with those
 * partners (`PARTNERSHIP_NOT_FOUND` otherwise). An instance without partnerships in the message's tenant keeps the
 * rule that held before partnerships existed: any partner of its scope.
 */
export class TrafficDirectory {
  private readonly instances = new Map<string, InstanceEntry>();
  private readonly instancesByAs2Id = new Map<string, InstanceEntry[]>();
  private readonly instancesByNearMiss = new Map<string, Set<string>>();
  private readonly partners = new Map<string, HeldPartner>();
  /**
   * scope → AS2 id → the partner's current facts (replaced by every put of it: a decision finds them in one lookup);
   * deleted partners stay until another partner takes the id (both answer reject).
   */
  private readonly partnersByScope = new Map<string, Map<string, HeldPartner>>();
  /**
   * scope → hash of the AS2 id's near-miss key → live partners whose AS2 id is neither its near-miss key nor that key
   * upper-cased (those two are found in partnersByScope itself): the "did you mean" of an unknown partner.
   */
  private readonly partnersByNearMiss = new Map<string, Map<number, OneOrMany>>();
  /**
   * The greatest partner id put while every put came in strictly ascending id order ('' before the first put);
   * undefined once one came out of order (newPartnerId).
   */
  private lastAscendingId: string | undefined = '';
  /** Puts so far: each held partner's place in put order (of several near misses, the earliest put is offered). */
  private puts = 0;
  /**
   * account → AS2 id → live tenant partners: how an account-level instance (every tenant's) finds a tenant's partner.
   * Kept only for accounts that have had an account-level instance (built from the partners when the first one comes).
   */
  private readonly tenantPartnersByAccount = new Map<string, Map<string, OneOrMany>>();
  /** One copy of each account and tenant id string, shared by every partner's facts (a loaded document brings its own). */
  private readonly names = new Map<string, string>();
  /** partner id → scope (account, tenant) → its pauses and windows there. */
  private readonly traffic = new Map<string, Map<string, ScopeTraffic>>();
  private readonly partnerships = new Map<string, PartnershipFacts>();
  /** instance id → partner id → tenant → live partnerships of the pair that tenant made. */
  private readonly pairs = new Map<string, Map<string, Map<string, number>>>();
  /** instance id → tenant → live partnerships the tenant made with the instance. */
  private readonly partnershipsByInstanceTenant = new Map<string, Map<string, number>>();
  /** account → tenant → its scope key, made once per scope that holds partners or traffic (a decision builds none). */
  private readonly scopeKeys = new Map<string, Map<string, string>>();

  /**
   * master partner id → tenant → `active` as that tenant overrides it (seed 002's overrides of an inherited partner):
   * a tenant that switched a master partner off exchanges nothing with it, while the other tenants still do.
   */
  private readonly activeOverrides = new Map<string, Map<string, boolean>>();

  /** account → its deleted tenants: a gateway credential claiming one is refused, as every other route refuses it. */
  private readonly deletedTenants = new Map<string, Set<string>>();

  /** The decisions answered since the last write, by caller and pair, each over the clock span it holds for. */
  private readonly decisions = new DecisionCache<ResolvedDecision>();

  private readonly facts: { -readonly [K in keyof DecisionFacts]-?: DecisionFacts[K] } = {
    instance: null,
    partner: null,
    notFound: null,
    partnershipMissing: false,
    accountTraffic: null,
    tenantTraffic: null,
  };

  get partnerCount(): number {
    return this.partners.size;
  }

  /** Decisions kept from before a write (an answer may read anything the write changed). */
  get cachedDecisions(): number {
    return this.decisions.entries;
  }

  /**
   * A tenant was deleted (never undone: a deleted tenant's id is not given again). Its instances, partnerships and
   * partners end with it, before their own deletions arrive (a tenant of thousands of partners is closed over seconds):
   * from the tenant's deletion on, its pairs are decided as once every deletion is in, and a put of them (a page of the
   * refill, an event before the deletions) keeps them ended.
   */
  markTenantDeleted(account: string, tenant: string): void {
    const deleted = setIn(this.deletedTenants, account);
    if (deleted.has(tenant)) return;
    deleted.add(tenant);
    this.decisions.clear();
    for (const { facts } of [...this.instances.values()]) if (facts.account === account && facts.tenant === tenant) this.removeInstance(facts.instanceId);
    for (const partnership of [...this.partnerships.values()]) if (partnership.account === account && partnership.tenant === tenant) this.removePartnership(partnership.partnershipId);
    const scope = this.knownScope(account, tenant);
    const partners = scope === undefined ? [] : [...(this.partnersByScope.get(scope)?.values() ?? [])];
    for (const partner of partners) if (!partner.deleted) this.putPartner({ ...partner, deleted: true });
  }

  /** A tenant's override of a master partner's `active` (null: none, the master's own applies). */
  putActiveOverride(partnerId: string, tenant: string, active: boolean | null): void {
    this.decisions.clear();
    if (active !== null) inner(this.activeOverrides, partnerId).set(tenant, active);
    else {
      const byTenant = this.activeOverrides.get(partnerId);
      byTenant?.delete(tenant);
      if (byTenant?.size === 0) this.activeOverrides.delete(partnerId);
    }
  }

  isTenantDeleted(account: string, tenant: string): boolean {
    return this.deletedTenants.get(account)?.has(tenant) === true;
  }

  putInstance(instance: InstanceFacts): void {
    this.removeInstance(instance.instanceId);
    if (instance.tenant !== null && this.isTenantDeleted(instance.account, instance.tenant)) return;
    // The very key strings the partner maps hold (scopeOf): a lookup then matches by identity, not by comparing text.
    const entry: InstanceEntry = { facts: instance, ownScope: instance.tenant === null ? null : this.scopeOf(instance.account, instance.tenant), accountScope: this.scopeOf(instance.account, null) };
    this.instances.set(instance.instanceId, entry);
    if (instance.tenant === null) this.indexTenantPartners(instance.account);
    // A tenant's instances before the account-level ones: of a tenant's partnered ends, the registry's resolve takes its own instance's.
    const held = this.instancesByAs2Id.get(instance.myAs2Id) ?? [];
    this.instancesByAs2Id.set(
      instance.myAs2Id,
      instance.tenant === null ? [...held, entry] : [...held.filter((e) => e.facts.tenant !== null), entry, ...held.filter((e) => e.facts.tenant === null)],
    );
    addTo(this.instancesByNearMiss, nearMissKey(instance.myAs2Id), instance.instanceId);
  }

  removeInstance(instanceId: string): void {
    this.decisions.clear();
    const existing = this.instances.get(instanceId)?.facts;
    if (!existing) return;
    this.instances.delete(instanceId);
    const rest = (this.instancesByAs2Id.get(existing.myAs2Id) ?? []).filter((e) => e.facts.instanceId !== instanceId);
    if (rest.length > 0) this.instancesByAs2Id.set(existing.myAs2Id, rest);
    else this.instancesByAs2Id.delete(existing.myAs2Id);
    removeFrom(this.instancesByNearMiss, nearMissKey(existing.myAs2Id), instanceId);
  }

  instance(instanceId: string): InstanceFacts | undefined {
    return this.instances.get(instanceId)?.facts;
  }

  putPartner(put: PartnerFacts): void {
    this.decisions.clear();
    const given = put.tenant !== null && !put.deleted && this.isTenantDeleted(put.account, put.tenant) ? { ...put, deleted: true } : put;
    const existing = this.newPartnerId(given.partnerId) ? undefined : this.partners.get(given.partnerId);
    if (existing) {
      const scopeKeyOf = this.knownScope(existing.account, existing.tenant) as string;
      const scope = this.partnersByScope.get(scopeKeyOf);
      if (scope?.get(existing.as2Id)?.partnerId === existing.partnerId) scope.delete(existing.as2Id);
      const near = this.partnersByNearMiss.get(scopeKeyOf);
      if (near && !foundWithoutIndex(existing.as2Id)) removeId(near, nearMissHash(nearMissKey(existing.as2Id)), existing.partnerId);
      if (near?.size === 0) this.partnersByNearMiss.delete(scopeKeyOf);
      if (existing.tenant !== null) {
        const byId = this.tenantPartnersByAccount.get(existing.account);
        if (byId) removeId(byId, existing.as2Id, existing.partnerId);
      }
    }
    // Only the fields a decision needs (a loaded document carries more), with the shared account and tenant strings.
    const partner = new HeldPartner(
      given.partnerId,
      this.shared(given.account),
      given.tenant === null ? null : this.shared(given.tenant),
      given.as2Id,
      given.name,
      given.active,
      given.deleted,
      given.stationId,
      (this.puts += 1),
    );
    this.partners.set(partner.partnerId, partner);
    const scopeKeyOf = this.scopeOf(partner.account, partner.tenant);
    const scope = inner(this.partnersByScope, scopeKeyOf);
    const holder = scope.get(partner.as2Id);
    // A live partner takes the id from a deleted one; a deleted one never hides a live one.
    if (!holder || holder.partnerId === partner.partnerId || holder.deleted || !partner.deleted) scope.set(partner.as2Id, partner);
    if (partner.deleted) return;
    if (!foundWithoutIndex(partner.as2Id)) addId(inner(this.partnersByNearMiss, scopeKeyOf), nearMissHash(nearMissKey(partner.as2Id)), partner.partnerId);
    if (partner.tenant !== null) {
      const byId = this.tenantPartnersByAccount.get(partner.account);
      if (byId) addId(byId, partner.as2Id, partner.partnerId);
    }
  }

  /**
   * Whether no partner with this id can be held: every put so far came in strictly ascending id order (as the refill
   * walks the documents, and as new time-ordered ids come) and this id follows the last. A refill then skips a lookup
   * in a map of a million partners that finds nothing (a cache miss or more a partner); the first id out of order
   * ends it for good.
   */
  private newPartnerId(partnerId: string): boolean {
    if (this.lastAscendingId === undefined || partnerId <= this.lastAscendingId) {
      this.lastAscendingId = undefined;
      return false;
    }
    this.lastAscendingId = partnerId;
    return true;
  }

  /** The account's tenant partners by AS2 id, from the first account-level instance of the account on (built once from every partner). */
  private indexTenantPartners(account: string): void {
    if (this.tenantPartnersByAccount.has(account)) return;
    const byId = new Map<string, OneOrMany>();
    for (const partner of this.partners.values()) {
      if (partner.account === account && partner.tenant !== null && !partner.deleted) addId(byId, partner.as2Id, partner.partnerId);
    }
    this.tenantPartnersByAccount.set(account, byId);
  }

  /** The directory's one copy of an account or tenant id. */
  private shared(name: string): string {
    const held = this.names.get(name);
    if (held !== undefined) return held;
    this.names.set(name, name);
    return name;
  }

  partner(partnerId: string): PartnerFacts | undefined {
    return this.partners.get(partnerId);
  }

  putTraffic(account: string, tenant: string | null, partnerId: string, state: Pick<PartnerTrafficState, 'pauses' | 'windows'>): void {
    this.decisions.clear();
    const hasAny = state.pauses.incoming || state.pauses.outgoing || state.windows.length > 0;
    if (hasAny) inner(this.traffic, partnerId).set(this.scopeOf(account, tenant), { pauses: state.pauses, windows: state.windows });
    else {
      const scopes = this.traffic.get(partnerId);
      scopes?.delete(scopeKey(account, tenant));
      if (scopes?.size === 0) this.traffic.delete(partnerId);
    }
  }

  putPartnership(partnership: PartnershipFacts): void {
    this.decisions.clear();
    this.removePartnership(partnership.partnershipId);
    if (this.isTenantDeleted(partnership.account, partnership.tenant)) return;
    this.partnerships.set(partnership.partnershipId, partnership);
    count(inner(inner(this.pairs, partnership.as2InstanceId), partnership.partnerId), partnership.tenant, 1);
    count(inner(this.partnershipsByInstanceTenant, partnership.as2InstanceId), partnership.tenant, 1);
  }

  removePartnership(partnershipId: string): void {
    this.decisions.clear();
    const existing = this.partnerships.get(partnershipId);
    if (!existing) return;
    this.partnerships.delete(partnershipId);
    const pairs = this.pairs.get(existing.as2InstanceId);
    const byTenant = pairs?.get(existing.partnerId);
    if (byTenant) count(byTenant, existing.tenant, -1);
    if (byTenant?.size === 0) pairs?.delete(existing.partnerId);
    if (pairs?.size === 0) this.pairs.delete(existing.as2InstanceId);
    const tenants = this.partnershipsByInstanceTenant.get(existing.as2InstanceId);
    if (tenants) count(tenants, existing.tenant, -1);
    if (tenants?.size === 0) this.partnershipsByInstanceTenant.delete(existing.as2InstanceId);
  }

  /**
   * Resolves the pair of AS2 ids within the credential's account (or every account) and applies the precedence. A
   * tenant-scoped credential (`tenant` not null) sees only its tenant's instances and partners and the account's, as
   * inherited by its tenant (with its tenant's pauses): another tenant's pair is not found, as an unknown pair is.
   * The tenant filters the candidates here, before one is chosen, so a tenant whose AS2 ids another tenant also uses
   * finds its own pair.
   *
   * A pair's answer is kept until the next write of the directory or the next edge of its pauses and windows on the
   * clock (a window starts without any event): until then the same caller gets the same object without a lookup.
   */
  decide(account: string, tenant: string | null, direction: MessageDirection, as2From: string, as2To: string, now: number): ResolvedDecision {
    const ours = direction === 'inbound' ? as2To : as2From;
    const theirs = direction === 'inbound' ? as2From : as2To;
    return this.decisions.get(account, tenant, direction, theirs, ours, now) ?? this.resolve(account, tenant, direction, theirs, ours, now);
  }

  private resolve(account: string, tenant: string | null, direction: MessageDirection, theirs: string, ours: string, now: number): ResolvedDecision {
    const candidates = this.instancesByAs2Id.get(ours);
    let entry: InstanceEntry | null = null;
    let partner: PartnerFacts | null = null;
    let paired = false;
    let pairedTenant: string | null = null;
    // An account-wide caller (no tenant) cannot tell tenants apart: two ends of the same rank in different tenants or
    // accounts make the pair ambiguous, answered as not found, never the first end the index holds (an order any write
    // of an instance changes, so another tenant's duplicate could take the pair over). Nor can an all-accounts caller
    // naming a tenant: a tenant id is an account's own, so `t1` names a different tenant in each account.
    const wide = tenant === null || account === ALL_ACCOUNTS;
    let chosenScope: string | null = null;
    let ambiguous = false;
    let severalTenants = false;
    if (candidates) {
      const withPartnerships = this.partnerships.size > 0;
      for (let i = 0; i < candidates.length; i += 1) {
        const candidate = candidates[i] as InstanceEntry;
        if (account !== ALL_ACCOUNTS && candidate.facts.account !== account) continue;
        if (tenant !== null && candidate.facts.tenant !== null && candidate.facts.tenant !== tenant) continue;
        entry ??= candidate;
        if (withPartnerships) {
          // Several ends may answer to one AS2 id: a pair with a partnership first, then the first pair found.
          const found = this.partneredPartnerFor(candidate, theirs, tenant);
          if (found === SEVERAL_TENANTS) {
            ambiguous = true;
            break;
          }
          if (found) {
            const scope = messageScopeOf(candidate, found.partner, found.tenant);
            if (!paired) {
              [entry, partner, paired, pairedTenant, ambiguous, chosenScope] = [candidate, found.partner, true, found.tenant, false, scope];
              if (!wide) break;
            } else if (scope !== chosenScope) {
              ambiguous = true;
              break;
            }
            continue;
          }
        }
        if (!paired) {
          const found = this.partnerFor(candidate, theirs, tenant);
          // A deleted partner is an end only when there is no other: a live one elsewhere takes the pair, as its own.
          if (found && (partner === null || (wide && partner.deleted && !found.deleted))) {
            [entry, partner, chosenScope] = [candidate, found, messageScopeOf(candidate, found)];
            if (!withPartnerships && !wide) break;
          } else if (found && wide && !found.deleted && messageScopeOf(candidate, found) !== chosenScope) ambiguous = true;
          // An account-level instance (the account's, so still named) serving several tenants' partners with this id (a
          // deleted master found instead hides none of them).
          if ((!found || found.deleted) && wide && this.severalTenantPartners(candidate, theirs)) severalTenants = true;
        }
      }
    }
    // Several tenants' partners behind an account-level instance rank the same as an end found elsewhere without a partnership.
    if (severalTenants && !paired && partner !== null) ambiguous = true;
    if (ambiguous) [entry, partner, paired] = [null, null, false];
    const instance = entry?.facts ?? null;
    const messageTenant = paired ? pairedTenant : (instance?.tenant ?? partner?.tenant ?? tenant);
    const traffic = partner ? this.traffic.get(partner.partnerId) : undefined;
    // One facts object reused by every decision (decideTraffic reads it and keeps nothing of it): none per decision.
    const facts = this.facts;
    facts.instance = instance;
    facts.partner = partner && this.asSeenBy(partner, messageTenant);
    facts.notFound =
      ambiguous || (severalTenants && partner === null)
        ? AMBIGUOUS_PAIR
        : instance === null
          ? this.unknownInstance(account, tenant, ours)
          : partner === null
            ? this.unknownPartner(entry as InstanceEntry, tenant, theirs)
            : null;
    facts.partnershipMissing = partner !== null && !paired && this.usesPartnerships(instance as InstanceFacts, partner.tenant ?? messageTenant);
    facts.accountTraffic = traffic && partner && partner.tenant === null ? this.trafficIn(traffic, partner.account, null) : null;
    facts.tenantTraffic = traffic && partner && messageTenant !== null ? this.trafficIn(traffic, partner.account, messageTenant) : null;
    const d = decideTraffic(direction, facts, now);
    const span = steadySpan(d, facts, now);
    facts.instance = facts.partner = facts.accountTraffic = facts.tenantTraffic = null;
    const resolved: ResolvedDecision = { decision: d.decision, reasonCode: d.reasonCode, reason: d.reason, hold: d.hold, retryAfterSeconds: d.retryAfterSeconds, mdn: d.mdn, partner, instance, tenant: messageTenant };
    if (span !== null) this.decisions.put(account, tenant, direction, theirs, ours, resolved, span);
    return resolved;
  }

  /** The partner as the message's tenant sees it: a master partner with the `active` that tenant overrides it with. */
  private asSeenBy(partner: PartnerFacts, tenant: string | null): DecisionFacts['partner'] {
    if (partner.tenant !== null || tenant === null) return partner;
    const active = this.activeOverrides.get(partner.partnerId)?.get(tenant);
    return active === undefined || active === partner.active ? partner : { name: partner.name, active, deleted: partner.deleted };
  }

  /** The scope key of (account, tenant), made once and kept: the lookups of a decision build no string. */
  private scopeOf(account: string, tenant: string | null): string {
    const byTenant = inner(this.scopeKeys, account);
    const tenantKey = tenant ?? '';
    let key = byTenant.get(tenantKey);
    if (key === undefined) byTenant.set(tenantKey, (key = scopeKey(account, tenant)));
    return key;
  }

  /** The scope key if that scope ever held partners or traffic (else nothing is there to find). */
  private knownScope(account: string, tenant: string | null): string | undefined {
    return this.scopeKeys.get(account)?.get(tenant ?? '');
  }

  private trafficIn(traffic: Map<string, ScopeTraffic>, account: string, tenant: string | null): ScopeTraffic | null {
    const scope = this.knownScope(account, tenant);
    return scope === undefined ? null : (traffic.get(scope) ?? null);
  }

  /** Whether the tenant made partnerships for this instance (then only its partnership partners exchange through it). */
  private usesPartnerships(instance: InstanceFacts, tenant: string | null): boolean {
    if (tenant === null) return false;
    return (this.partnershipsByInstanceTenant.get(instance.instanceId)?.get(tenant) ?? 0) > 0;
  }

  /** A live partnership of the pair: made by the tenant-scoped caller's tenant, or by any tenant for an account-wide one. */
  private partnered(instanceId: string, partnerId: string | undefined, tenant: string | null): boolean {
    if (partnerId === undefined) return false;
    const byTenant = this.pairs.get(instanceId)?.get(partnerId);
    if (byTenant === undefined) return false;
    return tenant === null || (byTenant.get(tenant) ?? 0) > 0;
  }

  /** The partner with this AS2 id in the tenant the instance serves: its own tenant's, or (account-level instance) the caller's. */
  private ownPartner(entry: InstanceEntry, as2Id: string, tenant: string | null): PartnerFacts | undefined {
    const scope = entry.ownScope ?? (tenant === null ? undefined : this.knownScope(entry.facts.account, tenant));
    return scope === undefined ? undefined : this.partnersByScope.get(scope)?.get(as2Id);
  }

  /**
   * The partner with this AS2 id that has a partnership with the instance, own first, then master, and the tenant whose
   * partnership it is. An account-level instance for an account-wide caller: each partnering tenant's own partner
   * before the master, as the registry's resolve takes them for that tenant; partnered ends of several tenants are ambiguous.
   */
  private partneredPartnerFor(entry: InstanceEntry, as2Id: string, tenant: string | null): PartneredEnd | typeof SEVERAL_TENANTS | null {
    const id = entry.facts.instanceId;
    const pairs = this.pairs.get(id);
    if (pairs === undefined) return null;
    const served = entry.facts.tenant ?? tenant;
    const own = this.ownPartner(entry, as2Id, tenant);
    if (own !== undefined && this.partnered(id, own.partnerId, tenant)) return { partner: own, tenant: served };
    const master = this.partnersByScope.get(entry.accountScope)?.get(as2Id);
    if (served !== null) return master !== undefined && this.partnered(id, master.partnerId, tenant) ? { partner: master, tenant: served } : null;
    const byTenant = new Map<string, PartnerFacts>();
    for (const partnerId of idsIn(this.tenantPartnersByAccount.get(entry.facts.account)?.get(as2Id))) {
      const held = this.partners.get(partnerId);
      if (held !== undefined && held.tenant !== null && this.partnered(id, partnerId, held.tenant)) byTenant.set(held.tenant, held);
    }
    for (const partnering of master === undefined ? [] : (pairs.get(master.partnerId)?.keys() ?? [])) if (!byTenant.has(partnering)) byTenant.set(partnering, master as PartnerFacts);
    if (byTenant.size > 1) return SEVERAL_TENANTS;
    const [end] = byTenant;
    return end === undefined ? null : { partner: end[1], tenant: end[0] };
  }

  /**
   * The tenant's own partner first, then the account's master partner (seed 002's resolution priority). An
   * account-level instance serves every tenant: for a tenant-scoped caller it answers as that tenant's; for an
   * account-wide one, after the master partners, the one tenant partner with that AS2 id (several tenants' partners
   * with one id are ambiguous: not found).
   */
  private partnerFor(entry: InstanceEntry, as2Id: string, tenant: string | null): PartnerFacts | null {
    const own = this.ownPartner(entry, as2Id, tenant);
    if (own !== undefined && !own.deleted) return own;
    const master = this.partnersByScope.get(entry.accountScope)?.get(as2Id);
    if (master !== undefined && !master.deleted) return master;
    // A deleted partner hides no live one of the next rank (the registry no longer knows it): it is found only when none is.
    const deleted = own ?? master ?? null;
    if (entry.ownScope !== null || tenant !== null) return deleted;
    // One id: the one tenant partner; several (an array): ambiguous.
    const candidates = this.tenantPartnersByAccount.get(entry.facts.account)?.get(as2Id);
    return typeof candidates === 'string' ? (this.partners.get(candidates) ?? deleted) : deleted;
  }

  /** Whether an account-level instance serves several tenants' live partners with this AS2 id (and no live master partner has it). */
  private severalTenantPartners(entry: InstanceEntry, as2Id: string): boolean {
    const held = this.tenantPartnersByAccount.get(entry.facts.account)?.get(as2Id);
    return entry.ownScope === null && Array.isArray(held);
  }

  private unknownInstance(account: string, tenant: string | null, ours: string): string {
    const near = [...(this.instancesByNearMiss.get(nearMissKey(ours)) ?? [])]
      .map((id) => (this.instances.get(id) as InstanceEntry).facts)
      .find((i) => (account === ALL_ACCOUNTS || i.account === account) && (tenant === null || i.tenant === null || i.tenant === tenant));
    const base = `no AS2 instance has the AS2 id ${JSON.stringify(ours)}`;
    return near ? `${base}; did you mean ${JSON.stringify(near.myAs2Id)}?` : base;
  }

  private unknownPartner(entry: InstanceEntry, tenant: string | null, theirs: string): string {
    const instance = entry.facts;
    const key = nearMissKey(theirs);
    const hash = nearMissHash(key);
    const upper = key.toUpperCase();
    const served = instance.tenant ?? tenant;
    const scopes = served === null ? [null] : [served, null];
    for (const scope of scopes) {
      const scopeKeyOf = this.knownScope(instance.account, scope);
      if (scopeKeyOf === undefined) continue;
      // The live partners of the scope with this near-miss key: the two forms held without the index, then the index's.
      let near: HeldPartner | undefined;
      const consider = (candidate: HeldPartner | undefined) => {
        if (candidate === undefined || candidate.deleted || nearMissKey(candidate.as2Id) !== key) return;
        if (near === undefined || HeldPartner.putOrder(candidate) < HeldPartner.putOrder(near)) near = candidate;
      };
      const byAs2Id = this.partnersByScope.get(scopeKeyOf);
      consider(byAs2Id?.get(key));
      if (upper !== key) consider(byAs2Id?.get(upper));
      for (const id of idsIn(this.partnersByNearMiss.get(scopeKeyOf)?.get(hash))) consider(this.partners.get(id));
      if (near) return `no partner has the AS2 id ${JSON.stringify(theirs)}; did you mean ${JSON.stringify(near.as2Id)}?`;
    }
    return `no partner has the AS2 id ${JSON.stringify(theirs)}`;
  }
}
