import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConnectionTesterErrorCode } from '@as2-partners/connection-tester-domain';
import { DomainError } from '@as2-partners/kernel';
import { Ctx, ReadYourWrites, Roles, type RequestContext, RequiresTenant } from '@as2-partners/platform';
import { TEST_RUNNERS } from '../../api-conventions/tester-roles';
import { presentTestResult } from '../../test-runs/test-result.presenter';
import { TestPartnerDto } from './test-partner.dto';
import { TestPartnerHandler } from './test-partner.handler';
import { TEST_RESULT } from '../../api-conventions/connection-tester.openapi';

interface ReplyWithHeaders {
  header(name: string, value: string): unknown;
}

@ApiTags('partner testing')
@ApiBearerAuth()
@RequiresTenant()
@Controller('v1/partners/:id/test')
export class TestPartnerController {
  constructor(private readonly handler: TestPartnerHandler) {}

  @Post()
  @ReadYourWrites()
  @HttpCode(200)
  @Roles(...TEST_RUNNERS)
  @ApiOperation({ summary: 'Test Partner Connection (seed 002): ping, mdn or full; a failed test is a 200 with success false' })
  @ApiResponse({ status: 400, description: 'CERTIFICATE_REQUIRED' })
  @ApiResponse({ status: 422, description: 'PAYLOAD_DELIVERY_NOT_ACKNOWLEDGED, AS2_INSTANCE_REQUIRED (no as2_instance_id, no partnership naming our instance for the partner, no default identity of its station), AS2_INSTANCE_OFF (our instance is off: no message is sent as it), NO_NEXT_CERTIFICATES, SIGNING_KEY_UNAVAILABLE' })
  @ApiResponse({
    status: 429,
    description: 'TEST_RATE_LIMIT_EXCEEDED (with Retry-After), TOO_MANY_CONCURRENT_TESTS',
    headers: { 'Retry-After': { description: 'Seconds until a test may run again (TEST_RATE_LIMIT_EXCEEDED)', schema: { type: 'integer' } } },
  })
  @ApiResponse({ status: 503, description: 'TESTER_BUSY', headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } } })
  @ApiResponse({ status: 200, description: 'OK', schema: TEST_RESULT })
  async test(@Ctx() ctx: RequestContext, @Param('id') partnerId: string, @Body() body: TestPartnerDto, @Res({ passthrough: true }) reply: ReplyWithHeaders) {
    try {
      return (await this.handler.test(ctx, partnerId, body)).map((run) => presentTestResult(run.result));
    } catch (error) {
      if (error instanceof DomainError && error.code === ConnectionTesterErrorCode.TestRateLimitExceeded) {
        reply.header('Retry-After', String(error.details?.['retry_after_seconds'] ?? 3600));
      }
      if (error instanceof DomainError && error.code === ConnectionTesterErrorCode.TesterBusy) reply.header('Retry-After', '5');
      throw error;
    }
  }
}
