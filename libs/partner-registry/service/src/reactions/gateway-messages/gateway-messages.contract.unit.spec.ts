import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { UnreadableEventError } from '@as2-partners/kernel';
import { gatewayRecordOf } from './gateway-messages.consumer';

const DOCS = join(__dirname, '../../../../../../docs/asyncapi');
const schema = JSON.parse(readFileSync(join(DOCS, 'schemas/gateway/gateway.message_outcome.schema.json'), 'utf8'));
const record = {
  message_id: '<20261130.1@us.example.com>',
  direction: 'outbound',
  as2_from: 'US',
  as2_to: 'ACME',
  status: 'delivered',
  occurred_at: '2026-11-30T10:00:00.000Z',
  account: 'acc',
  tenant: 'ten',
};

describe('as2.gateway.messages contract', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  it('is a valid AsyncAPI 3 document for the topic', async () => {
    const { document, diagnostics } = await fromFile(new Parser(), join(DOCS, 'gateway-messages.asyncapi.yaml')).parse();
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => d.message)).toEqual([]);
    expect(document!.channels().all()[0]!.address()).toBe('as2.gateway.messages');
    expect(document!.messages().all().map((m) => m.name())).toEqual(['gateway.message_outcome']);
    // Loading the AsyncAPI parser alone takes seconds on a loaded machine.
  }, 60_000);

  it('the schema and the consumer agree on a good record', () => {
    expect(validate(record)).toBe(true);
    expect(gatewayRecordOf(record)).toMatchObject({ message_id: record.message_id, account: 'acc', tenant: 'ten' });
  });

  it.each([
    ['no account', { ...record, account: undefined }],
    ['no tenant', { ...record, tenant: undefined }],
    ['a null account', { ...record, account: null }],
    ['a null tenant', { ...record, tenant: null }],
    ['an unknown field', { ...record, body: 'x' }],
    ['a bad status', { ...record, status: 'lost' }],
    ['a bad AS2 id', { ...record, as2_to: 'HAS SPACE' }],
    ['a bad date', { ...record, occurred_at: 'noon' }],
    ['an array', [record]],
    // As a record off the topic is parsed: JSON.parse makes these own fields, which no DTO ever sees.
    ['a __proto__ field', `{${JSON.stringify(record).slice(1, -1)},"__proto__":{"polluted":true}}`],
    ['a constructor field', `{${JSON.stringify(record).slice(1, -1)},"constructor":{"prototype":{}}}`],
    ['a toString field', `{${JSON.stringify(record).slice(1, -1)},"toString":"x"}`],
  ])('both refuse %s', (_what, bad) => {
    const cleaned = typeof bad === 'string' ? JSON.parse(bad) : Array.isArray(bad) ? bad : JSON.parse(JSON.stringify(bad));
    expect(validate(cleaned)).toBe(false);
    expect(() => gatewayRecordOf(cleaned)).toThrow();
    // Unreadable by any retry: the bus parks it at its first attempt, not after its retries (the partition waits meanwhile).
    expect(() => gatewayRecordOf(cleaned)).toThrow(UnreadableEventError);
  });
});
