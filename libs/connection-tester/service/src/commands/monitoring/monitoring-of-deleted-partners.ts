import { Inject, Injectable } from '@nestjs/common';
import { ConnectionTesterStreams, MIN_MONITORING_INTERVAL_MINUTES, tenantTestingDecider, testPlanOf } from '@as2-partners/connection-tester-domain';
import { CLOCK, WriteModel, type Clock, type EventMetadata } from '@as2-partners/kernel';
import { TestedPartnerAccess } from '../../partner-access/tested-partner-access';

/**
 * A deleted partner's monitoring ends: it is never run again, so it must not keep one of the tenant's monitored
 * partners (the plan's cap) either. Ended before the tenant enables another partner, and by the scheduler at the
 * deleted partner's slot (a master partner's deletion ends it for every tenant that monitored it). Only a partner the
 * registry deleted counts (its copy kept as deleted): one this service has not seen yet keeps its monitoring.
 */
@Injectable()
export class MonitoringOfDeletedPartners {
  constructor(
    private readonly writeModel: WriteModel,
    private readonly access: TestedPartnerAccess,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Before `partnerId` is monitored under a cap of `limit` partners (null: none): when it would be refused for the cap,
   * ends the monitoring of every deleted partner the tenant still monitors, so they hold no place. Under the cap, or
   * without one, nothing is read: a tenant monitoring thousands of partners would otherwise ask after each of them on
   * every change (~100 ms at 3,000); the scheduler ends theirs at their slot.
   */
  async freePlaceFor(account: string, tenant: string, partnerId: string, limit: number | null, metadataAt: (at: Date) => EventMetadata): Promise<void> {
    if (limit === null) return;
    const { state } = await this.writeModel.load(ConnectionTesterStreams.tenantTesting(account, tenant), tenantTestingDecider);
    if (state.monitoring.has(partnerId) || state.monitoring.size < limit) return;
    for (const monitored of state.monitoring.keys()) {
      if (await this.access.isDeleted(monitored)) await this.end(account, tenant, monitored, metadataAt);
    }
  }

  /** Ends one partner's monitoring (nothing when it has none). */
  async end(account: string, tenant: string, partnerId: string, metadataAt: (at: Date) => EventMetadata): Promise<void> {
    const now = this.clock.now();
    await this.writeModel.decide(
      ConnectionTesterStreams.tenantTesting(account, tenant),
      tenantTestingDecider,
      // Turning off records the setting that stops (from the state) and reads no plan: type, interval and plan are not read.
      { type: 'configure_monitoring', account, tenant, partnerId, enabled: false, testType: 'ping', intervalMinutes: MIN_MONITORING_INTERVAL_MINUTES, plan: testPlanOf(undefined), now: now.toISOString() },
      metadataAt(now),
    );
  }
}
