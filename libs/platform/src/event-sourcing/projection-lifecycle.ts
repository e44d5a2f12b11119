import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { BusFollowedProjection, PROJECTION_REGISTRY, type Projection, type ProjectionRegistry, type Reactor } from '@as2-partners/kernel';
import { EVENT_SOURCING_OPTIONS } from './event-sourcing.tokens';
import type { EventSourcingOptions } from './event-sourcing-options';

/**
 * Starts every registered projection and reactor and stops them before connections close. Bus-fed projections
 * subscribe on module init, before any outbox relay publishes (relays start on application bootstrap), so the
 * in-process bus of embedded mode delivers them everything; store-fed ones, then reactors, start once every module
 * registered theirs.
 */
@Injectable()
export class ProjectionLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionLifecycle.name);
  private started: (Projection | Reactor)[] = [];

  constructor(
    @Inject(PROJECTION_REGISTRY) private readonly registry: ProjectionRegistry,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.startProjections === false) return;
    // Together: their first-start catch-ups on the event store (embedded mode) read it once between them.
    const busFed = this.registry.all().filter((projection): projection is BusFollowedProjection => projection instanceof BusFollowedProjection && !this.isStarted(projection));
    await BusFollowedProjection.startTogether(busFed);
    this.started.push(...busFed);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.startEach(this.registry.all());
    await this.startEach(this.registry.reactors());
    if (this.started.length > 0) this.logger.log(`Projections started: ${this.started.map((follower) => follower.name).join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const followers = this.started;
    this.started = [];
    const results = await Promise.allSettled(followers.map((follower) => follower.stop()));
    results.forEach((result, i) => {
      if (result.status === 'rejected') this.logger.error(`Projection ${followers[i]?.name} did not stop cleanly: ${String(result.reason)}`);
    });
  }

  private isStarted(follower: Projection | Reactor): boolean {
    return this.started.some((started) => started.name === follower.name);
  }

  /** One-shot commands (read-model rebuilds) consume nothing live and must not write. */
  private async startEach(followers: readonly (Projection | Reactor)[]): Promise<void> {
    if (this.options.startProjections === false) return;
    for (const follower of followers) {
      if (this.isStarted(follower)) continue;
      await follower.start();
      this.started.push(follower);
    }
  }
}
