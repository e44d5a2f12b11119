import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CONNECTION_TESTER_PUBLISHED_CATEGORIES } from '@as2-partners/connection-tester-domain';
import {
  DELETED_TENANTS,
  DeletedTenantGuard,
  PLATFORM_CONFIG,
  provideBusFollowedProjection,
  provideFollowedProjection,
  provideOutboxRelay,
  provideWriteModel,
  providePublicationBarrier,
  provideWriteVisibility,
  ReadsSettings,
  registerDomainErrorStatuses,
  type PlatformConfig,
} from '@as2-partners/platform';
import { MdnBodyParser } from './commands/mdn-receipt/mdn-body-parser';
import { MdnReceiptController } from './commands/mdn-receipt/mdn-receipt.controller';
import { MonitoringController } from './commands/monitoring/monitoring.controller';
import { MonitoringOfDeletedPartners } from './commands/monitoring/monitoring-of-deleted-partners';
import { TestPartnerController } from './commands/test-partner/test-partner.controller';
import { TestPartnerHandler } from './commands/test-partner/test-partner.handler';
import { CONNECTION_TESTER_CONFIG, connectionTesterConfigFrom, type ConnectionTesterConfig } from './config/connection-tester.config';
import { CONNECTION_TESTER_ERROR_STATUSES } from './connection-tester.error-statuses';
import { CONNECTION_TESTER_SERVICE } from './connection-tester.service-name';
import { KnownDeletedTenants } from './partner-access/known-deleted-tenants';
import { PartnerHttpAuth } from './partner-access/partner-http-auth';
import { TestedPartnerAccess } from './partner-access/tested-partner-access';
import { ConnectionViewsProjection } from './queries/test-history/connection-views.projection';
import { TestHistoryController } from './queries/test-history/test-history.controller';
import { PartnerCertificatesConsumer } from './reactions/certificate-lifecycle-events/partner-certificates.consumer';
import { TestedPartnersConsumer } from './reactions/partner-registry-events/tested-partners.consumer';
import { MonitoringScheduler } from './schedules/monitoring/monitoring-scheduler';
import { AsyncMdnReceipts } from './test-runs/async-mdn-receipts';
import { TestRunner } from './test-runs/test-runner';
import { TestSetup } from './test-runs/test-setup';

registerDomainErrorStatuses(CONNECTION_TESTER_ERROR_STATUSES);

const readConfig = (platform: PlatformConfig): ConnectionTesterConfig => connectionTesterConfigFrom(platform.env, platform.mode, platform.jwt);

/**
 * Connection tests of partners (seed 002 "Test Partner Connection"): ping, mdn and full AS2 handshakes with a step
 * timeline, every outbound connection through the SSRF guard, plan limits decided in the write model, monitoring.
 * Learns partners, tenants, instances and certificates from the registry's and the certificate service's topics.
 */
@ReadsSettings(readConfig)
@Module({
  controllers: [TestPartnerController, TestHistoryController, MonitoringController, MdnReceiptController],
  providers: [
    {
      provide: CONNECTION_TESTER_CONFIG,
      inject: [PLATFORM_CONFIG],
      useFactory: readConfig,
    },
    // This component's own write model: its folded-state cache is never shared with another service in the process.
    ...provideWriteModel(),
    provideFollowedProjection(ConnectionViewsProjection, 'ConnectionTester'),
    provideBusFollowedProjection(TestedPartnersConsumer, 'TestedPartners'),
    provideBusFollowedProjection(PartnerCertificatesConsumer, 'TesterPartnerCertificates'),
    TestedPartnerAccess,
    PartnerHttpAuth,
    { provide: DELETED_TENANTS, useClass: KnownDeletedTenants },
    { provide: APP_GUARD, useClass: DeletedTenantGuard },
    AsyncMdnReceipts,
    TestSetup,
    TestRunner,
    TestPartnerHandler,
    MdnBodyParser,
    MonitoringScheduler,
    MonitoringOfDeletedPartners,
    provideOutboxRelay(CONNECTION_TESTER_SERVICE, CONNECTION_TESTER_PUBLISHED_CATEGORIES),
    providePublicationBarrier(CONNECTION_TESTER_SERVICE),
    provideWriteVisibility(CONNECTION_TESTER_SERVICE, [ConnectionViewsProjection]),
  ],
  exports: [MonitoringScheduler],
})
export class ConnectionTesterModule {}
