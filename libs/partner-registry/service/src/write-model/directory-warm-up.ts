import { Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { WriteModel } from '@as2-partners/kernel';
import { EVENT_SOURCING_OPTIONS, type EventSourcingOptions } from '@as2-partners/platform';
import { partnerDirectoryDecider } from '@as2-partners/partner-registry-domain';

/** How many of the longest partner directories are loaded at start. */
export const WARMED_DIRECTORIES = 4;
/** How long readiness waits at most for them; a longer restore goes on after ready (a create then waits for it). */
export const WARM_BEFORE_READY_MS = 1_000;

/**
 * Loads the longest partner directories (the ones with snapshots, a hub tenant's 100,000 reservations: ~80 ms of CPU
 * from its snapshot) before the process is ready, so the first create after a restart costs what the next ones do
 * instead of waiting for the restore while every other start-up work competes with it (300–400 ms at 100,000 + 100,000
 * partners when it ran after ready). Readiness waits for it `readyWaitMs` at most: a longer restore goes on, sliced
 * (1,000 entries per turn, so /health/live answers), and a command on a directory being restored waits for that same
 * restore (WriteModel shares a restore in flight), then decides on every reservation. Short directories are not
 * snapshotted and stay lazy.
 */
@Injectable()
export class DirectoryWarmUp implements OnApplicationBootstrap {
  private readonly logger = new Logger('DirectoryWarmUp');
  /** How long the start waits for the restore at most (ms). */
  readyWaitMs = WARM_BEFORE_READY_MS;

  constructor(
    private readonly writeModel: WriteModel,
    @Optional() @Inject(EVENT_SOURCING_OPTIONS) private readonly options?: EventSourcingOptions,
  ) {}

  /** Nothing creates partners in the rebuild command or a benchmark's seeding context: nothing is loaded there. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.options?.startProjections === false) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const budget = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.readyWaitMs)));
    try {
      await Promise.race([this.warm(), budget]);
    } finally {
      clearTimeout(timer);
    }
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
