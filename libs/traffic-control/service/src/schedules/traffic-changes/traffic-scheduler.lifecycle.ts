import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { followerLoggerOf } from '@as2-partners/platform';
import { TrafficScheduler, type TrafficSchedulerOptions } from './traffic-scheduler';

/** Runs the traffic scheduler while the application runs. */
export class TrafficSchedulerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly scheduler: TrafficScheduler;

  constructor(options: Omit<TrafficSchedulerOptions, 'logger'>, private readonly autoStart: boolean) {
    this.scheduler = new TrafficScheduler({ ...options, logger: followerLoggerOf(new Logger('TrafficScheduler')) });
  }

  onApplicationBootstrap(): void {
    if (this.autoStart) this.scheduler.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
  }
}
