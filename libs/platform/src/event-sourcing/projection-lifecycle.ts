import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PROJECTION_REGISTRY, type ProjectionRegistry } from '@as2-partners/kernel';
import { EVENT_SOURCING_OPTIONS } from './event-sourcing.tokens';
import type { EventSourcingOptions } from './event-sourcing-options';

/** Starts every registered projection once all modules registered theirs, and stops them before connections close. */
@Injectable()
export class ProjectionLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionLifecycle.name);
  private started: string[] = [];

  constructor(
    @Inject(PROJECTION_REGISTRY) private readonly registry: ProjectionRegistry,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.startProjections === false) return;
    for (const projection of this.registry.all()) {
      await projection.start();
      this.started.push(projection.name);
    }
    if (this.started.length > 0) this.logger.log(`Projections started: ${this.started.join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const names = this.started;
    this.started = [];
    const results = await Promise.allSettled(names.map((name) => this.registry.get(name)?.stop()));
    results.forEach((result, i) => {
      if (result.status === 'rejected') this.logger.error(`Projection ${names[i]} did not stop cleanly: ${String(result.reason)}`);
    });
  }
}
