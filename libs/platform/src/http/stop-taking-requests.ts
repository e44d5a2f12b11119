import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HotPathRoutes } from './hot-path-routes';

/** How long a stop waits for the requests being answered: longer than a write's read-your-writes wait (5 s). */
export const ANSWERING_BEFORE_STOP_MS = 10_000;

/**
 * The first step of a stop. Nest stops the followers, relays and consumers (beforeApplicationShutdown) before it
 * closes the HTTP server, so a write being answered at a SIGTERM waited for followers that had stopped: 5 s, then
 * 202. Nest runs every onModuleDestroy before any of those: here the server stops taking requests and the ones being
 * answered finish, with everything they wait for still running.
 */
@Injectable()
export class StopTakingRequests implements OnModuleDestroy {
  constructor(private readonly hotPath: HotPathRoutes) {}

  async onModuleDestroy(): Promise<void> {
    await this.hotPath.stopTakingRequests(ANSWERING_BEFORE_STOP_MS);
  }
}
