import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { WriteModel } from '@as2-partners/kernel';
import { EVENT_SOURCING_OPTIONS, type EventSourcingOptions } from '@as2-partners/platform';
import { partnerDirectoryDecider } from '@as2-partners/partner-registry-domain';

/** How many of the longest partner directories are loaded at start. */
export const WARMED_DIRECTORIES = 4;

/**
 * Loads the longest partner directories (the ones with snapshots, a hub tenant's 100,000 reservations) from their
 * snapshots in the background from start, so the first create after a restart costs what any other does, without
 * holding back readiness: the restore yields between slices (no long block of the event loop), and a create arriving
 * meanwhile waits for this restore instead of doing its own (WriteModel shares a restore in flight). Short directories
 * are not snapshotted and stay lazy.
 */
@Injectable()
export class DirectoryWarmUp implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DirectoryWarmUp');
  private warming: Promise<void> | null = null;

  constructor(
    private readonly writeModel: WriteModel,
    @Optional() @Inject(EVENT_SOURCING_OPTIONS) private readonly options?: EventSourcingOptions,
  ) {}

  onApplicationBootstrap(): void {
    // Nothing creates partners in the rebuild command or a benchmark's seeding context.
    if (this.options?.startProjections === false) return;
    this.warming = this.warm();
  }

  /** Resolves once the directories are loaded (or could not be). */
  async loaded(): Promise<void> {
    await this.warming;
  }

  async beforeApplicationShutdown(): Promise<void> {
    // The store closes after this: a restore still reading it would fail for nothing.
    await this.warming;
  }

  private async warm(): Promise<void> {
    const started = Date.now();
    try {
      const loaded = await this.writeModel.warm(partnerDirectoryDecider, WARMED_DIRECTORIES);
      if (loaded.length > 0) this.logger.log(`Loaded ${loaded.length} partner directories in ${Date.now() - started} ms`);
    } catch (error) {
      // Only a head start: a directory that cannot be loaded now is loaded by its first create.
      this.logger.warn(`Could not load the partner directories ahead: ${String(error)}`);
    }
  }
}
