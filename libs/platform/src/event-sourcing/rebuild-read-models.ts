import { Logger, Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BusFollowedProjection, FollowedProjection, PROJECTION_REGISTRY, READ_MODEL_STORE, RebuildUnavailableError, type Projection, type ProjectionRegistry, type ReadModelStore } from '@as2-partners/kernel';
import { checkModuleSettings } from '../config/module-settings';
import type { PlatformConfig } from '../config/platform-config';
import type { EventSourcingOptions } from './event-sourcing-options';
import { createRootLogger } from '../logging/root-logger';
import { PlatformLogger } from '../logging/platform-logger';
import { PlatformModule } from '../platform.module';

export interface RebuiltProjection {
  readonly name: string;
  /** The store-fed read models are rebuilt in one pass: each of them gets the pass's wall and CPU time. */
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
 * registered projection: the store-fed ones together, in one pass over the event store (each batch read and parsed
 * once for all of them); then the bus-fed ones that read their source's store (embedded mode) together, in one more
 * pass over it; then the other bus-fed ones one after another from their copy of the events they consumed (one
 * without a full copy is left as it was and reported skipped). Run it while no server writes these read models.
 */
export async function rebuildReadModels(
  rootModule: Type<unknown> | DynamicModule,
  config: PlatformConfig,
  options: Pick<EventSourcingOptions, 'openInfrastructure' | 'kafkaClientId'>,
): Promise<RebuiltProjection[]> {
  // Every module's settings before any provider is built: a bad one stops the command before a key file is generated.
  checkModuleSettings(rootModule, config);
  @Module({ imports: [PlatformModule.forRoot(config, { ...options, startProjections: false, startOutboxRelays: false, rebuildsReadModels: true }), rootModule] })
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
    const rebuildAlone = async (projection: Projection): Promise<RebuiltProjection> => {
      const started = Date.now();
      const cpuBefore = process.cpuUsage();
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
        return { name: projection.name, durationMs: Date.now() - started, cpuMs: cpuSince(cpuBefore), skipped: error.message };
      }
      const done: RebuiltProjection = { name: projection.name, durationMs: Date.now() - started, cpuMs: cpuSince(cpuBefore), ...(events === undefined ? {} : { events }) };
      logger.log(`Rebuilt ${summaryOf(done)}`);
      return done;
    };
    const rebuilt: RebuiltProjection[] = [];
    const projections = context.get<ProjectionRegistry>(PROJECTION_REGISTRY).all();
    // The store-fed ones replay the same events: rebuilt together, they read and parse each batch once between them.
    const together = projections.filter((projection) => projection instanceof FollowedProjection);
    if (together.length > 0) {
      const started = Date.now();
      const cpuBefore = process.cpuUsage();
      logger.log(`Rebuilding ${together.map((projection) => projection.name).join(', ')} together`);
      const events = new Map<string, number | undefined>();
      await bulk(async () => {
        const ended = await Promise.allSettled(
          together.map(async (projection) => {
            events.set(projection.name, (await projection.rebuild())?.events);
            await projection.stop();
          }),
        );
        const failed = ended.find((result): result is PromiseRejectedResult => result.status === 'rejected');
        if (failed) throw failed.reason;
      });
      // one pass: each one's time and CPU are the pass's, index builds at the load's end included
      const durationMs = Date.now() - started;
      const cpuMs = cpuSince(cpuBefore);
      for (const projection of together) {
        const count = events.get(projection.name);
        const done: RebuiltProjection = { name: projection.name, durationMs, cpuMs, ...(count === undefined ? {} : { events: count }) };
        rebuilt.push(done);
        logger.log(`Rebuilt ${summaryOf(done)}`);
      }
    }
    // The bus-fed ones reading their source's store: one more pass over it between them.
    const fromStore = projections.filter((projection): projection is BusFollowedProjection => projection instanceof BusFollowedProjection && projection.readsSourceStore);
    if (fromStore.length > 0) {
      const started = Date.now();
      const cpuBefore = process.cpuUsage();
      logger.log(`Rebuilding ${fromStore.map((projection) => projection.name).join(', ')} together, from the event store`);
      await bulk(async () => {
        await BusFollowedProjection.rebuildTogether(fromStore);
        for (const projection of fromStore) await projection.stop();
      });
      const durationMs = Date.now() - started;
      const cpuMs = cpuSince(cpuBefore);
      for (const projection of fromStore) {
        const done: RebuiltProjection = { name: projection.name, durationMs, cpuMs };
        rebuilt.push(done);
        logger.log(`Rebuilt ${summaryOf(done)}`);
      }
    }
    const alone = projections.filter((projection) => !(projection instanceof FollowedProjection) && !fromStore.includes(projection as BusFollowedProjection));
    for (const projection of alone) rebuilt.push(await rebuildAlone(projection));
    return rebuilt;
  } finally {
    await context.close();
  }
}

/** CPU time (user + system) the process used since `before`, in ms. */
function cpuSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return Math.round((used.user + used.system) / 1000);
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
