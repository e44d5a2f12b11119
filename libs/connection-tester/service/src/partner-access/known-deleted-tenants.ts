import { Injectable } from '@nestjs/common';
import type { DeletedTenants } from '@as2-partners/platform';
import { TestedPartnerAccess } from './tested-partner-access';

/** The platform's DeletedTenantGuard asks this service's copy of the registry's tenants. */
@Injectable()
export class KnownDeletedTenants implements DeletedTenants {
  constructor(private readonly access: TestedPartnerAccess) {}

  isDeleted(account: string, tenant: string): Promise<boolean> {
    return this.access.isTenantDeleted(account, tenant);
  }
}
