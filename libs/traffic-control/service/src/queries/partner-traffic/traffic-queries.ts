import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@as2-partners/kernel';
import { TrafficControlStreams, type PartnerFacts } from '@as2-partners/traffic-control-domain';
import type { TrafficTarget } from '../../partner-access/traffic-target';
import { LiveTrafficDirectory } from '../../directory/live-traffic-directory';
import { trafficTimelineQuery, type PartnerTrafficDocument } from './partner-traffic.document';
import { PartnerTrafficProjection } from './partner-traffic.projection';
import { presentTrafficState, presentWindows } from './traffic-state.presenter';

/** Reads of the traffic views, always within the target the caller may see. */
@Injectable()
export class TrafficQueries {
  constructor(
    private readonly views: PartnerTrafficProjection,
    private readonly live: LiveTrafficDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async stateOf(target: TrafficTarget) {
    const { own, account } = await this.levelsOf(target);
    return presentTrafficState(target.ref.partnerId, own, account, this.clock.now().getTime());
  }

  /** As `stateOf` lists them: a tenant sees the account's windows of an inherited partner beside its own. */
  async windowsOf(target: TrafficTarget) {
    const { own, account } = await this.levelsOf(target);
    return presentWindows(own, account, this.clock.now().getTime());
  }

  /** The caller's scope and the account's (the same document at account scope; none for the tenant's own partner). */
  private async levelsOf(target: TrafficTarget) {
    const own = await this.views.traffic.get(target.stream);
    const inherited = target.ref.scope === 'tenant' && target.partner.tenant === null;
    const account = target.ref.scope === 'account' ? own : inherited ? await this.views.traffic.get(TrafficControlStreams.accountPartnerTraffic(target.ref.account, target.ref.partnerId)) : null;
    return { own, account };
  }

  /**
   * The tenant's paused partners, each once with its combined state (its own pauses and the account's on an inherited
   * partner), latest change first. A deleted partner is left out: every traffic route answers 404 for it, so it could
   * never be resumed from the list. Reads every paused stream of the tenant and the account's masters (a short list).
   */
  async pausedOf(account: string, tenant: string, page: number, perPage: number) {
    const filter = { account, paused: true, $or: [{ tenant }, { tenant: null }] };
    const paused = await this.views.traffic.find({ filter, sort: { updatedAt: -1, _id: 1 } });
    // Which partners are deleted is the directory's to say; while it is refilled after a restart, each partner's
    // document's, read together (one round trip's wait on MongoDB, not one per partner).
    const partnerIdsPaused = [...new Set(paused.items.map((doc) => doc.partnerId))];
    const facts = await Promise.all(partnerIdsPaused.map((partnerId) => this.live.partner(partnerId)));
    const partners = new Map<string, PartnerFacts | undefined>(partnerIdsPaused.map((partnerId, i) => [partnerId, facts[i]]));
    const partnerIds = [...partners].filter(([, partner]) => partner !== undefined && !partner.deleted).map(([partnerId]) => partnerId);
    const now = this.clock.now().getTime();
    const pageIds = partnerIds.slice((page - 1) * perPage, page * perPage);
    const items = await Promise.all(
      pageIds.map(async (partnerId) => {
        const own = await this.views.traffic.get(TrafficControlStreams.tenantPartnerTraffic(account, tenant, partnerId));
        const inherited = partners.get(partnerId)?.tenant === null;
        const accountDoc = inherited ? await this.views.traffic.get(TrafficControlStreams.accountPartnerTraffic(account, partnerId)) : null;
        return { ...presentTrafficState(partnerId, own, accountDoc, now), level: levelOf(accountDoc) };
      }),
    );
    return { total: partnerIds.length, items };
  }

  /** One page of the partner's traffic events, newest first, and how many there are. */
  async timelineOf(target: TrafficTarget, page: number, perPage: number) {
    const inherited = target.ref.scope === 'tenant' && target.partner.tenant === null;
    const tenants = target.ref.scope === 'account' ? [null] : inherited ? [target.ref.tenant, null] : [target.ref.tenant];
    return this.views.timeline.find(trafficTimelineQuery(target.ref.account, target.ref.partnerId, tenants, page, perPage));
  }
}

/** Which level's pause the list names: the account's when it pauses the partner (its answer wins), else the tenant's. */
function levelOf(accountDoc: PartnerTrafficDocument | null): 'account' | 'tenant' {
  return accountDoc?.paused ? 'account' : 'tenant';
}
