import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { EVENT_BUS, type EventBus } from '@as2-partners/kernel';
import { PipelineMonitor } from '../health/pipeline-monitor';
import { PlatformMetrics } from './platform-metrics';

/** Points the scrape-time gauges at this application's followers and bus. */
@Injectable()
export class MetricsSources implements OnModuleInit {
  constructor(
    private readonly metrics: PlatformMetrics,
    private readonly pipeline: PipelineMonitor,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  onModuleInit(): void {
    this.metrics.watch({ pipeline: () => this.pipeline.report(), consumerLag: async () => (await this.bus.consumerLag?.()) ?? [] });
  }
}
