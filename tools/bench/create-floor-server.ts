/**
 * The floor under any partner create on this stack, for `create-floor.bench.ts`: a NestJS app on Fastify whose one
 * route, `POST /v1/partners`, does only what no create can skip. It parses the JSON body, validates it against the
 * app's own `CreatePartnerDto` through the app's global pipe (`RequestValidationPipe`), appends one
 * `partner.created.v1` event to a new stream in the embedded event store (`SqliteEventStore`: WAL, synchronous=FULL,
 * concurrent appends sharing one fsync), and answers 201 with the partner. No token check, no directory of AS2 ids,
 * no decider, no outbox, no bus, no read model, no other service: the real create does all of these besides.
 * usage (the runner starts it): node -r @swc-node/register tools/bench/create-floor-server.ts <data dir> <port>
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Body, Controller, HttpCode, Inject, Module, Post } from '@nestjs/common';
import { APP_PIPE, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SqliteEventStore } from '@as2-partners/event-store-sqlite';
import { RequestValidationPipe } from '@as2-partners/platform';
import { CreatePartnerDto } from '../../libs/partner-registry/service/src/partner-settings/partner-settings.dto';

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) throw new Error('usage: create-floor-server.ts <data dir> <port>');
const EVENT_STORE = Symbol('EVENT_STORE');
let created = 0;

@Controller('v1/partners')
class FloorPartnersController {
  constructor(@Inject(EVENT_STORE) private readonly store: SqliteEventStore) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: CreatePartnerDto): Promise<{ data: Record<string, unknown> }> {
    const id = `prt_${process.pid}_${created++}`;
    const occurredAt = new Date().toISOString();
    await this.store.append(
      `partner-${id}`,
      [
        {
          id: randomUUID(),
          type: 'partner.created.v1',
          schemaVersion: 1,
          data: { partnerId: id, settings: { ...body } },
          metadata: { account: 'bench-account', tenant: 'hub', correlationId: randomUUID(), causationId: randomUUID(), actor: { type: 'user', id: 'bench-user' }, occurredAt },
        },
      ],
      'no_stream',
    );
    return { data: { id, ...body, created_at: occurredAt, updated_at: occurredAt } };
  }
}

async function main(): Promise<void> {
  const store = await SqliteEventStore.open(join(dataDir as string, 'events.sqlite'), { exclusiveWriter: true });
  @Module({ controllers: [FloorPartnersController], providers: [{ provide: EVENT_STORE, useValue: store }, { provide: APP_PIPE, useClass: RequestValidationPipe }] })
  class FloorModule {}
  const app = await NestFactory.create<NestFastifyApplication>(FloorModule, new FastifyAdapter(), { logger: ['error'] });
  await app.listen(Number(port), '127.0.0.1');
  process.once('SIGTERM', () => void app.close().then(() => store.close()));
}

void main();
