import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@as2-partners/kernel';
import { requireOwnAccount, requireTenant, type RequestContext } from '@as2-partners/platform';
import { TrafficControlErrorCode as Code, TrafficControlStreams, type PartnerFacts, type TrafficRef } from '@as2-partners/traffic-control-domain';
import { LiveTrafficDirectory } from '../directory/live-traffic-directory';
import { TRAFFIC_CONTROL_CONFIG, type TrafficControlConfig } from '../config/traffic-control.config';

/** Whose traffic a route changes or reads: the stream, the partner and the scope. */
export interface TrafficTarget {
  readonly stream: string;
  readonly ref: TrafficRef;
  readonly partner: PartnerFacts;
}

const POLL_MS = 50;

/**
 * Finds the partner a route names, as the caller may see it: a tenant sees its own partners and its account's master
 * partners; an account admin on the account routes sees the account's master partners. Anything else, deleted
 * partners included, is 404 PARTNER_NOT_FOUND (never a hint that another tenant's partner exists).
 */
@Injectable()
export class TrafficTargets {
  constructor(
    private readonly live: LiveTrafficDirectory,
    @Inject(TRAFFIC_CONTROL_CONFIG) private readonly config: TrafficControlConfig,
  ) {}

  async ofTenant(ctx: RequestContext, partnerId: string): Promise<TrafficTarget> {
    const tenant = requireTenant(ctx);
    const account = ctx.caller.account;
    const partner = await this.find(partnerId, (p) => p.account === account && (p.tenant === tenant || p.tenant === null));
    return { stream: TrafficControlStreams.tenantPartnerTraffic(account, tenant, partnerId), ref: { partnerId, account, tenant, scope: 'tenant' }, partner };
  }

  async ofAccount(ctx: RequestContext, account: string, partnerId: string): Promise<TrafficTarget> {
    requireOwnAccount(ctx, account);
    const partner = await this.find(partnerId, (p) => p.account === account && p.tenant === null);
    return { stream: TrafficControlStreams.accountPartnerTraffic(account, partnerId), ref: { partnerId, account, tenant: null, scope: 'account' }, partner };
  }

  private async find(partnerId: string, visible: (partner: PartnerFacts) => boolean): Promise<PartnerFacts> {
    const deadline = Date.now() + this.config.unknownPartnerWaitMs;
    for (;;) {
      // After a restart, while the directory is refilled, from the partner's document (never 404 for one not reached yet).
      const partner = await this.live.partner(partnerId);
      if (partner && !partner.deleted && visible(partner)) return partner;
      // Distributed: the registry's event may still be on its way. Another tenant's or account's partner, and a deleted
      // one, take exactly the path of an unknown one, so neither the answer nor its timing tells them apart.
      if (Date.now() >= deadline) throw new DomainError(Code.PartnerNotFound, `Partner ${partnerId} not found`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
