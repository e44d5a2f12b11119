import { Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  CHECKPOINT_STORE,
  CLOCK,
  EVENT_STORE,
  PARKED_EVENT_STORE,
  PROJECTION_REGISTRY,
  READ_MODEL_STORE,
  schedulerInstanceId,
  systemClock,
  WriteModel,
  type CheckpointStore,
  type Clock,
  type EventStore,
  type ParkedEventStore,
  type ProjectionRegistry,
  type ReadModelStore,
} from '@as2-partners/kernel';
import {
  AfterStart,
  DELETED_TENANTS,
  DeletedTenantGuard,
  type DeletedTenants,
  EVENT_SOURCING_OPTIONS,
  JwtVerifier,
  PLATFORM_CONFIG,
  provideBusFollowedProjection,
  provideFollowedProjection,
  provideOutboxRelay,
  provideWriteModel,
  providePublicationBarrier,
  RequestsInFlight,
  provideWriteVisibility,
  registerDomainErrorStatuses,
  WriteVisibility,
  type EventSourcingOptions,
  type PlatformConfig,
  ReadsSettings,
} from '@as2-partners/platform';
import { TRAFFIC_CONTROL_STREAM_CATEGORIES } from '@as2-partners/traffic-control-domain';
import { AccountWindowsController } from './commands/maintenance-windows/account-windows.controller';
import { MaintenanceWindowsHandler } from './commands/maintenance-windows/maintenance-windows.handler';
import { TenantWindowsController } from './commands/maintenance-windows/tenant-windows.controller';
import { AccountTrafficPauseController } from './commands/pause-traffic/account-traffic-pause.controller';
import { PauseTrafficHandler } from './commands/pause-traffic/pause-traffic.handler';
import { TenantTrafficPauseController } from './commands/pause-traffic/tenant-traffic-pause.controller';
import { TRAFFIC_CONTROL_CONFIG, trafficControlConfigFrom, type TrafficControlConfig } from './config/traffic-control.config';
import { LiveTrafficDirectory } from './directory/live-traffic-directory';
import { KnownDeletedTenants } from './partner-access/known-deleted-tenants';
import { TrafficTargets } from './partner-access/traffic-target';
import { PartnerTrafficProjection } from './queries/partner-traffic/partner-traffic.projection';
import { AccountTrafficController, TrafficController } from './queries/partner-traffic/traffic.controller';
import { TrafficQueries } from './queries/partner-traffic/traffic-queries';
import { DecisionRoutesDocumentation } from './queries/traffic-decisions/decision.openapi';
import { DecisionRoute, GATEWAY_CREDENTIALS, TRAFFIC_DECISIONS } from './queries/traffic-decisions/decision.route';
import { GatewayCredentials } from './queries/traffic-decisions/gateway-credentials';
import { TrafficDecisions } from './queries/traffic-decisions/traffic-decisions';
import { BlockNoticeReactor } from './reactions/outbound-blocked/block-notice.reactor';
import { blockNoticeCollectionsOf } from './reactions/outbound-blocked/block-notice.document';
import { BlockNotices } from './reactions/outbound-blocked/block-notices';
import { NOTICE_TRANSPORT, smtpNoticeTransport, type NoticeTransport } from './reactions/outbound-blocked/notice-mail-transport';
import { OutboundBlockRecorder } from './reactions/outbound-blocked/outbound-block-recorder';
import { RegistryFactsConsumer } from './reactions/partner-registry-events/registry-facts.consumer';
import { TrafficSchedulerLifecycle } from './schedules/traffic-changes/traffic-scheduler.lifecycle';
import { TRAFFIC_CONTROL_ERROR_STATUSES } from './traffic-control.error-statuses';
import { TRAFFIC_CONTROL_SERVICE } from './traffic-control.service-name';

registerDomainErrorStatuses(TRAFFIC_CONTROL_ERROR_STATUSES);

/** Marks the projection's feed into the in-memory directory before any module initialises. */
const DIRECTORY_FEED = Symbol('DirectoryFeed');

/** The decision path's clock in milliseconds: `Date.now` for the system clock (no Date per request), else the injected one. */
const millisecondsOf = (clock: Clock): (() => number) => (clock === systemClock ? Date.now : () => clock.now().getTime());

const readConfig = (platform: PlatformConfig): TrafficControlConfig => trafficControlConfigFrom(platform.env, platform.mode);

/**
 * Pauses of incoming and outgoing traffic per partner (a tenant's and the account's), maintenance windows, the
 * scheduler that ends and starts them on time, the gateway's decision API answered from memory, and notices of
 * blocked outbound messages. Learns partners, AS2 instances and stations from the partner-registry's topic.
 */
@ReadsSettings(readConfig)
@Module({
  controllers: [TenantTrafficPauseController, AccountTrafficPauseController, TenantWindowsController, AccountWindowsController, TrafficController, AccountTrafficController],
  providers: [
    {
      provide: TRAFFIC_CONTROL_CONFIG,
      inject: [PLATFORM_CONFIG],
      useFactory: readConfig,
    },
    LiveTrafficDirectory,
    provideFollowedProjection(PartnerTrafficProjection, 'TrafficControl'),
    {
      provide: DIRECTORY_FEED,
      inject: [PartnerTrafficProjection, LiveTrafficDirectory],
      useFactory: (projection: PartnerTrafficProjection, live: LiveTrafficDirectory) => projection.feeds(live),
    },
    // This component's own write model: its folded-state cache is never shared with another service in the process.
    ...provideWriteModel(),
    provideBusFollowedProjection(RegistryFactsConsumer, 'TrafficRegistryFacts', [LiveTrafficDirectory, TRAFFIC_CONTROL_CONFIG, AfterStart, RequestsInFlight]),
    TrafficTargets,
    TrafficQueries,
    PauseTrafficHandler,
    MaintenanceWindowsHandler,
    {
      provide: TrafficSchedulerLifecycle,
      inject: [WriteModel, PartnerTrafficProjection, CLOCK, TRAFFIC_CONTROL_CONFIG, WriteVisibility, EVENT_SOURCING_OPTIONS, LiveTrafficDirectory, DELETED_TENANTS],
      useFactory: (
        writeModel: WriteModel,
        views: PartnerTrafficProjection,
        clock: Clock,
        config: TrafficControlConfig,
        visibility: WriteVisibility,
        options: EventSourcingOptions,
        live: LiveTrafficDirectory,
        deletedTenants: DeletedTenants,
      ) => {
        const lifecycle = new TrafficSchedulerLifecycle(
          {
            writeModel,
            traffic: views.traffic,
            clock,
            intervalMs: config.schedulerIntervalMs,
            // The registry's partner.deleted.v1 / master_partner.deleted.v1, as the directory learned them; while it is
            // refilled after a restart, from the partner's document (a tick does not wait for the whole refill).
            isPartnerDeleted: (partnerId) => live.isPartnerDeleted(partnerId),
            // The registry's tenant.deleted.v1, from the tenant's document (whole during a refill too).
            isTenantDeleted: (account, tenant) => deletedTenants.isDeleted(account, tenant),
            // A late view only delays the next reader: never a reason to fail a change that is already stored.
            onApplied: (position) => visibility.reach(position).catch(() => undefined),
          },
          options.startProjections !== false,
        );
        views.tellsNextChangesTo((at) => lifecycle.scheduler.changeScheduledAt(at));
        return lifecycle;
      },
    },
    { provide: OutboundBlockRecorder, inject: [EVENT_STORE], useFactory: (store: EventStore) => new OutboundBlockRecorder(store) },
    {
      provide: GATEWAY_CREDENTIALS,
      inject: [PLATFORM_CONFIG, CLOCK],
      useFactory: (platform: PlatformConfig, clock: Clock) => new GatewayCredentials(JwtVerifier.fromConfig(platform.jwt), millisecondsOf(clock)),
    },
    {
      provide: TRAFFIC_DECISIONS,
      inject: [LiveTrafficDirectory, OutboundBlockRecorder, CLOCK],
      useFactory: (live: LiveTrafficDirectory, blocks: OutboundBlockRecorder, clock: Clock) => new TrafficDecisions(live, blocks, millisecondsOf(clock)),
    },
    DecisionRoute,
    DecisionRoutesDocumentation,
    { provide: NOTICE_TRANSPORT, inject: [TRAFFIC_CONTROL_CONFIG], useFactory: (config: TrafficControlConfig) => smtpNoticeTransport(config.smtpUrl) },
    {
      provide: BlockNotices,
      inject: [READ_MODEL_STORE, RegistryFactsConsumer, NOTICE_TRANSPORT, TRAFFIC_CONTROL_CONFIG, WriteModel],
      useFactory: (readModels: ReadModelStore, registry: RegistryFactsConsumer, transport: NoticeTransport, config: TrafficControlConfig, writeModel: WriteModel) => {
        const logger = new Logger('BlockNotices');
        const slots = { writeModel, claimant: schedulerInstanceId('block-notices') };
        return new BlockNotices(blockNoticeCollectionsOf(readModels), registry, transport, config, slots, {
          warn: (m) => logger.warn(m),
          error: (m) => logger.error(m),
        });
      },
    },
    {
      provide: BlockNoticeReactor,
      inject: [BlockNotices, EVENT_STORE, CHECKPOINT_STORE, PARKED_EVENT_STORE, CLOCK, EVENT_SOURCING_OPTIONS, PROJECTION_REGISTRY],
      useFactory: (notices: BlockNotices, store: EventStore, checkpoints: CheckpointStore, parked: ParkedEventStore, clock: Clock, options: EventSourcingOptions, registry: ProjectionRegistry) => {
        const reactor = new BlockNoticeReactor(notices, { store, checkpoints, parked, clock, autoStart: options.startProjections !== false });
        // Registered whole, not only its replay: health and metrics list its lag (it starts itself, with its sending loop).
        registry.registerReplayer(reactor);
        return reactor;
      },
    },
    // After the platform's JwtAuthGuard (its module is imported first): refuses a deleted tenant's tokens everywhere.
    { provide: DELETED_TENANTS, useClass: KnownDeletedTenants },
    { provide: APP_GUARD, useClass: DeletedTenantGuard },
    provideOutboxRelay(TRAFFIC_CONTROL_SERVICE, TRAFFIC_CONTROL_STREAM_CATEGORIES),
    providePublicationBarrier(TRAFFIC_CONTROL_SERVICE),
    provideWriteVisibility(TRAFFIC_CONTROL_SERVICE, [PartnerTrafficProjection]),
  ],
  exports: [LiveTrafficDirectory, PartnerTrafficProjection, TrafficSchedulerLifecycle, OutboundBlockRecorder, BlockNotices, RegistryFactsConsumer, TRAFFIC_DECISIONS],
})
export class TrafficControlModule {}
