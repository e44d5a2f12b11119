import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import type { RequestContext } from '@as2-partners/platform';
import { CONNECTION_TESTER_CONFIG, type ConnectionTesterConfig } from '../config/connection-tester.config';
import { withSettings } from '../reactions/partner-registry-events/tested-partner-settings';
import {
  TesterCollections,
  partnerOverrideIdOf,
  testerTenantIdOf,
  type TenantPartnerOverrideDocument,
  type TestedPartnerDocument,
  type TesterTenantDocument,
} from '../reactions/partner-registry-events/tested-partner.documents';

const PARTNER_ID_PATTERN = /^prt_[0-9A-HJKMNP-TV-Z]{26}$/;

export function partnerNotFound(partnerId: string): DomainError {
  return new DomainError('PARTNER_NOT_FOUND', `Partner ${partnerId} not found`);
}

function visibleTo(partner: TestedPartnerDocument, account: string, tenant: string): boolean {
  return !partner.deleted && partner.account === account && (partner.kind === 'master' || partner.tenant === tenant);
}

/**
 * The partners a tenant may test: its own, and its account's master partners with the tenant's overrides applied.
 * Another tenant's answers like an unknown one.
 */
@Injectable()
export class TestedPartnerAccess {
  private readonly partners: ReadModelCollection<TestedPartnerDocument>;
  private readonly tenants: ReadModelCollection<TesterTenantDocument>;
  private readonly overrides: ReadModelCollection<TenantPartnerOverrideDocument>;

  constructor(
    @Inject(READ_MODEL_STORE) readModels: ReadModelStore,
    @Inject(CONNECTION_TESTER_CONFIG) private readonly config: ConnectionTesterConfig,
  ) {
    this.partners = readModels.collection(TesterCollections.partners);
    this.tenants = readModels.collection(TesterCollections.tenants);
    this.overrides = readModels.collection(TesterCollections.partnerOverrides);
  }

  async resolve(ctx: RequestContext, tenant: string, partnerId: string): Promise<TestedPartnerDocument> {
    const account = ctx.caller.account;
    const partner = await this.find(partnerId, (p) => visibleTo(p, account, tenant));
    if (!partner) throw partnerNotFound(partnerId);
    return this.asSeenBy(partner, account, tenant);
  }

  /** True once the registry deleted the partner (its copy is kept as deleted); false for a live one or one never seen here. */
  async isDeleted(partnerId: string): Promise<boolean> {
    return (await this.partners.get(partnerId))?.deleted === true;
  }

  /**
   * The partner as the tenant tests it (monitoring runs); null once it is gone, not the tenant's to test, or its tenant
   * is deleted (the account's master partners outlive the tenant, its monitoring must not).
   */
  async forTenant(account: string, tenant: string, partnerId: string): Promise<TestedPartnerDocument | null> {
    const partner = await this.partners.get(partnerId);
    if (!partner || !visibleTo(partner, account, tenant) || (await this.isTenantDeleted(account, tenant))) return null;
    return this.asSeenBy(partner, account, tenant);
  }

  async planOf(account: string, tenant: string): Promise<string> {
    return (await this.tenants.get(testerTenantIdOf(account, tenant)))?.plan ?? 'free';
  }

  async isTenantDeleted(account: string, tenant: string): Promise<boolean> {
    return (await this.tenants.get(testerTenantIdOf(account, tenant)))?.deleted === true;
  }

  /** An inherited master with this tenant's overrides (URL, timeouts, HTTP auth, security settings); its own partner as is. */
  private async asSeenBy(partner: TestedPartnerDocument, account: string, tenant: string): Promise<TestedPartnerDocument> {
    if (partner.kind !== 'master') return partner;
    const override = await this.overrides.get(partnerOverrideIdOf(account, tenant, partner._id));
    return override && override.account === account && override.tenant === tenant ? withSettings(partner, override.overrides) : partner;
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
