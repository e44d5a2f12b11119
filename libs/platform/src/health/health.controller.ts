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

  /**
   * Ready = this pod can serve: the event store and the read-model store answer. A connection that does not affect
   * readiness (Kafka) is pinged too and listed under `degraded` when down, so an outage is visible without Kubernetes
   * taking every pod out of service for it.
   */
  @Get('ready')
  @HealthCheck()
  async ready() {
    const probes = this.infrastructure.probes;
    const [result, optional] = await Promise.all([
      this.health.check(probes.filter((probe) => probe.affectsReadiness !== false).map((probe) => () => this.probe(probe))),
      Promise.all(probes.filter((probe) => probe.affectsReadiness === false).map((probe) => this.probe(probe))),
    ]);
    const optionalResults: HealthIndicatorResult = Object.assign({}, ...optional);
    const degraded = Object.keys(optionalResults).filter((name) => optionalResults[name]?.status === 'down');
    const up = Object.fromEntries(Object.entries(optionalResults).filter(([name]) => !degraded.includes(name)));
    return {
      ...result,
      info: { ...result.info, ...up },
      details: { ...result.details, ...optionalResults },
      ...(degraded.length > 0 ? { degraded } : {}),
    };
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
