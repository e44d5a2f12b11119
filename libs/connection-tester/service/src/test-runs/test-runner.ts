import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  ConnectionTesterStreams,
  outcomeOf,
  partnerConnectionDecider,
  tenantTestingDecider,
  testPlanOf,
  type ConnectionTested,
  type TestTrigger,
  type TestType,
  type TimelineStep,
} from '@as2-partners/connection-tester-domain';
import { CLOCK, KeyedMutex, WriteModel, type Clock, type EventMetadata } from '@as2-partners/kernel';
import { PLATFORM_CONFIG, systemHostResolver, type HostResolver, type PlatformConfig } from '@as2-partners/platform';
import { CONNECTION_TESTER_CONFIG, type ConnectionTesterConfig } from '../config/connection-tester.config';
import { runAs2ExchangeTest } from '../probes/as2-exchange-test';
import type { ProbeSettings } from '../probes/endpoint-probe';
import { runPingTest } from '../probes/ping-test';
import { clippedOutcome, type ProbeOutcome } from '../probes/probe-outcome';
import { SOCKET_FACTORY, systemSocketFactory, type SocketFactory } from '../probes/socket-factory';
import type { TestedPartnerDocument } from '../reactions/partner-registry-events/tested-partner.documents';
import { TestedPartnerAccess } from '../partner-access/tested-partner-access';
import { AsyncMdnReceipts } from './async-mdn-receipts';
import { ConcurrencyGate } from './concurrency-gate';
import { TestSetup, type CertificateSet } from './test-setup';

export const HOST_RESOLVER = Symbol('HOST_RESOLVER');

const logger = new Logger('ConnectionTests');

export interface TestRequest {
  readonly account: string;
  readonly tenant: string;
  readonly partner: TestedPartnerDocument;
  readonly testType: TestType;
  readonly instanceId?: string;
  readonly certificates: CertificateSet;
  readonly trigger: TestTrigger;
  /** Monitoring runs: the schedule slot they claim (only one replica runs it). */
  readonly monitoringSlot?: string;
  readonly metadataAt: (now: Date) => EventMetadata;
  /** A manual run's Idempotency-Key command id: its test id and events derive from it, so a retry after a crash finds them. */
  readonly commandId?: string;
}

export interface TestRun {
  readonly result: ConnectionTested['data'];
  readonly position: number | null;
}

/** `tst_` + 32 hex digits: random, or from the run's command id, so a retry after a crash names the same test. */
function newTestId(commandId: string | undefined): string {
  const hex = commandId === undefined ? randomUUID().replace(/-/g, '') : createHash('sha256').update(`tst\u0000${commandId}`).digest('hex').slice(0, 32);
  return `tst_${hex}`;
}

/** The endpoint as recorded: as the partner's settings spell it (GET /v1/partners/{id}), no user information, ever. */
function recordedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/**
 * Runs one test: prepares it (4xx when it cannot start), takes a concurrency slot, reserves it in the tenant's
 * stream (the plan's hourly limit, decided in the write model so replicas agree), probes, records the result.
 */
@Injectable()
export class TestRunner {
  private readonly gate: ConcurrencyGate;
  private readonly reservations = new KeyedMutex();
  private readonly settings: ProbeSettings;

  constructor(
    private readonly writeModel: WriteModel,
    private readonly setup: TestSetup,
    private readonly receipts: AsyncMdnReceipts,
    private readonly access: TestedPartnerAccess,
    @Inject(CONNECTION_TESTER_CONFIG) private readonly config: ConnectionTesterConfig,
    @Inject(PLATFORM_CONFIG) platform: PlatformConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    // Provided only by tests (a global module): the real resolver and sockets otherwise.
    @Optional() @Inject(SOCKET_FACTORY) sockets: SocketFactory = systemSocketFactory,
    @Optional() @Inject(HOST_RESOLVER) resolver: HostResolver = systemHostResolver,
  ) {
    this.gate = new ConcurrencyGate(config.maxConcurrentPerTenant, config.maxConcurrentTotal);
    this.settings = {
      allowed: platform.privateEndpointsAllow,
      resolver,
      sockets,
      maxResponseBytes: config.maxResponseBytes,
      now: () => this.clock.now(),
      onRefused: (host, range) => logger.warn(`Refused a connection test to ${host}: its address is in the ${range} range`),
    };
  }

  /** null: a monitoring slot another replica already claimed. */
  async run(request: TestRequest): Promise<TestRun | null> {
    const { commandId } = request;
    const idempotent = commandId === undefined ? {} : { commandId };
    const connection = ConnectionTesterStreams.partnerConnection(request.partner._id, request.tenant);
    if (commandId !== undefined) {
      // A retry whose first attempt recorded its result before a crash answers that result: the partner is not tested twice.
      const first = await this.writeModel.decide(connection, partnerConnectionDecider, () => null, request.metadataAt(this.clock.now()), idempotent);
      const tested = first.events.find((e) => e.type === 'connection.tested.v1');
      if (tested?.type === 'connection.tested.v1') return { result: tested.data, position: first.position };
    }
    const prepared = await this.setup.prepare(request.partner, request, request.testType, { instanceId: request.instanceId, certificates: request.certificates });
    const leave = this.gate.enter(`${request.account}.${request.tenant}`, request.trigger === 'monitoring' ? 'monitoring' : 'manual');
    try {
      const testId = newTestId(commandId);
      const plan = testPlanOf(await this.planOf(request));
      const stream = ConnectionTesterStreams.tenantTesting(request.account, request.tenant);
      // One reservation at a time per tenant here; the stream's expected revision orders replicas.
      const reserved = await this.reservations.run(stream, () => {
        const now = this.clock.now();
        return this.writeModel.decide(
          stream,
          tenantTestingDecider,
          {
            type: 'reserve_test',
            testId,
            account: request.account,
            tenant: request.tenant,
            partnerId: request.partner._id,
            testType: request.testType,
            trigger: request.trigger,
            ...(request.monitoringSlot !== undefined ? { monitoringSlot: request.monitoringSlot } : {}),
            plan,
            now: now.toISOString(),
          },
          request.metadataAt(now),
          // A reservation its first attempt made is answered again, not counted twice against the plan's limit.
          idempotent,
        );
      });
      if (reserved.events.length === 0) return null;

      const testedAt = this.clock.now();
      const started = performance.now();
      const outcome = clippedOutcome(await this.probe(request, prepared, testId, testedAt));
      const durationMs = Math.round(performance.now() - started);
      const notes: TimelineStep[] = prepared.notes.map((note) => ({ step: note.step, status: 'warning', durationMs: 0, details: note.details }));
      const timeline = [...notes, ...outcome.timeline];
      const result: ConnectionTested['data'] = {
        testId,
        account: request.account,
        tenant: request.tenant,
        partnerId: request.partner._id,
        partnerName: request.partner.name,
        partnerAs2Id: request.partner.as2Id,
        url: recordedUrl(request.partner.url),
        testType: request.testType,
        trigger: request.trigger,
        outcome: outcomeOf(timeline),
        results: { ...outcome.results, ...(request.certificates === 'next' ? { certificates: 'next' } : {}) },
        timeline,
        durationMs,
        testedAt: testedAt.toISOString(),
      };
      const recorded = await this.writeModel.decide(connection, partnerConnectionDecider, { type: 'record_test', result }, request.metadataAt(this.clock.now()), idempotent);
      return { result, position: recorded.position };
    } finally {
      leave();
    }
  }

  private async planOf(request: TestRequest): Promise<string> {
    return this.access.planOf(request.account, request.tenant);
  }

  private probe(request: TestRequest, prepared: Awaited<ReturnType<TestSetup['prepare']>>, testId: string, now: Date): Promise<ProbeOutcome> {
    if (request.testType === 'ping') return runPingTest(prepared.target, this.settings);
    const { asyncMdn, ...exchange } = prepared.exchange;
    return runAs2ExchangeTest(
      prepared.target,
      {
        ...exchange,
        testId,
        now,
        asyncMdn:
          asyncMdn && this.config.receiptUrl
            ? {
                url: this.config.receiptUrl,
                expect: (messageId, ms) =>
                  this.receipts.expect(messageId, { account: request.account, tenant: request.tenant, testId, partnerAs2Id: request.partner.as2Id, ourAs2Id: exchange.as2From }, ms),
                wait: (messageId, ms) => this.receipts.wait(messageId, ms),
              }
            : null,
      },
      this.settings,
    );
  }
}
