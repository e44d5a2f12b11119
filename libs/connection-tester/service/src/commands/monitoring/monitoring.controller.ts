import { Body, Controller, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConnectionTesterStreams, MIN_MONITORING_INTERVAL_MINUTES, tenantTestingDecider, testPlanOf } from '@as2-partners/connection-tester-domain';
import { CLOCK, WriteModel, type Clock } from '@as2-partners/kernel';
import { AfterWrite, Ctx, ReadYourWrites, requestMetadata, requireTenant, Roles, type RequestContext, RequiresTenant } from '@as2-partners/platform';
import { TEST_RUNNERS } from '../../api-conventions/tester-roles';
import { TestedPartnerAccess } from '../../partner-access/tested-partner-access';
import { TestSetup } from '../../test-runs/test-setup';
import { MonitoringOfDeletedPartners } from './monitoring-of-deleted-partners';
import { MonitoringDto } from './monitoring.dto';
import { MONITORING_WRITTEN } from '../../api-conventions/connection-tester.openapi';

@ApiTags('partner testing')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/partners/:id/monitoring')
export class MonitoringController {
  constructor(
    private readonly access: TestedPartnerAccess,
    private readonly writeModel: WriteModel,
    private readonly setup: TestSetup,
    private readonly deleted: MonitoringOfDeletedPartners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Put()
  @ReadYourWrites()
  @HttpCode(200)
  @Roles(...TEST_RUNNERS)
  @ApiOperation({ summary: 'Continuous monitoring: run ping or mdn every interval_minutes (≥ 15), spread over the interval' })
  @ApiResponse({ status: 402, description: 'MONITORING_LIMIT_EXCEEDED (deleted partners hold no place)' })
  @ApiResponse({ status: 422, description: 'AS2_INSTANCE_REQUIRED: an mdn test needs a partnership naming our AS2 instance for the partner, or the default identity (as2_instance_id) of its station; VALIDATION_FAILED' })
  @ApiResponse({ status: 200, description: 'OK', schema: MONITORING_WRITTEN })
  async configure(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Body() body: MonitoringDto) {
    const tenant = requireTenant(ctx);
    const { account } = ctx.caller;
    const partner = await this.access.resolve(ctx, tenant, partnerId);
    const plan = testPlanOf(await this.access.planOf(account, tenant));
    const testType = body.test_type ?? 'ping';
    if (body.enabled) {
      // Each run of an mdn test needs our instance as the manual test does: refused now, not skipped at every slot.
      if (testType === 'mdn') await this.setup.requireInstanceFor(partner, { account, tenant });
      await this.deleted.freePlaceFor(account, tenant, partner._id, plan.monitoredPartners, (at) => requestMetadata(ctx, tenant, at));
    }
    const now = this.clock.now();
    const decision = await this.writeModel.decide(
      ConnectionTesterStreams.tenantTesting(ctx.caller.account, tenant),
      tenantTestingDecider,
      { type: 'configure_monitoring', account, tenant, partnerId: partner._id, enabled: body.enabled, testType, intervalMinutes: body.interval_minutes ?? MIN_MONITORING_INTERVAL_MINUTES, plan, now: now.toISOString() },
      requestMetadata(ctx, tenant, now),
    );
    const setting = decision.state.monitoring.get(partner._id);
    return new AfterWrite(decision.position, () => ({
      message: 'Partner monitoring updated',
      data: { partner_id: partner._id, enabled: setting !== undefined, test_type: setting?.testType ?? body.test_type ?? null, interval_minutes: setting?.intervalMinutes ?? body.interval_minutes ?? null },
    }));
  }
}
