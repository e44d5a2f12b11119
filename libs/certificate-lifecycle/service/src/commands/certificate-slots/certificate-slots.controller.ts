import { Body, Controller, Delete, Get, Inject, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CLOCK, type Clock } from '@as2-partners/kernel';
import { Ctx, ReadYourWrites, Roles, type RequestContext } from '@as2-partners/platform';
import { CERTIFICATE_READERS, CERTIFICATE_WRITERS } from '../../api-conventions/certificate-roles';
import { PartnerAccess } from '../../partner-access/partner-access';
import { CertificateQueries } from '../../queries/certificate-views/certificate-queries';
import { AssignSlotDto, ScheduleBackupDto } from './certificate-slots.dto';
import { CertificateSlotsHandler, slotOf } from './certificate-slots.handler';
import { certificateIdsOf, presentSlots } from './certificate-slots.presenter';
import { SLOTS_READ, SLOTS_WRITTEN } from '../../api-conventions/certificate-lifecycle.openapi';

@ApiTags('certificate slots')
@ApiBearerAuth()
@Controller('v1/partners/:id/certificate-slots')
export class CertificateSlotsController {
  constructor(
    private readonly handler: CertificateSlotsHandler,
    private readonly access: PartnerAccess,
    @Inject(CertificateQueries) private readonly queries: CertificateQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles(...CERTIFICATE_READERS)
  @ApiOperation({ summary: 'Current and scheduled backup certificate of each slot (encryption, signature, tls)' })
  @ApiResponse({ status: 200, description: "The partner's slots", schema: SLOTS_READ })
  async get(@Ctx() ctx: RequestContext, @Param('id') partnerId: string) {
    await this.access.resolve(ctx, partnerId, 'read');
    return { data: await this.slotsOf(partnerId) };
  }

  @Put(':slot')
  @ReadYourWrites()
  @Roles(...CERTIFICATE_WRITERS)
  @ApiOperation({ summary: 'Change the current certificate now (in effect when the request returns)' })
  @ApiResponse({ status: 422, description: 'CERTIFICATE_USAGE_MISMATCH, CERTIFICATE_EXPIRED, CERTIFICATE_NOT_YET_VALID, CERTIFICATE_KEY_TOO_SMALL; VALIDATION_FAILED for use_different on another slot than signature, or false with a certificate_id' })
  @ApiResponse({ status: 400, description: 'CERTIFICATE_REQUIRED: no certificate_id (null or absent) for the encryption or tls slot; the signature slot takes null to follow encryption again' })
  @ApiResponse({ status: 200, description: "Slot updated", schema: SLOTS_WRITTEN })
  async assign(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Param('slot') slot: string, @Body() body: AssignSlotDto) {
    return (await this.handler.assign(ctx, partnerId, slotOf(slot), body)).map(async () => ({ message: 'Certificate slot updated successfully', data: await this.slotsOf(partnerId) }));
  }

  @Put(':slot/backup')
  @ReadYourWrites()
  @Roles(...CERTIFICATE_WRITERS)
  @ApiOperation({ summary: 'Schedule a backup certificate that becomes current at activate_on (UTC), with no human action' })
  @ApiResponse({ status: 200, description: "Backup scheduled", schema: SLOTS_WRITTEN })
  @ApiResponse({ status: 422, description: 'BACKUP_SAME_CERTIFICATE (the slot\'s current certificate), INVALID_ACTIVATION_TIME, CERTIFICATE_NOT_VALID_FOR_WINDOW, CERTIFICATE_USAGE_MISMATCH, VALIDATION_FAILED' })
  async scheduleBackup(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Param('slot') slot: string, @Body() body: ScheduleBackupDto) {
    return (await this.handler.scheduleBackup(ctx, partnerId, slotOf(slot), body)).map(async () => ({ message: 'Backup certificate scheduled successfully', data: await this.slotsOf(partnerId) }));
  }

  @Delete(':slot/backup')
  @ReadYourWrites()
  @Roles(...CERTIFICATE_WRITERS)
  @ApiOperation({ summary: 'Cancel the scheduled backup certificate' })
  @ApiResponse({ status: 200, description: "Backup cancelled", schema: SLOTS_WRITTEN })
  async cancelBackup(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Param('slot') slot: string) {
    return (await this.handler.cancelBackup(ctx, partnerId, slotOf(slot))).map(async () => ({ message: 'Backup certificate cancelled successfully', data: await this.slotsOf(partnerId) }));
  }

  private async slotsOf(partnerId: string) {
    const state = await this.queries.partnerState(partnerId);
    return presentSlots(state, await this.queries.byIds(certificateIdsOf(state)), this.clock.now());
  }
}
