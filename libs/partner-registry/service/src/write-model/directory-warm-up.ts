import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { WriteModel } from '@as2-partners/kernel';
import { EVENT_SOURCING_OPTIONS, type EventSourcingOptions } from '@as2-partners/platform';
import { partnerDirectoryDecider } from '@as2-partners/partner-registry-domain';

/** How many of the longest partner directories are loaded at start. */
export const WARMED_DIRECTORIES = 4;

/**
 * Loads the longest partner directories (the ones with snapshots, a hub tenant's 100,000 reservations) from their
 * snapshots before the app is ready, so the first create after a restart costs what any other does (~0.2 s at
 * 100,000 once, at start, instead of on that create). Moved after ready (tried 2026-11-30, 100,000 in one tenant,
 * load 12), the first create waited 4.2-7.0 s for the restore it raced. A command arriving during a restore waits for
 * it (WriteModel shares a restore in flight). Short directories are not snapshotted and stay lazy.
 */
@Injectable()
export class DirectoryWarmUp implements OnApplicationBootstrap {
  private readonly logger = new Logger('DirectoryWarmUp');

  constructor(
    private readonly writeModel: WriteModel,
    @Optional() @Inject(EVENT_SOURCING_OPTIONS) private readonly options?: EventSourcingOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Nothing creates partners in the rebuild command or a benchmark's seeding context.
    if (this.options?.startProjections === false) return;
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
