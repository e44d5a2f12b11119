import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { BusFollowedProjection, PROJECTION_REGISTRY, type Projection, type ProjectionRegistry } from '@as2-partners/kernel';
import { EVENT_SOURCING_OPTIONS } from './event-sourcing.tokens';
import type { EventSourcingOptions } from './event-sourcing-options';

/**
 * Starts every registered projection and stops them before connections close. Bus-fed ones subscribe on module
 * init, before any outbox relay publishes (relays start on application bootstrap), so the in-process bus of embedded
 * mode delivers them everything; store-fed ones start once every module registered theirs.
 */
@Injectable()
export class ProjectionLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionLifecycle.name);
  private started: string[] = [];

  constructor(
    @Inject(PROJECTION_REGISTRY) private readonly registry: ProjectionRegistry,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.startEach(this.registry.all().filter((projection) => projection instanceof BusFollowedProjection));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.startEach(this.registry.all());
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

  /** One-shot commands (read-model rebuilds) consume nothing live. */
  private async startEach(projections: readonly Projection[]): Promise<void> {
    if (this.options.startProjections === false) return;
    for (const projection of projections) {
      if (this.started.includes(projection.name)) continue;
      await projection.start();
      this.started.push(projection.name);
    }
  }
}
