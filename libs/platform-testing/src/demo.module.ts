import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Injectable, Logger, Module, Param, Post, type OnModuleInit } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, IsUrl, Length, Matches, ValidateNested } from 'class-validator';
import {
  CLOCK,
  DomainError,
  EVENT_BUS,
  EVENT_STORE,
  PROJECTION_REGISTRY,
  topicOf,
  type Clock,
  type EventBus,
  type EventStore,
  type Projection,
  type ProjectionRegistry,
  type RecordedEvent,
} from '@as2-partners/kernel';
import { Ctx, provideOutboxRelay, registerDomainErrorStatuses, Roles, type RequestContext } from '@as2-partners/platform';

/** A tiny service module used only by the platform's own e2e spec: it exercises every edge rule once. */

registerDomainErrorStatuses({ DEMO_THING_NOT_FOUND: 404, DEMO_DUPLICATE_AS2_ID: 422, DEMO_LIMIT_EXCEEDED: 402, DEMO_CERTIFICATE_REQUIRED: 400 });

export class DemoMdnDto {
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'The MDN URL must be a valid HTTPS endpoint' })
  url!: string;
}

export class CreateDemoThingDto {
  @IsString({ message: 'The AS2 ID field is required' })
  @IsNotEmpty({ message: 'The AS2 ID field is required' })
  @Length(1, 50, { message: 'The AS2 ID must be 1 to 50 characters' })
  @Matches(/^[A-Za-z0-9_-]*$/, { message: 'The AS2 ID must not contain spaces or special characters', context: { code: 'INVALID_AS2_ID_FORMAT' } })
  as2_id!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => DemoMdnDto)
  mdn?: DemoMdnDto;
}

/** Records what the lifecycle did to it, so the spec can see projections start and stop. */
@Injectable()
export class DemoProjection implements Projection, OnModuleInit {
  /** The latest instance, for specs that have no handle on the application (the rebuild command). */
  static lastInstance: DemoProjection | null = null;
  readonly name = 'demo-things';
  readonly calls: string[] = [];

  constructor(@Inject(PROJECTION_REGISTRY) private readonly registry: ProjectionRegistry) {
    DemoProjection.lastInstance = this;
  }

  onModuleInit(): void {
    this.registry.register(this);
  }

  async start(): Promise<void> {
    this.calls.push('start');
  }

  async stop(): Promise<void> {
    this.calls.push('stop');
  }

  async rebuild(): Promise<void> {
    this.calls.push('rebuild');
  }

  async waitFor(): Promise<void> {
    return;
  }
}

/** Subscribes to the demo topic before the relay starts, as consumers must with the in-process bus. */
@Injectable()
export class DemoTopicListener implements OnModuleInit {
  readonly received: RecordedEvent[] = [];

  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  async onModuleInit(): Promise<void> {
    await this.bus.subscribe({
      groupId: 'demo-listener',
      topics: [topicOf('demo')],
      handler: async (event) => {
        this.received.push(event);
      },
    });
  }
}

@Controller('demo')
export class DemoController {
  private readonly logger = new Logger(DemoController.name);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('whoami')
  whoami(@Ctx() ctx: RequestContext): RequestContext {
    return ctx;
  }

  @Post('things')
  @Roles('tenant_admin', 'account_admin')
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateDemoThingDto): Promise<{ as2_id: string; position: number }> {
    // A plain Nest line, as use cases write them: the request's ids reach it through the log context.
    this.logger.log(`Creating demo thing ${body.as2_id}`);
    const result = await this.store.append(
      `thing-${body.as2_id}`,
      [
        {
          id: randomUUID(),
          type: 'demo.thing-created.v1',
          schemaVersion: 1,
          data: { as2_id: body.as2_id, mdn: body.mdn ?? null },
          metadata: {
            account: ctx.caller.account,
            tenant: ctx.caller.tenant,
            correlationId: ctx.correlationId,
            causationId: ctx.requestId,
            actor: { type: 'user', id: ctx.caller.sub, roles: ctx.caller.roles },
            occurredAt: this.clock.now().toISOString(),
          },
        },
      ],
      'no_stream',
    );
    return { as2_id: body.as2_id, position: result.position };
  }

  @Get('things/:id')
  async get(@Param('id') id: string): Promise<{ events: number }> {
    const events = await this.store.readStream(`thing-${id}`);
    if (events.length === 0) throw new DomainError('DEMO_THING_NOT_FOUND', `Thing ${id} does not exist`);
    return { events: events.length };
  }

  @Post('duplicate')
  duplicate(): never {
    throw new DomainError('DEMO_DUPLICATE_AS2_ID', 'AS2 ID already exists', 'as2_id');
  }

  @Post('limit')
  limit(): never {
    throw new DomainError('DEMO_LIMIT_EXCEEDED', 'Partner limit exceeded for current plan', undefined, { plan_limit: 5, plan: 'free' });
  }

  @Post('certificate')
  certificate(): never {
    throw new DomainError('DEMO_CERTIFICATE_REQUIRED', 'Certificate required for operation');
  }

  @Post('unregistered')
  unregistered(): never {
    throw new DomainError('DEMO_NOBODY_REGISTERED_ME', 'Some rule was broken');
  }

  @Get('boom')
  boom(): never {
    throw new Error('connection to db://admin:hunter2@10.0.0.5 refused');
  }

  @Get('now')
  now(): { now: string } {
    return { now: this.clock.now().toISOString() };
  }
}

@Module({
  controllers: [DemoController],
  providers: [DemoProjection, DemoTopicListener, provideOutboxRelay('demo', ['thing'])],
})
export class DemoModule {}
