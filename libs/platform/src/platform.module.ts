import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { JwtVerifier } from './auth/jwt-verifier';
import type { PlatformConfig } from './config/platform-config';
import { EventSourcingModule } from './event-sourcing/event-sourcing.module';
import type { EventSourcingOptions } from './event-sourcing/event-sourcing-options';
import { FollowersController } from './health/followers.controller';
import { HealthController } from './health/health.controller';
import { PipelineMonitor } from './health/pipeline-monitor';
import { MetricsController } from './observability/metrics.controller';
import { MetricsSources } from './observability/metrics-sources';
import { PlatformMetrics } from './observability/platform-metrics';
import { ShutdownLog } from './logging/shutdown-log';
import { CompiledCodeKeptOnStop } from './runtime/compiled-code-kept-on-stop';
import { HttpErrorFilter } from './http/http-error.filter';
import { OpenApiOperations } from './http/openapi/openapi-operations';
import { registerDomainErrorStatuses } from './http/domain-error-statuses';
import { AfterStart } from './http/after-start';
import { HotPathRoutes } from './http/hot-path-routes';
import { StopTakingRequests } from './http/stop-taking-requests';
import { RequestsInFlight } from './http/requests-in-flight';
import { RequestValidationPipe } from './http/request-validation.pipe';
import { ParkedEventsController } from './parked-events/parked-events.controller';
import { PARKED_EVENT_ERROR_STATUSES } from './parked-events/replay-parked-event';

import { PLATFORM_CONFIG } from './config/platform-config.token';

export { PLATFORM_CONFIG };

/** What the platform's part of an app is told of the app. */
export interface PlatformAppOptions extends EventSourcingOptions {
  /**
   * An app that lives a moment beside the process's real one (the warm-up's, warmUpOnThrowawayApp): none of prom-client's
   * process metrics, whose collectors nothing stops again, and its stop does not write the build's code cache
   * (CompiledCodeKeptOnStop): that is the real app's stop's to write, once, with all the process compiled by then.
   */
  readonly throwaway?: boolean;
}

/** The edge every service shares: bearer auth on every route, one validation pipe, one error filter, health, and the kernel ports. */
@Module({})
export class PlatformModule {
  /** `hotPath`: the HTTP server's hot-path routes (createHttpApp passes the one its server dispatches to). */
  static forRoot(config: PlatformConfig, options: PlatformAppOptions, hotPath = new HotPathRoutes(config.bodyLimitBytes)): DynamicModule {
    registerDomainErrorStatuses(PARKED_EVENT_ERROR_STATUSES);
    return {
      module: PlatformModule,
      global: true,
      imports: [EventSourcingModule.forRoot(config, options, new PlatformMetrics({ processMetrics: !options.throwaway })), TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, ParkedEventsController, FollowersController, MetricsController],
      providers: [
        { provide: PLATFORM_CONFIG, useValue: config },
        { provide: HotPathRoutes, useValue: hotPath },
        { provide: RequestsInFlight, useValue: hotPath.requests },
        AfterStart,
        StopTakingRequests,
        PipelineMonitor,
        OpenApiOperations,
        MetricsSources,
        ShutdownLog,
        ...(options.throwaway ? [] : [CompiledCodeKeptOnStop]),
        { provide: JwtVerifier, useFactory: () => JwtVerifier.fromConfig(config.jwt) },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
      ],
      exports: [PLATFORM_CONFIG, PipelineMonitor, OpenApiOperations, HotPathRoutes, RequestsInFlight, JwtVerifier, AfterStart],
    };
  }
}
