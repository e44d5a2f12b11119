import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { foldEvents, toNewEvents, type EventMetadata, type RecordedEvent } from '@as2-partners/kernel';
import { requestMetadata, systemMetadata, type RequestContext } from '@as2-partners/platform';
import {
  blockNoticeDecider,
  partnerTrafficDecider,
  type BlockNoticeCommand,
  type BlockNoticeEvent,
  TRAFFIC_CONTROL_EVENT_TYPES,
  TrafficControlStreams,
  type OutboundBlocked,
  type PartnerTrafficCommand,
  type PartnerTrafficEvent,
  type TrafficControlEvent,
  type TrafficRef,
} from '@as2-partners/traffic-control-domain';
import { traced } from '@as2-partners/kernel-testing';

const DOCS = join(__dirname, '../../../../../docs/asyncapi');
const SPEC = join(DOCS, 'traffic-control.asyncapi.yaml');
const schemaFile = (type: string) => join(DOCS, 'schemas/traffic-control', `${type}.schema.json`);

const PARTNER = 'prt_01M8369VHGVPBY5SEFAXFPSG8P';
const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const ctx: RequestContext = { caller: { sub: 'alice', account: 'acc', tenant: 'ten', roles: ['tenant_admin'] }, correlationId: 'corr-1', requestId: 'req-1' };

interface Produced {
  readonly stream: string;
  readonly event: TrafficControlEvent;
  readonly metadata: EventMetadata;
}

/** Real decider output for every type: operator pauses, a merged window, its start and end, a cancel, an until, a block. */
function producedEvents(): Produced[] {
  const produced: Produced[] = [];
  for (const ref of [
    { partnerId: PARTNER, account: 'acc', tenant: 'ten', scope: 'tenant' },
    { partnerId: PARTNER, account: 'acc', tenant: null, scope: 'account' },
  ] as TrafficRef[]) {
    const stream = ref.scope === 'tenant' ? TrafficControlStreams.tenantPartnerTraffic('acc', 'ten', PARTNER) : TrafficControlStreams.accountPartnerTraffic('acc', PARTNER);
    const events: PartnerTrafficEvent[] = [];
    const run = (command: PartnerTrafficCommand, metadata: EventMetadata) => {
      for (const event of partnerTrafficDecider.decide(command, foldEvents(partnerTrafficDecider, events))) {
        events.push(event);
        produced.push({ stream, event, metadata });
      }
    };
    const user = requestMetadata(ctx, ref.tenant, new Date(T0));
    const system = systemMetadata({ account: 'acc', tenant: ref.tenant }, { type: 'system', id: 'traffic-scheduler:a' }, new Date(T0));
    run({ type: 'pause', ref, direction: 'incoming', response: 'http_503_retry', reason: 'ERP', until: at(5), retryAfterSeconds: 120, actor: 'alice', now: at(0) }, user);
    run({ type: 'pause', ref, direction: 'outgoing', response: null, reason: 'audit', until: null, retryAfterSeconds: null, actor: 'alice', now: at(0) }, user);
    run({ type: 'schedule_window', ref, windowId: 'win_01M8369VHGVPBY5SEFAXFPSG91', direction: 'both', startsAt: at(10), endsAt: at(20), response: 'error_mdn', reason: 'upgrade', actor: 'alice', now: at(0) }, user);
    run({ type: 'schedule_window', ref, windowId: 'win_01M8369VHGVPBY5SEFAXFPSG92', direction: 'both', startsAt: at(15), endsAt: at(30), response: 'error_mdn', reason: 'longer', actor: 'alice', now: at(0) }, user);
    run({ type: 'schedule_window', ref, windowId: 'win_01M8369VHGVPBY5SEFAXFPSG93', direction: 'outgoing', startsAt: at(40), endsAt: at(50), response: null, reason: 'later', actor: 'alice', now: at(0) }, user);
    run({ type: 'apply_due', actor: 'traffic-scheduler:a', now: at(10) }, system);
    run({ type: 'apply_due', actor: 'traffic-scheduler:a', now: at(30) }, system);
    run({ type: 'cancel_window', ref, windowId: 'win_01M8369VHGVPBY5SEFAXFPSG93', actor: 'alice', now: at(31) }, user);
    run({ type: 'resume', ref, direction: 'outgoing', reason: 'audit done', actor: 'alice', now: at(32) }, user);
  }
  const blocked: OutboundBlocked = {
    type: 'traffic.outbound_blocked.v1',
    data: { partnerId: PARTNER, account: 'acc', tenant: 'ten', as2InstanceId: 'ins_1', messageId: '<m1@x>', channel: 'sftp', as2From: 'US', as2To: 'ACME', reason: 'TENANT_PAUSE: audit', blockedAt: at(1) },
  };
  produced.push({ stream: TrafficControlStreams.outboundBlocks(PARTNER), event: blocked, metadata: systemMetadata({ account: 'acc', tenant: 'ten' }, { type: 'service', id: 'gateway' }, new Date(T0)) });
  const notices: BlockNoticeEvent[] = [];
  const notice = (command: BlockNoticeCommand) => {
    for (const event of blockNoticeDecider.decide(command, foldEvents(blockNoticeDecider, notices))) {
      notices.push(event);
      produced.push({ stream: TrafficControlStreams.blockNotice('acc', 'ten', PARTNER), event, metadata: systemMetadata({ account: 'acc', tenant: 'ten' }, { type: 'system', id: 'block-notices:a' }, new Date(T0)) });
    }
  };
  const scope = { account: 'acc', tenant: 'ten', partnerId: PARTNER, claimant: 'block-notices:a' };
  notice({ type: 'claim', ...scope, eventIds: ['0b9b8f3c-6a47-4c5e-9d0a-4f4a0e6c2b11'], messageIds: ['<m1@x>'], intervalMs: 60_000, now: at(1) });
  notice({ type: 'confirm_sent', ...scope, eventIds: ['0b9b8f3c-6a47-4c5e-9d0a-4f4a0e6c2b11'], now: at(1) });
  notice({ type: 'claim', ...scope, eventIds: ['5d3c1a0e-2f4b-4e8a-9c1d-7b6a5e4f3d22'], messageIds: ['<m2@x>'], intervalMs: 60_000, now: at(2) });
  notice({ type: 'record_failed', ...scope, eventIds: ['5d3c1a0e-2f4b-4e8a-9c1d-7b6a5e4f3d22'], smtpCode: 550, smtpReply: '550 5.1.1 mailbox unavailable', now: at(2) });
  return produced;
}

function recorded({ stream, event, metadata }: Produced, index: number): RecordedEvent {
  const [newEvent] = toNewEvents([event], metadata);
  return { ...newEvent, stream, revision: 0, position: index };
}

describe('traffic-control AsyncAPI contract', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validatorOf = (type: string) => ajv.getSchema(type) ?? (ajv.addSchema(JSON.parse(readFileSync(schemaFile(type), 'utf8')), type), ajv.getSchema(type))!;
  const produced = producedEvents();

  it('is a valid AsyncAPI 3 document naming every event type once, each with its schema as payload', async () => {
    const { document, diagnostics } = await fromFile(new Parser(), SPEC).parse();
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => d.message)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.channels().all().map((c) => c.address())).toEqual(['as2.traffic-control.events']);
    const names = document?.messages().all().map((m) => m.name()) ?? [];
    expect([...names].sort()).toEqual([...TRAFFIC_CONTROL_EVENT_TYPES].sort());
    for (const message of document?.messages().all() ?? []) expect(message.payload()?.title()).toBe(message.name());
  });

  it('has a schema for every event type, and real decider output validates against it', () => {
    expect([...new Set(produced.map((p) => p.event.type))].sort()).toEqual([...TRAFFIC_CONTROL_EVENT_TYPES].sort());
    produced.forEach((p, i) => {
      const validate = validatorOf(p.event.type);
      const envelope = JSON.parse(JSON.stringify(recorded(p, i)));
      if (!validate(envelope)) throw new Error(`${p.event.type}: ${ajv.errorsText(validate.errors)}`);
      if (!validate(traced(envelope))) throw new Error(`${p.event.type} with trace context: ${ajv.errorsText(validate.errors)}`);
    });
  });

  it('refuses fields the contract does not name (a payload never rides along) and unknown response modes', () => {
    const index = produced.findIndex((p) => p.event.type === 'traffic.outbound_blocked.v1');
    const withPayload = JSON.parse(JSON.stringify(recorded(produced[index], index)));
    withPayload.data.payload = 'EDI...';
    expect(validatorOf('traffic.outbound_blocked.v1')(withPayload)).toBe(false);
    const pausedIndex = produced.findIndex((p) => p.event.type === 'traffic.paused.v1');
    const paused = JSON.parse(JSON.stringify(recorded(produced[pausedIndex], pausedIndex)));
    paused.data.response = 'drop';
    expect(validatorOf('traffic.paused.v1')(paused)).toBe(false);
  });
});
