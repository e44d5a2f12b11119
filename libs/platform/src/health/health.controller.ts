import { Controller, Get, Inject, Logger } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { INFRASTRUCTURE } from '../event-sourcing/event-sourcing.tokens';
import type { InfrastructureConnections, ReadinessProbe } from '../event-sourcing/infrastructure-connections';

const PING_TIMEOUT_MS = 3000;

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Liveness says the process answers; readiness really pings every connection the process needs. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(INFRASTRUCTURE) private readonly infrastructure: InfrastructureConnections,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(this.infrastructure.probes.map((probe) => () => this.probe(probe)));
  }

  /** The failure's text goes to the log only: the endpoint is public and must not reveal hosts or ports. */
  private async probe(probe: ReadinessProbe): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(probe.name);
    try {
      await withTimeout(probe.ping(), PING_TIMEOUT_MS);
      return indicator.up();
    } catch (error) {
      this.logger.warn(`Readiness probe ${probe.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      return indicator.down();
    }
  }
}
