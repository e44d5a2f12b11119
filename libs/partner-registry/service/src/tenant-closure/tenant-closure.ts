import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, DomainError, type Clock, type EventMetadata, KeyedMutex, WriteModel } from '@as2-partners/kernel';
import {
  partnerDecider,
  partnerDirectoryDecider,
  partnerOverrideDecider,
  PartnerRegistryErrorCode,
  PartnerRegistryStreams,
  tenantDecider,
  tenantDeleted,
} from '@as2-partners/partner-registry-domain';
import { TenantSecrets } from '../secrets/tenant-secrets';
import { tenantDirectoryScope } from '../write-model/directory-scopes';
import { PartnerDirectoryService } from '../write-model/partner-directory.service';

function later(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/**
 * Closes a deleted tenant's data after `tenant.deleted.v1` is recorded: destroys its data key (crypto-shredding its
 * secrets), deletes each of its partners with its own `partner.deleted.v1`, resets its overrides of master partners.
 * Every step is idempotent, so a retried DELETE or the reactor after a crash finishes whatever was left.
 */
@Injectable()
export class TenantClosure {
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly secrets: TenantSecrets,
    private readonly directory: PartnerDirectoryService,
  ) {}

  /** Position of the last event appended, null when nothing was left to do. */
  async close(account: string, tenant: string, metadata: EventMetadata): Promise<number | null> {
    return this.mutex.run(`${account}.${tenant}`, async () => {
      let last = await this.secrets.destroy(account, tenant, metadata);
      // The directory holds a reservation for every partner of the tenant that was not deleted.
      const { state: partners } = await this.writeModel.load(PartnerRegistryStreams.tenantDirectory(account, tenant), partnerDirectoryDecider);
      for (const reservation of partners.reservations.values()) {
        last = later(last, await this.deletePartner(account, tenant, reservation.partnerId, metadata));
      }
      const { state: masters } = await this.writeModel.load(PartnerRegistryStreams.masterDirectory(account), partnerDirectoryDecider);
      for (const master of masters.reservations.values()) {
        const reset = await this.writeModel.decide(PartnerRegistryStreams.override(account, tenant, master.partnerId),
          partnerOverrideDecider,
          () => ({ type: 'reset_overrides' as const, account, tenant, masterPartnerId: master.partnerId, now: this.clock.now().toISOString() }),
          metadata,
        );
        last = later(last, reset.position);
      }
      return last;
    });
  }

  /**
   * For a create that raced the deletion: once its partner is stored, a tenant deleted meanwhile (whose closure may
   * have missed the partner) gets it deleted here, and the create answers TENANT_DELETED.
   */
  async refuseIfDeletedMeanwhile(account: string, tenant: string, partnerId: string, metadata: EventMetadata): Promise<void> {
    const { state } = await this.writeModel.load(PartnerRegistryStreams.tenant(account, tenant), tenantDecider);
    if (state.status !== 'deleted') return;
    await this.deletePartner(account, tenant, partnerId, metadata);
    throw tenantDeleted(tenant);
  }

  private async deletePartner(account: string, tenant: string, partnerId: string, metadata: EventMetadata): Promise<number | null> {
    const now = this.clock.now();
    let deleted: number | null = null;
    try {
      const result = await this.writeModel.decide(PartnerRegistryStreams.partner(partnerId),
        partnerDecider,
        () => ({ type: 'delete_partner' as const, partnerId, now: now.toISOString() }),
        metadata,
      );
      deleted = result.position;
    } catch (error) {
      // Already deleted, or a create that never stored its partner: only the reservation is left to release.
      if (!(error instanceof DomainError && error.code === PartnerRegistryErrorCode.PartnerNotFound)) throw error;
    }
    const released = await this.directory.release(tenantDirectoryScope(this.writeModel, account, tenant), partnerId, now, metadata);
    return later(deleted, released);
  }
}
