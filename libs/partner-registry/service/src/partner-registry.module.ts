import { Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  CLOCK,
  DirectoryReservations,
  EVENT_STORE,
  WriteModel,
  READ_MODEL_STORE,
  type ReadModelStore,
  SECRET_STORE,
  type SecretStore,
} from '@as2-partners/kernel';
import {
  CachedDeletedTenants,
  DELETED_TENANTS,
  DeletedTenantGuard,
  PLATFORM_CONFIG,
  type DeletedTenants,
  provideOutboxRelay,
  provideWriteModel,
  providePublicationBarrier,
  provideWriteVisibility,
  registerDomainErrorStatuses,
  type PlatformConfig,
  provideBusFollowedProjection,
  provideFollowedProjection,
  provideFollowedReactor,
  ReadsSettings,
} from '@as2-partners/platform';
import { As2InstancesController } from './commands/as2-instances/as2-instances.controller';
import { As2InstancesHandler } from './commands/as2-instances/as2-instances.handler';
import { MasterAs2InstancesController } from './commands/as2-instances/master-as2-instances.controller';
import { As2InstanceDetails } from './queries/exchange-views/as2-instance-details';
import { As2InstanceViewsController } from './queries/exchange-views/as2-instance-views.controller';
import { ExchangeQueries } from './queries/exchange-views/exchange-queries';
import { ExchangeViewsProjection } from './queries/exchange-views/exchange-views.projection';
import { PartnershipRemoval } from './write-model/partnership-removal';
import { DirectoryWarmUp } from './write-model/directory-warm-up';
import { CreatePathWarmUp } from './commands/create-partner/create-path-warm-up';
import { ChangeAs2IdController, MasterChangeAs2IdController } from './commands/change-as2-id/change-as2-id.controller';
import { ChangeAs2IdHandler } from './commands/change-as2-id/change-as2-id.handler';
import { MessageOutcomes } from './queries/message-stats/message-outcomes';
import { MessageStatsQuery } from './queries/message-stats/message-stats.query';
import { GatewayMessageEventsController } from './reactions/gateway-messages/gateway-message-events.controller';
import { GatewayMessagesConsumer } from './reactions/gateway-messages/gateway-messages.consumer';
import { StationsController } from './commands/stations/stations.controller';
import { StationsHandler } from './commands/stations/stations.handler';
import { StationViewsController } from './queries/exchange-views/station-views.controller';
import { PartnershipsController } from './commands/partnerships/partnerships.controller';
import { PartnershipsHandler } from './commands/partnerships/partnerships.handler';
import { PartnershipResolver } from './queries/exchange-views/partnership-resolver';
import { PartnershipViewsController } from './queries/exchange-views/partnership-views.controller';
import { PartnershipRemovalReactor } from './reactions/partnership-removal/partnership-removal.reactor';
import { StationMembership } from './write-model/station-membership';
import { As2IdChangeCompletionReactor } from './reactions/as2-id-change/as2-id-change-completion.reactor';
import { As2InstanceRenameCompletionReactor } from './reactions/as2-instance-rename/as2-instance-rename-completion.reactor';
import { CreatePartnerController } from './commands/create-partner/create-partner.controller';
import { CreatePartnerHandler } from './commands/create-partner/create-partner.handler';
import { DeletePartnerController } from './commands/delete-partner/delete-partner.controller';
import { DeletePartnerHandler } from './commands/delete-partner/delete-partner.handler';
import { GetPartnerController } from './queries/partner-views/get-partner.controller';
import { GetPartnerRoute } from './queries/partner-views/get-partner.route';
import { PartnerDetailsQuery } from './queries/partner-views/partner-details.query';
import { PartnerDetailsCache } from './queries/partner-views/partner-details.cache';
import { PartnerDetailsWarmer } from './queries/partner-views/partner-details.warmer';
import { PartnerDetailPresence } from './queries/partner-views/partner-detail-presence';
import { ListPartnersController } from './queries/partner-views/list-partners.controller';
import { ListPartnersRoute } from './queries/partner-views/list-partners.route';
import { PartnerListItemsCache } from './queries/partner-views/partner-list-items.cache';
import { PartnerListPagesCache } from './queries/partner-views/partner-list-pages.cache';
import { MasterPartnersController } from './commands/master-partners/master-partners.controller';
import { MasterPartnersHandler } from './commands/master-partners/master-partners.handler';
import { PartnerCertificatesConsumer } from './reactions/certificate-lifecycle-events/partner-certificates.consumer';
import { OurKeysConsumer } from './reactions/certificate-lifecycle-events/our-keys.consumer';
import { ScheduledActivationsConsumer } from './reactions/certificate-lifecycle-events/scheduled-activations.consumer';
import { PartnerTrafficConsumer } from './reactions/traffic-control-events/partner-traffic.consumer';
import { ConnectionStatusConsumer } from './reactions/connection-tester-events/connection-status.consumer';
import { PartnerCertificatesProjector } from './queries/partner-certificates/partner-certificates.projector';
import { PartnerCertificatesQuery } from './queries/partner-certificates/partner-certificates.query';
import { PARTNER_REGISTRY_ERROR_STATUSES } from './partner-registry.error-statuses';
import { PartnerOverridesController } from './commands/partner-overrides/partner-overrides.controller';
import { PartnerOverridesHandler } from './commands/partner-overrides/partner-overrides.handler';
import { PartnerQueries } from './queries/partner-views/partner-queries';
import { PartnerViewsProjection } from './queries/partner-views/partner-views.projection';
import { checkPartnerSecretsKey, partnerSecretsKeyFrom } from './secrets/partner-secrets-key';
import { SECRET_SEALER, SecretSealer } from './secrets/secret-sealer';
import { TenantDataKeyStore } from './secrets/tenant-data-key.store';
import { TenantSecrets } from './secrets/tenant-secrets';
import { PartnerSecretsKeyCheck } from './secrets/partner-secrets-key-check';
import { TenantClosure } from './tenant-closure/tenant-closure';
import { TenantClosureReactor } from './reactions/tenant-closure/tenant-closure.reactor';
import { TenantsController } from './commands/tenants/tenants.controller';
import { TenantsHandler } from './commands/tenants/tenants.handler';
import { UpdatePartnerController } from './commands/update-partner/update-partner.controller';
import { UpdatePartnerHandler } from './commands/update-partner/update-partner.handler';
import { PartnerDirectoryService } from './write-model/partner-directory.service';
import { PARTNER_REGISTRY_SERVICE } from './write-model/publication-barrier.token';
import { InternalOutboundAuthController } from './queries/outbound-auth/internal-outbound-auth.controller';
import { PartnerOutboundAuth } from './queries/outbound-auth/partner-outbound-auth';

registerDomainErrorStatuses(PARTNER_REGISTRY_ERROR_STATUSES);

export { PARTNER_REGISTRY_SERVICE } from './write-model/publication-barrier.token';

/** Stream categories whose events go to `as2.partner-registry.events`. */
export const PARTNER_REGISTRY_STREAM_CATEGORIES = [
  'partner',
  'master_partner',
  'partner_directory',
  'master_partner_directory',
  'partner_override',
  'tenant',
  'as2_instance',
  'partnership',
  'station',
] as const;

const logger = new Logger('PartnerRegistry');

/**
 * Trading partners, master partners, tenant overrides and tenants (`/v1/partners`, `/v1/accounts/{account}/…`),
 * with each partner's certificates as the certificate-lifecycle service's events tell them.
 * Needs the platform's EventSourcingModule (kernel ports) in the application.
 */
@ReadsSettings(checkPartnerSecretsKey)
@Module({
  controllers: [
    ListPartnersController,
    CreatePartnerController,
    GetPartnerController,
    UpdatePartnerController,
    DeletePartnerController,
    PartnerOverridesController,
    MasterPartnersController,
    TenantsController,
    As2InstanceViewsController,
    As2InstancesController,
    MasterAs2InstancesController,
    PartnershipViewsController,
    PartnershipsController,
    StationViewsController,
    StationsController,
    ChangeAs2IdController,
    MasterChangeAs2IdController,
    GatewayMessageEventsController,
    InternalOutboundAuthController,
  ],
  providers: [
    provideFollowedProjection(PartnerViewsProjection, 'PartnerRegistry'),
    provideFollowedProjection(ExchangeViewsProjection, 'PartnerRegistry'),
    // This component's own write model: its folded-state cache is never shared with another service in the process.
    ...provideWriteModel(),
    // Uniqueness of our AS2 ids and of partnership pairs (directory streams of their own).
    { provide: DirectoryReservations, inject: [WriteModel], useFactory: (writeModel: WriteModel) => new DirectoryReservations(writeModel) },
    { provide: PartnershipRemoval, inject: [WriteModel, DirectoryReservations], useFactory: (w: WriteModel, r: DirectoryReservations) => new PartnershipRemoval(w, r) },
    ExchangeQueries,
    As2InstanceDetails,
    As2InstancesHandler,
    PartnershipsHandler,
    StationsHandler,
    ChangeAs2IdHandler,
    MessageOutcomes,
    MessageStatsQuery,
    PartnerDetailsQuery,
    PartnerDetailsCache,
    PartnerDetailsWarmer,
    PartnerDetailPresence,
    GetPartnerRoute,
    PartnerListItemsCache,
    PartnerListPagesCache,
    ListPartnersRoute,
    GatewayMessagesConsumer,
    PartnershipResolver,
    provideFollowedReactor(PartnershipRemovalReactor, 'PartnershipRemoval', [PartnershipRemoval, CLOCK]),
    provideFollowedReactor(As2IdChangeCompletionReactor, 'As2IdChangeCompletion', [WriteModel, PartnerDirectoryService, CLOCK]),
    provideFollowedReactor(As2InstanceRenameCompletionReactor, 'As2InstanceRenameCompletion', [WriteModel, DirectoryReservations, CLOCK]),
    { provide: PartnerDirectoryService, inject: [WriteModel], useFactory: (writeModel: WriteModel) => new PartnerDirectoryService(writeModel) },
    { provide: StationMembership, inject: [WriteModel], useFactory: (writeModel: WriteModel) => new StationMembership(writeModel) },
    DirectoryWarmUp,
    CreatePathWarmUp,
    {
      provide: SECRET_SEALER,
      inject: [PLATFORM_CONFIG],
      useFactory: (platform: PlatformConfig) => SecretSealer.withKey(partnerSecretsKeyFrom(platform, (message) => logger.log(message))),
    },
    { provide: TenantDataKeyStore, inject: [SECRET_STORE], useFactory: (secrets: SecretStore) => new TenantDataKeyStore(secrets) },
    TenantSecrets,
    PartnerSecretsKeyCheck,
    TenantClosure,
    provideFollowedReactor(TenantClosureReactor, 'TenantClosure', [WriteModel, TenantClosure, CLOCK]),
    // After the platform's JwtAuthGuard (its module is imported first): refuses a deleted tenant's tokens everywhere.
    {
      provide: DELETED_TENANTS,
      inject: [PartnerQueries, PartnerViewsProjection],
      useFactory: (queries: PartnerQueries, views: PartnerViewsProjection): DeletedTenants => {
        const cached = new CachedDeletedTenants({ isDeleted: (a, t) => queries.isDeletedTenant(a, t) });
        views.onTenantChanged((account, tenant) => cached.forget(account, tenant));
        return cached;
      },
    },
    { provide: APP_GUARD, useClass: DeletedTenantGuard },
    PartnerQueries,
    PartnerOutboundAuth,
    CreatePartnerHandler,
    UpdatePartnerHandler,
    DeletePartnerHandler,
    PartnerOverridesHandler,
    MasterPartnersHandler,
    TenantsHandler,
    provideOutboxRelay(PARTNER_REGISTRY_SERVICE, PARTNER_REGISTRY_STREAM_CATEGORIES),
    providePublicationBarrier(PARTNER_REGISTRY_SERVICE),
    provideWriteVisibility(PARTNER_REGISTRY_SERVICE, [PartnerViewsProjection, ExchangeViewsProjection]),
    { provide: PartnerCertificatesProjector, inject: [READ_MODEL_STORE], useFactory: (readModels: ReadModelStore) => new PartnerCertificatesProjector(readModels) },
    PartnerCertificatesQuery,
    provideBusFollowedProjection(PartnerCertificatesConsumer, 'PartnerCertificatesConsumer', [PartnerCertificatesProjector]),
    provideBusFollowedProjection(OurKeysConsumer, 'OurKeysConsumer'),
    provideBusFollowedProjection(ScheduledActivationsConsumer, 'ScheduledActivationsConsumer', [EVENT_STORE]),
    provideBusFollowedProjection(PartnerTrafficConsumer, 'PartnerTrafficConsumer'),
    provideBusFollowedProjection(ConnectionStatusConsumer, 'ConnectionStatus'),
  ],
  exports: [PartnerViewsProjection, PartnerQueries, TenantSecrets, PartnerOutboundAuth],
})
export class PartnerRegistryModule {}
