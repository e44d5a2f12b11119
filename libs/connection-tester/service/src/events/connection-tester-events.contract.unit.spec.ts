import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import {
  CONNECTION_TESTER_PUBLISHED_CATEGORIES,
  CONNECTION_TESTER_PUBLISHED_EVENT_TYPES,
  ConnectionTesterStreams,
  foldPartnerConnection,
  partnerConnectionDecider,
  type ConnectionTested,
  type PartnerConnectionEvent,
} from '@as2-partners/connection-tester-domain';
import { categoryOf, toNewEvents, type RecordedEvent } from '@as2-partners/kernel';
import { requestMetadata, type RequestContext } from '@as2-partners/platform';
import { traced } from '@as2-partners/kernel-testing';

const DOCS = join(__dirname, '../../../../../docs/asyncapi');
const SPEC = join(DOCS, 'connection-tester.asyncapi.yaml');
const schemaFile = (type: string) => join(DOCS, 'schemas/connection-tester', `${type}.schema.json`);
const PARTNER = 'prt_01M8369VHGVPBY5SEFAXFPSG8P';

const ctx: RequestContext = { caller: { sub: 'alice', account: 'acc', tenant: 'ten', roles: ['tenant_admin'] }, correlationId: 'corr-1', requestId: 'req-1' };

const result = (n: number, outcome: 'success' | 'failure'): ConnectionTested['data'] => ({
  testId: `tst_${String(n).padStart(32, '0')}`,
  account: 'acc',
  tenant: 'ten',
  partnerId: PARTNER,
  partnerName: 'Acme',
  partnerAs2Id: 'ACME',
  url: 'https://acme.example.com/as2',
  testType: 'full',
  trigger: 'manual',
  outcome,
  results: { connectivity: 'success', as2_protocol: outcome === 'success' ? 'success' : 'failed', response_time_ms: 245, mic_match: outcome === 'success', server: null },
  timeline: [{ step: 'DNS resolution', status: 'success', durationMs: 12, details: 'Resolved acme.example.com to 203.0.113.10' }],
  durationMs: 245,
  testedAt: new Date(Date.UTC(2026, 10, 30, 10, n)).toISOString(),
});

/** Real decider output: a success, then a failure (with its status change). */
function produced(): RecordedEvent[] {
  const history: PartnerConnectionEvent[] = [];
  for (const [n, outcome] of [[1, 'success'], [2, 'failure']] as const) {
    history.push(...partnerConnectionDecider.decide({ type: 'record_test', result: result(n, outcome) }, foldPartnerConnection(history)));
  }
  const stream = ConnectionTesterStreams.partnerConnection(PARTNER, 'ten');
  return toNewEvents(history, requestMetadata(ctx, 'ten', new Date('2026-11-30T10:00:00Z'))).map((e, i) => ({ ...e, stream, revision: i, position: i + 1 }));
}

describe('connection-tester AsyncAPI contract', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validators = new Map<string, ReturnType<Ajv['compile']>>();
  const validatorOf = (type: string) => {
    if (!validators.has(type)) validators.set(type, ajv.compile(JSON.parse(readFileSync(schemaFile(type), 'utf8'))));
    return validators.get(type)!;
  };

  it('is a valid AsyncAPI 3 document naming every published event type once, each with its schema as payload', async () => {
    const { document, diagnostics } = await fromFile(new Parser(), SPEC).parse();
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => d.message)).toEqual([]);
    expect(document!.channels().all().map((c) => c.address())).toEqual(['as2.connection-tester.events']);
    const names = document!.messages().all().map((m) => m.name());
    expect([...names].sort()).toEqual([...CONNECTION_TESTER_PUBLISHED_EVENT_TYPES].sort());
    for (const message of document!.messages().all()) expect(message.payload()?.title()).toBe(message.name());
  });

  it('validates real decider output, published only from the partner-connection streams', () => {
    const events = produced();
    expect(events.map((e) => e.type)).toEqual(['connection.tested.v1', 'connection.tested.v1', 'connection.status_changed.v1']);
    for (const event of events) {
      expect(CONNECTION_TESTER_PUBLISHED_CATEGORIES).toContain(categoryOf(event.stream));
      const validate = validatorOf(event.type);
      if (!validate(JSON.parse(JSON.stringify(event)))) throw new Error(`${event.type}: ${ajv.errorsText(validate.errors)}`);
      if (!validate(traced(JSON.parse(JSON.stringify(event))))) throw new Error(`${event.type} with trace context: ${ajv.errorsText(validate.errors)}`);
    }
  });

  it('refuses an endpoint with user information and fields the contract does not name', () => {
    const validate = validatorOf('connection.tested.v1');
    const withCredentials = JSON.parse(JSON.stringify(produced()[0]));
    withCredentials.data.url = 'https://user:secret@acme.example.com/as2';
    expect(validate(withCredentials)).toBe(false);
    const extra = JSON.parse(JSON.stringify(produced()[0]));
    extra.data.payload = 'ISA*00*';
    expect(validate(extra)).toBe(false);
  });
});
