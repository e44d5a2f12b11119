import { Injectable } from '@nestjs/common';
import type { DeletedTenants } from '@as2-partners/platform';
import { RegistryFactsConsumer } from '../reactions/partner-registry-events/registry-facts.consumer';
import { knownTenantIdOf } from '../reactions/partner-registry-events/known-registry.documents';

/** Deleted tenants as this service learned them from the partner-registry's `tenant.deleted.v1`. */
@Injectable()
export class KnownDeletedTenants implements DeletedTenants {
  constructor(private readonly registry: RegistryFactsConsumer) {}

  async isDeleted(account: string, tenant: string): Promise<boolean> {
    return (await this.registry.tenants.get(knownTenantIdOf(account, tenant)))?.deleted === true;
  }
}
