import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';

/** Says when and why the process begins to stop (the signal, e.g. SIGTERM from Kubernetes) and when it has stopped. */
@Injectable()
export class ShutdownLog implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private startedAt = 0;

  beforeApplicationShutdown(signal?: string): void {
    this.startedAt = Date.now();
    this.logger.log({ msg: `Shutting down${signal ? ` on ${signal}` : ''}: no new work, followers and relays stop, connections close`, signal: signal ?? null });
  }

  onApplicationShutdown(signal?: string): void {
    this.logger.log({ msg: 'Shut down', signal: signal ?? null, durationMs: Date.now() - this.startedAt });
  }
}
