import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import type { DeletedTenants } from '@as2-partners/platform';
import { KnownPartnerCollections, knownTenantIdOf, type KnownTenantDocument } from '../reactions/partner-registry-events/known-partner.document';

/** Deleted tenants as this service learned them from the partner-registry's `tenant.deleted.v1` (kept as deleted, never removed). */
@Injectable()
export class KnownDeletedTenants implements DeletedTenants {
  private readonly tenants: ReadModelCollection<KnownTenantDocument>;

  constructor(@Inject(READ_MODEL_STORE) readModels: ReadModelStore) {
    this.tenants = readModels.collection(KnownPartnerCollections.tenants);
  }

  async isDeleted(account: string, tenant: string): Promise<boolean> {
    return (await this.tenants.get(knownTenantIdOf(account, tenant)))?.deleted === true;
  }
}
