import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, commandEntityId, DomainError, WriteModel, type Clock } from '@as2-partners/kernel';
import { AfterWrite, requestMetadata, type RequestContext, utcInstantOf } from '@as2-partners/platform';
import { partnerTrafficDecider, TrafficControlErrorCode as Code, type TrafficWindow } from '@as2-partners/traffic-control-domain';
import { ulid } from 'ulid';
import type { TrafficTarget } from '../../partner-access/traffic-target';
import { TrafficQueries } from '../../queries/partner-traffic/traffic-queries';
import { presentWindow } from '../../queries/partner-traffic/traffic-state.presenter';
import type { ScheduleWindowDto } from './maintenance-window.dto';

/** Schedules and cancels maintenance windows; the scheduler pauses and resumes at their instants. */
@Injectable()
export class MaintenanceWindowsHandler {
  constructor(
    private readonly writeModel: WriteModel,
    private readonly queries: TrafficQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async schedule(ctx: RequestContext, target: TrafficTarget, body: ScheduleWindowDto) {
    const now = this.clock.now();
    // From the Idempotency-Key's command id when there is one: a retry after a crash finds the window it scheduled.
    const windowId = ctx.commandId === undefined ? `win_${ulid()}` : commandEntityId('win', ctx.commandId);
    const decision = await this.writeModel.decide(
      target.stream,
      partnerTrafficDecider,
      {
        type: 'schedule_window',
        ref: target.ref,
        windowId,
        direction: body.direction,
        startsAt: utcInstantOf(body.starts_at, 'starts_at', Code.InvalidWindow),
        endsAt: utcInstantOf(body.ends_at, 'ends_at', Code.InvalidWindow),
        response: body.response ?? null,
        reason: body.reason,
        actor: ctx.caller.sub,
        now: now.toISOString(),
      },
      requestMetadata(ctx, target.ref.tenant, now),
      ctx.commandId === undefined ? {} : { commandId: ctx.commandId },
    );
    // The window as scheduled (merged ones folded into it), from the event: a retry's state may have moved on since.
    const scheduled = decision.events.find((e) => e.type === 'traffic.window_scheduled.v1' && e.data.windowId === windowId);
    if (scheduled?.type !== 'traffic.window_scheduled.v1') throw new Error(`Window ${windowId} was not scheduled by its decision`);
    const { data } = scheduled;
    const window: TrafficWindow = {
      windowId,
      direction: data.direction,
      startsAt: data.startsAt,
      endsAt: data.endsAt,
      response: data.response,
      reason: data.reason,
      scheduledBy: data.scheduledBy,
    };
    const merged = data.mergedWindowIds;
    return new AfterWrite(decision.position, () => ({ ...presentWindow(window, this.clock.now().getTime(), data.scope), merged_window_ids: merged }));
  }

  async cancel(ctx: RequestContext, target: TrafficTarget, windowId: string) {
    const now = this.clock.now();
    const decision = await this.writeModel
      .decide(target.stream, partnerTrafficDecider, { type: 'cancel_window', ref: target.ref, windowId, actor: ctx.caller.sub, now: now.toISOString() }, requestMetadata(ctx, target.ref.tenant, now))
      .catch(async (error: unknown) => {
        throw (await this.accountsOwn(error, target, windowId)) ?? error;
      });
    return new AfterWrite(decision.position, () => this.queries.stateOf(target));
  }

  /** A window the tenant does not have but sees on an inherited partner is the account's: refused as its, not as unknown. */
  private async accountsOwn(error: unknown, target: TrafficTarget, windowId: string): Promise<DomainError | null> {
    if (!(error instanceof DomainError) || error.code !== Code.WindowNotFound || target.ref.scope !== 'tenant') return null;
    const windows = await this.queries.windowsOf(target);
    if (!windows.some((window) => window.id === windowId && window.level === 'account')) return null;
    return new DomainError(Code.InheritedWindowReadOnly, `Window ${windowId} is the account's: only an account admin cancels it, under /v1/accounts/{account}/partners/{id}/traffic/windows`);
  }
}
