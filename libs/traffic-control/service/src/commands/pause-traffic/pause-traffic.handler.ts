import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, DomainError, WriteModel, type Clock } from '@as2-partners/kernel';
import { AfterWrite, requestMetadata, type RequestContext, utcInstantOf } from '@as2-partners/platform';
import { partnerTrafficDecider, TrafficControlErrorCode as Code, type TrafficDirection } from '@as2-partners/traffic-control-domain';
import type { TrafficTarget } from '../../partner-access/traffic-target';
import { TrafficQueries } from '../../queries/partner-traffic/traffic-queries';
import type { PauseIncomingDto, PauseOutgoingDto } from './traffic-pause.dto';

/** Pauses or resumes one direction of a partner's traffic, in the target's scope (a tenant's or the account's). */
@Injectable()
export class PauseTrafficHandler {
  constructor(
    private readonly writeModel: WriteModel,
    private readonly queries: TrafficQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async set(ctx: RequestContext, target: TrafficTarget, direction: TrafficDirection, body: PauseIncomingDto | PauseOutgoingDto) {
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, target.ref.tenant, now);
    const actor = ctx.caller.sub;
    const command = body.paused
      ? {
          type: 'pause' as const,
          ref: target.ref,
          direction,
          response: 'response' in body ? (body.response ?? null) : null,
          reason: body.reason ?? '',
          until: body.until === undefined || body.until === null ? null : utcInstantOf(body.until, 'until', Code.InvalidTrafficSetting),
          retryAfterSeconds: 'retry_after_seconds' in body ? (body.retry_after_seconds ?? null) : null,
          actor,
          now: now.toISOString(),
        }
      : this.resumeCommand(target, direction, body, actor, now);
    const decision = await this.writeModel.decide(target.stream, partnerTrafficDecider, command, metadata);
    return new AfterWrite(decision.position, () => this.queries.stateOf(target));
  }

  private resumeCommand(target: TrafficTarget, direction: TrafficDirection, body: PauseIncomingDto | PauseOutgoingDto, actor: string, now: Date) {
    // A resume carries nothing else: settings sent with it would be silently lost.
    for (const field of ['response', 'until', 'retry_after_seconds'] as const) {
      if (field in body && (body as unknown as Record<string, unknown>)[field] !== undefined) {
        throw new DomainError(Code.InvalidTrafficSetting, `The ${field} field applies only when pausing`, field);
      }
    }
    return { type: 'resume' as const, ref: target.ref, direction, ...(body.reason === undefined ? {} : { reason: body.reason }), actor, now: now.toISOString() };
  }
}
