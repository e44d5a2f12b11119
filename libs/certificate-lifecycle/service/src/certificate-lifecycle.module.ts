import { Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CERTIFICATE_LIFECYCLE_STREAM_CATEGORIES } from '@as2-partners/certificate-lifecycle-domain';
import {
  CLOCK,
  READ_MODEL_STORE,
  type ReadModelStore,
  SECRET_STORE,
  type SecretStore,
  WriteModel,
  type Clock,
} from '@as2-partners/kernel';
import {
  PLATFORM_CONFIG,
  provideOutboxRelay,
  provideWriteModel,
  providePublicationBarrier,
  provideWriteVisibility,
  registerDomainErrorStatuses,
  WriteVisibility,
  type PlatformConfig,
  DELETED_TENANTS,
  DeletedTenantGuard,
  provideBusFollowedProjection,
  provideFollowedProjection,
  PlatformMetrics,
  ReadsSettings,
} from '@as2-partners/platform';
import { CERTIFICATE_LIFECYCLE_ERROR_STATUSES } from './certificate-lifecycle.error-statuses';
import { CERTIFICATE_LIFECYCLE_SERVICE } from './certificate-lifecycle.service-name';
import { CertificateSlotsController } from './commands/certificate-slots/certificate-slots.controller';
import { CertificateSlotsHandler } from './commands/certificate-slots/certificate-slots.handler';
import { CertificatesController } from './queries/certificate-views/certificates.controller';
import { DeleteCertificateHandler } from './commands/delete-certificate/delete-certificate.handler';
import { CERTIFICATE_LIFECYCLE_CONFIG, certificateLifecycleConfigFrom, type CertificateLifecycleConfig } from './config/certificate-lifecycle.config';
import { ExpiryEvaluator } from './schedules/expiry-notices/expiry-evaluator';
import { KnownDeletedTenants } from './partner-access/known-deleted-tenants';
import { KnownPartnersConsumer } from './reactions/partner-registry-events/known-partners.consumer';
import { PartnerCertificateLinkHandler } from './reactions/partner-registry-events/partner-certificate-link.handler';
import { PartnerAccess } from './partner-access/partner-access';
import { PartnerRemovalHandler } from './reactions/partner-registry-events/partner-removal.handler';
import { CertificateQueries } from './queries/certificate-views/certificate-queries';
import { CertificateViewsProjection } from './queries/certificate-views/certificate-views.projection';
import { ActivationSchedulerLifecycle, dueActivationsFrom, dueKeyRolloversFrom } from './schedules/rollover-activation/activation-scheduler.lifecycle';
import { CreateKeyHandler } from './commands/our-keys/create-key.handler';
import { DeleteKeyHandler } from './commands/our-keys/delete-key.handler';
import { AccountKeysController } from './commands/our-keys/account-keys.controller';
import { KeyAccess } from './commands/our-keys/key-access';
import { KeysController } from './commands/our-keys/keys.controller';
import { InternalKeysController } from './commands/key-operations/internal-keys.controller';
import { KEY_SEALER, KeySealer } from './keystore/key-sealer';
import { checkKeystoreMasterKey, keystoreMasterKeyFrom } from './keystore/keystore-master-key';
import { OurKeyOperations } from './keystore/our-key-operations';
import { OurKeystore } from './keystore/our-keystore';
import { SealedKeyStore } from './keystore/sealed-key.store';
import { MasterKeyCheck } from './keystore/master-key-check';
import { KeyQueries } from './queries/key-views/key-queries';
import { KeyViewsProjection } from './queries/key-views/key-views.projection';
import { KnownInstancesConsumer } from './reactions/as2-instances/known-instances.consumer';
import { TenantKeysShredder } from './reactions/tenant-deletion/tenant-keys.shredder';
import { openTimestamper, TIMESTAMPER, type Timestamper } from './timestamping/timestamper';
import { timedTimestamper } from './timestamping/timed-timestamper';
import { activationMetrics } from './schedules/rollover-activation/activation-metrics';
import { KeyRolloverActivation } from './schedules/rollover-activation/key-rollover-activation';
import { RolloverActivation } from './schedules/rollover-activation/rollover-activation';
import { signingAlgorithmsFrom } from './partner-access/signing-algorithms';
import { TrustController } from './commands/trust-rollover/trust.controller';
import { TrustHandler } from './commands/trust-rollover/trust.handler';
import { PartnerCertificatesController } from './commands/upload-certificate/partner-certificates.controller';
import { UploadCertificateHandler } from './commands/upload-certificate/upload-certificate.handler';
import { CertificateUses } from './write-model/certificate-uses';
import { CertificateWriteModel } from './write-model/certificate-write-model';

registerDomainErrorStatuses(CERTIFICATE_LIFECYCLE_ERROR_STATUSES);

const keystoreLogger = new Logger('Keystore');
const readConfig = (platform: PlatformConfig): CertificateLifecycleConfig => certificateLifecycleConfigFrom(platform.env, platform.dataDir, platform.mode);


@Injectable()
class TimestamperCloser implements OnApplicationShutdown {
  constructor(@Inject(TIMESTAMPER) private readonly timestamper: Timestamper) {}

  async onApplicationShutdown(): Promise<void> {
    await this.timestamper.close();
  }
}

/**
 * Certificate store, per-slot assignment with scheduled backups, the trust lifecycle (rollover, stamped activation,
 * retirement, timeline) and expiry notices; our own keystore (private keys sealed by envelope encryption, their
 * rollover, and the port that signs and decrypts with them). Learns partners and AS2 instances from the
 * partner-registry's topic.
 */
@ReadsSettings(readConfig, checkKeystoreMasterKey)
@Module({
  controllers: [CertificatesController, PartnerCertificatesController, CertificateSlotsController, TrustController, KeysController, AccountKeysController, InternalKeysController],
  providers: [
    {
      provide: CERTIFICATE_LIFECYCLE_CONFIG,
      inject: [PLATFORM_CONFIG],
      useFactory: readConfig,
    },
    provideFollowedProjection(CertificateViewsProjection, 'CertificateLifecycle'),
    provideFollowedProjection(KeyViewsProjection, 'Keystore'),
    {
      provide: KEY_SEALER,
      inject: [PLATFORM_CONFIG],
      useFactory: (platform: PlatformConfig) =>
        new KeySealer(keystoreMasterKeyFrom(platform, { warn: (message) => keystoreLogger.warn(message), info: (message) => keystoreLogger.log(message) })),
    },
    { provide: SealedKeyStore, inject: [SECRET_STORE], useFactory: (secrets: SecretStore) => new SealedKeyStore(secrets) },
    MasterKeyCheck,
    OurKeystore,
    OurKeyOperations,
    KeyQueries,
    provideBusFollowedProjection(KnownInstancesConsumer, 'KnownInstances', [TenantKeysShredder]),
    TenantKeysShredder,
    CreateKeyHandler,
    KeyAccess,
    DeleteKeyHandler,
    // This component's own write model: its folded-state cache is never shared with another service in the process.
    ...provideWriteModel(),
    {
      provide: TIMESTAMPER,
      inject: [CERTIFICATE_LIFECYCLE_CONFIG, PlatformMetrics],
      useFactory: async (config: CertificateLifecycleConfig, metrics: PlatformMetrics) => timedTimestamper(await openTimestamper(config), metrics),
    },
    TimestamperCloser,
    {
      provide: RolloverActivation,
      inject: [WriteModel, TIMESTAMPER, CLOCK, READ_MODEL_STORE],
      useFactory: (writeModel: WriteModel, timestamper: Timestamper, clock: Clock, readModels: ReadModelStore) =>
        new RolloverActivation(writeModel, timestamper, clock, signingAlgorithmsFrom(readModels)),
    },
    {
      provide: ActivationSchedulerLifecycle,
      inject: [WriteModel, CertificateViewsProjection, RolloverActivation, CLOCK, CERTIFICATE_LIFECYCLE_CONFIG, WriteVisibility, KeyQueries, PlatformMetrics, READ_MODEL_STORE, TIMESTAMPER],
      useFactory: (
        writeModel: WriteModel,
        views: CertificateViewsProjection,
        rollovers: RolloverActivation,
        clock: Clock,
        config: CertificateLifecycleConfig,
        visibility: WriteVisibility,
        keys: KeyQueries,
        metrics: PlatformMetrics,
        readModels: ReadModelStore,
        timestamper: Timestamper,
      ) =>
        new ActivationSchedulerLifecycle({
          writeModel,
          due: dueActivationsFrom(views.partnerSlots),
          keyRollovers: dueKeyRolloversFrom(keys, new KeyRolloverActivation(writeModel, timestamper, clock)),
          rollovers,
          clock,
          intervalMs: config.schedulerIntervalMs,
          // A late view only delays the next reader: never a reason to fail the activation that is already stored.
          onActivated: (position) => visibility.reach(position).catch(() => undefined),
          observer: activationMetrics(metrics, config.schedulerIntervalMs),
          signingAlgorithmOf: signingAlgorithmsFrom(readModels),
        }),
    },
    CertificateQueries,
    PartnerAccess,
    // After the platform's JwtAuthGuard (its module is imported first): refuses a deleted tenant's tokens everywhere.
    { provide: DELETED_TENANTS, useClass: KnownDeletedTenants },
    { provide: APP_GUARD, useClass: DeletedTenantGuard },
    CertificateWriteModel,
    CertificateUses,
    PartnerRemovalHandler,
    PartnerCertificateLinkHandler,
    provideBusFollowedProjection(KnownPartnersConsumer, 'KnownPartners', [PartnerRemovalHandler, PartnerCertificateLinkHandler]),
    ExpiryEvaluator,
    UploadCertificateHandler,
    DeleteCertificateHandler,
    CertificateSlotsHandler,
    TrustHandler,
    provideOutboxRelay(CERTIFICATE_LIFECYCLE_SERVICE, CERTIFICATE_LIFECYCLE_STREAM_CATEGORIES),
    providePublicationBarrier(CERTIFICATE_LIFECYCLE_SERVICE),
    provideWriteVisibility(CERTIFICATE_LIFECYCLE_SERVICE, [CertificateViewsProjection, KeyViewsProjection]),
  ],
  exports: [CertificateViewsProjection, KeyViewsProjection, ActivationSchedulerLifecycle, ExpiryEvaluator, OurKeyOperations],
})
export class CertificateLifecycleModule {}
