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

  /** Ends the monitoring of every deleted partner the tenant still monitors. */
  async endAll(account: string, tenant: string, metadataAt: (at: Date) => EventMetadata): Promise<void> {
    const { state } = await this.writeModel.load(ConnectionTesterStreams.tenantTesting(account, tenant), tenantTestingDecider);
    for (const partnerId of state.monitoring.keys()) {
      if (await this.access.isDeleted(partnerId)) await this.end(account, tenant, partnerId, metadataAt);
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
