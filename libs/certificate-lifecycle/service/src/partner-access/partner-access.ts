import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import type { RequestContext } from '@as2-partners/platform';
import { CERTIFICATE_LIFECYCLE_CONFIG, type CertificateLifecycleConfig } from '../config/certificate-lifecycle.config';
import {
  KnownPartnerCollections,
  knownOverrideIdOf,
  knownTenantIdOf,
  type KnownPartnerDocument,
  type KnownPartnerOverrideDocument,
  type KnownTenantDocument,
} from '../reactions/partner-registry-events/known-partner.document';

const PARTNER_ID_PATTERN = /^prt_[0-9A-HJKMNP-TV-Z]{26}$/;

/** Whether the caller may be shown a partner id. */
export type PartnerVisibility = (partnerId: string) => boolean;

export function partnerNotFound(partnerId: string): DomainError {
  return new DomainError('PARTNER_NOT_FOUND', `Partner ${partnerId} not found`);
}

/** Which partners a caller may see and change: its tenant's own, and its account's master partners (changes by account admins only). */
@Injectable()
export class PartnerAccess {
  private readonly partners: ReadModelCollection<KnownPartnerDocument>;
  private readonly tenants: ReadModelCollection<KnownTenantDocument>;
  private readonly overrides: ReadModelCollection<KnownPartnerOverrideDocument>;

  constructor(
    @Inject(READ_MODEL_STORE) readModels: ReadModelStore,
    @Inject(CERTIFICATE_LIFECYCLE_CONFIG) private readonly config: CertificateLifecycleConfig,
  ) {
    this.partners = readModels.collection(KnownPartnerCollections.partners);
    this.tenants = readModels.collection(KnownPartnerCollections.tenants);
    this.overrides = readModels.collection(KnownPartnerCollections.overrides);
  }

  /** The partner as the caller has it: a master partner with the sign_algorithm the caller's tenant overrode, if it did. */
  async resolve(ctx: RequestContext, partnerId: string, access: 'read' | 'write'): Promise<KnownPartnerDocument> {
    const partner = await this.find(partnerId, (p) => reachableBy(ctx, p));
    if (!partner) throw partnerNotFound(partnerId);
    if (partner.kind === 'tenant') return partner;
    if (access === 'write' && !ctx.caller.roles.includes('account_admin')) {
      throw new DomainError('INHERITED_PARTNER_READ_ONLY', `Partner ${partnerId} is an account master partner: only an account admin changes its certificates`);
    }
    return this.asInheritedBy(ctx.caller.tenant, partner);
  }

  /** A master partner as a tenant inherits it: its own sign_algorithm, unless that tenant overrode it (an account-level caller: the master's). */
  private async asInheritedBy(tenant: string | null, master: KnownPartnerDocument): Promise<KnownPartnerDocument> {
    if (tenant === null) return master;
    const override = await this.overrides.get(knownOverrideIdOf(master._id, tenant));
    return override && override.account === master.account ? { ...master, signAlgorithm: override.signAlgorithm } : master;
  }

  /**
   * Which of these partners the caller may be shown (in a shared certificate's `partner_ids` and `used_by`): its
   * tenant's own and the account's master partners; an account-level caller sees all of its account's.
   */
  async visibility(ctx: RequestContext, partnerIds: readonly string[]): Promise<PartnerVisibility> {
    const ids = [...new Set(partnerIds)];
    if (ids.length === 0) return () => false;
    const known = await this.partners.find({ filter: { _id: { $in: ids } } });
    const { account, tenant } = ctx.caller;
    const visible = new Set(known.items.filter((p) => p.account === account && (tenant === null || p.kind === 'master' || p.tenant === tenant)).map((p) => p._id));
    return (partnerId) => visible.has(partnerId);
  }

  /** The plan a tenant is billed on (free until the account registers it). */
  async planOf(account: string, tenant: string): Promise<string> {
    return (await this.tenants.get(knownTenantIdOf(account, tenant)))?.plan ?? 'free';
  }

  /**
   * Waits a little for a partner the caller may reach but this service has not heard of yet: its creation may still
   * be on the bus. Another tenant's or account's partner takes exactly the same path as an unknown one, so neither
   * the answer nor its timing tells them apart.
   */
  private async find(partnerId: string, reachable: (partner: KnownPartnerDocument) => boolean): Promise<KnownPartnerDocument | null> {
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

/**
 * A live partner of the caller's account that is the account's (master) or the caller's tenant's. An account-level
 * caller reaches the masters only, as the registry's account routes do: a tenant's partner takes the unknown id's path
 * (same wait, same 404), so no answer tells which ids a tenant holds.
 */
function reachableBy(ctx: RequestContext, partner: KnownPartnerDocument): boolean {
  if (partner.deleted || partner.account !== ctx.caller.account) return false;
  return partner.kind === 'master' || (ctx.caller.tenant !== null && partner.tenant === ctx.caller.tenant);
}
