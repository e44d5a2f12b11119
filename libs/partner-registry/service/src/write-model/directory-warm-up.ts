import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { WriteModel } from '@as2-partners/kernel';
import { AfterStart, EVENT_SOURCING_OPTIONS, type EventSourcingOptions } from '@as2-partners/platform';
import { partnerDirectoryDecider } from '@as2-partners/partner-registry-domain';

/** How many of the longest partner directories are loaded at start. */
export const WARMED_DIRECTORIES = 4;

/**
 * Loads the longest partner directories (the ones with snapshots, a hub tenant's 100,000 reservations) from their
 * snapshots right after start, so the first create after a restart does not pay for it. Not before ready: readiness
 * says the process answers correctly, and it does meanwhile, since a command on a directory being restored waits for
 * that same restore (WriteModel shares a restore in flight) and then decides on every reservation. The restore is
 * sliced (1,000 entries per turn), so requests and /health/live are answered while it runs, and it runs before the
 * other after-start work (the partner details' walk), so a create waits for it alone. Short directories are not
 * snapshotted and stay lazy.
 */
@Injectable()
export class DirectoryWarmUp {
  private readonly logger = new Logger('DirectoryWarmUp');

  constructor(
    private readonly writeModel: WriteModel,
    @Optional() @Inject(EVENT_SOURCING_OPTIONS) private readonly options?: EventSourcingOptions,
    @Optional() private readonly afterStart?: AfterStart,
  ) {
    // Registered when made, before any module's init: the first of the works after start, ahead of the traffic
    // directory's refill (registered when its consumer starts), so a create at ready waits for this restore alone.
    // Nothing creates partners in the rebuild command or a benchmark's seeding context.
    if (this.options?.startProjections !== false) this.afterStart?.register('loading the partner directories', () => this.warm(), { first: true });
  }

  /** Loads the longest directories; resolves once they are cached. */
  async warm(): Promise<void> {
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
