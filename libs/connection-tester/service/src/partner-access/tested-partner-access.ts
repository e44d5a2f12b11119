import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import type { RequestContext } from '@as2-partners/platform';
import { CONNECTION_TESTER_CONFIG, type ConnectionTesterConfig } from '../config/connection-tester.config';
import { TesterCollections, testerTenantIdOf, type TestedPartnerDocument, type TesterTenantDocument } from '../reactions/partner-registry-events/tested-partner.documents';

const PARTNER_ID_PATTERN = /^prt_[0-9A-HJKMNP-TV-Z]{26}$/;

export function partnerNotFound(partnerId: string): DomainError {
  return new DomainError('PARTNER_NOT_FOUND', `Partner ${partnerId} not found`);
}

/** The partners a tenant may test: its own and its account's master partners. Another tenant's answers like an unknown one. */
@Injectable()
export class TestedPartnerAccess {
  private readonly partners: ReadModelCollection<TestedPartnerDocument>;
  private readonly tenants: ReadModelCollection<TesterTenantDocument>;

  constructor(
    @Inject(READ_MODEL_STORE) readModels: ReadModelStore,
    @Inject(CONNECTION_TESTER_CONFIG) private readonly config: ConnectionTesterConfig,
  ) {
    this.partners = readModels.collection(TesterCollections.partners);
    this.tenants = readModels.collection(TesterCollections.tenants);
  }

  async resolve(ctx: RequestContext, tenant: string, partnerId: string): Promise<TestedPartnerDocument> {
    const partner = await this.find(partnerId, (p) => !p.deleted && p.account === ctx.caller.account && (p.kind === 'master' || p.tenant === tenant));
    if (!partner) throw partnerNotFound(partnerId);
    return partner;
  }

  async byId(partnerId: string): Promise<TestedPartnerDocument | null> {
    return this.partners.get(partnerId);
  }

  async planOf(account: string, tenant: string): Promise<string> {
    return (await this.tenants.get(testerTenantIdOf(account, tenant)))?.plan ?? 'free';
  }

  async isTenantDeleted(account: string, tenant: string): Promise<boolean> {
    return (await this.tenants.get(testerTenantIdOf(account, tenant)))?.deleted === true;
  }

  /** Waits a little for a partner whose creation may still be on the bus (0 in embedded mode). */
  private async find(partnerId: string, reachable: (p: TestedPartnerDocument) => boolean): Promise<TestedPartnerDocument | null> {
    if (!PARTNER_ID_PATTERN.test(partnerId)) return null;
    const deadline = Date.now() + this.config.unknownPartnerWaitMs;
    for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
      const partner = await this.partners.get(partnerId);
      if (partner && reachable(partner)) return partner;
      if (Date.now() >= deadline) return null;
      await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
    }
  }
}
