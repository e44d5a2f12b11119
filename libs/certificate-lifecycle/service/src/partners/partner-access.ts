import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import type { RequestContext } from '@as2-partners/platform';
import { CERTIFICATE_LIFECYCLE_CONFIG, type CertificateLifecycleConfig } from '../config/certificate-lifecycle.config';
import { KnownPartnerCollections, knownTenantIdOf, type KnownPartnerDocument, type KnownTenantDocument } from './known-partner.document';

const PARTNER_ID_PATTERN = /^prt_[0-9A-HJKMNP-TV-Z]{26}$/;

export function partnerNotFound(partnerId: string): DomainError {
  return new DomainError('PARTNER_NOT_FOUND', `Partner ${partnerId} not found`);
}

/** Which partners a caller may see and change: its tenant's own, and its account's master partners (changes by account admins only). */
@Injectable()
export class PartnerAccess {
  private readonly partners: ReadModelCollection<KnownPartnerDocument>;
  private readonly tenants: ReadModelCollection<KnownTenantDocument>;

  constructor(
    @Inject(READ_MODEL_STORE) readModels: ReadModelStore,
    @Inject(CERTIFICATE_LIFECYCLE_CONFIG) private readonly config: CertificateLifecycleConfig,
  ) {
    this.partners = readModels.collection(KnownPartnerCollections.partners);
    this.tenants = readModels.collection(KnownPartnerCollections.tenants);
  }

  async resolve(ctx: RequestContext, partnerId: string, access: 'read' | 'write'): Promise<KnownPartnerDocument> {
    const partner = await this.find(partnerId);
    if (!partner || partner.deleted || partner.account !== ctx.caller.account) throw partnerNotFound(partnerId);
    if (partner.kind === 'tenant') {
      if (ctx.caller.tenant === null) {
        throw new DomainError('TENANT_REQUIRED', 'This partner belongs to a tenant: use a token with a tenant claim');
      }
      if (partner.tenant !== ctx.caller.tenant) throw partnerNotFound(partnerId);
      return partner;
    }
    if (access === 'write' && !ctx.caller.roles.includes('account_admin')) {
      throw new DomainError('INHERITED_PARTNER_READ_ONLY', `Partner ${partnerId} is an account master partner: only an account admin changes its certificates`);
    }
    return partner;
  }

  /** The plan a tenant is billed on (free until the account registers it). */
  async planOf(account: string, tenant: string): Promise<string> {
    return (await this.tenants.get(knownTenantIdOf(account, tenant)))?.plan ?? 'free';
  }

  /** Waits a little for a partner this service has not heard of yet: its creation may still be on the bus. */
  private async find(partnerId: string): Promise<KnownPartnerDocument | null> {
    if (!PARTNER_ID_PATTERN.test(partnerId)) return null;
    const deadline = Date.now() + this.config.unknownPartnerWaitMs;
    for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
      const partner = await this.partners.get(partnerId);
      if (partner || Date.now() >= deadline) return partner;
      await sleep(pause);
    }
  }
}
