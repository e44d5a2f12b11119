import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  EVENT_BUS,
  PARKED_EVENT_STORE,
  pauseThrough,
  PROJECTION_REGISTRY,
  realSleeper,
  RetryThenPark,
  secondsSince,
  UnreadableEventError,
  type BusDelivery,
  type BusSubscription,
  type EventBus,
  type FollowerLag,
  type ParkedEvent,
  type ParkedEventReplayer,
  type ParkedEventStore,
  type ProjectionRegistry,
  type RecordedEvent,
  type RetryPolicy,
} from '@as2-partners/kernel';
import { EVENT_SOURCING_OPTIONS, FOLLOWER_RETRY_POLICY, followerLoggerOf, undeclaredInheritedName, type EventSourcingOptions } from '@as2-partners/platform';
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
  // A field named as an inherited property (`__proto__`, `constructor`…) never reaches the DTO, so the whitelist below
  // cannot see it: refused here, as the HTTP door's validation pipe refuses it.
  const inherited = undeclaredInheritedName(data, GatewayMessageRecordDto);
  if (inherited !== null) throw new UnreadableGatewayRecordError(`Invalid gateway record: ${inherited}`);
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
 * redelivery is harmless. A record that fails is retried, then parked under this consumer's own name (an unreadable
 * one at once), waiting with the bus's heartbeats meanwhile; the consumer is listed with the service's followers
 * (health, metrics, the admin routes), where its parked records are replayed.
 */
@Injectable()
export class GatewayMessagesConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown, ParkedEventReplayer {
  readonly name = GATEWAY_MESSAGES_GROUP;
  private readonly logger = new Logger('GatewayMessages');
  private subscription: BusSubscription | null = null;
  /** From the subscription's start to its stop: a record failing meanwhile is retried and parked, not left to the bus. */
  private running = false;
  /** The bus's latest delivery, whose pause the retries wait with (Kafka: heartbeats meanwhile). */
  private delivery: BusDelivery | null = null;
  private readonly retries: RetryThenPark;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingOptions,
    @Inject(MessageOutcomes) private readonly outcomes: MessageOutcomes,
    @Inject(PARKED_EVENT_STORE) private readonly parked: ParkedEventStore,
    @Inject(FOLLOWER_RETRY_POLICY) policy: RetryPolicy,
    @Inject(PROJECTION_REGISTRY) registry: ProjectionRegistry,
  ) {
    this.retries = new RetryThenPark({
      consumer: GATEWAY_MESSAGES_GROUP,
      parked,
      policy,
      sleep: (ms) => pauseThrough(this.delivery, ms, realSleeper),
      logger: followerLoggerOf(this.logger),
      stopping: () => !this.running,
    });
    registry.registerReplayer(this);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.startProjections === false) return;
    this.running = true;
    this.subscription = await this.bus.subscribe({
      groupId: GATEWAY_MESSAGES_GROUP,
      topics: [GATEWAY_MESSAGES_TOPIC],
      foreignRecordType: RECORD_TYPE,
      handler: async (event, _topic, delivery) => {
        if (delivery) this.delivery = delivery;
        await this.retries.handle(event, (e) => this.handle(e), GATEWAY_MESSAGES_TOPIC);
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
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

  /** A parked record counted again (after its cause was fixed); it leaves the parked store only if that succeeds. */
  async replayParked(entry: ParkedEvent): Promise<void> {
    if (entry.consumer !== this.name) throw new Error(`${entry.id} was parked by ${entry.consumer}, not ${this.name}`);
    await this.handle(entry.event);
    await this.parked.remove(entry.id);
  }

  /** Where it stands: a consumer of another system's topic has no position or head here (its lag is the group's, `as2_kafka_consumer_lag`). */
  async lag(): Promise<FollowerLag | null> {
    return {
      name: this.name,
      running: this.running,
      position: null,
      headPosition: null,
      caughtUp: null,
      secondsBehind: null,
      eventsBehind: null,
      lastError: this.retries.lastError,
      parked: await this.parked.count(this.name),
      stalledSeconds: secondsSince(this.retries.heldSince, new Date()),
    };
  }
}
