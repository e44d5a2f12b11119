import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CLOCK, EVENT_STORE, type Clock, type EventStore } from '@as2-partners/kernel';
import { Ctx, PageQueryDto, paginationOf, ReadYourWrites, Roles, toApiTimestamp, type RequestContext } from '@as2-partners/platform';
import { certificateIdsOf } from '../certificate-slots/certificate-slots.presenter';
import { CERTIFICATE_READERS, CERTIFICATE_WRITERS } from '../../api-conventions/certificate-roles';
import { PartnerAccess } from '../../partner-access/partner-access';
import { CertificateQueries } from '../../queries/certificate-views/certificate-queries';
import { readPartnerTimeline } from '../../queries/trust-timeline/partner-timeline';
import { presentTimelineEvent } from '../../queries/trust-timeline/timeline-event.presenter';
import { presentEvidence } from '../../queries/trust-timeline/evidence.presenter';
import { presentTrustState } from './trust-state.presenter';
import { ActivateDto, RetireDto, ScheduleRolloverDto } from './trust.dto';
import { TrustHandler } from './trust.handler';
import { TIMELINE_PAGE, TRUST_ACTIVATED, TRUST_READ, TRUST_RETIRED, TRUST_WRITTEN } from '../../api-conventions/certificate-lifecycle.openapi';

@ApiTags('trust lifecycle')
@ApiBearerAuth()
@Controller('v1/partners/:id/trust')
export class TrustController {
  constructor(
    private readonly handler: TrustHandler,
    private readonly access: PartnerAccess,
    @Inject(CertificateQueries) private readonly queries: CertificateQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles(...CERTIFICATE_READERS)
  @ApiOperation({ summary: 'Trust state: current and next certificates, rollover window, next step and its time, warnings' })
  @ApiResponse({ status: 200, description: "The trust state", schema: TRUST_READ })
  async state(@Ctx() ctx: RequestContext, @Param('id') partnerId: string) {
    return { data: await this.trustState(ctx, partnerId) };
  }

  @Post('rollover')
  @ReadYourWrites()
  @HttpCode(201)
  @Roles(...CERTIFICATE_WRITERS)
  @ApiOperation({ summary: 'CemScheduleRollover: persist the approved window {next_certificate_id, activate_at, overlap_until, slots}' })
  @ApiResponse({ status: 422, description: 'ROLLOVER_WINDOW_INVALID, CERTIFICATE_NOT_VALID_FOR_WINDOW, CERTIFICATE_USAGE_MISMATCH, CERTIFICATE_KEY_TOO_SMALL, CERTIFICATE_INACTIVE, ROLLOVER_SAME_CERTIFICATE' })
  @ApiResponse({ status: 409, description: 'OVERLAP_NOT_CLOSED: the previous certificates are still accepted; retire them first' })
  @ApiResponse({ status: 201, description: "Rollover scheduled", schema: TRUST_WRITTEN })
  async scheduleRollover(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Body() body: ScheduleRolloverDto) {
    return (await this.handler.scheduleRollover(ctx, partnerId, body)).map(async () => ({
      message: 'Rollover scheduled successfully',
      data: await this.trustState(ctx, partnerId),
    }));
  }

  @Post('activate')
  @ReadYourWrites()
  @HttpCode(200)
  @Roles(...CERTIFICATE_WRITERS)
  @ApiOperation({ summary: 'CemActivate: promote next → current now, with RFC 3161-stamped evidence' })
  @ApiResponse({ status: 409, description: 'ROLLOVER_NOT_SCHEDULED, OVERLAP_NOT_CLOSED' })
  @ApiResponse({
    status: 422,
    description:
      "CERTIFICATE_INACTIVE, CERTIFICATE_EXPIRED, CERTIFICATE_NOT_YET_VALID: the next certificate cannot become current now; CERTIFICATE_KEY_TOO_SMALL, CERTIFICATE_USAGE_MISMATCH: its key no longer suits the partner's signing algorithm (changed since the rollover was scheduled)",
  })
  @ApiResponse({ status: 503, description: 'TIMESTAMP_AUTHORITY_UNAVAILABLE' })
  @ApiResponse({ status: 200, description: "Activated with RFC 3161-stamped evidence (activation null when the next certificate was already current)", schema: TRUST_ACTIVATED })
  @ApiBody({ type: ActivateDto, required: false, description: 'None: an empty body, or none, is the request (a field in it is refused)' })
  // The body is read only for its fields to be refused (an empty body, or none, is the request).
  async activate(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Body() _body: ActivateDto) {
    return (await this.handler.activate(ctx, partnerId)).map(async (activated) => ({
      message: 'Certificate activated successfully',
      data: { ...(await this.trustState(ctx, partnerId)), activation: activated ? { certificate_id: activated.certificateId, activated_at: toApiTimestamp(activated.activatedAt), trigger: activated.trigger, evidence: presentEvidence(activated.evidence) } : null },
    }));
  }

  @Post('retire')
  @ReadYourWrites()
  @HttpCode(200)
  @Roles(...CERTIFICATE_WRITERS)
  @ApiOperation({
    summary: "CemRetire: retire the previous certificate once the overlap has closed (or force, with a reason); a shared certificate that is not the partner owner's, or that others use, only stops being this partner's",
  })
  @ApiResponse({ status: 409, description: 'OVERLAP_NOT_CLOSED, NOTHING_TO_RETIRE' })
  @ApiResponse({ status: 200, description: "Retired", schema: TRUST_RETIRED })
  @ApiBody({ type: RetireDto, required: false, description: 'Optional: without a body the previous certificate is retired once the overlap has closed' })
  async retire(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Body() body: RetireDto) {
    return (await this.handler.retire(ctx, partnerId, body)).map(async (retired) => ({
      message: 'Certificate retired successfully',
      data: { ...(await this.trustState(ctx, partnerId)), retired_certificate_ids: retired },
    }));
  }

  @Get('events')
  @Roles(...CERTIFICATE_READERS)
  @ApiOperation({ summary: "CemEvents: the partner's lifecycle timeline from the audit trail, newest first" })
  @ApiResponse({ status: 200, description: "The timeline, newest first", schema: TIMELINE_PAGE })
  async events(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Query() query: PageQueryDto) {
    await this.access.resolve(ctx, partnerId, 'read');
    const page = query.page ?? 1;
    const perPage = query.per_page ?? 20;
    const timeline = await readPartnerTimeline(this.store, this.queries, partnerId, page, perPage);
    return { data: timeline.events.map(presentTimelineEvent), pagination: paginationOf(page, perPage, timeline.total, timeline.events.length) };
  }

  private async trustState(ctx: RequestContext, partnerId: string) {
    const partner = await this.access.resolve(ctx, partnerId, 'read');
    const state = await this.queries.partnerState(partnerId);
    return presentTrustState(partnerId, state, await this.queries.byIds(certificateIdsOf(state)), this.clock.now(), partner.signAlgorithm);
  }
}
