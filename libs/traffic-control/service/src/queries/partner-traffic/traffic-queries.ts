import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@as2-partners/kernel';
import { TrafficControlStreams } from '@as2-partners/traffic-control-domain';
import type { TrafficTarget } from '../../partner-access/traffic-target';
import { PartnerTrafficProjection } from './partner-traffic.projection';
import { presentTrafficState, presentWindow } from './traffic-state.presenter';

/** Reads of the traffic views, always within the target the caller may see. */
@Injectable()
export class TrafficQueries {
  constructor(
    private readonly views: PartnerTrafficProjection,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async stateOf(target: TrafficTarget) {
    const own = await this.views.traffic.get(target.stream);
    const inherited = target.ref.scope === 'tenant' && target.partner.tenant === null;
    const account = target.ref.scope === 'account' ? own : inherited ? await this.views.traffic.get(TrafficControlStreams.accountPartnerTraffic(target.ref.account, target.ref.partnerId)) : null;
    return presentTrafficState(target.ref.partnerId, own, account, this.clock.now().getTime());
  }

  async windowsOf(target: TrafficTarget) {
    const own = await this.views.traffic.get(target.stream);
    const now = this.clock.now().getTime();
    return (own?.windows ?? []).filter((w) => Date.parse(w.endsAt) > now).map((w) => presentWindow(w, now));
  }

  /** The tenant's paused partners: its own pauses and the account's pauses of master partners it inherits. */
  async pausedOf(account: string, tenant: string, page: number, perPage: number) {
    const filter = { account, paused: true, $or: [{ tenant }, { tenant: null }] };
    const result = await this.views.traffic.find({ filter, sort: { updatedAt: -1, _id: 1 }, skip: (page - 1) * perPage, limit: perPage });
    const now = this.clock.now().getTime();
    return {
      total: result.total,
      items: result.items.map((doc) => ({ ...presentTrafficState(doc.partnerId, doc.scope === 'tenant' ? doc : null, doc.scope === 'account' ? doc : null, now), level: doc.scope })),
    };
  }

  async timelineOf(target: TrafficTarget, limit: number) {
    const inherited = target.ref.scope === 'tenant' && target.partner.tenant === null;
    const scopes = target.ref.scope === 'account' ? [{ tenant: null }] : inherited ? [{ tenant: target.ref.tenant }, { tenant: null }] : [{ tenant: target.ref.tenant }];
    const page = await this.views.timeline.find({
      filter: { partnerId: target.ref.partnerId, account: target.ref.account, $or: scopes },
      sort: { position: -1 },
      limit,
    });
    return page.items;
  }
}
