import { Inject, Injectable } from '@nestjs/common';
import { PROJECTION_REGISTRY, type FollowerLag, type MonitoredFollower, type ProjectionRegistry } from '@as2-partners/kernel';
import type { PlatformConfig } from '../config/platform-config';
import { PLATFORM_CONFIG } from '../config/platform-config.token';

/** One follower as health, metrics and operators see it. */
export interface FollowerStatus extends FollowerLag {
  readonly kind: MonitoredFollower['kind'];
  /** Held on one event longer than PIPELINE_STALL_SECONDS; relays never count (a broker outage only degrades). */
  readonly stalled: boolean;
}

/** A follower whose lag could not be read (its store is down: readiness already says so). */
export interface UnknownFollowerStatus {
  readonly name: string;
  readonly kind: MonitoredFollower['kind'];
  readonly unknown: true;
}

export type PipelineEntry = FollowerStatus | UnknownFollowerStatus;

export function isKnown(entry: PipelineEntry): entry is FollowerStatus {
  return !('unknown' in entry);
}

/** A lag is read from the stores; one that is down must not hold the health answer past the probes' own timeout. */
export const LAG_READ_TIMEOUT_MS = 2000;

function withinTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Where every projection, reactor and outbox relay of this process stands, and which of them are stalled. */
@Injectable()
export class PipelineMonitor {
  private readonly lagTimeoutMs: number = LAG_READ_TIMEOUT_MS;

  constructor(
    @Inject(PROJECTION_REGISTRY) private readonly registry: ProjectionRegistry,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  get stallBoundSeconds(): number {
    return this.config.pipelineStallSeconds;
  }

  async report(): Promise<PipelineEntry[]> {
    return Promise.all(
      this.registry.monitored().map(async (follower): Promise<PipelineEntry> => {
        try {
          const lag = await withinTimeout(follower.lag(), this.lagTimeoutMs);
          if (lag === null) return { name: follower.name, kind: follower.kind, unknown: true };
          const stalled = follower.kind !== 'relay' && lag.stalledSeconds > this.config.pipelineStallSeconds;
          return { ...lag, name: follower.name, kind: follower.kind, stalled };
        } catch {
          return { name: follower.name, kind: follower.kind, unknown: true };
        }
      }),
    );
  }
}
