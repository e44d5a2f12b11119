import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EVENT_BUS, UnreadableEventError, type BusSubscription, type EventBus, type RecordedEvent } from '@as2-partners/kernel';
import { EVENT_SOURCING_OPTIONS, type EventSourcingOptions } from '@as2-partners/platform';
import { MessageOutcomes } from '../../queries/message-stats/message-outcomes';
import { messageOutcomeOf } from './gateway-message-outcome.mapper';
import { GatewayMessageRecordDto } from './gateway-message-record.dto';

/** The gateway's topic (docs/asyncapi/gateway-messages.asyncapi.yaml): one JSON record per message outcome. */
export const GATEWAY_MESSAGES_TOPIC = 'as2.gateway.messages';
export const GATEWAY_MESSAGES_GROUP = 'partner-registry.gateway-messages';
const RECORD_TYPE = 'gateway.message_outcome';

/** Why a record of the topic cannot be counted; no retry can: it is parked at once with this message, for an operator to read. */
export class UnreadableGatewayRecordError extends UnreadableEventError {
  override readonly name = 'UnreadableGatewayRecordError';
}

/** Validates one topic record as strictly as the HTTP route: unknown fields refused, account and tenant required. */
export function gatewayRecordOf(data: unknown): GatewayMessageRecordDto {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UnreadableGatewayRecordError('The record is not a JSON object');
  const record = plainToInstance(GatewayMessageRecordDto, data);
  const errors = validateSync(record, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw new UnreadableGatewayRecordError(`Invalid gateway record: ${errors.map((e) => e.property).join(', ')}`);
  // A JSON null passes @IsOptional unchecked: it names no account or tenant either.
  if ((record.account ?? undefined) === undefined || (record.tenant ?? undefined) === undefined) throw new UnreadableGatewayRecordError('A gateway record on the topic names its account and tenant');
  return record;
}

/**
 * Counts the gateway's message outcomes from its Kafka topic (distributed mode; embedded, the same records come
 * through POST /v1/gateway/message-events). Records are idempotent by message id and applied in any order, so
 * redelivery is harmless; an unreadable record is parked by the bus after its retries.
 */
@Injectable()
export class GatewayMessagesConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('GatewayMessages');
  private subscription: BusSubscription | null = null;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingOptions,
    @Inject(MessageOutcomes) private readonly outcomes: MessageOutcomes,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.startProjections === false) return;
    this.subscription = await this.bus.subscribe({
      groupId: GATEWAY_MESSAGES_GROUP,
      topics: [GATEWAY_MESSAGES_TOPIC],
      foreignRecordType: RECORD_TYPE,
      handler: (event) => this.handle(event),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.stop();
  }

  async handle(event: RecordedEvent): Promise<void> {
    const record = gatewayRecordOf(event.data);
    const outcome = messageOutcomeOf(record, { account: record.account as string, tenant: null }, 0);
    const { applied } = await this.outcomes.record([outcome]);
    this.logger.debug(`message ${outcome.messageId} of ${outcome.account}/${outcome.tenant}: ${applied ? 'applied' : 'already known'}`);
  }
}
