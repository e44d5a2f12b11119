import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { testPlanOf } from '@as2-partners/connection-tester-domain';
import { DomainError, CLOCK, type Clock } from '@as2-partners/kernel';
import { EVENT_SOURCING_OPTIONS, systemMetadata, type EventSourcingOptions } from '@as2-partners/platform';
import { CONNECTION_TESTER_CONFIG, type ConnectionTesterConfig } from '../../config/connection-tester.config';
import { MonitoringOfDeletedPartners } from '../../commands/monitoring/monitoring-of-deleted-partners';
import { TestedPartnerAccess } from '../../partner-access/tested-partner-access';
import { ConnectionViewsProjection, type MonitoringDocument } from '../../queries/test-history/connection-views.projection';
import { TestRunner } from '../../test-runs/test-runner';
import { MonitoringQueue } from './monitoring-queue';
import { currentSlotOf } from './monitoring-schedule';

const logger = new Logger('ConnectionMonitoring');

/** A monitor's tenant as one key (its account and tenant). */
const tenantOf = (m: MonitoringDocument): string => `${m.account}\u0000${m.tenant}`;

/**
 * Runs monitored partners' tests when their slot comes. Every replica ticks; the slot is claimed in the tenant's
 * stream, so one run happens per slot whichever replicas see it. Not counted against the manual hourly limit nor
 * against the manual tests running at once: due runs wait in a queue of their own, a tenant's at most
 * CONNECTION_TEST_MAX_CONCURRENT_PER_TENANT at once, late in their slot rather than skipped.
 */
@Injectable()
export class MonitoringScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;
  /** Slots this replica already handled (a restart only costs one refused claim per partner). */
  private readonly handled = new Map<string, number>();
  private readonly queue: MonitoringQueue<{ readonly monitoring: MonitoringDocument; readonly slot: Date }>;

  constructor(
    private readonly views: ConnectionViewsProjection,
    private readonly access: TestedPartnerAccess,
    private readonly runner: TestRunner,
    private readonly deleted: MonitoringOfDeletedPartners,
    @Inject(CONNECTION_TESTER_CONFIG) private readonly config: ConnectionTesterConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(EVENT_SOURCING_OPTIONS) private readonly options?: EventSourcingOptions,
  ) {
    this.queue = new MonitoringQueue(config.maxConcurrentPerTenant, config.maxConcurrentTotal, ({ monitoring, slot }) => this.runOne(monitoring, slot));
  }

  onApplicationBootstrap(): void {
    if (this.options?.startProjections === false) return;
    this.timer = setInterval(() => void this.tick(), this.config.monitorTickMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await this.queue.close();
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    // Queues the due runs and returns: the next tick comes while they run (they wait for a place, not for the tick).
    this.ticking = this.queueDue(this.clock.now()).then(
      () => undefined,
      () => undefined,
    ).finally(() => (this.ticking = null));
    await this.ticking;
  }

  /** Queues every due run; returns once they finished, with how many ran. */
  async runDue(now: Date): Promise<number> {
    const runs = await Promise.all(await this.queueDue(now));
    return runs.filter(Boolean).length;
  }

  /**
   * Marks each due monitor's slot handled here and queues its run (a later tick while it waits finds it handled; a
   * newer slot replaces the one it waits with). A replica that restarts forgets its queue and queues the current slots
   * again: the claim in the tenant's stream lets one run per slot through.
   */
  private async queueDue(now: Date): Promise<Promise<boolean>[]> {
    const monitored = await this.views.monitoring.find({ filter: { enabled: true } });
    const due: { monitoring: MonitoringDocument; slot: Date }[] = [];
    for (const m of monitored.items) {
      const slot = currentSlotOf(m._id, m.intervalMinutes, now);
      if (slot.getTime() >= Date.parse(m.configuredAt) && this.handled.get(m._id) !== slot.getTime()) due.push({ monitoring: m, slot });
    }
    const withinPlans = await this.withinPlans(monitored.items, due.map((d) => d.monitoring));
    return due.map(({ monitoring, slot }) => {
      this.handled.set(monitoring._id, slot.getTime());
      if (!withinPlans.has(monitoring._id)) return this.skipOverPlan(monitoring);
      return this.queue.add(monitoring._id, tenantOf(monitoring), { monitoring, slot });
    });
  }

  /**
   * The due monitors their tenants' plans still allow: a plan monitors so many partners, the ones turned on first, a
   * change of interval or test type keeping their place (a tenant whose plan went down keeps its settings, and the
   * monitors past the cap run again if the plan goes up).
   */
  private async withinPlans(monitored: readonly MonitoringDocument[], due: readonly MonitoringDocument[]): Promise<Set<string>> {
    const allowed = new Set<string>();
    const tenants = new Set(due.map(tenantOf));
    // Each tenant's monitors, grouped in one pass (not one pass over every monitor a tenant due)
    const byTenant = new Map<string, MonitoringDocument[]>();
    for (const m of monitored) {
      const key = tenantOf(m);
      if (!tenants.has(key)) continue;
      const group = byTenant.get(key);
      if (group) group.push(m);
      else byTenant.set(key, [m]);
    }
    const since = (m: MonitoringDocument): string => m.enabledSince ?? m.configuredAt;
    for (const key of tenants) {
      const [account, tenant] = key.split('\u0000') as [string, string];
      const cap = testPlanOf(await this.access.planOf(account, tenant)).monitoredPartners;
      const ofTenant = (byTenant.get(key) ?? []).sort((a, b) => since(a).localeCompare(since(b)) || a._id.localeCompare(b._id));
      for (const m of cap === null ? ofTenant : ofTenant.slice(0, cap)) allowed.add(m._id);
    }
    return allowed;
  }

  private async skipOverPlan(monitoring: MonitoringDocument): Promise<boolean> {
    logger.warn(`Monitoring run of ${monitoring.partnerId} skipped: tenant ${monitoring.tenant}'s plan monitors fewer partners than it has monitoring set`);
    return false;
  }

  private async runOne(monitoring: MonitoringDocument, slot: Date): Promise<boolean> {
    const partner = await this.access.forTenant(monitoring.account, monitoring.tenant, monitoring.partnerId);
    if (!partner) {
      // Deleted (a master partner for every tenant that monitored it): its monitoring ends and frees its place.
      if (await this.access.isDeleted(monitoring.partnerId)) await this.deleted.end(monitoring.account, monitoring.tenant, monitoring.partnerId, (at) => systemMetadata({ account: monitoring.account, tenant: monitoring.tenant }, { type: 'service', id: 'connection-tester' }, at));
      return false;
    }
    try {
      const run = await this.runner.run({
        account: monitoring.account,
        tenant: monitoring.tenant,
        partner,
        testType: monitoring.testType,
        certificates: 'current',
        trigger: 'monitoring',
        monitoringSlot: slot.toISOString(),
        metadataAt: (at) => systemMetadata({ account: monitoring.account, tenant: monitoring.tenant }, { type: 'service', id: 'connection-tester' }, at),
      });
      return run !== null;
    } catch (error) {
      // A partner that cannot be tested now (no instance, say) is tried again at its next slot.
      if (error instanceof DomainError) logger.warn(`Monitoring run of ${monitoring.partnerId} skipped: ${error.code}`);
      else logger.error(`Monitoring run of ${monitoring.partnerId} failed`, error instanceof Error ? error.stack : String(error));
      return false;
    }
  }
}
