import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ACCOUNT_ID_PATTERN, TENANT_ID_PATTERN, UnreadableEventError } from '@as2-partners/kernel';
import { AS2_ID_PATTERN } from '@as2-partners/partner-registry-domain';
import { HEADER_SAFE_TEXT } from '../../partner-settings/partner-settings.dto';
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

  it("the schema's text patterns are the consumer's own (a change to one is a change to the other)", () => {
    expect(schema.properties.message_id.pattern).toBe(HEADER_SAFE_TEXT);
    expect(schema.properties.account.pattern).toBe(ACCOUNT_ID_PATTERN.source);
    expect(schema.properties.tenant.pattern).toBe(TENANT_ID_PATTERN.source);
    for (const field of ['as2_from', 'as2_to']) expect(schema.properties[field].pattern).toBe(AS2_ID_PATTERN.source);
  });

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
    // the same text rules as the HTTP door's (a producer checking the schema is refused nothing more by the consumer)
    ['a control character in the message id', { ...record, message_id: '<a\u0007b@us.example.com>' }],
    ['a line separator in the message id', { ...record, message_id: '<a\u2028b@us.example.com>' }],
    ['a bidirectional control in the message id', { ...record, message_id: '<a\u202eb@us.example.com>' }],
    ['the reserved tenant id _account', { ...record, tenant: '_account' }],
    ['a slash in the account', { ...record, account: 'acc/other' }],
    ['a blank in the account', { ...record, account: 'acc other' }],
    ['a percent sign in the account', { ...record, account: 'acc%2F' }],
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
