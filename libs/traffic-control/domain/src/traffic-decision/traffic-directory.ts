import type { PartnerTrafficState } from '../partner-traffic/partner-traffic.state';
import { nearMissKey } from './near-miss';
import { decideTraffic, type DecisionFacts, type MessageDirection, type ScopeTraffic, type TrafficDecision } from './traffic-decision';

export interface InstanceFacts {
  readonly instanceId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly myAs2Id: string;
  readonly status: 'on' | 'off';
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
  /** The tenant the message belongs to (the instance's, else the partner's). */
  readonly tenant: string | null;
}

/** `*`: a gateway credential for every account. */
export const ALL_ACCOUNTS = '*';

const SEP = '\u0000';
const scopeKey = (account: string, tenant: string | null) => `${account}${SEP}${tenant ?? ''}`;
const trafficKey = (account: string, tenant: string | null, partnerId: string) => `${account}${SEP}${tenant ?? ''}${SEP}${partnerId}`;

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
 * Everything the decision API needs, in memory: AS2 instances by our AS2 id, partners by scope and AS2 id, and the
 * pauses and windows of every scope. Answers a decision with a few map lookups; fed by the consumers of the
 * registry's and this service's own events, and loaded from their persisted documents at start.
 */
export class TrafficDirectory {
  private readonly instances = new Map<string, InstanceFacts>();
  private readonly instancesByAs2Id = new Map<string, Set<string>>();
  private readonly instancesByNearMiss = new Map<string, Set<string>>();
  private readonly partners = new Map<string, PartnerFacts>();
  /** scope + AS2 id → partner id; deleted partners stay until another partner takes the id (both answer reject). */
  private readonly partnersByAs2Id = new Map<string, string>();
  private readonly partnersByNearMiss = new Map<string, Set<string>>();
  /** account + AS2 id → live tenant partners: how an account-level instance (every tenant's) finds a tenant's partner. */
  private readonly tenantPartnersByAccount = new Map<string, Set<string>>();
  private readonly traffic = new Map<string, ScopeTraffic>();

  get partnerCount(): number {
    return this.partners.size;
  }

  putInstance(instance: InstanceFacts): void {
    this.removeInstance(instance.instanceId);
    this.instances.set(instance.instanceId, instance);
    addTo(this.instancesByAs2Id, instance.myAs2Id, instance.instanceId);
    addTo(this.instancesByNearMiss, nearMissKey(instance.myAs2Id), instance.instanceId);
  }

  removeInstance(instanceId: string): void {
    const existing = this.instances.get(instanceId);
    if (!existing) return;
    this.instances.delete(instanceId);
    removeFrom(this.instancesByAs2Id, existing.myAs2Id, instanceId);
    removeFrom(this.instancesByNearMiss, nearMissKey(existing.myAs2Id), instanceId);
  }

  instance(instanceId: string): InstanceFacts | undefined {
    return this.instances.get(instanceId);
  }

  putPartner(partner: PartnerFacts): void {
    const existing = this.partners.get(partner.partnerId);
    if (existing) {
      const key = `${scopeKey(existing.account, existing.tenant)}${SEP}${existing.as2Id}`;
      if (this.partnersByAs2Id.get(key) === existing.partnerId) this.partnersByAs2Id.delete(key);
      removeFrom(this.partnersByNearMiss, `${scopeKey(existing.account, existing.tenant)}${SEP}${nearMissKey(existing.as2Id)}`, existing.partnerId);
      if (existing.tenant !== null) removeFrom(this.tenantPartnersByAccount, `${existing.account}${SEP}${existing.as2Id}`, existing.partnerId);
    }
    this.partners.set(partner.partnerId, partner);
    const key = `${scopeKey(partner.account, partner.tenant)}${SEP}${partner.as2Id}`;
    const holder = this.partners.get(this.partnersByAs2Id.get(key) ?? '');
    // A live partner takes the id from a deleted one; a deleted one never hides a live one.
    if (!holder || holder.partnerId === partner.partnerId || holder.deleted || !partner.deleted) this.partnersByAs2Id.set(key, partner.partnerId);
    if (!partner.deleted) addTo(this.partnersByNearMiss, `${scopeKey(partner.account, partner.tenant)}${SEP}${nearMissKey(partner.as2Id)}`, partner.partnerId);
    if (!partner.deleted && partner.tenant !== null) addTo(this.tenantPartnersByAccount, `${partner.account}${SEP}${partner.as2Id}`, partner.partnerId);
  }

  partner(partnerId: string): PartnerFacts | undefined {
    return this.partners.get(partnerId);
  }

  putTraffic(account: string, tenant: string | null, partnerId: string, state: Pick<PartnerTrafficState, 'pauses' | 'windows'>): void {
    const hasAny = state.pauses.incoming || state.pauses.outgoing || state.windows.length > 0;
    if (hasAny) this.traffic.set(trafficKey(account, tenant, partnerId), { pauses: state.pauses, windows: state.windows });
    else this.traffic.delete(trafficKey(account, tenant, partnerId));
  }

  /** Resolves the pair of AS2 ids within the credential's account (or every account) and applies the precedence. */
  decide(account: string, direction: MessageDirection, as2From: string, as2To: string, now: number): ResolvedDecision {
    const ours = direction === 'inbound' ? as2To : as2From;
    const theirs = direction === 'inbound' ? as2From : as2To;
    const candidates = this.instancesByAs2Id.get(ours);
    let instance: InstanceFacts | null = null;
    let partner: PartnerFacts | null = null;
    if (candidates) {
      for (const id of candidates) {
        const candidate = this.instances.get(id) as InstanceFacts;
        if (account !== ALL_ACCOUNTS && candidate.account !== account) continue;
        instance ??= candidate;
        const found = this.partnerFor(candidate, theirs);
        if (found) {
          instance = candidate;
          partner = found;
          break;
        }
      }
    }
    const tenant = instance?.tenant ?? partner?.tenant ?? null;
    const facts: DecisionFacts = {
      instance,
      partner,
      notFound: instance === null ? this.unknownInstance(account, ours) : partner === null ? this.unknownPartner(instance, theirs) : null,
      accountTraffic: partner && partner.tenant === null ? (this.traffic.get(trafficKey(partner.account, null, partner.partnerId)) ?? null) : null,
      tenantTraffic: partner && tenant !== null ? (this.traffic.get(trafficKey(partner.account, tenant, partner.partnerId)) ?? null) : null,
    };
    return { ...decideTraffic(direction, facts, now), partner, instance, tenant };
  }

  /**
   * The tenant's own partner first, then the account's master partner (seed 002's resolution priority). An
   * account-level instance serves every tenant: after the master partners, the one tenant partner with that AS2 id
   * (several tenants' partners with one id are ambiguous: not found).
   */
  private partnerFor(instance: InstanceFacts, as2Id: string): PartnerFacts | null {
    const own = instance.tenant === null ? undefined : this.partnersByAs2Id.get(`${scopeKey(instance.account, instance.tenant)}${SEP}${as2Id}`);
    const id = own ?? this.partnersByAs2Id.get(`${scopeKey(instance.account, null)}${SEP}${as2Id}`);
    if (id !== undefined) return this.partners.get(id) ?? null;
    if (instance.tenant !== null) return null;
    const candidates = this.tenantPartnersByAccount.get(`${instance.account}${SEP}${as2Id}`);
    return candidates?.size === 1 ? (this.partners.get(candidates.values().next().value as string) ?? null) : null;
  }

  private unknownInstance(account: string, ours: string): string {
    const near = [...(this.instancesByNearMiss.get(nearMissKey(ours)) ?? [])]
      .map((id) => this.instances.get(id) as InstanceFacts)
      .find((i) => account === ALL_ACCOUNTS || i.account === account);
    const base = `no AS2 instance has the AS2 id ${JSON.stringify(ours)}`;
    return near ? `${base}; did you mean ${JSON.stringify(near.myAs2Id)}?` : base;
  }

  private unknownPartner(instance: InstanceFacts, theirs: string): string {
    const key = nearMissKey(theirs);
    const scopes = instance.tenant === null ? [null] : [instance.tenant, null];
    for (const tenant of scopes) {
      for (const id of this.partnersByNearMiss.get(`${scopeKey(instance.account, tenant)}${SEP}${key}`) ?? []) {
        const near = this.partners.get(id);
        if (near && !near.deleted) return `no partner has the AS2 id ${JSON.stringify(theirs)}; did you mean ${JSON.stringify(near.as2Id)}?`;
      }
    }
    return `no partner has the AS2 id ${JSON.stringify(theirs)}`;
  }
}
