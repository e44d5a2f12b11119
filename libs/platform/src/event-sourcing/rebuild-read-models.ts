import { Logger, Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PROJECTION_REGISTRY, type ProjectionRegistry } from '@as2-partners/kernel';
import type { PlatformConfig } from '../config/platform-config';
import type { EventSourcingOptions } from './event-sourcing-options';
import { nestLogLevels } from '../http/nest-log-levels';
import { StartupLogger } from '../http/startup-logger';
import { PlatformModule } from '../platform.module';

export interface RebuiltProjection {
  readonly name: string;
  readonly durationMs: number;
}

/**
 * Boots the service modules without HTTP, with projections and outbox relays left stopped, and rebuilds every
 * registered projection from the event store, one after another. Run it while no server writes these read models.
 */
export async function rebuildReadModels(
  rootModule: Type<unknown> | DynamicModule,
  config: PlatformConfig,
  options: Pick<EventSourcingOptions, 'openInfrastructure' | 'kafkaClientId'>,
): Promise<RebuiltProjection[]> {
  @Module({ imports: [PlatformModule.forRoot(config, { ...options, startProjections: false, startOutboxRelays: false }), rootModule] })
  class RebuildModule {}

  const logger = new Logger('RebuildReadModels');
  // abortOnError false: a bad setting rejects here, for the caller to report in one line, instead of exiting the process.
  const context = await NestFactory.createApplicationContext(RebuildModule, {
    logger: new StartupLogger({ json: true, logLevels: nestLogLevels(config.logLevel) }),
    abortOnError: false,
  });
  try {
    await context.init();
    const rebuilt: RebuiltProjection[] = [];
    for (const projection of context.get<ProjectionRegistry>(PROJECTION_REGISTRY).all()) {
      const started = Date.now();
      logger.log(`Rebuilding ${projection.name}`);
      await projection.rebuild();
      // A rebuild may leave the projection following the store; this command ends here.
      await projection.stop();
      rebuilt.push({ name: projection.name, durationMs: Date.now() - started });
      logger.log(`Rebuilt ${projection.name} in ${Date.now() - started} ms`);
    }
    return rebuilt;
  } finally {
    await context.close();
  }
}
