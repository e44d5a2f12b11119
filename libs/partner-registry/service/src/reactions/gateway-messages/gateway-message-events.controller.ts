import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { Ctx, type RequestContext, Roles } from '@as2-partners/platform';
import { MessageOutcomes } from '../../queries/message-stats/message-outcomes';
import { messageOutcomeOf } from './gateway-message-outcome.mapper';
import { GatewayMessageBatchDto } from './gateway-message-record.dto';
import { MESSAGE_EVENTS_RECEIVED } from '../../api-conventions/exchange.openapi';
import { GATEWAY_SCOPE_FORBIDDEN } from '../../queries/exchange-views/gateway-scope';

/** The HTTP door to what topic `as2.gateway.messages` carries: the same records, a batch at a time. */
@ApiTags('gateway')
@ApiBearerAuth()
@Controller('v1/gateway/message-events')
export class GatewayMessageEventsController {
  constructor(@Inject(MessageOutcomes) private readonly outcomes: MessageOutcomes) {}

  @Post()
  @HttpCode(200)
  @Roles('gateway')
  @ApiOperation({ summary: 'Message outcomes reported by the gateway (idempotent by message_id, any order)' })
  @ApiResponse({ status: 200, description: 'OK', schema: MESSAGE_EVENTS_RECEIVED })
  @ApiResponse({ status: 403, description: `${GATEWAY_SCOPE_FORBIDDEN} (each record's account and tenant)` })
  async record(@Ctx() ctx: RequestContext, @Body() body: GatewayMessageBatchDto) {
    const scope = { account: ctx.caller.account, tenant: ctx.caller.tenant };
    // Every record is checked before any is stored: a batch is taken whole or refused whole.
    const batch = body.events.map((record, index) => messageOutcomeOf(record, scope, index));
    const { applied, ignored } = await this.outcomes.record(batch);
    // The records are in the read store alone (no event holds them): answered once they are committed, not before.
    await this.outcomes.committed();
    return { data: { received: batch.length, applied, ignored } };
  }
}
