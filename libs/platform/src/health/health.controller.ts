import { Controller, Get, Inject, Logger } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { INFRASTRUCTURE } from '../event-sourcing/event-sourcing.tokens';
import type { InfrastructureConnections, ReadinessProbe } from '../event-sourcing/infrastructure-connections';
import { isKnown, PipelineMonitor, type PipelineEntry } from './pipeline-monitor';

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
    private readonly pipeline: PipelineMonitor,
  ) {}

  /**
   * Live = the process answers and can still recover without a restart: a store only a restart brings back (a failed
   * read-model commit, a corrupt read-model file) fails it, so Kubernetes restarts the pod; any other outage fails
   * readiness only. The reason goes to the log, not to the public answer.
   */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check(this.infrastructure.probes.filter((probe) => probe.restartNeeded).map((probe) => () => this.restartIndicator(probe)));
  }

  private restartIndicator(probe: ReadinessProbe): HealthIndicatorResult {
    const indicator = this.indicators.check(probe.name);
    const reason = probe.restartNeeded?.() ?? null;
    if (reason === null) return indicator.up();
    this.logger.error(`Not live: ${probe.name} needs a restart: ${reason}`);
    return indicator.down({ message: 'needs a restart' });
  }

  /**
   * Ready = this pod can serve: the event store and the read-model store answer, and no projection or reactor has been
   * held on one event for longer than PIPELINE_STALL_SECONDS (`pipeline`, with every follower's position, lag and
   * parked count; error texts only for operators). A connection that does not affect
   * readiness (Kafka) is pinged too and listed under `degraded` when down, so an outage is visible without Kubernetes
   * taking every pod out of service for it.
   */
  @Get('ready')
  @HealthCheck()
  async ready() {
    const probes = this.infrastructure.probes;
    const [result, optional] = await Promise.all([
      this.health.check([
        ...probes.filter((probe) => probe.affectsReadiness !== false).map((probe) => () => this.probe(probe)),
        () => this.pipelineIndicator(),
      ]),
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

  private async pipelineIndicator(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('pipeline');
    const entries = await this.pipeline.report();
    const stalled = entries.filter(isKnown).filter((entry) => entry.stalled);
    for (const entry of stalled) {
      this.logger.warn(`Follower ${entry.name} is stalled: held ${Math.round(entry.stalledSeconds)} s on one event (bound ${this.pipeline.stallBoundSeconds} s): ${entry.lastError ?? 'no error'}`);
    }
    const followers = entries.map(publicViewOf);
    return stalled.length > 0 ? indicator.down({ stalled: stalled.map((entry) => entry.name), followers }) : indicator.up({ followers });
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

/** What a public health endpoint may say of a follower: numbers and names, never an error text (it may name hosts). */
function publicViewOf(entry: PipelineEntry): Record<string, unknown> {
  if (!isKnown(entry)) return { name: entry.name, kind: entry.kind, unknown: true };
  return {
    name: entry.name,
    kind: entry.kind,
    running: entry.running,
    position: entry.position,
    headPosition: entry.headPosition,
    eventsBehind: entry.eventsBehind,
    secondsBehind: entry.secondsBehind,
    parked: entry.parked,
    stalledSeconds: entry.stalledSeconds,
    stalled: entry.stalled,
    failing: entry.lastError !== null,
  };
}
