import { Logger, Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PROJECTION_REGISTRY, READ_MODEL_STORE, RebuildUnavailableError, type ProjectionRegistry, type ReadModelStore } from '@as2-partners/kernel';
import type { PlatformConfig } from '../config/platform-config';
import type { EventSourcingOptions } from './event-sourcing-options';
import { createRootLogger } from '../logging/root-logger';
import { PlatformLogger } from '../logging/platform-logger';
import { PlatformModule } from '../platform.module';

export interface RebuiltProjection {
  readonly name: string;
  readonly durationMs: number;
  /** CPU time the process spent on it (user + system): on a loaded machine the rate per CPU second says more than the wall time. */
  readonly cpuMs: number;
  /** Events the rebuild went through, when the projection counts them (store-fed ones do). */
  readonly events?: number;
  /** Why this read model was left as it was (a bus-fed model without a full copy of what it consumed). */
  readonly skipped?: string;
}

/**
 * Boots the service modules without HTTP, with projections and outbox relays left stopped, and rebuilds every
 * registered projection, one after another: store-fed ones from the event store, bus-fed ones from their copy of
 * the events they consumed (one without a full copy is left as it was and reported skipped). Run it while no server writes these read models.
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
    logger: new PlatformLogger(createRootLogger({ level: config.logLevel, service: `${options.kafkaClientId ?? 'as2-partners'}:rebuild-read-models` })),
    abortOnError: false,
  });
  try {
    await context.init();
    const readModels = context.get<ReadModelStore>(READ_MODEL_STORE);
    // Each rebuild is one bulk load: the store may defer index work (the embedded trigram index) to its end, timed with it.
    const bulk = (work: () => Promise<void>): Promise<void> => (readModels.bulkLoad ? readModels.bulkLoad(work) : work());
    const rebuilt: RebuiltProjection[] = [];
    for (const projection of context.get<ProjectionRegistry>(PROJECTION_REGISTRY).all()) {
      const started = Date.now();
      const cpuBefore = process.cpuUsage();
      const cpuMs = (): number => {
        const used = process.cpuUsage(cpuBefore);
        return Math.round((used.user + used.system) / 1000);
      };
      logger.log(`Rebuilding ${projection.name}`);
      let events: number | undefined;
      try {
        await bulk(async () => {
          events = (await projection.rebuild())?.events;
          // A rebuild may leave the projection following the store; this command ends here.
          await projection.stop();
        });
      } catch (error) {
        if (!(error instanceof RebuildUnavailableError)) throw error;
        logger.warn(`Left ${projection.name} as it was: ${error.message}`);
        rebuilt.push({ name: projection.name, durationMs: Date.now() - started, cpuMs: cpuMs(), skipped: error.message });
        continue;
      }
      const done: RebuiltProjection = { name: projection.name, durationMs: Date.now() - started, cpuMs: cpuMs(), ...(events === undefined ? {} : { events }) };
      rebuilt.push(done);
      logger.log(`Rebuilt ${summaryOf(done)}`);
    }
    return rebuilt;
  } finally {
    await context.close();
  }
}

/** Events per wall-clock second of a rebuild (index builds at its end included); null when it did not count them. */
export function eventsPerSecond(rebuilt: RebuiltProjection): number | null {
  if (rebuilt.events === undefined) return null;
  return Math.round((rebuilt.events * 1000) / Math.max(rebuilt.durationMs, 1));
}

/** `a (1200 ms, CPU 900 ms, 24000 events, 20000 events/s)`, or `b (skipped: why)`. */
function summaryOf(r: RebuiltProjection): string {
  if (r.skipped) return `${r.name} (skipped: ${r.skipped})`;
  const rate = eventsPerSecond(r);
  return `${r.name} (${r.durationMs} ms, CPU ${r.cpuMs} ms${rate === null ? '' : `, ${r.events} events, ${rate} events/s`})`;
}

/** The one line the rebuild commands print: `Rebuilt 2 read model(s): a (1200 ms, CPU 900 ms, 24000 events, 20000 events/s), b (skipped: why)`. */
export function rebuildSummary(rebuilt: readonly RebuiltProjection[]): string {
  const each = rebuilt.map(summaryOf);
  return `Rebuilt ${rebuilt.length} read model(s): ${each.join(', ') || 'none registered'}`;
}
